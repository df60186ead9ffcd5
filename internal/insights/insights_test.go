package insights

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/cpcready/cpcready/internal/domain"
)

func TestMonthsOfTheWindow(t *testing.T) {
	for _, tc := range []struct {
		from, to domain.Date
		want     []string
	}{
		{domain.NewDate(2025, 11, 15), domain.NewDate(2026, 2, 1), []string{"2025-11", "2025-12", "2026-01"}},
		{domain.NewDate(2025, 11, 15), domain.NewDate(2026, 2, 2), []string{"2025-11", "2025-12", "2026-01", "2026-02"}},
		{domain.NewDate(2026, 3, 1), domain.NewDate(2026, 3, 2), []string{"2026-03"}},
	} {
		if got := MonthsOf(tc.from, tc.to); !slices.Equal(got, tc.want) {
			t.Errorf("MonthsOf(%s, %s) = %v, want %v", tc.from, tc.to, got, tc.want)
		}
	}
}

// TestRateIsNullOverNothing: a month with nobody to count has no rate,
// and every kind of need is listed even when nobody had it.
func TestRateIsNullOverNothing(t *testing.T) {
	r := NewReport(map[string]domain.Tally{
		"2026-03": {domain.MeasurePhoneOnly: {Numerator: 1, Denominator: 4}, domain.NeedsPrefix + "childcare": {Numerator: 0, Denominator: 2}},
	}, domain.NewDate(2026, 3, 1), domain.NewDate(2026, 5, 1), GroupMonth)
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Total  map[string]json.RawMessage `json:"total"`
		Months []struct {
			Month    string                     `json:"month"`
			Measures map[string]json.RawMessage `json:"measures"`
		} `json:"months"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if s := string(got.Total["phone_only"]); s != `{"numerator":1,"denominator":4,"rate":0.25}` {
		t.Errorf("phone_only = %s", s)
	}
	if s := string(got.Months[1].Measures["phone_only"]); s != `{"numerator":0,"denominator":0,"rate":null}` {
		t.Errorf("April's phone_only = %s", s)
	}
	var needs map[string]Need
	if err := json.Unmarshal(got.Total["needs"], &needs); err != nil || len(needs) != len(domain.NeedKinds) {
		t.Fatalf("needs = %v (%v)", needs, err)
	}
	if c := needs["childcare"]; c.Had != 2 || c.ArrangedInTime.Rate == nil || *c.ArrangedInTime.Rate != 0 {
		t.Errorf("childcare = %+v", c)
	}
}

func TestCSVHasARowPerMonthAndMeasure(t *testing.T) {
	r := NewReport(map[string]domain.Tally{"2026-04": {domain.MeasureSpokeToChair: {Numerator: 2, Denominator: 3}}},
		domain.NewDate(2026, 3, 1), domain.NewDate(2026, 5, 1), GroupMonth)
	var buf bytes.Buffer
	if err := r.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	perMonth := len(Measures{}.Rows())
	if len(lines) != 1+3*perMonth {
		t.Fatalf("%d lines, want %d", len(lines), 1+3*perMonth)
	}
	for _, want := range []string{"2026-04,spoke_to_chair,2,3,0.6666666666666666", "total,spoke_to_chair,2,3,0.6666666666666666", "2026-03,spoke_to_chair,0,0,"} {
		if !slices.Contains(lines, want) {
			t.Errorf("no line %q in\n%s", want, buf.String())
		}
	}
}

func TestLastMonthsEndsWithTheMonthTodayIsIn(t *testing.T) {
	for _, c := range []struct{ today, from, to string }{
		{"2026-11-20", "2025-12-01", "2026-12-01"},
		{"2026-01-01", "2025-02-01", "2026-02-01"},
		{"2024-02-29", "2023-03-01", "2024-03-01"},
	} {
		today, _ := domain.ParseDate(c.today)
		from, to := LastMonths(today, 12)
		if from.String() != c.from || to.String() != c.to {
			t.Errorf("LastMonths(%s, 12) = %s, %s; want %s, %s", c.today, from, to, c.from, c.to)
		}
		if n := len(MonthsOf(from, to)); n != 12 {
			t.Errorf("LastMonths(%s, 12) spans %d months", c.today, n)
		}
	}
}
