// Package insights shapes an organisation's tallies into the research's
// measures (docs/insights.md): per month and in total, each a numerator
// over a denominator, with the research's own figures beside them. The
// counting itself is in internal/readiness (per conference) and
// internal/store (summed by day); this package only adds up and presents.
package insights

import (
	"encoding/csv"
	"io"
	"strconv"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
)

// MaxWindow is the longest window one request may ask for.
const MaxWindow = 3 // years

// Group values.
const (
	GroupMonth = "month"
	GroupNone  = "none"
)

// Rate is one measure: numerator over denominator, and their ratio, which
// is null when the denominator is 0.
type Rate struct {
	Numerator   int64    `json:"numerator"`
	Denominator int64    `json:"denominator"`
	Rate        *float64 `json:"rate"`
}

func rateOf(c domain.Count) Rate {
	r := Rate{Numerator: c.Numerator, Denominator: c.Denominator}
	if c.Denominator != 0 {
		v := float64(c.Numerator) / float64(c.Denominator)
		r.Rate = &v
	}
	return r
}

// Need is one kind of need: how many participants had it at the start,
// and how many of those had it arranged by then.
type Need struct {
	Had            int64 `json:"had"`
	ArrangedInTime Rate  `json:"arranged_in_time"`
}

// Measures are the research's measures over a set of conferences.
type Measures struct {
	SpokeToSocialWorker Rate            `json:"spoke_to_social_worker"`
	SpokeToChair        Rate            `json:"spoke_to_chair"`
	ReportsSharedInTime Rate            `json:"reports_shared_in_time"`
	ChildViewsShared    Rate            `json:"child_views_shared"`
	PhoneOnly           Rate            `json:"phone_only"`
	Needs               map[string]Need `json:"needs"`
	ReadyAtStart        Rate            `json:"ready_at_start"`
	PostponedByChair    Rate            `json:"postponed_by_chair"`
}

// MeasuresOf reads measures from a summed tally. Every kind of need is
// present, with zeros where none was had.
func MeasuresOf(t domain.Tally) Measures {
	m := Measures{
		SpokeToSocialWorker: rateOf(t[domain.MeasureSpokeToSocialWorker]),
		SpokeToChair:        rateOf(t[domain.MeasureSpokeToChair]),
		ReportsSharedInTime: rateOf(t[domain.MeasureReportsSharedInTime]),
		ChildViewsShared:    rateOf(t[domain.MeasureChildViewsShared]),
		PhoneOnly:           rateOf(t[domain.MeasurePhoneOnly]),
		ReadyAtStart:        rateOf(t[domain.MeasureReadyAtStart]),
		PostponedByChair:    rateOf(t[domain.MeasurePostponedByChair]),
		Needs:               map[string]Need{},
	}
	for _, kind := range domain.NeedKinds {
		c := t[domain.NeedsPrefix+kind]
		m.Needs[kind] = Need{Had: c.Denominator, ArrangedInTime: rateOf(c)}
	}
	return m
}

// Month is the measures of the conferences dated in one calendar month
// (Europe/London) of the window.
type Month struct {
	Month    string   `json:"month"` // YYYY-MM
	Measures Measures `json:"measures"`
}

// Baseline is one of the research's figures, to draw beside a measure.
type Baseline struct {
	Measure string `json:"measure"`
	// Value is the figure as a rate, or null where the research gave only
	// words ("most").
	Value  *float64 `json:"value"`
	Text   string   `json:"text"`
	Source string   `json:"source"`
}

// Source names the research the baselines come from.
const Source = "Child protection conference practice during COVID-19: rapid consultation (Nuffield Family Justice Observatory, 2020)"

func ptr(v float64) *float64 { return &v }

// Baselines are the research's own figures. Its parents were a survey of
// 24 and 14 interviews, not a count of conferences: a reference, not a
// target.
var Baselines = []Baseline{
	{Measure: domain.MeasureReportsSharedInTime, Value: ptr(1.0 / 3), Text: "one third of parents had received the professionals' reports before the conference (two thirds had not)", Source: Source},
	{Measure: domain.MeasureChildViewsShared, Value: ptr(1.0 / 5), Text: "one fifth of parents said the child's views had been written down and shared", Source: Source},
	{Measure: domain.MeasurePhoneOnly, Value: nil, Text: "most parents joined by phone", Source: Source},
}

