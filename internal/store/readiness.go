package store

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/domain"
)

// Readiness returns a conference's readiness as it stands now, and its
// version, and audits the read. It is one row: the findings stored by the
// last write, with overdue worked out for today. A row stored before
// findings were kept, or while new rules have yet to reach it, is
// evaluated live.
func (db *DB) Readiness(ctx context.Context, p domain.Principal, id string) (domain.ReadinessResult, int, error) {
	row, err := db.readinessRow(ctx, p, id)
	if err != nil {
		return domain.ReadinessResult{}, 0, err
	}
	result, version, err := db.readinessOf(ctx, p, row)
	if err != nil {
		return domain.ReadinessResult{}, 0, err
	}
	return result, version, db.AuditRead(ctx, p, "readiness", id, id)
}

// ReadinessJSON is Readiness as the JSON of its domain.ReadinessResult,
// byte for byte. When no finding is overdue today, as for most
// conferences, the stored findings are copied into it as they were
// stored, rather than decoded and encoded again.
func (db *DB) ReadinessJSON(ctx context.Context, p domain.Principal, id string) ([]byte, int, error) {
	row, err := db.readinessRow(ctx, p, id)
	if err != nil {
		return nil, 0, err
	}
	var body []byte
	version := row.Version
	if db.trusted(row.ReadinessFindings != nil, row.ReadinessRules) && !overdueBy(colDate(row.ReadinessDueOn), db.today()) {
		body, err = storedResultJSON(row, db.now())
	} else {
		var result domain.ReadinessResult
		if result, version, err = db.readinessOf(ctx, p, row); err == nil {
			body, err = json.Marshal(result)
		}
	}
	if err != nil {
		return nil, 0, err
	}
	return body, version, db.AuditRead(ctx, p, "readiness", id, id)
}

// readinessColumns reads the columns a readiness answer needs, with one
// fixed statement scanned straight into them: scanning a whole row is
// most of the cost of this read.
var readinessColumns = newQuery(`SELECT version, readiness_status, readiness_blockers, readiness_advisories, readiness_due_on,
	readiness_findings, readiness_rules FROM conferences WHERE id = ? AND org = ?`)

// readinessRow reads the columns a readiness answer needs.
func (db *DB) readinessRow(ctx context.Context, p domain.Principal, id string) (conferenceRow, error) {
	if uuid.Validate(id) != nil {
		return conferenceRow{}, domain.Errorf(domain.ENOTFOUND, "conference not found")
	}
	row := conferenceRow{ID: id}
	err := db.inReadOne(ctx, func(t *Tx) error {
		return t.scan(readinessColumns, []any{id, p.Org}, &row.Version, &row.ReadinessStatus, &row.ReadinessBlockers,
			&row.ReadinessAdvisories, &row.ReadinessDueOn, &row.ReadinessFindings, &row.ReadinessRules)
	})
	if domain.ErrorKind(err) == domain.ENOTFOUND {
		return row, domain.Errorf(domain.ENOTFOUND, "conference not found")
	}
	return row, err
}

// readinessOf is the readiness of the conference row holds: stored, or
// evaluated live when it cannot be trusted.
func (db *DB) readinessOf(ctx context.Context, p domain.Principal, row conferenceRow) (domain.ReadinessResult, int, error) {
	if !db.trusted(row.ReadinessFindings != nil, row.ReadinessRules) {
		result, c, err := db.evaluation(ctx, p, row.ID)
		if err != nil {
			return domain.ReadinessResult{}, 0, err
		}
		return result, c.Version, nil
	}
	summary := summaryOf(row)
	var err error
	if summary.Findings, err = colFindings(row.ReadinessFindings); err != nil {
		return domain.ReadinessResult{}, 0, err
	}
	return summary.Result(db.now()), row.Version, nil
}

// overdueBy reports whether a blocker due on due is overdue today.
// Findings are stored without overdue flags, so stored findings are as
// they would be read only while this is false.
func overdueBy(due *domain.Date, today domain.Date) bool {
	return due != nil && today.After(*due)
}

// storedResultJSON writes what json.Marshal would of the readiness result
// row's summary gives at now, with the stored findings copied in. Their
// JSON was written by json.Marshal too, with every overdue flag false,
// which is what they are while no blocker is overdue; the fields around
// them follow ReadinessResult's order. TestReadinessJSONIsTheResultMarshalled
// holds the two to the same bytes.
func storedResultJSON(row conferenceRow, now time.Time) ([]byte, error) {
	at, err := now.MarshalJSON()
	if err != nil {
		return nil, err
	}
	findings := *row.ReadinessFindings
	b := make([]byte, 0, len(findings)+len(at)+96)
	b = append(b, `{"status":"`...)
	b = append(b, row.ReadinessStatus...) // ready or not_ready: nothing to escape
	b = append(b, '"')
	b = append(b, `,"blockers":`...)
	b = strconv.AppendInt(b, int64(row.ReadinessBlockers), 10)
	b = append(b, `,"advisories":`...)
	b = strconv.AppendInt(b, int64(row.ReadinessAdvisories), 10)
	b = append(b, `,"findings":`...)
	b = append(b, findings...)
	b = append(b, `,"evaluated_at":`...)
	b = append(b, at...)
	return append(b, '}'), nil
}
