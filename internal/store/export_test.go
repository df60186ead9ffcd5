package store

import (
	"context"

	"github.com/cpcready/cpcready/internal/domain"
)

// WriteAggregate stores c's row as it is, with no evaluation and no
// audit: replacing was's when was is not nil, inserting it otherwise.
func (db *DB) WriteAggregate(ctx context.Context, org string, was, c *domain.Conference) error {
	var before *conferenceRow
	if was != nil {
		row := toConferenceRow(org, was)
		before = &row
	}
	after := toConferenceRow(org, c)
	return db.inWrite(ctx, func(t *Tx) error { return writeConference(t, before, &after) })
}

// ReadAggregate loads a conference without auditing the read.
func (db *DB) ReadAggregate(ctx context.Context, org, id string) (*domain.Conference, error) {
	return db.conference(ctx, org, id)
}

// RowOf returns the row that stores c.
func RowOf(org string, c *domain.Conference) any { return toConferenceRow(org, c) }

// LoadConference reads conference id of org whole in one read
// transaction, as a write's snapshot does, without auditing the read.
func (db *DB) LoadConference(org, id string) error {
	return db.inRead(context.Background(), func(t *Tx) error {
		_, err := loadConference(t, org, id)
		return err
	})
}

// MigrateDownTo undoes the migrations after version.
func (db *DB) MigrateDownTo(ctx context.Context, version int64) error {
	p, err := db.migrator()
	if err != nil {
		return err
	}
	_, err = p.DownTo(ctx, version)
	return err
}
