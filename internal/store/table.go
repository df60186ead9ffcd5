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

// A part is a table of rows beneath a conference, written by key: rows
// added are inserted, rows changed updated whole, rows gone deleted.
type part[R any] struct {
	*table[R]
	update, remove *query
	keyOf          func(*R) string
	// byParent reads the rows of a list of parents, in order.
	byParent *query
}

func newPart[R any](fields func(*R) []any, keyOf func(*R) string, parent, order string) *part[R] {
	t := newTable(fields, partChunks, "")
	p := &part[R]{table: t, keyOf: keyOf}
	var set, where []string
	for i, c := range t.cols {
		if slices.Contains(t.key, i) {
			where = append(where, c+" = ?")
		} else {
			set = append(set, c+" = ?")
		}
	}
	p.update = newQuery(fmt.Sprintf("UPDATE %s SET %s WHERE %s", t.name, strings.Join(set, ", "), strings.Join(where, " AND ")))
	p.remove = newQuery(fmt.Sprintf("DELETE FROM %s WHERE %s", t.name, strings.Join(where, " AND ")))
	p.byParent = newListQuery(fmt.Sprintf("SELECT %s FROM %s WHERE %%s ORDER BY %s", t.columns(""), t.name, order), parent)
	return p
}

// keyArgs and setArgs are a row's fields for WHERE key = … and SET.
func (p *part[R]) keyArgs(f []any) []any {
	out := make([]any, len(p.key))
	for i, k := range p.key {
		out[i] = f[k]
	}
	return out
}

func (p *part[R]) setArgs(f []any) []any {
	out := make([]any, 0, len(f)-len(p.key))
	for i := range f {
		if !slices.Contains(p.key, i) {
			out = append(out, f[i])
		}
	}
	return out
}

// of reads the rows of the given parents.
func (p *part[R]) of(tx *Tx, parents []string) ([]R, error) {
	if len(parents) == 0 {
		return nil, nil
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
			d.changed = append(d.changed, after[i])
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
	part                 *part[R]
	gone, added, changed []R
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

// write updates the changed rows whole and inserts the new ones.
func (d *rowDiff[R]) write(tx *Tx) error {
	for i := range d.changed {
		f := d.part.fields(&d.changed[i])
		if _, err := tx.exec(d.part.update, append(d.part.setArgs(f), d.part.keyArgs(f)...)...); err != nil {
			return err
		}
	}
	return d.part.add(tx, d.added)
}
