package store

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// fieldsMatch requires fields to point at every column's field of R, in
// the order of R's fields, which is the order of the table's columns.
func fieldsMatch[R any](t *testing.T, tb *table[R]) {
	t.Helper()
	var r R
	v := reflect.ValueOf(&r).Elem()
	var want []any
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if tag := f.Tag.Get("gorm"); tag == "-" || strings.Contains(tag, "autoIncrement") {
			continue
		}
		want = append(want, v.Field(i).Addr().Interface())
	}
	got := tb.fields(&r)
	if len(got) != len(tb.cols) || len(got) != len(want) {
		t.Fatalf("%s: %d fields, %d columns, %d struct fields", tb.name, len(got), len(tb.cols), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("%s: field %d (column %s) points at another field", tb.name, i, tb.cols[i])
		}
	}
}

// TestRowFieldsMatchTheirColumns holds each row type's fields to its
// columns, so that a statement's arguments and scans line up with the
// columns it names.
func TestRowFieldsMatchTheirColumns(t *testing.T) {
	fieldsMatch(t, conferences)
	fieldsMatch(t, auditEvents)
	fieldsMatch(t, eventLog)
	fieldsMatch(t, tallies)
	fieldsMatch(t, policies)
}

// TestEveryStatementIsPreparedAtOpen: once migrated, every statement is
// prepared on the writer, and every SELECT on the readers too.
func TestEveryStatementIsPreparedAtOpen(t *testing.T) {
	db := openSQLiteForBatches(t)
	for _, q := range queries {
		if q.text[0] == "" {
			continue
		}
		if db.stmts[writer][q.id] == nil {
			t.Errorf("not prepared on the writer: %s", q.text[0])
		}
		if q.read && db.stmts[reader][q.id] == nil {
			t.Errorf("not prepared on the readers: %s", q.text[0])
		}
	}
}

// TestIndexedColumnsAreSetOnlyWhenChanged holds each table's UPDATEs to
// the schema: a column under an index (or in a partial index's condition)
// that every UPDATE sets would have it rewrite index entries for nothing.
func TestIndexedColumnsAreSetOnlyWhenChanged(t *testing.T) {
	db := openSQLiteForBatches(t)
	for _, tc := range []struct {
		table   string
		cols    []string
		fixed   []string
		updates *rowUpdates
	}{
		{"conferences", conferences.cols, []string{"id", "org"}, conferenceUpdates},
	} {
		var indexed []string
		for _, name := range column(t, db, "SELECT name FROM pragma_index_list('"+tc.table+"')") {
			indexed = append(indexed, column(t, db, "SELECT name FROM pragma_index_info('"+name+"')")...)
		}
		for _, sql := range column(t, db, "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = '"+tc.table+"' AND sql LIKE '% WHERE %'") {
			_, where, _ := strings.Cut(sql, " WHERE ")
			indexed = append(indexed, strings.FieldsFunc(where, func(r rune) bool { return r != '_' && (r < 'a' || r > 'z') })...)
		}
		if tc.table == "conferences" && len(indexed) < 5 {
			t.Fatalf("found only %v under the conferences' indexes", indexed)
		}
		for _, c := range indexed {
			i := slices.Index(tc.cols, c)
			if i >= 0 && !slices.Contains(tc.fixed, c) && tc.updates.groupOf[i] < 0 {
				t.Errorf("%s: column %s is under an index and set by every UPDATE", tc.table, c)
			}
		}
		// The UPDATE of nothing changed in a group sets none of them.
		for _, i := range tc.updates.byMask[0].cols {
			if tc.updates.groupOf[i] >= 0 || slices.Contains(tc.fixed, tc.cols[i]) {
				t.Errorf("%s: the plainest UPDATE sets %s", tc.table, tc.cols[i])
			}
		}
	}
}
