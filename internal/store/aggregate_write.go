package store

import (
	"context"
	"reflect"
	"sync"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/cpcready/cpcready/internal/domain"
)

// aggregateRows is a conference aggregate as the rows that store it.
type aggregateRows struct {
	conference    conferenceRow
	children      []childRow
	participants  []participantRow
	needs         []needRow
	contacts      []contactRow
	reports       []reportRow
	shares        []shareRow
	professionals []professionalRow
}

func rowsOf(org string, c *domain.Conference) aggregateRows {
	rows := aggregateRows{conference: toConferenceRow(org, c)}
	rows.conference.ReadinessDueOn = dateCol(c.Readiness.DueOn)
	for i, ch := range c.Children {
		rows.children = append(rows.children, toChildRow(c.ID, i, ch))
	}
	for i, p := range c.Participants {
		rows.participants = append(rows.participants, toParticipantRow(c.ID, i, p))
		for _, n := range p.Needs {
			rows.needs = append(rows.needs, needRow{ParticipantID: p.ID, Kind: n.Kind, Status: n.Status, Detail: textCol(n.Detail), Language: textCol(n.Language), Interpreter: textCol(n.Interpreter)})
		}
		for j, k := range p.Contacts {
			rows.contacts = append(rows.contacts, contactRow{ID: k.ID, ParticipantID: p.ID, Position: j, WithRole: k.With, OnDate: k.On.String(), Method: k.Method})
		}
	}
	for i, r := range c.Reports {
		rows.reports = append(rows.reports, reportRow{ID: r.ID, ConferenceID: c.ID, Position: i, Agency: r.Agency, Title: r.Title, ReceivedOn: dateCol(r.ReceivedOn), SharedWithChairOn: dateCol(r.SharedWithChairOn)})
		for j, s := range r.Shares {
			rows.shares = append(rows.shares, toShareRow(r.ID, j, s))
		}
	}
	for i, p := range c.Professionals {
		rows.professionals = append(rows.professionals, toProfessionalRow(c.ID, i, p))
	}
	return rows
}

// insertAggregate stores a new conference, one insert per table, and
// returns the conference row as stored, for the tallies.
func insertAggregate(tx *gorm.DB, org string, c *domain.Conference) (conferenceRow, error) {
	rows := rowsOf(org, c)
	err := updateAggregate(tx, aggregateRows{}, rows)
	return rows.conference, err
}

// updateAggregate writes only what differs between two states of an
// aggregate: the conference row, then each part row added, changed or
// gone. A write then costs statements for what it changed, not for the
// size of the family's record. An empty before inserts the conference.
func updateAggregate(tx *gorm.DB, before, after aggregateRows) error {
	if before.conference.ID == "" {
		if err := tx.Create(&after.conference).Error; err != nil {
			return err
		}
	} else if err := tx.Model(&conferenceRow{}).Where("id = ?", after.conference.ID).Select("*").Updates(&after.conference).Error; err != nil {
		return err
	}
	return updateParts(tx, before, after)
}

// updateParts writes the rows beneath the conference that were added,
// changed or are gone.
func updateParts(tx *gorm.DB, before, after aggregateRows) error {
	rootFirst := []tableChange{
		diffRows(before.children, after.children, func(r *childRow) string { return r.Ref }),
		diffRows(before.participants, after.participants, func(r *participantRow) string { return r.ID }),
		diffRows(before.reports, after.reports, func(r *reportRow) string { return r.ID }),
		diffRows(before.professionals, after.professionals, func(r *professionalRow) string { return r.ID }),
		diffRows(before.needs, after.needs, func(r *needRow) string { return r.ParticipantID + "/" + r.Kind }),
		diffRows(before.contacts, after.contacts, func(r *contactRow) string { return r.ID }),
		diffRows(before.shares, after.shares, func(r *shareRow) string { return r.ID }),
	}
	// Delete from the leaves up and write from the root down, so that no
	// row ever points at one that is not there.
	for i := len(rootFirst) - 1; i >= 0; i-- {
		if err := rootFirst[i].remove(tx); err != nil {
			return err
		}
	}
	for _, t := range rootFirst {
		if err := t.write(tx); err != nil {
			return err
		}
	}
	return nil
}

type tableChange interface {
	remove(tx *gorm.DB) error
	write(tx *gorm.DB) error
}

// rowDiff is how one table's rows of an aggregate changed.
type rowDiff[T any] struct {
	gone, added, changed []T
}

// diffRows matches rows before and after by key.
func diffRows[T any](before, after []T, key func(*T) string) *rowDiff[T] {
	d := &rowDiff[T]{}
	old := make(map[string]*T, len(before))
	for i := range before {
		old[key(&before[i])] = &before[i]
	}
	for i := range after {
		k := key(&after[i])
		was, ok := old[k]
		switch {
		case !ok:
			d.added = append(d.added, after[i])
		case !reflect.DeepEqual(*was, after[i]):
			d.changed = append(d.changed, after[i])
		}
		delete(old, k)
	}
	for i := range before {
		if _, ok := old[key(&before[i])]; ok {
			d.gone = append(d.gone, before[i])
		}
	}
	return d
}

// remove deletes the rows that are gone, each by its primary key.
func (d *rowDiff[T]) remove(tx *gorm.DB) error {
	for i := range d.gone {
		if err := tx.Delete(&d.gone[i]).Error; err != nil {
			return err
		}
	}
	return nil
}

// write inserts the new rows, all at once, and updates the changed ones.
func (d *rowDiff[T]) write(tx *gorm.DB) error {
	if len(d.added) > 0 {
		if err := tx.CreateInBatches(d.added, 200).Error; err != nil {
			return err
		}
	}
	for i := range d.changed {
		if err := tx.Model(&d.changed[i]).Select("*").Updates(&d.changed[i]).Error; err != nil {
			return err
		}
	}
	return nil
}

var conferenceColumns = func() *schema.Schema {
	s, err := schema.Parse(&conferenceRow{}, &sync.Map{}, schema.NamingStrategy{})
	if err != nil {
		panic(err) // a fault in conferenceRow's tags, found by every test
	}
	return s
}()

// changedColumns names the conference row's columns that differ, with
// their new values. Every write changes the version, so it is never
// empty. Setting only these spares SQLite rewriting the entries of indexes
// whose columns did not change.
func changedColumns(before, after *conferenceRow) map[string]any {
	out := map[string]any{}
	b, a := reflect.ValueOf(before).Elem(), reflect.ValueOf(after).Elem()
	for _, f := range conferenceColumns.Fields {
		was, now := f.ReflectValueOf(context.Background(), b).Interface(), f.ReflectValueOf(context.Background(), a).Interface()
		if !reflect.DeepEqual(was, now) {
			out[f.DBName] = now
		}
	}
	return out
}
