package store

import (
	"context"
	"database/sql"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattn/go-sqlite3"
)

// SQLite copies its write-ahead log back into the database file (a
// checkpoint) on the connection that commits, each time the log passes
// 1,000 pages. That commit then waits while the pages are copied and the
// file synced, and so does every write and audited read batched with it:
// under load, one batch in a few dozen, which is the p99. The checkpointer
// does that copying beside the writer instead, on a connection of its
// own, soon after commits: a PASSIVE checkpoint takes no lock a writer or
// reader waits on. The writer checkpoints for itself only past
// walBackstop pages, should the checkpointer fall behind, so the log
// stays bounded. Durability is the same either way: a commit is synced to
// the log before it is acknowledged.
const (
	walBackstop = 10_000 // pages: 40 MB of log with 4 KiB pages
	// checkpointEvery is the most often the checkpointer runs: often
	// enough that the log is copied in small steps, seldom enough that
	// idle time costs nothing and a busy writer is not chased.
	checkpointEvery = 50 * time.Millisecond
)

// sqliteDriver is the SQLite driver with the store's settings for each
// connection that the DSN cannot carry.
const sqliteDriver = "sqlite3_cpcready"

func init() {
	sql.Register(sqliteDriver, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		_, err := c.Exec("PRAGMA wal_autocheckpoint = "+strconv.Itoa(walBackstop), nil)
		return err
	}})
}

// checkpointer runs PASSIVE checkpoints on a connection of its own, when
// poked after a commit and at most once every checkpointEvery.
type checkpointer struct {
	conn *sql.DB
	kick chan struct{}
	stop chan struct{}
	done sync.WaitGroup
	once sync.Once
	// runs counts checkpoints; caughtUp says the last one copied the
	// whole log, for tests.
	runs     atomic.Int64
	caughtUp atomic.Bool
}

func newCheckpointer(dsn string) (*checkpointer, error) {
	conn, err := sql.Open(sqliteDriver, dsn)
	if err != nil {
		return nil, err
	}
	pool(conn, 1, 1, 0)
	c := &checkpointer{conn: conn, kick: make(chan struct{}, 1), stop: make(chan struct{})}
	c.done.Add(1)
	go c.loop()
	return c, nil
}

// poke asks for a checkpoint soon, without waiting.
func (c *checkpointer) poke() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) loop() {
	defer c.done.Done()
	for {
		select {
		case <-c.kick:
		case <-c.stop:
			return
		}
		c.checkpoint()
		select {
		case <-time.After(checkpointEvery):
		case <-c.stop:
			return
		}
	}
}

// checkpoint copies what it can of the log. A failure is not the
// writer's: the writer's own checkpoints past walBackstop still bound the
// log, and the next poke tries again.
func (c *checkpointer) checkpoint() {
	var busy, logged, copied int
	err := c.conn.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logged, &copied)
	c.runs.Add(1)
	c.caughtUp.Store(err == nil && busy == 0 && copied == logged)
}

func (c *checkpointer) close() error {
	c.once.Do(func() { close(c.stop) })
	c.done.Wait()
	return c.conn.Close()
}
