package store

import (
	"context"
	"encoding/json"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/cpcready/cpcready/internal/domain"
)

// CopyReport says what a copy found in each database afterwards.
type CopyReport struct {
	Tables      map[string][2]int64 // table → {source rows, target rows}
	Conferences int                 // aggregates compared equal
}

// copyTables are copied row for row.
var copyTables = []string{"conferences", "policies", "api_keys", "idempotency_records", "readiness_checks", "audit_events", "audit_listed",
	"event_counters", "events", "overdue_notices", "webhooks", "webhook_deliveries", "webhook_attempts", "insight_tallies"}

// CopyTo copies every table of db into dst, which must be migrated. Rows are
// upserted, so a rerun after a partial or a complete copy converges on the
// same result and changes nothing more.
// Afterwards it verifies row counts and compares every conference aggregate.
func (db *DB) CopyTo(ctx context.Context, dst *DB) (CopyReport, error) {
	confs, err := db.checkCopyTarget(ctx, dst)
	if err != nil {
		return CopyReport{}, err
	}
	if err := copyRows[policyRow](ctx, db, dst, "org", true); err != nil {
		return CopyReport{}, err
	}
	if err := copyRows[apiKeyRow](ctx, db, dst, "id", true); err != nil {
		return CopyReport{}, err
	}
	if err := copyRows[idempotencyRow](ctx, db, dst, "org, principal_kind, principal_id, key", true); err != nil {
		return CopyReport{}, err
	}
	if err := copyRows[conferenceRow](ctx, db, dst, "id", true); err != nil {
		return CopyReport{}, err
	}
	if err := copyRows[checkRow](ctx, db, dst, "id", true); err != nil {
		return CopyReport{}, err
	}
	if err := copyRows[tallyRow](ctx, db, dst, "org, day, measure", true); err != nil {
		return CopyReport{}, err
	}
	// The audit trail is append-only on both sides: existing rows are kept.
	if err := copyRows[auditRow](ctx, db, dst, "id", false); err != nil {
		return CopyReport{}, err
	}
	if err := copyRows[listedRow](ctx, db, dst, "event_id, conference_id", false); err != nil {
		return CopyReport{}, err
	}
	if err := db.copyEvents(ctx, dst); err != nil {
		return CopyReport{}, err
	}
	if dst.Dialect == Postgres {
		err := dst.gorm[writer].WithContext(ctx).Exec("SELECT setval(pg_get_serial_sequence('audit_events', 'id'), GREATEST((SELECT COALESCE(MAX(id), 0) FROM audit_events), 1))").Error
		if err != nil {
			return CopyReport{}, err
		}
	}
	return db.verifyCopy(ctx, dst, confs)
}

var (
	allConferences  = newQuery("SELECT id, org FROM conferences ORDER BY id")
	orgOfConference = newQuery("SELECT org FROM conferences WHERE id = ?")
)

// conferenceIDs lists every conference, by id, with its organisation.
func (db *DB) conferenceIDs(ctx context.Context) ([]conferenceRow, error) {
	var rows []conferenceRow
	err := db.inReadOne(ctx, func(t *Tx) error {
		var err error
		rows, err = selectRows(t, func(r *conferenceRow) []any { return []any{&r.ID, &r.Org} }, allConferences)
		return err
	})
	return rows, err
}

// checkCopyTarget refuses a target holding data this source did not put
// there: an earlier copy of this source may be copied over again, but
// nothing else may be merged into. It returns the source's conferences,
// which the copy is verified against.
func (db *DB) checkCopyTarget(ctx context.Context, dst *DB) ([]conferenceRow, error) {
	srcIDs, err := db.conferenceIDs(ctx)
	if err != nil {
		return nil, err
	}
	dstIDs, err := dst.conferenceIDs(ctx)
	if err != nil {
		return nil, err
	}
	known := make(map[string]bool, len(srcIDs))
	for _, r := range srcIDs {
		known[r.ID] = true
	}
	for _, r := range dstIDs {
		if !known[r.ID] {
			return nil, fmt.Errorf("the target holds conference %s, which is not in the source: copy into an empty database", r.ID)
		}
	}
	var srcMax, dstMax int64
	if err := db.gorm[reader].WithContext(ctx).Model(&auditRow{}).Select("COALESCE(MAX(id), 0)").Scan(&srcMax).Error; err != nil {
		return nil, err
	}
	if err := dst.gorm[reader].WithContext(ctx).Model(&auditRow{}).Select("COALESCE(MAX(id), 0)").Scan(&dstMax).Error; err != nil {
		return nil, err
	}
	if dstMax > srcMax {
		return nil, fmt.Errorf("the target's audit trail runs past the source's: copy into an empty database")
	}
	return srcIDs, nil
}

