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
// from R as gorm reads it (column names from field names, the key from
// primaryKey tags), so that a column is named in one place; fields points
// at R's fields in the same order, and TestRowFieldsMatchTheirColumns
// checks the two agree. From these it makes its fixed statements.
type table[R any] struct {
	name   string
	cols   []string
	key    []int // positions of the primary key's columns
	fields func(*R) []any
	// insert adds rows, a chunk of each size at a time, largest first,
	// so that any number of rows costs few statements of few texts.
	insert []chunk
}

type chunk struct {
	rows int
	q    *query
}

// partChunks are the insert sizes of tables with many rows a write.
var partChunks = []int{64, 8, 1}

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
		if f.PrimaryKey {
			t.key = append(t.key, len(t.cols))
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

// A part is a table of rows beneath a conference, written by key: rows
// added are inserted, rows changed updated, rows gone deleted.
type part[R any] struct {
	*table[R]
	update *rowUpdates
	remove *query
	keyOf  func(*R) string
	// byParent reads the rows of a list of parents, in order; byOneParent
	// those of one, which most reads of a single conference are, without
	// the list's cost of parsing it and gathering it into a table.
	byParent, byOneParent *query
}

// newPart declares a part's statements. Its rows are read in order, by the
// columns of an index on its parent; indexed names the columns of any
// other index.
func newPart[R any](fields func(*R) []any, keyOf func(*R) string, parent, order string, indexed ...string) *part[R] {
	t := newTable(fields, partChunks, "")
	p := &part[R]{table: t, keyOf: keyOf}
	var keys, where []string
	for _, i := range t.key {
		keys = append(keys, t.cols[i])
		where = append(where, t.cols[i]+" = ?")
	}
	var groups [][]string
	if ordered := slices.DeleteFunc(strings.Split(order, ", "), func(c string) bool { return slices.Contains(keys, c) }); len(ordered) > 0 {
		groups = append(groups, ordered)
	}
	for _, c := range indexed {
		groups = append(groups, []string{c})
	}
	p.update = newRowUpdates(t.cols, keys, groups, func(set string) *query {
		return newQuery(fmt.Sprintf("UPDATE %s SET %s WHERE %s", t.name, set, strings.Join(where, " AND ")))
	})
	p.remove = newQuery(fmt.Sprintf("DELETE FROM %s WHERE %s", t.name, strings.Join(where, " AND ")))
	selectWhere := fmt.Sprintf("SELECT %s FROM %s WHERE %%s ORDER BY %s", t.columns(""), t.name, order)
	p.byParent = newListQuery(selectWhere, parent)
	p.byOneParent = newQuery(fmt.Sprintf(selectWhere, parent+" = ?"))
	return p
}

// keyArgs are a row's fields for WHERE key = ….
func (p *part[R]) keyArgs(f []any) []any {
	out := make([]any, len(p.key))
	for i, k := range p.key {
		out[i] = f[k]
	}
	return out
}

// of reads the rows of the given parents.
func (p *part[R]) of(tx *Tx, parents []string) ([]R, error) {
	switch len(parents) {
	case 0:
		return nil, nil
	case 1:
		return selectRows(tx, p.fields, p.byOneParent, parents[0])
	}
	return selectRows(tx, p.fields, p.byParent, tx.db.list(parents))
}

// partChange is how one table's rows beneath a conference changed.
type partChange interface {
	remove(tx *Tx) error
	write(tx *Tx) error
}

// diff matches rows before and after by key.
func (p *part[R]) diff(before, after []R) partChange {
	d := &rowDiff[R]{part: p}
	old := make(map[string]*R, len(before))
	for i := range before {
		old[p.keyOf(&before[i])] = &before[i]
	}
	for i := range after {
		k := p.keyOf(&after[i])
		was, ok := old[k]
		switch {
		case !ok:
			d.added = append(d.added, after[i])
		case !reflect.DeepEqual(*was, after[i]):
			d.changed = append(d.changed, [2]R{*was, after[i]})
		}
		delete(old, k)
	}
	for i := range before {
		if _, ok := old[p.keyOf(&before[i])]; ok {
			d.gone = append(d.gone, before[i])
		}
	}
	return d
}

type rowDiff[R any] struct {
	part        *part[R]
	gone, added []R
	changed     [][2]R // before and after
}

// remove deletes the rows that are gone, each by its key.
func (d *rowDiff[R]) remove(tx *Tx) error {
	for i := range d.gone {
		if _, err := tx.exec(d.part.remove, d.part.keyArgs(d.part.fields(&d.gone[i]))...); err != nil {
			return err
		}
	}
	return nil
}

// write updates the changed rows and inserts the new ones.
func (d *rowDiff[R]) write(tx *Tx) error {
	for i := range d.changed {
		now := d.part.fields(&d.changed[i][1])
		q, args := d.part.update.args(d.part.fields(&d.changed[i][0]), now, len(d.part.key))
		if _, err := tx.exec(q, append(args, d.part.keyArgs(now)...)...); err != nil {
			return err
		}
	}
	return d.part.add(tx, d.added)
}
