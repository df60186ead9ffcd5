package storetest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cpcready/cpcready/internal/store"
)

// TableSums digests the rows of every table in db, by table name, so that a
// test can prove a request changed nothing: equal sums mean equal rows.
// Tables named in skip are left out. Rows are read ordered by every column,
// so the sum does not depend on the order the database returns them in.
func TableSums(tb testing.TB, db *store.DB, skip ...string) map[string]string {
	tb.Helper()
	sqlDB, err := db.SQL()
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	tables, err := tableNames(ctx, sqlDB, db.Dialect)
	if err != nil {
		tb.Fatalf("list tables: %v", err)
	}
	sums := map[string]string{}
	for _, name := range tables {
		if slices.Contains(skip, name) {
			continue
		}
		if sums[name], err = tableSum(ctx, sqlDB, name); err != nil {
			tb.Fatalf("sum %s: %v", name, err)
		}
	}
	return sums
}

// ChangedTables names the tables whose sums differ between two TableSums,
// including tables that appeared or disappeared.
func ChangedTables(before, after map[string]string) []string {
	var changed []string
	for name, sum := range after {
		if before[name] != sum {
			changed = append(changed, name)
		}
	}
	for name := range before {
		if _, ok := after[name]; !ok {
			changed = append(changed, name)
		}
	}
	slices.Sort(changed)
	return changed
}

func tableNames(ctx context.Context, db *sql.DB, dialect store.Dialect) ([]string, error) {
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
	if dialect == store.Postgres {
		q = `SELECT table_name FROM information_schema.tables
		     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

// tableSum hashes every row of one table, each value tagged with its Go
// type and length-prefixed so that no two different tables of rows can
// run together into the same bytes.
func tableSum(ctx context.Context, db *sql.DB, table string) (string, error) {
	cols, err := columnCount(ctx, db, table)
	if err != nil {
		return "", err
	}
	order := make([]string, cols)
	for i := range order {
		order[i] = strconv.Itoa(i + 1)
	}
	rows, err := db.QueryContext(ctx, `SELECT * FROM "`+table+`" ORDER BY `+strings.Join(order, ", "))
	if err != nil {
		return "", err
	}
	defer rows.Close()
	h := sha256.New()
	vals := make([]any, cols)
	ptrs := make([]any, cols)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		for _, v := range vals {
			s := fmt.Sprintf("%T:%v", v, v)
			fmt.Fprintf(h, "%d:%s;", len(s), s)
		}
		h.Write([]byte{'\n'})
		n++
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	return strconv.Itoa(n) + " rows " + hex.EncodeToString(h.Sum(nil)), nil
}

func columnCount(ctx context.Context, db *sql.DB, table string) (int, error) {
	rows, err := db.QueryContext(ctx, `SELECT * FROM "`+table+`" LIMIT 0`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	return len(cols), err
}
