package workdays

import (
	"testing"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
)

// The clocks went forward on Sunday 29 March 2026 and go back on Sunday 25
// October 2026. A conference's date is its date in London, and deadlines
// count civil dates from it, so neither change can shift a due date.
func TestDueDatesAcrossClockChanges(t *testing.T) {
	c := New(nil)
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	london := func(y int, m time.Month, day, h, min int) time.Time {
		return time.Date(y, m, day, h, min, 0, 0, domain.London)
	}
	tests := []struct {
		name  string
		start time.Time
		date  string // the conference date in London
		due   string // three working days before
	}{
		// Spring: 00:30 BST on Monday is 23:30 UTC on Sunday.
		{"spring, Monday 00:30 BST as UTC", utc("2026-03-29T23:30:00Z"), "2026-03-30", "2026-03-25"},
		{"spring, Monday 00:30 BST in London", london(2026, 3, 30, 0, 30), "2026-03-30", "2026-03-25"},
		{"spring, Monday 09:00 BST", london(2026, 3, 30, 9, 0), "2026-03-30", "2026-03-25"},
		// Tuesday 00:30 BST is Monday in UTC; a UTC date would give 2026-03-25.
		{"spring, Tuesday 00:30 BST as UTC", utc("2026-03-30T23:30:00Z"), "2026-03-31", "2026-03-26"},
		// Autumn: 00:30 and 09:00 GMT on the Monday after the change.
		{"autumn, Monday 00:30 GMT", utc("2026-10-26T00:30:00Z"), "2026-10-26", "2026-10-21"},
		{"autumn, Monday 09:00 GMT in London", london(2026, 10, 26, 9, 0), "2026-10-26", "2026-10-21"},
		// Friday 00:30 BST before the change is Thursday in UTC.
		{"autumn, Friday 00:30 BST as UTC", utc("2026-10-22T23:30:00Z"), "2026-10-23", "2026-10-20"},
		// Sunday 23:30 GMT, the night of the change: 24 hours earlier is
		// already Sunday in London, a trap for instant arithmetic.
		{"autumn, Sunday 23:30 GMT", london(2026, 10, 25, 23, 30), "2026-10-25", "2026-10-21"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			date := domain.DateOf(tt.start)
			if date != d(tt.date) {
				t.Fatalf("DateOf(%s) = %s, want %s", tt.start.Format(time.RFC3339), date, tt.date)
			}
			if got := c.WorkingDaysBefore(date, 3); got != d(tt.due) {
				t.Errorf("due %s, want %s", got, tt.due)
			}
		})
	}
}

// TestCivilDaysAcrossClockChanges walks the weeks of both changes: each
// London midnight and late evening maps to consecutive civil dates, and
// stepping one working day is the same whatever the time of day.
func TestCivilDaysAcrossClockChanges(t *testing.T) {
	c := New(nil)
	for _, start := range []domain.Date{d("2026-03-23"), d("2026-10-19")} {
		for i := 0; i < 14; i++ {
			want := start.AddDays(i)
			y, m, day := want.Time().Date()
			for _, hm := range [][2]int{{0, 0}, {0, 30}, {9, 0}, {23, 30}} {
				at := time.Date(y, m, day, hm[0], hm[1], 0, 0, domain.London)
				got := domain.DateOf(at)
				if got != want {
					t.Fatalf("DateOf(%s) = %s, want %s", at, got, want)
				}
				if c.WorkingDaysBefore(got, 1) != c.WorkingDaysBefore(want, 1) {
					t.Fatalf("a working day before %s depends on the time of day", want)
				}
			}
		}
	}
}
