package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/cpcready/cpcready/internal/domain"
)

// inWrite runs fn in a write transaction. On SQLite, writes that arrive
// together share one transaction (see groupCommit). fn must be safe to run
// again.
func (db *DB) inWrite(ctx context.Context, fn func(t *Tx) error) error {
	if db.commits != nil {
		return db.commits.run(ctx, fn, false)
	}
	return db.writeAlone(ctx, fn)
}

// inWriteOne is inWrite for fn that runs one statement, which spares it a
// savepoint in a shared transaction.
func (db *DB) inWriteOne(ctx context.Context, fn func(t *Tx) error) error {
	if db.commits != nil {
		return db.commits.run(ctx, fn, true)
	}
	return db.writeAlone(ctx, fn)
}

// writeAlone runs fn in a transaction of its own, retrying the whole
// transaction on a transient failure: a PostgreSQL serialization failure or
// deadlock, or SQLite busy after its own timeout.
func (db *DB) writeAlone(ctx context.Context, fn func(t *Tx) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = db.transact(ctx, writer, nil, fn)
		if err == nil || !transient(err) {
			return mapError(err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 20 * time.Millisecond):
		}
	}
	return mapError(err)
}

// transact runs fn in a transaction on a pool, committing it when fn
// succeeds and rolling it back when fn fails or panics.
func (db *DB) transact(ctx context.Context, pool int, opts *sql.TxOptions, fn func(t *Tx) error) (err error) {
	tx, err := db.sql[pool].BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			_ = tx.Rollback() // the error that got here matters more
		}
	}()
	if err := fn(&Tx{ctx: ctx, db: db, tx: tx, pool: pool}); err != nil {
		return err
	}
	committed = true
	if err := tx.Commit(); err != nil {
		return err
	}
	if pool == writer && db.ckpt != nil {
		db.ckpt.poke()
	}
	return nil
}

// inRead runs fn in a read-only transaction on the reader pool, so that an
// aggregate read in several queries comes from one snapshot (on SQLite the
// WAL gives a deferred transaction one; on PostgreSQL, REPEATABLE READ). It
// retries once when a connection was dropped: reads are idempotent, so a
// fresh connection can simply repeat them.
func (db *DB) inRead(ctx context.Context, fn func(t *Tx) error) error {
	var opts *sql.TxOptions
	if db.Dialect == Postgres {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	ctx = db.readContext(ctx)
	err := db.transact(ctx, reader, opts, fn)
	if err != nil && droppedConnection(err) {
		err = db.transact(ctx, reader, opts, fn)
	}
	return mapError(err)
}

// inReadOne runs fn, a read of one statement, on the reader pool without a
// transaction: one statement is a snapshot by itself, and BEGIN and COMMIT
// would double its round trips. It retries once on a dropped connection.
func (db *DB) inReadOne(ctx context.Context, fn func(t *Tx) error) error {
	t := &Tx{ctx: db.readContext(ctx), db: db, pool: reader}
	err := fn(t)
	if err != nil && droppedConnection(err) {
		err = fn(t)
	}
	return mapError(err)
}

// readContext keeps a SQLite read from being cancelled with its request.
// The SQLite driver runs every row of a cancellable query on a goroutine of
// its own so that it can interrupt it, which costs more than the read; and
// the store's reads are bounded (a page, one aggregate), so finishing one
// for a client that has gone wastes little.
func (db *DB) readContext(ctx context.Context) context.Context {
	if db.Dialect == SQLite {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

func transient(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "40001" || pg.Code == "40P01"
	}
	msg := err.Error()
	return strings.Contains(msg, "database is locked") || strings.Contains(msg, "SQLITE_BUSY")
}

func droppedConnection(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "57P01" || strings.HasPrefix(pg.Code, "08")
	}
	msg := err.Error()
	return strings.Contains(msg, "bad connection") || strings.Contains(msg, "broken pipe") ||
		strings.Contains(msg, "connection reset") || strings.Contains(msg, "unexpected EOF")
}

// mapError turns storage errors into domain kinds where a client can act
// on them; anything else stays internal. Errors come from gorm (already
// translated) or straight from a driver.
func mapError(err error) error {
	var lite sqlite3.Error
	var pg *pgconn.PgError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound), errors.Is(err, sql.ErrNoRows):
		return domain.Errorf(domain.ENOTFOUND, "not found")
	case errors.Is(err, gorm.ErrDuplicatedKey),
		errors.As(err, &lite) && (lite.ExtendedCode == sqlite3.ErrConstraintUnique || lite.ExtendedCode == sqlite3.ErrConstraintPrimaryKey),
		errors.As(err, &pg) && pg.Code == "23505":
		return domain.Errorf(domain.ECONFLICT, "a record with the same key exists")
	case errors.Is(err, gorm.ErrForeignKeyViolated),
		errors.As(err, &lite) && lite.ExtendedCode == sqlite3.ErrConstraintForeignKey,
		errors.As(err, &pg) && pg.Code == "23503":
		return domain.Errorf(domain.ECONFLICT, "a related record is missing")
	case cannotWrite(err):
		return domain.Errorf(domain.EUNAVAILABLE, "the database cannot be used at the moment; try again later")
	}
	return err
}

// forUpdate locks the selected rows until the transaction ends. Use the
// result for one query only: gorm chains share their statement. SQLite has
// no row locks; its BEGIN IMMEDIATE already holds the database's write lock.
func (db *DB) forUpdate(tx *gorm.DB) *gorm.DB {
	if db.Dialect == Postgres {
		return tx.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return tx
}

// skipLocked makes a PostgreSQL SELECT take row locks and pass over rows
// another transaction holds, so instances share work without waiting.
var skipLocked = clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"}
