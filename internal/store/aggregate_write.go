package store

import "errors"

// errStale says that the conference changed after the state a write was
// prepared from was read: its version, or what writes that keep the
// version record (a chair's postponement, the start, the rules it was
// evaluated under).
var errStale = errors.New("store: the snapshot is stale")

// conferenceUpdates write a conference row: every column but org and id,
// those under an index only when they changed, and those checked against
// a list of values likewise, since an UPDATE setting type, format and
// status together was measured at 2 ms against 20 µs for two of them.
// Each applies only to the row as the write read it: the same version,
// and the same record of what writes that keep the version (a chair's
// postponement, the start) have set.
var conferenceUpdates = newRowUpdates(conferences.cols, []string{"id", "org"},
	[][]string{{"readiness_status"}, {"start_status"}, {"external_ref", "scheduled_start"},
		{"type", "previous_conference_type"}, {"format", "status"}},
	func(set string) *query {
		text := "UPDATE conferences SET " + set +
			" WHERE id = ? AND org = ? AND version = ? AND postponed_by_chair = ? AND readiness_rules = ? AND start_status IS "
		return newDialectQuery(text+"?", text+"NOT DISTINCT FROM ?")
	})

// writeConference is the one write of a conference row: an insert when
// before is nil, and otherwise an update of the row as before holds it,
// which fails with errStale when the row is no longer so.
func writeConference(t *Tx, before, after *conferenceRow) error {
	if before == nil {
		return conferences.add(t, []conferenceRow{*after})
	}
	q, args := conferenceUpdates.args(before.fields(), after.fields(), 6)
	args = append(args, after.ID, after.Org, before.Version, before.PostponedByChair, before.ReadinessRules, before.StartStatus)
	res, err := t.exec(q, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return errStale
	}
	return nil
}
