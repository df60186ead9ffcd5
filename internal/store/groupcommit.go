package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/mattn/go-sqlite3"
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
	ctx   context.Context
	fn    func(t *Tx) error
	err   error
	panic any
	solo  bool // the batch failed as a whole: run again alone
	done  chan struct{}
	// oneStatement says fn runs a single statement, which SQLite undoes
	// by itself when it fails: it needs no savepoint.
	oneStatement bool
}

var errStoreClosed = errors.New("store: closed")

func newGroupCommit(db *DB) *groupCommit {
	g := &groupCommit{jobs: make(chan *writeJob), stop: make(chan struct{}), db: db}
	g.stopped.Add(1)
	go g.loop()
	return g
}

// run queues fn and waits until its batch commits or fails.
func (g *groupCommit) run(ctx context.Context, fn func(t *Tx) error, oneStatement bool) error {
	return g.queue(&writeJob{ctx: ctx, fn: fn, done: make(chan struct{}), oneStatement: oneStatement})
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
	err := g.db.transact(context.Background(), writer, nil, func(t *Tx) error {
		for _, j := range batch {
			if j.err = j.ctx.Err(); j.err != nil {
				continue
			}
			run := inSavepoint
			if j.oneStatement {
				run = bare
			}
			if err := run(t, j); err != nil {
				return err
			}
		}
		return nil
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

// Group commit's savepoint, on SQLite alone.
var (
	savepoint  = newDialectQuery("SAVEPOINT write", "")
	rollbackTo = newDialectQuery("ROLLBACK TO write", "")
	release    = newDialectQuery("RELEASE write", "")
)

// inSavepoint runs one write in a savepoint and rolls back to it when the
// write fails. It returns an error only when the transaction itself is
// broken: SQLite rolls a whole transaction back on some errors (a full
// disk, I/O errors), and then the savepoint is gone.
func inSavepoint(t *Tx, j *writeJob) error {
	if _, err := t.exec(savepoint); err != nil {
		return err
	}
	j.panic, j.err = call(func() error { return j.fn(j.in(t)) })
	if j.err != nil {
		if _, err := t.exec(rollbackTo); err != nil {
			return err
		}
	}
	_, err := t.exec(release)
	return err
}

// bare runs a write of one statement without a savepoint. A statement
// refused by a constraint is undone alone; after any other failure the
// transaction may be gone, and the batch is treated as broken.
func bare(t *Tx, j *writeJob) error {
	j.panic, j.err = call(func() error { return j.fn(j.in(t)) })
	var lite sqlite3.Error
	if j.err != nil && !(errors.As(j.err, &lite) && lite.Code == sqlite3.ErrConstraint) {
		return j.err
	}
	return nil
}

// in is the batch's transaction as j's: with j's context, less its
// cancellation, since the SQLite driver would watch every statement of a
// cancellable one on a goroutine of its own.
func (j *writeJob) in(t *Tx) *Tx {
	return &Tx{ctx: context.WithoutCancel(j.ctx), db: t.db, tx: t.tx, pool: writer}
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
