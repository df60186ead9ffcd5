// Package workdays is the England and Wales working-day calendar that every
// cpcready deadline is counted in.
//
// It is a thin wrapper on purpose: github.com/rickar/cal/v2/gb already knows
// the bank holidays and their substitute days, so we only add what it lacks
// (one-off holidays, including ones set in configuration so that a new one
// needs no release) and arithmetic on civil dates. Working in domain.Date,
// never in instants, means a clock change cannot move a deadline by a day.
package workdays

import (
	"sync"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/gb"

	"github.com/cpcready/cpcready/internal/domain"
)

// StateFuneral2022 is the bank holiday for the state funeral of Queen
// Elizabeth II on 19 September 2022, which gb v2.1.13 lacks.
var StateFuneral2022 = &cal.Holiday{
	Name:      "State Funeral of Queen Elizabeth II",
	Type:      cal.ObservanceBank,
	Month:     time.September,
	Day:       19,
	Func:      cal.CalcDayOfMonth,
	StartYear: 2022,
	EndYear:   2022,
}

// englandAndWales lists the holidays by name rather than using gb.Holidays,
// so that a later cal release adding a Scottish or Northern Irish day to
// that list cannot silently change our deadlines.
var englandAndWales = []*cal.Holiday{
	gb.NewYear, // substitute Monday when 1 Jan is a weekend
	gb.GoodFriday,
	gb.EasterMonday,
	gb.EarlyMay,          // gb skips 2020, when it moved to VE Day
	gb.VEDay,             // 8 May 2020 (75th anniversary), already in gb
	gb.CoronationDay,     // 8 May 2023, already in gb
	gb.SpringHoliday,     // gb skips 2022, when it moved to 2 June
	gb.SpringHoliday2022, // 2 June 2022, already in gb
	gb.PlatinumJubilee,   // 3 June 2022, already in gb
	gb.SummerHoliday,     // last Monday of August (not Scotland's first)
	gb.ChristmasDay,      // substitute Monday when 25 Dec is a weekend
	gb.BoxingDay,         // substitute Monday or Tuesday when 26 Dec is a weekend
	StateFuneral2022,     // 19 September 2022, missing from gb
}

// Calendar answers working-day questions for England and Wales. It is safe
// for concurrent use: its only cache is a sync.Map of whole years, and it
// never touches cal's own cache (a plain map).
type Calendar struct {
	holidays []*cal.Holiday
	extra    map[civil]bool
	years    sync.Map // year → map[civil]bool of observed days off
}

type civil struct {
	y int
	m time.Month
	d int
}

func civilOf(t time.Time) civil {
	y, m, d := t.Date()
	return civil{y, m, d}
}

// New returns the calendar with extra one-off bank holidays added, such as
// those parsed from CPCREADY_EXTRA_BANK_HOLIDAYS.
func New(extra []domain.Date) *Calendar {
	c := &Calendar{holidays: englandAndWales, extra: make(map[civil]bool, len(extra))}
	for _, d := range extra {
		c.extra[civilOf(d.Time())] = true
	}
	return c
}

// IsWorkingDay reports whether d is neither a weekend nor a bank holiday.
func (c *Calendar) IsWorkingDay(d domain.Date) bool {
	switch d.Weekday() {
	case time.Saturday, time.Sunday:
		return false
	}
	return !c.isBankHoliday(d)
}

// isBankHoliday reports whether d is a day off: a holiday's observed
// (substitute) date, or an extra one.
func (c *Calendar) isBankHoliday(d domain.Date) bool {
	want := civilOf(d.Time())
	return c.extra[want] || c.observedIn(want.y)[want]
}

// observedIn returns the days off observed in year y, worked out once per
// year: every deadline walks day by day, and working a holiday out is far
// dearer than a map lookup. It checks each holiday itself rather than
// calling cal.Calendar.IsHoliday, which stops at the first holiday whose
// actual date matches even when another is observed that day. Only the
// year, month and day of cal's results are kept, so the zone cal builds
// them in (time.Local) does not matter.
func (c *Calendar) observedIn(y int) map[civil]bool {
	if days, ok := c.years.Load(y); ok {
		return days.(map[civil]bool)
	}
	days := map[civil]bool{}
	for _, h := range c.holidays {
		// A substitute day can fall in the next year (or, in principle,
		// the previous one), so look at both neighbours too.
		for near := y - 1; near <= y+1; near++ {
			if _, obs := h.Calc(near); !obs.IsZero() && obs.Year() == y {
				days[civilOf(obs)] = true
			}
		}
	}
	c.years.Store(y, days)
	return days
}

// WorkingDaysBefore returns the nth working day before d; n = 0 returns d
// itself, whether or not it is a working day. A negative n counts forwards.
func (c *Calendar) WorkingDaysBefore(d domain.Date, n int) domain.Date {
	if n < 0 {
		return c.WorkingDaysAfter(d, -n)
	}
	return c.step(d, n, -1)
}

// WorkingDaysAfter returns the nth working day after d; n = 0 returns d
// itself. A negative n counts backwards.
func (c *Calendar) WorkingDaysAfter(d domain.Date, n int) domain.Date {
	if n < 0 {
		return c.WorkingDaysBefore(d, -n)
	}
	return c.step(d, n, +1)
}

// step moves one calendar day at a time; domain.Date is a civil date, so
// AddDays never meets a 23- or 25-hour day.
func (c *Calendar) step(d domain.Date, n, dir int) domain.Date {
	for n > 0 {
		d = d.AddDays(dir)
		if c.IsWorkingDay(d) {
			n--
		}
	}
	return d
}
