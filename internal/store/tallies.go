package store

import (
	"cmp"
	"slices"
	"strings"

	"github.com/cpcready/cpcready/internal/domain"
)

// Insights are answered from insight_tallies: for each organisation, day
// (the conference date in Europe/London) and measure, the sum of what every
// conference dated that day adds. Every write that changes what a
// conference adds changes the tallies by the difference, in the same
// transaction; RecountInsights rebuilds them from the conferences. Days
// rather than months, so that a window may start and end on any date.

type tallyRow struct {
	Org         string `gorm:"primaryKey"`
	Day         string `gorm:"primaryKey"`
	Measure     string `gorm:"primaryKey"`
	Numerator   int64
	Denominator int64
}

func (tallyRow) TableName() string { return "insight_tallies" }

func (r *tallyRow) fields() []any {
	return []any{&r.Org, &r.Day, &r.Measure, &r.Numerator, &r.Denominator}
}

var (
	// tallies adds rows to the tallies: the one write of them.
	tallies = newTable((*tallyRow).fields, manyRowChunks, ` ON CONFLICT (org, day, measure) DO UPDATE SET
		numerator = insight_tallies.numerator + excluded.numerator, denominator = insight_tallies.denominator + excluded.denominator`)
	talliesIn      = newQuery("SELECT " + tallies.columns("") + " FROM insight_tallies WHERE org = ?")
	clearTallies   = newQuery("DELETE FROM insight_tallies WHERE org = ?")
	contributionOf = newQuery("SELECT " + strings.Join(contributionColumns, ", ") + " FROM conferences WHERE org = ? AND id > ? ORDER BY id LIMIT ?")
)

// contributionColumns are the columns contribution reads.
var contributionColumns = []string{"id", "org", "status", "scheduled_start", "insight_measures", "postponed_by_chair", "start_status", "start_needs"}

func (r *conferenceRow) contributionFields() []any {
	return []any{&r.ID, &r.Org, &r.Status, &r.ScheduledStart, &r.InsightMeasures, &r.PostponedByChair, &r.StartStatus, &r.StartNeeds}
}

// contribution is what a stored conference adds to its organisation's
// tallies, and on which day. A cancelled conference adds nothing, nor does
// one never evaluated with measures (a row stored before they were kept,
// until the re-evaluation after the upgrade reaches it), so that the
// tallies are the sum over the rows at every moment of that pass. Needs
// count as they stood at the start, so only once the start is recorded.
func contribution(r *conferenceRow) (string, domain.Tally) {
	if r == nil || r.ID == "" || r.Status == string(domain.StatusCancelled) || r.InsightMeasures == nil {
		return "", nil
	}
	t := nonNil(colTally(r.InsightMeasures)).WithoutNeeds()
	t[domain.MeasurePostponedByChair] = domain.Bit(r.PostponedByChair)
	if r.StartStatus != nil {
		t[domain.MeasureReadyAtStart] = domain.Bit(*r.StartStatus == domain.Ready)
		t.Add(nonNil(colTally(r.StartNeeds)).NeedsOnly(), 1)
	}
	return domain.DateOf(r.ScheduledStart).String(), t
}

// sameContribution reports whether two rows of a conference add the same
// to the tallies, comparing the columns contribution reads rather than
// decoding their measures: most writes and re-evaluations leave them as
// they were, and decoding was a tenth of a re-evaluation's time.
func sameContribution(a, b *conferenceRow) bool {
	return a != nil && b != nil && a.ID == b.ID && a.Status == b.Status && a.PostponedByChair == b.PostponedByChair &&
		a.ScheduledStart.Equal(b.ScheduledStart) && samePtr(a.InsightMeasures, b.InsightMeasures) &&
		samePtr(a.StartStatus, b.StartStatus) && samePtr(a.StartNeeds, b.StartNeeds)
}

func samePtr[T comparable](a, b *T) bool {
	return a == b || a != nil && b != nil && *a == *b
}

// tallyDelta is a change to one organisation's tallies, by day.
type tallyDelta map[string]domain.Tally

// change adds the difference between what a conference added before a
// write and what it adds after; a nil before is a new conference.
func (d tallyDelta) change(before, after *conferenceRow) {
	if sameContribution(before, after) {
		return
	}
	if day, t := contribution(before); t != nil {
		d.add(day, t, -1)
	}
	if day, t := contribution(after); t != nil {
		d.add(day, t, 1)
	}
}

func (d tallyDelta) add(day string, t domain.Tally, sign int64) {
	if d[day] == nil {
		d[day] = domain.Tally{}
	}
	d[day].Add(t, sign)
}

// rows returns the delta as rows, ordered by day and measure: writers
// that touch the same tallies then lock them in the same order, and so
// cannot deadlock on PostgreSQL.
func (d tallyDelta) rows(org string) []tallyRow {
	var out []tallyRow
	for day, t := range d {
		for _, m := range t.Keys() {
			out = append(out, tallyRow{Org: org, Day: day, Measure: m, Numerator: t[m].Numerator, Denominator: t[m].Denominator})
		}
	}
	slices.SortFunc(out, func(a, b tallyRow) int {
		return cmp.Or(cmp.Compare(a.Day, b.Day), cmp.Compare(a.Measure, b.Measure))
	})
	return out
}

// apply adds the delta to org's tallies. Most writes change a count or two,
// and none is one statement.
func (d tallyDelta) apply(t *Tx, org string) error {
	return tallies.add(t, d.rows(org))
}

// applyChange applies the difference one conference's write makes.
func applyChange(t *Tx, org string, before, after *conferenceRow) error {
	d := tallyDelta{}
	d.change(before, after)
	return d.apply(t, org)
}

// rebuildTallies replaces org's tallies with the sum of what its
// conferences add, as stored on their rows.
func rebuildTallies(t *Tx, org string) error {
	sum := tallyDelta{}
	after := ""
	for {
		rows, err := selectRows(t, (*conferenceRow).contributionFields, contributionOf, org, after, reevaluatePage)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			break
		}
		for i := range rows {
			sum.change(nil, &rows[i])
		}
		after = rows[len(rows)-1].ID
	}
	if _, err := t.exec(clearTallies, org); err != nil {
		return err
	}
	return sum.apply(t, org)
}

// talliesOf reads org's tallies, leaving out counts that are zero.
func talliesOf(t *Tx, org string) (map[[2]string]domain.Count, error) {
	rows, err := selectRows(t, (*tallyRow).fields, talliesIn, org)
	if err != nil {
		return nil, err
	}
	out := make(map[[2]string]domain.Count, len(rows))
	for _, r := range rows {
		if c := (domain.Count{Numerator: r.Numerator, Denominator: r.Denominator}); !c.IsZero() {
			out[[2]string{r.Day, r.Measure}] = c
		}
	}
	return out, nil
}
