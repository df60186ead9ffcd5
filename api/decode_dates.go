package api

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/cpcready/cpcready/internal/domain"
)

var (
	dateType      = reflect.TypeOf(domain.Date{})
	timestampType = reflect.TypeOf(domain.Timestamp{})
)

// checkDateRange refuses any date or instant in a decoded body that lies
// outside domain.MinDate..MaxDate, naming each by its JSON path. It walks
// the value rather than relying on each field's validation, so a date
// field added later is bounded too. Out of range, a year-0 or year-10000
// value breaks date arithmetic and the databases' date types.
func checkDateRange(v any) error {
	var fields []domain.FieldError
	walkDates(reflect.ValueOf(v), "", &fields)
	if len(fields) > 0 {
		return domain.Invalid(fields...)
	}
	return nil
}

func walkDates(v reflect.Value, path string, out *[]domain.FieldError) {
	msg := "must lie between " + domain.MinDate.String() + " and " + domain.MaxDate.String()
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walkDates(v.Elem(), path, out)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			walkDates(v.Index(i), fmt.Sprintf("%s[%d]", path, i), out)
		}
	case reflect.Struct:
		switch v.Type() {
		case dateType:
			if d := v.Interface().(domain.Date); !d.InRange() {
				*out = append(*out, domain.FieldError{Field: path, Message: msg})
			}
			return
		case timestampType:
			// A zero instant is an absent one, which "required" reports.
			if ts := v.Interface().(domain.Timestamp); !ts.IsZero() && !domain.InstantInRange(ts.Time) {
				*out = append(*out, domain.FieldError{Field: path, Message: msg})
			}
			return
		}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			switch {
			case name == "-":
				continue
			case f.Anonymous && name == "":
				walkDates(v.Field(i), path, out)
				continue
			case name == "":
				name = f.Name
			}
			walkDates(v.Field(i), joinPath(path, name), out)
		}
	}
}
