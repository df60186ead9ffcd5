package workdays

import (
	"slices"
	"testing"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/gb"

	"github.com/cpcready/cpcready/internal/domain"
)

func d(s string) domain.Date {
	v, err := domain.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return v
}

// govUK lists the England and Wales bank holidays as published on gov.uk,
// substitute days included.
var govUK = map[int][]string{
	2020: {"2020-01-01", "2020-04-10", "2020-04-13", "2020-05-08", "2020-05-25", "2020-08-31", "2020-12-25", "2020-12-28"},
	2021: {"2021-01-01", "2021-04-02", "2021-04-05", "2021-05-03", "2021-05-31", "2021-08-30", "2021-12-27", "2021-12-28"},
	2022: {"2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02", "2022-06-02", "2022-06-03", "2022-08-29", "2022-09-19", "2022-12-26", "2022-12-27"},
	2023: {"2023-01-02", "2023-04-07", "2023-04-10", "2023-05-01", "2023-05-08", "2023-05-29", "2023-08-28", "2023-12-25", "2023-12-26"},
	2024: {"2024-01-01", "2024-03-29", "2024-04-01", "2024-05-06", "2024-05-27", "2024-08-26", "2024-12-25", "2024-12-26"},
	2025: {"2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25", "2025-12-25", "2025-12-26"},
	2026: {"2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28"},
	2027: {"2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30", "2027-12-27", "2027-12-28"},
}

// weekdaysOff returns every Monday-to-Friday of year that c says is not a
// working day.
func weekdaysOff(c *Calendar, year int) []string {
	var out []string
	for day := domain.NewDate(year, 1, 1); day.Time().Year() == year; day = day.AddDays(1) {
		if wd := day.Weekday(); wd != time.Saturday && wd != time.Sunday && !c.IsWorkingDay(day) {
			out = append(out, day.String())
		}
	}
	return out
}

func TestBankHolidaysMatchGovUK(t *testing.T) {
	c := New(nil)
	for year, want := range govUK {
		if got := weekdaysOff(c, year); !slices.Equal(got, want) {
			t.Errorf("%d: got %v, want %v", year, got, want)
		}
	}
}

func TestWeekendsAreNotWorkingDays(t *testing.T) {
	c := New(nil)
	if c.IsWorkingDay(d("2026-11-28")) || c.IsWorkingDay(d("2026-11-29")) {
		t.Error("a Saturday or Sunday counted as a working day")
	}
	if !c.IsWorkingDay(d("2026-11-27")) {
		t.Error("an ordinary Friday is not a working day")
	}
}

func TestWorkingDaysBefore(t *testing.T) {
	c := New(nil)
	tests := []struct {
		name string
		from string
		n    int
		want string
	}{
		{"zero is the day itself", "2026-11-26", 0, "2026-11-26"},
		{"zero on a Sunday is still the day itself", "2026-11-29", 0, "2026-11-29"},
		{"plain week", "2026-11-26", 3, "2026-11-23"},
		{"over a weekend", "2026-11-30", 3, "2026-11-25"},
		{"2026: Boxing Day Saturday, substitute Mon 28 Dec", "2026-12-29", 3, "2026-12-22"},
		{"2021: Christmas and Boxing Day at the weekend, 27 and 28 Dec off", "2021-12-29", 3, "2021-12-22"},
		{"2022: Christmas Sunday, 26 and 27 Dec off, review 5 days", "2022-12-28", 5, "2022-12-19"},
		{"2022: New Year Saturday, substitute Mon 3 Jan, back into 2021", "2022-01-05", 3, "2021-12-30"},
		{"Easter 2026: Good Friday 3 Apr and Easter Monday 6 Apr", "2026-04-08", 3, "2026-04-01"},
		{"Easter 2027 in March", "2027-03-31", 2, "2027-03-25"},
		{"state funeral 19 Sep 2022", "2022-09-21", 3, "2022-09-15"},
		{"coronation 8 May 2023 and Early May 1 May", "2023-05-10", 6, "2023-04-28"},
		{"jubilee 2 and 3 June 2022", "2022-06-07", 3, "2022-05-31"},
		{"negative n counts forwards", "2026-11-23", -3, "2026-11-26"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.WorkingDaysBefore(d(tt.from), tt.n); got != d(tt.want) {
				t.Errorf("WorkingDaysBefore(%s, %d) = %s, want %s", tt.from, tt.n, got, tt.want)
			}
		})
	}
}

