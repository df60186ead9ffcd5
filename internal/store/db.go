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

// DB is the store. Writes go through the writer pool; reads through the
// reader pool. On SQLite the writer is a single connection, so writers
// queue in process instead of meeting "database is locked"; on PostgreSQL
// both are the same pool. Each pool is held twice: as database/sql, with
// the store's prepared statements, and as gorm, for the rest.
type DB struct {
	Dialect  Dialect
	sql      [2]*sql.DB     // by pool: writer, reader
	stmts    [2][]*sql.Stmt // by pool, by query id
	gorm     [2]*gorm.DB    // by pool
	Now      func() time.Time
	Evaluate Evaluator
	commits  *groupCommit  // SQLite only
	ckpt     *checkpointer // SQLite only
	onSQL    atomic.Pointer[func(sql string)]
	rules    rulesState
}

// Open opens the database named by cfg.URL and prepares the store's
// statements. It does not migrate; statements on tables a migration has
// yet to create are prepared when first run instead.
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
	if IsPostgresURL(cfg.URL) {
		db.Dialect = Postgres
		if err := db.openPool(writer, "pgx", cfg.URL); err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		db.sql[reader], db.gorm[reader] = db.sql[writer], db.gorm[writer]
		pool(db.sql[writer], cfg.MaxOpenConns, cfg.MaxIdleConns, cfg.ConnMaxLifetime)
		_ = db.prepare(context.Background()) // what fails waits for Migrate
		return db, nil
	}
	db.Dialect = SQLite
	writeDSN, readDSN, err := sqliteDSNs(cfg.URL, cfg.SQLiteSynchronous)
	if err != nil {
		return nil, err
	}
	if err := db.openPool(writer, sqliteDriver, writeDSN); err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	pool(db.sql[writer], 1, 1, 0)
	// Open the writer first so the WAL journal exists before readers attach.
	if _, err := db.sql[writer].Exec("SELECT 1"); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	if err := db.openPool(reader, sqliteDriver, readDSN); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite reader: %w", err)
	}
	pool(db.sql[reader], cfg.MaxOpenConns, cfg.MaxIdleConns, cfg.ConnMaxLifetime)
	_ = db.prepare(context.Background()) // what fails waits for Migrate
	if db.ckpt, err = newCheckpointer(writeDSN); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite checkpointer: %w", err)
	}
	db.commits = newGroupCommit(db)
	return db, nil
}

// openPool opens one pool, gorm over it, and prepares the store's
// statements on it. Statements on tables or columns that migrations have
// yet to create stay unprepared until Migrate prepares them.
func (db *DB) openPool(which int, driver, dsn string) error {
	s, err := sql.Open(driver, dsn)
	if err != nil {
		return err
	}
	var d gorm.Dialector = sqlite.New(sqlite.Config{Conn: s})
	if db.Dialect == Postgres {
		d = postgres.New(postgres.Config{Conn: s})
	}
	// gorm's logger would print SQL arguments, which hold personal data.
	g, err := gorm.Open(d, &gorm.Config{TranslateError: true, Logger: logger.Discard, NowFunc: func() time.Time { return db.now() }})
	if err != nil {
		s.Close()
		return err
	}
	db.sql[which], db.gorm[which] = s, g
	return db.countStatements(g)
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

// IsPostgresURL reports whether u names a PostgreSQL database.
func IsPostgresURL(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

func pool(s *sql.DB, open, idle int, life time.Duration) {
	s.SetMaxOpenConns(open)
	s.SetMaxIdleConns(idle)
	s.SetConnMaxLifetime(life)
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
func (db *DB) SQL() (*sql.DB, error) { return db.sql[writer], nil }

// Close closes every connection.
func (db *DB) Close() error {
	if db.commits != nil {
		db.commits.close()
	}
	var errs []error
	if db.ckpt != nil {
		errs = append(errs, db.ckpt.close())
	}
	for pool, s := range db.sql {
		if s == nil || pool == reader && s == db.sql[writer] {
			continue
		}
		for _, st := range db.stmts[pool] {
			if st != nil {
				errs = append(errs, st.Close())
			}
		}
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}

// Ping checks the database answers, for /readyz.
func (db *DB) Ping(ctx context.Context) error { return db.sql[reader].PingContext(ctx) }

func (db *DB) today() domain.Date { return domain.DateOf(db.Now()) }

// now is the clock at the precision both databases keep (microseconds), so
// that an aggregate reads back the same on SQLite and PostgreSQL.
func (db *DB) now() time.Time { return db.Now().UTC().Truncate(time.Microsecond) }
