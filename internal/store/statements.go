package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"
)

// The statements of the hot paths (the aggregate, its audit rows, events
// and tallies, lists and readiness reads) are fixed texts, declared once
// with newQuery and prepared when the store opens: on the writer, and a
// SELECT on the readers too. database/sql keeps each prepared statement on
// every connection it has run on, and a transaction reuses its
// connection's (Tx.StmtContext), so no statement is parsed twice. A list
// of ids is one argument (json_each on SQLite, ANY on PostgreSQL) and rows
// go in by fixed chunks, so that the texts are few and known at open.

// A query is one fixed statement, in the text of each dialect.
type query struct {
	id   int
	text [2]string // SQLite's, PostgreSQL's
	read bool      // a SELECT: prepared on the reader pool as well
}

// queries is every statement declared, in the order declared.
var queries []*query

// newQuery declares a statement written with ? placeholders, which
// PostgreSQL gets numbered.
func newQuery(text string) *query { return newDialectQuery(text, text) }

// newDialectQuery declares a statement whose text differs by dialect; an
// empty text is a statement the dialect never runs.
func newDialectQuery(sqlite, postgres string) *query {
	q := &query{id: len(queries), text: [2]string{sqlite, numbered(postgres)}}
	q.read = strings.HasPrefix(strings.TrimSpace(sqlite), "SELECT")
	queries = append(queries, q)
	return q
}

// newListQuery declares a statement whose %s is "col is one of a list",
// bound to one argument made by DB.list.
func newListQuery(format, col string) *query {
	return newDialectQuery(fmt.Sprintf(format, col+" IN (SELECT value FROM json_each(?))"), fmt.Sprintf(format, col+" = ANY(?)"))
}

// numbered turns each ? into PostgreSQL's $1, $2 and so on. The store's
// statements hold no ? inside a string literal.
func numbered(text string) string {
	var b strings.Builder
	n := 0
	for _, r := range text {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Pools, for DB.stmts: writer and reader. On PostgreSQL both are one.
const (
	writer = 0
	reader = 1
)

func (d Dialect) index() int {
	if d == Postgres {
		return 1
	}
	return 0
}

// prepare prepares each declared statement not yet prepared, on its
// pools, and returns what failed: on a database whose migrations are
// behind, the statements on what they will add.
func (db *DB) prepare(ctx context.Context) error {
	var errs []error
	for pool, s := range db.sql {
		if db.stmts[pool] == nil {
			db.stmts[pool] = make([]*sql.Stmt, len(queries))
		}
		if pool == reader && s == db.sql[writer] {
			db.stmts[reader] = db.stmts[writer]
			continue
		}
		for _, q := range queries {
			text := q.text[db.Dialect.index()]
			if db.stmts[pool][q.id] != nil || pool == reader && !q.read || text == "" {
				continue // prepared, not for this pool, or not for this dialect
			}
			st, err := s.PrepareContext(ctx, text)
			if err != nil {
				errs = append(errs, fmt.Errorf("prepare %q: %w", text, err))
				continue
			}
			db.stmts[pool][q.id] = st
		}
	}
	return errors.Join(errs...)
}

// list makes a list of ids one argument of a statement from newListQuery.
func (db *DB) list(ids []string) any {
	if db.Dialect == Postgres {
		return ids
	}
	if ids == nil {
		return "[]"
	}
	b, _ := json.Marshal(ids) // strings always marshal
	return string(b)
}

// A Tx runs the store's statements: in a transaction, or, when tx is nil,
// one at a time on the reader pool.
type Tx struct {
	ctx  context.Context
	db   *DB
	tx   *sql.Tx
	pool int
}

// stmt is q's prepared statement for t, or nil while q is unprepared.
func (t *Tx) stmt(q *query) *sql.Stmt {
	if fn := t.db.onSQL.Load(); fn != nil {
		(*fn)(q.text[t.db.Dialect.index()])
	}
	s := t.db.stmts[t.pool][q.id]
	if s != nil && t.tx != nil {
		return t.tx.StmtContext(t.ctx, s)
	}
	return s
}

// conn runs a statement that is not prepared.
func (t *Tx) conn() interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
} {
	if t.tx != nil {
		return t.tx
	}
	return t.db.sql[t.pool]
}

func (t *Tx) exec(q *query, args ...any) (sql.Result, error) {
	if s := t.stmt(q); s != nil {
		return s.ExecContext(t.ctx, args...)
	}
	return t.conn().ExecContext(t.ctx, q.text[t.db.Dialect.index()], args...)
}

func (t *Tx) query(q *query, args ...any) (*sql.Rows, error) {
	if s := t.stmt(q); s != nil {
		return s.QueryContext(t.ctx, args...)
	}
	return t.conn().QueryContext(t.ctx, q.text[t.db.Dialect.index()], args...)
}

// scan runs a query of one row into dest; no row is sql.ErrNoRows.
func (t *Tx) scan(q *query, args []any, dest ...any) error {
	rows, err := t.query(q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	return rows.Close()
}

// orm is gorm on the same transaction (or pool), for the paths where a
// statement's text is not worth fixing by hand: administration, webhooks,
// sessions, copies.
func (t *Tx) orm() *gorm.DB {
	g := t.db.gorm[t.pool].WithContext(t.ctx)
	if t.tx != nil {
		g.Statement.ConnPool = t.tx
	}
	return g
}

// selectRows runs a query and reads every row into R through fields,
// which points at R's fields in the order the query selects them.
func selectRows[R any](t *Tx, fields func(*R) []any, q *query, args ...any) ([]R, error) {
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []R
	for rows.Next() {
		var r R
		if err := rows.Scan(fields(&r)...); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
