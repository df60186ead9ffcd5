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
	return db.withLock(ctx, task, false, fn)
}

// exclusively runs fn once no other instance is running the task of the
// same name, waiting for one that is. On PostgreSQL a session advisory
// lock decides; on SQLite fn simply runs.
func (db *DB) exclusively(ctx context.Context, task string, fn func(context.Context) error) error {
	if db.Dialect != Postgres {
		return fn(ctx)
	}
	_, err := db.withLock(ctx, task, true, fn)
	return err
}

// withLock takes the task's advisory lock, waiting for it when wait is set
// and otherwise giving up at once, and runs fn while holding it. It
// reports whether fn ran.
func (db *DB) withLock(ctx context.Context, task string, wait bool, fn func(context.Context) error) (bool, error) {
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
	got := true
	if wait {
		_, err = conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", key)
	} else {
		err = conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&got)
	}
	if err != nil || !got {
		return false, err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", key)
	return true, fn(ctx)
}