// copyRows upserts every row of one table, in batches.
func copyRows[T any](ctx context.Context, src, dst *DB, order string, update bool) error {
	var batch []T
	conflict := clause.OnConflict{DoNothing: true}
	if update {
		conflict = clause.OnConflict{UpdateAll: true}
	}
	return src.gorm[reader].WithContext(ctx).Order(order).FindInBatches(&batch, 500, func(_ *gorm.DB, _ int) error {
		return dst.inWrite(ctx, func(t *Tx) error {
			return t.orm().Clauses(conflict).Create(&batch).Error
		})
	}).Error
}

// copyEvents copies the outbox and the webhooks with their deliveries, so
// that sequences, subscriptions and what was delivered carry over.
func (db *DB) copyEvents(ctx context.Context, dst *DB) error {
	if err := copyAll[eventCounterRow](ctx, db, dst); err != nil {
		return err
	}
	if err := copyRows[eventRow](ctx, db, dst, "id", true); err != nil {
		return err
	}
	if err := copyAll[overdueNoticeRow](ctx, db, dst); err != nil {
		return err
	}
	if err := copyRows[webhookRow](ctx, db, dst, "id", true); err != nil {
		return err
	}
	if err := copyRows[deliveryRow](ctx, db, dst, "id", true); err != nil {
		return err
	}
	return copyAll[attemptRow](ctx, db, dst)
}

// copyAll copies a table whose key has several columns, which
// FindInBatches cannot page by; rows already there are kept.
func copyAll[T any](ctx context.Context, src, dst *DB) error {
	var rows []T
	if err := src.gorm[reader].WithContext(ctx).Find(&rows).Error; err != nil || len(rows) == 0 {
		return err
	}
	return dst.inWrite(ctx, func(t *Tx) error {
		return t.orm().Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&rows, 500).Error
	})
}

func (db *DB) verifyCopy(ctx context.Context, dst *DB, confs []conferenceRow) (CopyReport, error) {
	rep := CopyReport{Tables: map[string][2]int64{}}
	for _, t := range copyTables {
		var a, b int64
		if err := db.gorm[reader].WithContext(ctx).Table(t).Count(&a).Error; err != nil {
			return rep, err
		}
		if err := dst.gorm[reader].WithContext(ctx).Table(t).Count(&b).Error; err != nil {
			return rep, err
		}
		rep.Tables[t] = [2]int64{a, b}
		if a != b {
			return rep, fmt.Errorf("verify: %s has %d rows in the source and %d in the target", t, a, b)
		}
	}
	if err := db.verifyAudit(ctx, dst); err != nil {
		return rep, err
	}
	for _, row := range confs {
		want, err := db.AggregateJSON(ctx, row.ID)
		if err != nil {
			return rep, err
		}
		got, err := dst.AggregateJSON(ctx, row.ID)
		if err != nil {
			return rep, err
		}
		if string(want) != string(got) {
			return rep, fmt.Errorf("verify: conference %s differs after the copy", row.ID)
		}
		rep.Conferences++
	}
	return rep, nil
}

// AggregateJSON returns a conference's whole aggregate as JSON, without an
// organisation check or an audit row: for copies and tests, not for callers.
func (db *DB) AggregateJSON(ctx context.Context, id string) ([]byte, error) {
	var org string
	var c *domain.Conference
	err := db.inRead(ctx, func(t *Tx) error {
		if err := t.scan(orgOfConference, []any{id}, &org); err != nil {
			return err
		}
		var err error
		c, err = loadConference(t, org, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return json.Marshal(struct {
		Org string `json:"org"`
		Agg any    `json:"aggregate"`
	}{org, c})
}

// verifyAudit compares the two audit trails row by row, in pages.
func (db *DB) verifyAudit(ctx context.Context, dst *DB) error {
	var after int64
	for {
		var a, b []auditRow
		if err := db.gorm[reader].WithContext(ctx).Where("id > ?", after).Order("id").Limit(1000).Find(&a).Error; err != nil {
			return err
		}
		if err := dst.gorm[reader].WithContext(ctx).Where("id > ?", after).Order("id").Limit(1000).Find(&b).Error; err != nil {
			return err
		}
		x, _ := json.Marshal(toEvents(a))
		y, _ := json.Marshal(toEvents(b))
		if string(x) != string(y) {
			return fmt.Errorf("verify: the audit trail differs after id %d", after)
		}
		if len(a) == 0 {
			return nil
		}
		after = a[len(a)-1].ID
	}
}
