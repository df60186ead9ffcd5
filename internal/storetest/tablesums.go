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
	"time"

	"github.com/cpcready/cpcready/internal/store"
)

// TableSums digests the rows of every table in db, by table name, so that a
// test can prove a request changed nothing: equal sums mean equal rows.
// Tables named in skip are left out. The sum does not depend on the order
// the database returns rows in.
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
	tables = slices.DeleteFunc(tables, func(name string) bool { return slices.Contains(skip, name) })
	if db.Dialect == store.Postgres {
		sums, err := postgresSums(ctx, sqlDB, tables)
		if err != nil {
			tb.Fatalf("sum tables: %v", err)
		}
		return sums
	}
	sums := map[string]string{}
	for _, name := range tables {
		if sums[name], err = tableSum(ctx, sqlDB, name); err != nil {
			tb.Fatalf("sum %s: %v", name, err)
		}
	}
	return sums
}

// postgresSums has PostgreSQL digest every table in one query, from each
// row's text form in a fixed order: over the network, one round trip per
// table would make a table of requests slow.
func postgresSums(ctx context.Context, db *sql.DB, tables []string) (map[string]string, error) {
	parts := make([]string, len(tables))
	for i, name := range tables {
		parts[i] = `SELECT '` + name + `', count(*) || ' rows ' || coalesce(md5(string_agg(t::text, E'\n' ORDER BY t::text)), '') FROM "` + name + `" t`
	}
	rows, err := db.QueryContext(ctx, strings.Join(parts, " UNION ALL "))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	sums := map[string]string{}
	for rows.Next() {
		var name, sum string
		if err := rows.Scan(&name, &sum); err != nil {
			return nil, err
		}
		sums[name] = sum
	}
	return sums, rows.Err()
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
// type and length-prefixed (see appendValue) so that no two different
// rows run together into the same bytes. Row digests are sorted before
// they are combined, so the order the database returns rows in does not
// matter.
func tableSum(ctx context.Context, db *sql.DB, table string) (string, error) {
	rows, err := db.QueryContext(ctx, `SELECT * FROM "`+table+`"`)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var digests []string
	var buf []byte
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		buf = buf[:0]
		for _, v := range vals {
			buf = appendValue(buf, v)
		}
		d := sha256.Sum256(buf)
		digests = append(digests, string(d[:]))
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	slices.Sort(digests)
	h := sha256.New()
	for _, d := range digests {
		h.Write([]byte(d))
	}
	return strconv.Itoa(len(digests)) + " rows " + hex.EncodeToString(h.Sum(nil)), nil
}

// appendValue appends v as a type tag, its length and its bytes.
func appendValue(buf []byte, v any) []byte {
	var tag byte
	var text []byte
	switch x := v.(type) {
	case nil:
		tag = 'n'
	case []byte:
		tag, text = 'b', x
	case string:
		tag, text = 's', []byte(x)
	case int64:
		tag, text = 'i', strconv.AppendInt(nil, x, 10)
	case float64:
		tag, text = 'f', strconv.AppendFloat(nil, x, 'g', -1, 64)
	case bool:
		tag, text = 't', strconv.AppendBool(nil, x)
	case time.Time:
		tag, text = 'd', x.AppendFormat(nil, time.RFC3339Nano)
	default:
		tag, text = '?', fmt.Appendf(nil, "%T:%v", x, x)
	}
	buf = append(buf, tag)
	buf = strconv.AppendInt(buf, int64(len(text)), 10)
	buf = append(buf, ':')
	return append(buf, text...)
}
