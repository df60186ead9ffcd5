package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"gorm.io/gorm"
)

// maxBatch caps how many writes share one SQLite transaction, so that one
// batch cannot hold the write lock for long.
const maxBatch = 64

// groupCommit runs SQLite writes on the one writer connection, several to a
// transaction: each write in its own savepoint, so one that fails is rolled
// back alone, and one COMMIT (one fsync) for the batch. A write's caller
// hears of it only after the batch commits, so nothing is acknowledged that
// a crash could lose. database/sql and gorm have no group commit; this is
// the small piece they leave out.
type groupCommit struct {
	// commits and writes count transactions and the writes in them, so
	// that their ratio shows how well writes share commits.
	commits, writes atomic.Int64
	jobs            chan *writeJob
	stop            chan struct{}
	stopped         sync.WaitGroup
	once            sync.Once
	db              *DB
}

type writeJob struct {
	ctx context.Context
	fn  func(tx *gorm.DB) error
	// reads, when set, are the job's whole work: audit rows of reads. A
	// batch inserts runs of them together, without savepoints; fn inserts
	// them when the job runs alone.
	reads []auditRow
	err   error
	panic any
	solo  bool // the batch failed as a whole: run again alone
	done  chan struct{}
}

var errStoreClosed = errors.New("store: closed")

func newGroupCommit(db *DB) *groupCommit {
	g := &groupCommit{jobs: make(chan *writeJob), stop: make(chan struct{}), db: db}
	g.stopped.Add(1)
	go g.loop()
	return g
}

// run queues fn and waits until its batch commits or fails.
func (g *groupCommit) run(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return g.queue(&writeJob{ctx: ctx, fn: fn, done: make(chan struct{})})
}

// appendReads queues audit rows of reads and waits until they are durable.
func (g *groupCommit) appendReads(ctx context.Context, rows []auditRow) error {
	return g.queue(&writeJob{ctx: ctx, fn: insertRows(rows), reads: rows, done: make(chan struct{})})
}

// insertRows appends audit rows of reads with one plain INSERT per 200: the
// hottest insert there is, and gorm's reflection over each row cost more
// than SQLite's work. A list read's row goes in alone, for its id, with
// its links to the conferences it listed.
func insertRows(rows []auditRow) func(tx *gorm.DB) error {
	return func(tx *gorm.DB) error {
		for len(rows) > 0 {
			if rows[0].Listed != nil {
				if err := insertListed(tx, rows[0]); err != nil {
					return err
				}
				rows = rows[1:]
				continue
			}
			n := 0
			for n < len(rows) && n < 200 && rows[n].Listed == nil {
				n++
			}
			var sql strings.Builder
			sql.WriteString(insertAudit)
			args := make([]any, 0, n*auditColumns)
			for i, r := range rows[:n] {
				if i > 0 {
					sql.WriteString(", ")
				}
				sql.WriteString(auditValues)
				args = append(args, auditArgs(r)...)
			}
			if err := tx.Exec(sql.String(), args...).Error; err != nil {
				return err
			}
			rows = rows[n:]
		}
		return nil
	}
}

const (
	insertAudit  = "INSERT INTO audit_events (occurred_at, actor_kind, actor_id, actor_name, actor_role, org, action, entity, entity_id, conference_id, request_id, client_request_id, changes) VALUES "
	auditValues  = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	auditColumns = 13
)

func auditArgs(r auditRow) []any {
	return []any{r.OccurredAt, r.ActorKind, r.ActorID, r.ActorName, r.ActorRole, r.Org, r.Action, r.Entity, r.EntityID, r.ConferenceID, r.RequestID, r.ClientRequestID, r.Changes}
}

// insertListed appends a list read's event and links it to each
// conference it listed, in one fixed statement whatever their number: the
// ids go in as one JSON array, which costs less than gorm building an
// insert of a row per link.
func insertListed(tx *gorm.DB, r auditRow) error {
	var id int64
	if err := tx.Raw(insertAudit+auditValues+" RETURNING id", auditArgs(r)...).Scan(&id).Error; err != nil {
		return err
	}
	if len(r.Listed) == 0 {
		return nil
	}
	ids, err := json.Marshal(r.Listed)
	if err != nil {
		return err
	}
	return tx.Exec("INSERT INTO audit_listed (conference_id, event_id) SELECT ids.*, CAST(? AS BIGINT) FROM "+jsonStrings(tx)+" ids", id, string(ids)).Error
}

