package domain

import (
	"bytes"
	"encoding/json"
	"reflect"
	"time"
	_ "time/tzdata" // Europe/London must load even where the system has no zone files
	"unicode/utf8"
)

// London is the zone every calendar date in cpcready is read in.
var London = mustLoad("Europe/London")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// Date is a calendar date with no time of day, written YYYY-MM-DD.
type Date struct{ t time.Time }

const dateLayout = "2006-01-02"

// NewDate returns the date y-m-d.
func NewDate(y int, m time.Month, d int) Date { return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)} }

// ParseDate reads a YYYY-MM-DD date.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return Date{}, err
	}
	return Date{t}, nil
}

// DateOf returns the calendar date of t in Europe/London.
func DateOf(t time.Time) Date {
	y, m, d := t.In(London).Date()
	return NewDate(y, m, d)
}

// The range of dates and instants cpcready accepts. Nothing it records
// about a conference lies outside it, and both databases and the
// working-day calendar handle every date inside it.
var (
	MinDate = NewDate(1900, time.January, 1)
	MaxDate = NewDate(2100, time.December, 31)
)

// InRange reports whether d lies within MinDate..MaxDate.
func (d Date) InRange() bool { return !d.Before(MinDate) && !d.After(MaxDate) }

// InstantInRange reports whether t falls, in Europe/London, on a date
// within MinDate..MaxDate.
func InstantInRange(t time.Time) bool { return DateOf(t).InRange() }

func (d Date) String() string               { return d.t.Format(dateLayout) }
func (d Date) IsZero() bool                 { return d.t.IsZero() }
func (d Date) Before(o Date) bool           { return d.t.Before(o.t) }
func (d Date) After(o Date) bool            { return d.t.After(o.t) }
func (d Date) AddDays(n int) Date           { return Date{d.t.AddDate(0, 0, n)} }
func (d Date) AddMonths(n int) Date         { return Date{d.t.AddDate(0, n, 0)} }
func (d Date) AddYears(n int) Date          { return Date{d.t.AddDate(n, 0, 0)} }
func (d Date) Weekday() time.Weekday        { return d.t.Weekday() }
func (d Date) Time() time.Time              { return d.t }
func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON refuses anything but a YYYY-MM-DD string. It reports a type
// error so that the JSON decoder names the field it was reading.
func (d *Date) UnmarshalJSON(b []byte) error {
	s, ok := plainJSONString(b)
	if !ok {
		if err := json.Unmarshal(b, &s); err != nil {
			return &json.UnmarshalTypeError{Value: string(b), Type: reflect.TypeOf(d)}
		}
	}
	v, err := ParseDate(s)
	if err != nil {
		return &json.UnmarshalTypeError{Value: "date " + s + " (want YYYY-MM-DD)", Type: reflect.TypeOf(d)}
	}
	*d = v
	return nil
}

// plainJSONString is the text of a JSON string without escapes, as every
// stored date is, without a decoder's cost: stored findings hold a date
// each, and are decoded on every load of a conference.
func plainJSONString(b []byte) (string, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' || bytes.IndexByte(b, '\\') >= 0 || !utf8.Valid(b) {
		return "", false
	}
	return string(b[1 : len(b)-1]), true
}

// Timestamp is an instant written in RFC 3339.
type Timestamp struct{ time.Time }

// UnmarshalJSON refuses anything but an RFC 3339 string, naming the field.
func (ts *Timestamp) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &json.UnmarshalTypeError{Value: string(b), Type: reflect.TypeOf(ts)}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return &json.UnmarshalTypeError{Value: "timestamp " + s + " (want RFC 3339)", Type: reflect.TypeOf(ts)}
	}
	// Conference times are minutes apart; whole seconds keep stored instants
	// comparable as text in SQLite.
	ts.Time = t.UTC().Truncate(time.Second)
	return nil
}