// Report is the answer to one insights request.
type Report struct {
	From  domain.Date `json:"from"`
	To    domain.Date `json:"to"`
	Group string      `json:"group"`
	Total Measures    `json:"total"`
	// Months holds every month the window touches, oldest first, with
	// zeros where nothing happened; only when grouped by month.
	Months    []Month    `json:"months,omitempty"`
	Baselines []Baseline `json:"baselines"`
}

// NewReport builds the report for [from, to) from tallies summed by month
// ("YYYY-MM").
func NewReport(byMonth map[string]domain.Tally, from, to domain.Date, group string) Report {
	total := domain.Tally{}
	for _, t := range byMonth {
		total.Add(t, 1)
	}
	r := Report{From: from, To: to, Group: group, Total: MeasuresOf(total), Baselines: Baselines}
	if group == GroupMonth {
		for _, m := range MonthsOf(from, to) {
			r.Months = append(r.Months, Month{Month: m, Measures: MeasuresOf(byMonth[m])})
		}
	}
	return r
}

// MonthsOf lists the calendar months ("YYYY-MM") that [from, to) touches.
func MonthsOf(from, to domain.Date) []string {
	var out []string
	t := from.Time()
	m := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	for m.Before(to.Time()) {
		out = append(out, m.Format("2006-01"))
		m = m.AddDate(0, 1, 0)
	}
	return out
}

// LastMonths is the window of the n calendar months up to and including
// the one today falls in: from the first of the earliest to the first of
// the next.
func LastMonths(today domain.Date, n int) (from, to domain.Date) {
	t := today.Time()
	first := domain.NewDate(t.Year(), t.Month(), 1)
	return first.AddMonths(1 - n), first.AddMonths(1)
}

// CSVFilename names the CSV form of the report for a download.
func (r Report) CSVFilename() string {
	return "insights-" + r.From.String() + "-" + r.To.String() + ".csv"
}

// CSVHeader is the CSV form's first row.
var CSVHeader = []string{"month", "measure", "numerator", "denominator", "rate"}

// WriteCSV writes the report as one row per month and measure, then the
// total's rows (month "total"). A need's row is its arranged_in_time
// measure, named needs.<kind>; its denominator is how many had it. A rate
// with no denominator is left empty.
func (r Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, m := range r.Months {
		if err := writeMeasures(cw, m.Month, m.Measures); err != nil {
			return err
		}
	}
	if err := writeMeasures(cw, "total", r.Total); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// Rows lists a Measures' rates by name, in the documented order.
func (m Measures) Rows() []NamedRate {
	rows := []NamedRate{
		{domain.MeasureSpokeToSocialWorker, m.SpokeToSocialWorker},
		{domain.MeasureSpokeToChair, m.SpokeToChair},
		{domain.MeasureReportsSharedInTime, m.ReportsSharedInTime},
		{domain.MeasureChildViewsShared, m.ChildViewsShared},
		{domain.MeasurePhoneOnly, m.PhoneOnly},
	}
	for _, kind := range domain.NeedKinds {
		rows = append(rows, NamedRate{domain.NeedsPrefix + kind, m.Needs[kind].ArrangedInTime})
	}
	return append(rows,
		NamedRate{domain.MeasureReadyAtStart, m.ReadyAtStart},
		NamedRate{domain.MeasurePostponedByChair, m.PostponedByChair})
}

// NamedRate is a measure and its name.
type NamedRate struct {
	Name string
	Rate Rate
}

func writeMeasures(cw *csv.Writer, month string, m Measures) error {
	for _, row := range m.Rows() {
		rate := ""
		if row.Rate.Rate != nil {
			rate = strconv.FormatFloat(*row.Rate.Rate, 'f', -1, 64)
		}
		rec := []string{month, row.Name, strconv.FormatInt(row.Rate.Numerator, 10), strconv.FormatInt(row.Rate.Denominator, 10), rate}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	return nil
}
