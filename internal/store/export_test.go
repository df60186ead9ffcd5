package store

import (
	"context"

	"github.com/cpcready/cpcready/internal/domain"
)

// WriteAggregate stores c's rows as they are, with no evaluation and no
// audit: replacing was's when was is not nil, inserting them otherwise.
func (db *DB) WriteAggregate(ctx context.Context, org string, was, c *domain.Conference) error {
	before := aggregateRows{}
	if was != nil {
		before = rowsOf(org, was)
	}
	return db.inWrite(ctx, func(t *Tx) error { return writeAggregate(t, before, rowsOf(org, c)) })
}

// ReadAggregate loads a conference without auditing the read.
func (db *DB) ReadAggregate(ctx context.Context, org, id string) (*domain.Conference, error) {
	return db.conference(ctx, org, id)
}

// RowsOf returns every row that stores c.
func RowsOf(org string, c *domain.Conference) []any {
	r := rowsOf(org, c)
	out := []any{r.conference}
	for _, rows := range [][]any{anys(r.children), anys(r.participants), anys(r.needs), anys(r.contacts), anys(r.reports), anys(r.shares), anys(r.professionals)} {
		out = append(out, rows...)
	}
	return out
}

func anys[T any](rows []T) []any {
	out := make([]any, len(rows))
	for i, r := range rows {
		out[i] = r
	}
	return out
}

// LoadConference reads conference id of org whole in one read
// transaction, as a write's snapshot does, without auditing the read.
func (db *DB) LoadConference(org, id string) error {
	return db.inRead(context.Background(), func(t *Tx) error {
		_, err := loadConference(t, org, id)
		return err
	})
}