func (g *groupCommit) queue(j *writeJob) error {
	select {
	case g.jobs <- j:
	case <-j.ctx.Done():
		return j.ctx.Err()
	case <-g.stop:
		return errStoreClosed
	}
	<-j.done
	if j.panic != nil {
		panic(j.panic)
	}
	return j.err
}

func (g *groupCommit) close() {
	g.once.Do(func() { close(g.stop) })
	g.stopped.Wait()
}

func (g *groupCommit) loop() {
	defer g.stopped.Done()
	for {
		var first *writeJob
		select {
		case first = <-g.jobs:
		case <-g.stop:
			return
		}
		batch := []*writeJob{first}
	drain:
		for len(batch) < maxBatch {
			select {
			case j := <-g.jobs:
				batch = append(batch, j)
			default:
				break drain
			}
		}
		g.commit(batch)
		g.commits.Add(1)
		g.writes.Add(int64(len(batch)))
		for _, j := range batch {
			if j.solo {
				j.panic, j.err = call(func() error { return g.db.writeAlone(j.ctx, j.fn) })
			}
			close(j.done)
		}
	}
}

// commit runs a batch in one transaction. When the transaction as a whole
// fails (busy, a full disk, a failed COMMIT), every write in it runs again
// alone, so that one write's trouble is never another's.
func (g *groupCommit) commit(batch []*writeJob) {
	if len(batch) == 1 {
		batch[0].solo = true
		return
	}
	err := g.db.write.Transaction(func(tx *gorm.DB) error {
		// Audit rows of reads wait to go in together, in order with the
		// writes around them.
		var reads []auditRow
		flush := func() error {
			if len(reads) == 0 {
				return nil
			}
			err := insertRows(reads)(tx)
			reads = reads[:0]
			return err
		}
		for _, j := range batch {
			if j.err = j.ctx.Err(); j.err != nil {
				continue
			}
			if j.reads != nil {
				reads = append(reads, j.reads...)
				continue
			}
			if err := flush(); err != nil {
				return err
			}
			if err := inSavepoint(tx, j); err != nil {
				return err
			}
		}
		return flush()
	})
	for _, j := range batch {
		switch {
		case err == nil || j.panic != nil:
			j.err = mapError(j.err)
		case j.ctx.Err() == nil:
			j.solo = true
		case j.err == nil:
			// Its savepoint was released, but the batch rolled back with
			// it and its caller has gone: it was not written, and must
			// not be reported as done.
			j.err = j.ctx.Err()
		default:
			j.err = mapError(j.err)
		}
	}
}

// inSavepoint runs one write in a savepoint and rolls back to it when the
// write fails. It returns an error only when the transaction itself is
// broken: SQLite rolls a whole transaction back on some errors (a full
// disk, I/O errors), and then the savepoint is gone.
func inSavepoint(tx *gorm.DB, j *writeJob) error {
	if err := tx.Exec("SAVEPOINT write").Error; err != nil {
		return err
	}
	j.panic, j.err = call(func() error { return j.fn(tx) })
	if j.err != nil {
		if err := tx.Exec("ROLLBACK TO write").Error; err != nil {
			return err
		}
	}
	return tx.Exec("RELEASE write").Error
}

// call runs fn, turning a panic into a value for its caller to raise again.
func call(fn func() error) (panicked any, err error) {
	defer func() {
		if r := recover(); r != nil {
			panicked = r
			err = fmt.Errorf("write panicked: %v", r)
		}
	}()
	return nil, fn()
}

// CommitCounts returns how many SQLite write transactions the store has
// committed (or tried to) and how many writes they held; both are zero on
// PostgreSQL.
func (db *DB) CommitCounts() (commits, writes int64) {
	if db.commits == nil {
		return 0, 0
	}
	return db.commits.commits.Load(), db.commits.writes.Load()
}
