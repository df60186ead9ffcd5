package store

import (
	"context"
	"hash/fnv"
)

// AsLeader runs fn only if no other instance is running the task of the
// same name. On PostgreSQL a session advisory lock decides; SQLite has one
// writer process by design, so fn simply runs. It reports whether fn ran.
func (db *DB) AsLeader(ctx context.Context, task string, fn func(context.Context) error) (bool, error) {
	if db.Dialect != Postgres {
		return true, fn(ctx)
	}
	sqlDB, err := db.SQL()
	if err != nil {
		return false, err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	h := fnv.New64a()
	h.Write([]byte("cpcready:" + task))
	key := int64(h.Sum64())
	var got bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&got); err != nil {
		return false, err
	}
	if !got {
		return false, nil
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", key)
	return true, fn(ctx)
}
