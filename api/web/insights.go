package web

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/insights"
)

// insightsMonths is how many calendar months the Insights page shows, up
// to and including the current one.
const insightsMonths = 12

// insightsView is the Insights page: each measure by month as a chart and
// as a table, the needs over the whole window, and the CSV's address.
type insightsView struct {
	Period   string
	Measures []measureView
	Needs    needsView
	CSV      string
	Source   string
}

// measureView is one measure over the window.
type measureView struct {
	ID, Title, About       string
	Numerator, Denominator string // what each counts, in words
	LowerIsBetter          bool
	Baseline               *insights.Baseline
	Rows                   []rateRow // the months, oldest first
	Total                  rateRow
	Chart                  chart
}

// rateRow is one month's (or the window's) figures, in words.
type rateRow struct {
	Label                  string
	Numerator, Denominator int64
	Rate                   string // "45%", or "" with nobody to count
}

// needsView is the needs over the whole window.
type needsView struct {
	Rows  []needRate
	Chart chart
}

type needRate struct {
	Kind, Name string
	rateRow
}

// measureTexts say what each charted measure counts (docs/insights.md).
var measureTexts = []struct {
	measure, title, about, numerator, denominator string
	lowerIsBetter                                 bool
}{
	{domain.MeasureSpokeToSocialWorker, "Spoke to the social worker beforehand", "Family members taking part who had a conversation with the social worker on or before the day of the conference.", "Spoke to the social worker", "Family members taking part", false},
	{domain.MeasureSpokeToChair, "Spoke to the chair beforehand", "Family members taking part who had a conversation with the chair on or before the day of the conference.", "Spoke to the chair", "Family members taking part", false},
	{domain.MeasureReportsSharedInTime, "Had every report in time", "Family members owed the reports who had every report shared with them, or withheld with the chair's agreement, by its due date.", "Had every report in time", "Family members owed the reports", false},
	{domain.MeasureChildViewsShared, "Children's views recorded and shared", "Children whose views were recorded and shared on or before the day of the conference; unborn children and views that cannot be had are left out.", "Views recorded and shared", "Children", false},
	{domain.MeasurePhoneOnly, "Joined by phone", "Family members attending who joined by phone rather than in person or by video. Lower is better.", "By phone", "Family members attending", true},
	{domain.MeasureReadyAtStart, "Ready when the conference began", "Conferences that were ready when they began, of those that have begun.", "Ready at the start", "Conferences that have begun", false},
	{domain.MeasurePostponedByChair, "Postponed by the chair", "Conferences the chair decided to postpone at their check.", "Postponed", "Conferences", false},
}

// baselineShort is a research figure as a chart's line is labelled.
var baselineShort = map[string][]string{
	domain.MeasureReportsSharedInTime: {"Research:", "one third"},
	domain.MeasureChildViewsShared:    {"Research:", "one fifth"},
	domain.MeasurePhoneOnly:           {"Research: most", "(over half)"},
}

// baselineAt is where a baseline's line is drawn: its value, or one half
// for the research's "most".
func baselineAt(b insights.Baseline) float64 {
	if b.Value != nil {
		return *b.Value
	}
	return 0.5
}

// insightsReport reads the last months' insights for a manager or an
// admin, audited as the API's read is; anyone else gets the 403 page, and
// nothing is read.
func (s *Server) insightsReport(w http.ResponseWriter, r *http.Request, u user) (insights.Report, bool) {
	if !s.allowed(w, r, u, "getInsights") {
		return insights.Report{}, false
	}
	from, to := insights.LastMonths(domain.DateOf(s.db.Now()), insightsMonths)
	byMonth, err := s.db.Insights(r.Context(), u.Principal, from, to)
	if err != nil {
		s.fail(w, r, err)
		return insights.Report{}, false
	}
	return insights.NewReport(byMonth, from, to, insights.GroupMonth), true
}

func (s *Server) handleInsights(w http.ResponseWriter, r *http.Request, u user) {
	if rep, ok := s.insightsReport(w, r, u); ok {
		s.render(w, r, http.StatusOK, "insights", &page{Title: "Insights", Section: sectionInsights, Data: newInsightsView(rep)})
	}
}

// handleInsightsCSV serves the API's CSV of the same figures.
func (s *Server) handleInsightsCSV(w http.ResponseWriter, r *http.Request, u user) {
	rep, ok := s.insightsReport(w, r, u)
	if !ok {
		return
	}
	var buf bytes.Buffer
	if err := rep.WriteCSV(&buf); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+rep.CSVFilename()+`"`)
	_, _ = buf.WriteTo(w)
}

