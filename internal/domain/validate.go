package domain

import (
	"reflect"
	"strings"
	"unicode"

	"github.com/go-playground/validator/v10"
)

var validate = newValidator()

func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		return name
	})
	return v
}

// validateStruct runs the struct's validate tags and returns field errors
// named by JSON path.
func validateStruct(s any) []FieldError {
	err := validate.Struct(s)
	if err == nil {
		return nil
	}
	verrs, ok := err.(validator.ValidationErrors)
	if !ok {
		return []FieldError{{Field: "", Message: err.Error()}}
	}
	out := make([]FieldError, 0, len(verrs))
	for _, fe := range verrs {
		out = append(out, FieldError{Field: jsonPath(fe.Namespace()), Message: describe(fe)})
	}
	return out
}

// jsonPath drops the Go type names (upper-case segments) that validator puts
// in a namespace for the root and for embedded structs.
func jsonPath(ns string) string {
	var keep []string
	for _, seg := range strings.Split(ns, ".") {
		if seg != "" && !unicode.IsUpper(rune(seg[0])) {
			keep = append(keep, seg)
		}
	}
	return strings.Join(keep, ".")
}

func describe(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "is required"
	case "oneof":
		return "must be one of: " + strings.ReplaceAll(fe.Param(), " ", ", ")
	case "max":
		if fe.Kind() == reflect.String {
			return "must be at most " + fe.Param() + " characters"
		}
		return "must be at most " + fe.Param()
	case "min":
		return "must be at least " + fe.Param()
	case "uuid":
		return "must be a UUID"
	case "unique":
		return "must not repeat " + strings.ToLower(fe.Param())
	case "bcp47_language_tag":
		return "must be a BCP 47 language tag, such as en or pl"
	}
	return "is invalid (" + fe.Tag() + ")"
}

// notAfter refuses a date of a past event that lies after today.
func notAfter(field string, d *Date, today Date) []FieldError {
	if d != nil && d.After(today) {
		return []FieldError{{Field: field, Message: "must not be after today (" + today.String() + ")"}}
	}
	return nil
}

func invalidIf(fields []FieldError) error {
	if len(fields) == 0 {
		return nil
	}
	return Invalid(fields...)
}
