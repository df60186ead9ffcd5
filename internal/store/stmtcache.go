package store

import (
	"context"
	"database/sql"
	"sync"

	"gorm.io/gorm"
)

// maxCachedStatements bounds the statements stmtCache keeps. Statements
// beyond it (IN lists of unusual lengths) run unprepared.
const maxCachedStatements = 256

// stmtCache is the connection pool gorm uses on SQLite. It prepares each
// statement once on the pool and reuses it inside transactions as well as
// outside. gorm's own PrepareStmt prepares statements met inside a
// transaction on that transaction, so they are thrown away at its end and
// prepared again every time; since every write and every snapshot read is a
// transaction, that cost would be paid on almost every statement, and no
// library offers the missing piece.
type stmtCache struct {
	db      *sql.DB
	mu      sync.RWMutex
	stmts   map[string]*sql.Stmt
	pending map[string]bool // being prepared in the background
	// preparing counts background prepares, so that Close can wait for
	// them: one still holding a connection would close it after Close.
	preparing sync.WaitGroup
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}, pending: map[string]bool{}}
}

// stmt returns the pool's prepared statement for query, or nil when it
// has none yet. Outside a transaction it prepares one. Inside, it cannot:
// preparing on the pool needs a free connection, and the writer's only one
// is the transaction's. It then has one prepared in the background, for
// next time, and the caller runs the query unprepared.
func (c *stmtCache) stmt(ctx context.Context, query string, inTx bool) (*sql.Stmt, error) {
	c.mu.RLock()
	s, ok := c.stmts[query]
	full := len(c.stmts) >= maxCachedStatements
	c.mu.RUnlock()
	if ok || full {
		return s, nil
	}
	if inTx {
		c.mu.Lock()
		defer c.mu.Unlock()
		if !c.pending[query] && len(c.stmts)+len(c.pending) < maxCachedStatements {
			c.pending[query] = true
			c.preparing.Go(func() { _, _ = c.prepare(context.WithoutCancel(ctx), query) })
		}
		return nil, nil
	}
	return c.prepare(ctx, query)
}

// prepare prepares query on the pool and keeps it, without holding the
// lock meanwhile: preparing may wait for a connection, and whoever holds it
// may need the cache first.
func (c *stmtCache) prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	s, err := c.db.PrepareContext(ctx, query)
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.pending, query)
	if err != nil {
		return nil, err
	}
	if kept, ok := c.stmts[query]; ok {
		s.Close()
		return kept, nil
	}
	if len(c.stmts) >= maxCachedStatements {
		s.Close()
		return nil, nil
	}
	c.stmts[query] = s
	return s, nil
}

func (c *stmtCache) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return c.db.PrepareContext(ctx, query)
}

func (c *stmtCache) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	s, err := c.stmt(ctx, query, false)
	if err != nil || s == nil {
		return c.db.ExecContext(ctx, query, args...)
	}
	return s.ExecContext(ctx, args...)
}

func (c *stmtCache) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	s, err := c.stmt(ctx, query, false)
	if err != nil || s == nil {
		return c.db.QueryContext(ctx, query, args...)
	}
	return s.QueryContext(ctx, args...)
}

func (c *stmtCache) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	s, err := c.stmt(ctx, query, false)
	if err != nil || s == nil {
		return c.db.QueryRowContext(ctx, query, args...)
	}
	return s.QueryRowContext(ctx, args...)
}

// BeginTx starts a transaction whose statements come from the cache.
func (c *stmtCache) BeginTx(ctx context.Context, opts *sql.TxOptions) (gorm.ConnPool, error) {
	tx, err := c.db.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &cachedTx{tx: tx, cache: c}, nil
}

// GetDBConn gives gorm's DB() the pool.
func (c *stmtCache) GetDBConn() (*sql.DB, error) { return c.db, nil }

// cachedTx runs a transaction's statements through the pool's prepared
// statements: database/sql prepares each once per connection and keeps it.
type cachedTx struct {
	tx    *sql.Tx
	cache *stmtCache
}

func (t *cachedTx) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return t.tx.PrepareContext(ctx, query)
}

func (t *cachedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	s, err := t.cache.stmt(ctx, query, true)
	if err != nil || s == nil {
		return t.tx.ExecContext(ctx, query, args...)
	}
	return t.tx.StmtContext(ctx, s).ExecContext(ctx, args...)
}

func (t *cachedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	s, err := t.cache.stmt(ctx, query, true)
	if err != nil || s == nil {
		return t.tx.QueryContext(ctx, query, args...)
	}
	return t.tx.StmtContext(ctx, s).QueryContext(ctx, args...)
}

func (t *cachedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	s, err := t.cache.stmt(ctx, query, true)
	if err != nil || s == nil {
		return t.tx.QueryRowContext(ctx, query, args...)
	}
	return t.tx.StmtContext(ctx, s).QueryRowContext(ctx, args...)
}

func (t *cachedTx) Commit() error   { return t.tx.Commit() }
func (t *cachedTx) Rollback() error { return t.tx.Rollback() }