func newInsightsView(rep insights.Report) *insightsView {
	months := rep.Months
	v := &insightsView{CSV: "/insights/download", Source: insights.Source,
		Period: monthName(months[0].Month) + " to " + monthName(months[len(months)-1].Month)}
	byMeasure := func(m insights.Measures, name string) insights.Rate {
		for _, r := range m.Rows() {
			if r.Name == name {
				return r.Rate
			}
		}
		return insights.Rate{}
	}
	for _, t := range measureTexts {
		mv := measureView{ID: t.measure, Title: t.title, About: t.about, Numerator: t.numerator, Denominator: t.denominator, LowerIsBetter: t.lowerIsBetter,
			Total: rowOf("All "+strconv.Itoa(len(months))+" months", byMeasure(rep.Total, t.measure))}
		for i := range rep.Baselines {
			if rep.Baselines[i].Measure == t.measure {
				mv.Baseline = &rep.Baselines[i]
			}
		}
		var bars []barInput
		for _, m := range months {
			rr := rowOf(monthName(m.Month), byMeasure(m.Measures, t.measure))
			mv.Rows = append(mv.Rows, rr)
			bars = append(bars, barInput{Label: shortMonth(m.Month), Rate: byMeasure(m.Measures, t.measure).Rate, Text: rr.Rate})
		}
		var line *baseline
		if mv.Baseline != nil {
			line = &baseline{At: baselineAt(*mv.Baseline), Label: baselineShort[t.measure]}
		}
		mv.Chart = columnChart("chart-"+t.measure, bars, line)
		v.Measures = append(v.Measures, mv)
	}
	var needBars []barInput
	for _, kind := range domain.NeedKinds {
		n := rep.Total.Needs[kind]
		nr := needRate{Kind: kind, Name: needName(kind), rateRow: rowOf(needName(kind), n.ArrangedInTime)}
		v.Needs.Rows = append(v.Needs.Rows, nr)
		needBars = append(needBars, barInput{Label: needName(kind), Rate: n.ArrangedInTime.Rate, Text: nr.Rate})
	}
	v.Needs.Chart = barChart("chart-needs", needBars)
	return v
}

func rowOf(label string, r insights.Rate) rateRow {
	return rateRow{Label: label, Numerator: r.Numerator, Denominator: r.Denominator, Rate: percent(r.Rate)}
}

// percent writes a rate as a whole percentage; "" when there is none.
func percent(rate *float64) string {
	if rate == nil {
		return ""
	}
	return strconv.Itoa(int(*rate*100+0.5)) + "%"
}

// monthName is "2026-03" as "March 2026".
func monthName(ym string) string {
	d, err := domain.ParseDate(ym + "-01")
	if err != nil {
		return ym
	}
	return d.Time().Format("January 2006")
}

// shortMonth is "2026-03" as "Mar 26", for a chart's axis.
func shortMonth(ym string) string {
	d, err := domain.ParseDate(ym + "-01")
	if err != nil {
		return ym
	}
	return d.Time().Format("Jan 06")
}

// Desc is the chart's text alternative: what it shows and its headline
// figures; the table after it holds every figure.
func (m measureView) Desc() string {
	d := "Column chart of the rate for each of " + strconv.Itoa(len(m.Rows)) + " months. "
	if m.Total.Rate == "" {
		d += "There was no one to count in any month. "
	} else {
		d += "Over all the months: " + m.Total.Rate + " (" + strconv.FormatInt(m.Total.Numerator, 10) + " of " + strconv.FormatInt(m.Total.Denominator, 10) + "). "
		lo, hi := -1, -1
		for i, r := range m.Rows {
			if r.Rate == "" {
				continue
			}
			if lo < 0 || rateValue(r) < rateValue(m.Rows[lo]) {
				lo = i
			}
			if hi < 0 || rateValue(r) > rateValue(m.Rows[hi]) {
				hi = i
			}
		}
		d += "Highest: " + m.Rows[hi].Label + ", " + m.Rows[hi].Rate + ". Lowest: " + m.Rows[lo].Label + ", " + m.Rows[lo].Rate + ". "
	}
	if m.Baseline != nil {
		d += "A dashed line marks the research figure: " + m.Baseline.Text + ". "
	}
	return d + "The table that follows gives every month's figures."
}

func rateValue(r rateRow) float64 {
	if r.Denominator == 0 {
		return 0
	}
	return float64(r.Numerator) / float64(r.Denominator)
}

// Desc is the needs chart's text alternative.
func (n needsView) Desc() string {
	d := "Bar chart of the rate at which each kind of need was arranged in time. "
	for _, r := range n.Rows {
		if r.Rate != "" {
			d += r.Name + ": " + r.Rate + " of " + strconv.FormatInt(r.Denominator, 10) + ". "
		}
	}
	return d + "The table that follows gives every figure."
}
