package store

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"

	"gorm.io/gorm/schema"
)

// A table is how rows of type R are stored. Its columns, name and key come
// from R as gorm reads it (column names from field names), so that a
// column is named in one place; fields points
// at R's fields in the same order, and TestRowFieldsMatchTheirColumns
// checks the two agree. From these it makes its fixed statements.
type table[R any] struct {
	name   string
	cols   []string
	fields func(*R) []any
	// insert adds rows, a chunk of each size at a time, largest first,
	// so that any number of rows costs few statements of few texts.
	insert []chunk
}

type chunk struct {
	rows int
	q    *query
}

// manyRowChunks are the insert sizes of tables that take many rows in
// one write: the audit trail's and the tallies'.
var manyRowChunks = []int{64, 8, 1}

// newTable reads R's columns and declares its inserts; suffix follows
// VALUES (an ON CONFLICT clause, say).
func newTable[R any](fields func(*R) []any, chunks []int, suffix string) *table[R] {
	s, err := schema.Parse(new(R), &sync.Map{}, schema.NamingStrategy{})
	if err != nil {
		panic(err) // a fault in R's tags, found by every test
	}
	t := &table[R]{name: s.Table, fields: fields}
	for _, f := range s.Fields {
		if f.DBName == "" || f.AutoIncrement {
			continue // gorm:"-", or a key the database assigns
		}
		t.cols = append(t.cols, f.DBName)
	}
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(t.cols)), ", ") + ")"
	for _, n := range chunks {
		values := strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
		text := fmt.Sprintf("INSERT INTO %s (%s) VALUES %s%s", t.name, strings.Join(t.cols, ", "), values, suffix)
		t.insert = append(t.insert, chunk{rows: n, q: newQuery(text)})
	}
	return t
}

// columns lists the table's columns, for a SELECT; prefix qualifies them.
func (t *table[R]) columns(prefix string) string {
	if prefix == "" {
		return strings.Join(t.cols, ", ")
	}
	return prefix + "." + strings.Join(t.cols, ", "+prefix+".")
}

// add inserts rows.
func (t *table[R]) add(tx *Tx, rows []R) error {
	for len(rows) > 0 {
		i := slices.IndexFunc(t.insert, func(c chunk) bool { return c.rows <= len(rows) })
		if i < 0 {
			return fmt.Errorf("%s: no insert of %d rows or fewer", t.name, len(rows))
		}
		c := t.insert[i]
		args := make([]any, 0, c.rows*len(t.cols))
		for j := range rows[:c.rows] {
			args = append(args, t.fields(&rows[j])...)
		}
		if _, err := tx.exec(c.q, args...); err != nil {
			return err
		}
		rows = rows[c.rows:]
	}
	return nil
}

// rowUpdates are the UPDATEs of one row of a table: each sets every
// column but the fixed ones, except that the columns of a group are set
// only when one of them changed. Columns under an index go in groups,
// since SQLite rewrites a row's index entries whenever an UPDATE sets one
// of their columns, even to the value it had (a participant's update was
// measured at 1.15 ms setting its indexed columns and 20 µs without them).
// There is one UPDATE for each set of groups, so that every text is fixed.
type rowUpdates struct {
	groupOf []int // the group of each column, or -1
	byMask  []rowUpdate
}

type rowUpdate struct {
	q    *query
	cols []int // the positions in fields of the columns it sets
}

// newRowUpdates declares the UPDATEs; text makes each from its SET list.
func newRowUpdates(cols, fixed []string, groups [][]string, text func(set string) *query) *rowUpdates {
	u := &rowUpdates{byMask: make([]rowUpdate, 1<<len(groups))}
	for _, c := range cols {
		u.groupOf = append(u.groupOf, slices.IndexFunc(groups, func(g []string) bool { return slices.Contains(g, c) }))
	}
	for mask := range u.byMask {
		var set []string
		for i, c := range cols {
			if g := u.groupOf[i]; slices.Contains(fixed, c) || g >= 0 && mask&(1<<g) == 0 {
				continue
			}
			u.byMask[mask].cols = append(u.byMask[mask].cols, i)
			set = append(set, c+" = ?")
		}
		u.byMask[mask].q = text(strings.Join(set, ", "))
	}
	return u
}

// args picks the UPDATE of a row whose fields were was and are now, and
// returns it with the values it sets, leaving room for where more.
func (u *rowUpdates) args(was, now []any, where int) (*query, []any) {
	mask := 0
	for i, g := range u.groupOf {
		if g >= 0 && !reflect.DeepEqual(was[i], now[i]) {
			mask |= 1 << g
		}
	}
	up := u.byMask[mask]
	args := make([]any, 0, len(up.cols)+where)
	for _, i := range up.cols {
		args = append(args, now[i])
	}
	return up.q, args
}
