// Package store keeps cpcready's data in SQLite or PostgreSQL through gorm.
// Every write to a conference runs in one transaction that also re-evaluates
// its readiness and appends the audit trail.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/cpcready/cpcready/internal/domain"
)

// Dialect names the database behind a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Config says how to open the database.
type Config struct {
	// URL is a SQLite file path, a file: URI, or a postgres:// URL.
	URL string
	// SQLiteSynchronous is SQLite's synchronous pragma; FULL unless set.
	SQLiteSynchronous string
	// MaxOpenConns and MaxIdleConns size the PostgreSQL pool (and SQLite's
	// reader pool). ConnMaxLifetime recycles connections.
	MaxOpenConns    int
	MaxIdleConns    int
	ConnMaxLifetime time.Duration
}

// Evaluator returns the readiness of a conference under a policy. The store
// calls it inside every write transaction.
type Evaluator func(c *domain.Conference, p domain.Policy) domain.ReadinessResult

// DB is the store. Writes go through write; reads through read. On SQLite
// write is a single connection, so writers queue in process instead of
// meeting "database is locked"; on PostgreSQL both are the same pool.
type DB struct {
	Dialect  Dialect
	write    *gorm.DB
	read     *gorm.DB
	Now      func() time.Time
	Evaluate Evaluator
	commits  *groupCommit // SQLite only
	onSQL    atomic.Pointer[func(sql string)]
	rules    rulesState
}

// Open opens the database named by cfg.URL. It does not migrate.
func Open(cfg Config) (*DB, error) {
	if cfg.MaxOpenConns <= 0 {
		cfg.MaxOpenConns = 10
	}
	if cfg.MaxIdleConns <= 0 {
		cfg.MaxIdleConns = cfg.MaxOpenConns
	}
	if cfg.ConnMaxLifetime <= 0 {
		cfg.ConnMaxLifetime = 30 * time.Minute
	}
	db := &DB{Now: time.Now}
	gcfg := func() *gorm.Config {
		// gorm's logger would print SQL arguments, which hold personal data.
		return &gorm.Config{TranslateError: true, Logger: logger.Discard, NowFunc: func() time.Time { return db.now() }}
	}
	var err error
	if IsPostgresURL(cfg.URL) {
		db.Dialect = Postgres
		// pgx keeps each connection's prepared statements itself.
		if db.write, err = gorm.Open(postgres.Open(cfg.URL), gcfg()); err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		db.read = db.write
		if err := db.countStatements(db.write); err != nil {
			return nil, err
		}
		if err := pool(db.write, cfg.MaxOpenConns, cfg.MaxIdleConns, cfg.ConnMaxLifetime); err != nil {
			return nil, err
		}
		return db, nil
	}
	db.Dialect = SQLite
	writeDSN, readDSN, err := sqliteDSNs(cfg.URL, cfg.SQLiteSynchronous)
	if err != nil {
		return nil, err
	}
	if db.write, err = openSQLite(writeDSN, gcfg()); err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	if err := pool(db.write, 1, 1, 0); err != nil {
		return nil, err
	}
	if err := db.countStatements(db.write); err != nil {
		return nil, err
	}
	// Open the writer first so the WAL journal exists before readers attach.
	if err := db.write.Exec("SELECT 1").Error; err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	if db.read, err = openSQLite(readDSN, gcfg()); err != nil {
		return nil, fmt.Errorf("open sqlite reader: %w", err)
	}
	if err := pool(db.read, cfg.MaxOpenConns, cfg.MaxIdleConns, cfg.ConnMaxLifetime); err != nil {
		return nil, err
	}
	if err := db.countStatements(db.read); err != nil {
		return nil, err
	}
	db.commits = newGroupCommit(db)
	return db, nil
}

// OnStatement calls fn after every SQL statement the store runs, with the
// statement's text (never its arguments); nil stops it. Tests use it to
// bound the statements a request costs.
func (db *DB) OnStatement(fn func(sql string)) {
	if fn == nil {
		db.onSQL.Store(nil)
		return
	}
	db.onSQL.Store(&fn)
}