func TestWorkingDaysAfter(t *testing.T) {
	c := New(nil)
	tests := []struct {
		name string
		from string
		n    int
		want string
	}{
		{"zero is the day itself", "2026-12-14", 0, "2026-12-14"},
		{"15 days over Christmas and New Year 2026", "2026-12-14", 15, "2027-01-07"},
		{"over Easter 2026", "2026-04-02", 1, "2026-04-07"},
		{"from a Saturday", "2026-11-28", 1, "2026-11-30"},
		{"negative n counts backwards", "2026-11-26", -3, "2026-11-23"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.WorkingDaysAfter(d(tt.from), tt.n); got != d(tt.want) {
				t.Errorf("WorkingDaysAfter(%s, %d) = %s, want %s", tt.from, tt.n, got, tt.want)
			}
		})
	}
}

func TestExtraHolidayFromConfiguration(t *testing.T) {
	extra, err := ParseExtra("2030-06-14")
	if err != nil {
		t.Fatal(err)
	}
	with, without := New(extra), New(nil)
	if !without.IsWorkingDay(d("2030-06-14")) || with.IsWorkingDay(d("2030-06-14")) {
		t.Fatal("the extra holiday on Friday 14 June 2030 was not applied")
	}
	// Conference on Tuesday 18 June 2030: three working days back.
	if got := without.WorkingDaysBefore(d("2030-06-18"), 3); got != d("2030-06-13") {
		t.Errorf("without the extra holiday got %s, want 2030-06-13", got)
	}
	if got := with.WorkingDaysBefore(d("2030-06-18"), 3); got != d("2030-06-12") {
		t.Errorf("with the extra holiday got %s, want 2030-06-12", got)
	}
}

func TestRoundTrip(t *testing.T) {
	c := New(nil)
	for day := d("2020-01-01"); day.Before(d("2031-01-01")); day = day.AddDays(1) {
		if !c.IsWorkingDay(day) {
			continue
		}
		for _, n := range []int{1, 3, 5, 15} {
			back := c.WorkingDaysBefore(day, n)
			if !c.IsWorkingDay(back) || !back.Before(day) {
				t.Fatalf("WorkingDaysBefore(%s, %d) = %s", day, n, back)
			}
			if got := c.WorkingDaysAfter(back, n); got != day {
				t.Fatalf("After(Before(%s, %d)) = %s", day, n, got)
			}
		}
	}
}

// TestGBPackageCoverage pins what cal's gb package already has, so that we
// neither miss a one-off nor add one twice when cal is upgraded.
func TestGBPackageCoverage(t *testing.T) {
	observedInGB := func(s string) bool {
		want := civilOf(d(s).Time())
		for _, h := range gb.Holidays {
			if _, obs := h.Calc(want.y); !obs.IsZero() && civilOf(obs) == want {
				return true
			}
		}
		return false
	}
	for _, s := range []string{"2020-05-08", "2022-06-02", "2022-06-03", "2023-05-08"} {
		if !observedInGB(s) {
			t.Errorf("gb no longer has the one-off %s; add it to englandAndWales", s)
		}
	}
	for _, s := range []string{"2020-05-04", "2022-05-30"} {
		if observedInGB(s) {
			t.Errorf("gb treats %s (moved that year) as a holiday", s)
		}
	}
	if observedInGB("2022-09-19") {
		t.Error("gb now has the 2022 state funeral; remove StateFuneral2022")
	}
}

// TestIndependentOfLocalZone shows that the zone cal builds its dates in
// (cal.DefaultLoc, which is time.Local) does not change any answer.
func TestIndependentOfLocalZone(t *testing.T) {
	saved := cal.DefaultLoc
	defer func() { cal.DefaultLoc = saved }()
	for _, name := range []string{"UTC", "Europe/London", "America/New_York", "Pacific/Kiritimati", "Pacific/Pago_Pago"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		cal.DefaultLoc = loc
		c := New(nil)
		for year, want := range govUK {
			if got := weekdaysOff(c, year); !slices.Equal(got, want) {
				t.Errorf("time.Local=%s, %d: got %v, want %v", name, year, got, want)
			}
		}
	}
}