func (db *DB) countStatements(g *gorm.DB) error {
	hook := func(tx *gorm.DB) {
		if fn := db.onSQL.Load(); fn != nil {
			(*fn)(tx.Statement.SQL.String())
		}
	}
	cb := g.Callback()
	for _, err := range []error{
		cb.Create().Register("cpcready:statements", hook),
		cb.Query().Register("cpcready:statements", hook),
		cb.Update().Register("cpcready:statements", hook),
		cb.Delete().Register("cpcready:statements", hook),
		cb.Row().Register("cpcready:statements", hook),
		cb.Raw().Register("cpcready:statements", hook),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// openSQLite opens a SQLite pool whose statements are prepared once.
func openSQLite(dsn string, cfg *gorm.Config) (*gorm.DB, error) {
	sqlDB, err := sql.Open(sqlite.DriverName, dsn)
	if err != nil {
		return nil, err
	}
	g, err := gorm.Open(sqlite.New(sqlite.Config{Conn: newStmtCache(sqlDB)}), cfg)
	if err != nil {
		sqlDB.Close()
	}
	return g, err
}

// IsPostgresURL reports whether u names a PostgreSQL database.
func IsPostgresURL(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

func pool(g *gorm.DB, open, idle int, life time.Duration) error {
	sqlDB, err := g.DB()
	if err != nil {
		return err
	}
	sqlDB.SetMaxOpenConns(open)
	sqlDB.SetMaxIdleConns(idle)
	sqlDB.SetConnMaxLifetime(life)
	return nil
}

// SQLiteWriterDSN is the DSN the store's writer opens a SQLite file with,
// at the default synchronous level. The load benchmark's storage baseline
// uses it, so that it commits exactly as the store does.
func SQLiteWriterDSN(path string) (string, error) {
	w, _, err := sqliteDSNs(path, "")
	return w, err
}

// sqliteDSNs builds the writer's and the readers' DSNs. WAL lets readers run
// beside the one writer; BEGIN IMMEDIATE takes the write lock up front so a
// transaction never fails half way on an upgrade from read to write.
func sqliteDSNs(raw, synchronous string) (string, string, error) {
	if raw == "" {
		raw = "cpcready.db"
	}
	if synchronous == "" {
		synchronous = "FULL"
	}
	switch strings.ToUpper(synchronous) {
	case "OFF", "NORMAL", "FULL", "EXTRA":
	default:
		return "", "", fmt.Errorf("sqlite synchronous %q: want OFF, NORMAL, FULL or EXTRA", synchronous)
	}
	path, query, _ := strings.Cut(strings.TrimPrefix(raw, "file:"), "?")
	params, err := url.ParseQuery(query)
	if err != nil {
		return "", "", fmt.Errorf("database url: %w", err)
	}
	params.Set("_journal_mode", "WAL")
	params.Set("_busy_timeout", "10000")
	params.Set("_foreign_keys", "on")
	params.Set("_synchronous", strings.ToUpper(synchronous))
	reader := cloneValues(params)
	params.Set("_txlock", "immediate")
	reader.Set("_query_only", "true")
	return "file:" + path + "?" + params.Encode(), "file:" + path + "?" + reader.Encode(), nil
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// SQL returns the writer's *sql.DB, for migrations and backups.
func (db *DB) SQL() (*sql.DB, error) { return db.write.DB() }

// Close closes every connection.
func (db *DB) Close() error {
	if db.commits != nil {
		db.commits.close()
	}
	var errs []error
	for _, g := range []*gorm.DB{db.write, db.read} {
		if c, ok := g.Config.ConnPool.(*stmtCache); ok {
			c.preparing.Wait()
		}
		if s, err := g.DB(); err == nil {
			errs = append(errs, s.Close())
		}
		if db.read == db.write {
			break
		}
	}
	return errors.Join(errs...)
}

// Ping checks the database answers, for /readyz.
func (db *DB) Ping(ctx context.Context) error {
	s, err := db.read.DB()
	if err != nil {
		return err
	}
	return s.PingContext(ctx)
}

func (db *DB) today() domain.Date { return domain.DateOf(db.Now()) }

// now is the clock at the precision both databases keep (microseconds), so
// that an aggregate reads back the same on SQLite and PostgreSQL.
func (db *DB) now() time.Time { return db.Now().UTC().Truncate(time.Microsecond) }
