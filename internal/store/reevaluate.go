package store

import (
	"cmp"
	"context"
	"errors"
	"hash/fnv"
	"maps"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/cpcready/cpcready/internal/domain"
)

// Stored readiness (summary, findings and measures) depends on the rules'
// code and the working-day calendar as well as on the data, and
// readiness.Fingerprint names both. When serve starts under a fingerprint
// other than the one last recorded, stored readiness is brought in line in
// two steps, so that a large database does not keep the service down:
//
//   - before it listens (PrepareReadiness), every conference dated from
//     today to NearDays ahead, and every one not yet begun whose stored
//     earliest deadline falls in that time: what lists of the coming
//     weeks, the overdue filter and the chairs' decisions rest on;
//   - then the rest, in the background (Reevaluation.Run), a page at a
//     time in id order, recording in the same transaction as each page how
//     far it got, so that a restart resumes there.
//
// Each conference row names the rules it was evaluated under
// (readiness_rules). Until the background pass finishes, a read of one
// conference whose row names other rules evaluates it live (see current),
// and the overdue scheduler passes over it; lists answer from what is
// stored. Every page changes the insights tallies by the difference it
// makes, in its own transaction, so the tallies always equal the sum over
// the rows.

// NearDays is how many days ahead conferences are re-evaluated before
// serve listens, after a change of rules or calendar.
const NearDays = 90

// reevaluatePage is how many conferences one page of a re-evaluation
// loads: big enough that its fixed queries are worth it, small enough that
// a page holds the SQLite write lock for a moment only (a tenth of a
// second or so), since writes wait behind it. Before serve listens nothing
// waits for that lock, so pages are larger and fewer commits wait on the
// disk.
const (
	reevaluatePage = 100
	nearPage       = 1000
)

// calendarKey is the service_state key of the fingerprint the stored
// readiness is (or is being brought) in line with.
const calendarKey = "calendar"

type stateRow struct {
	Key       string `gorm:"primaryKey"`
	Value     string
	UpdatedAt time.Time
}

func (stateRow) TableName() string { return "service_state" }

type passRow struct {
	Fingerprint string `gorm:"primaryKey"`
	BeganAt     time.Time
	NearFrom    time.Time
	NearUntil   time.Time
	NearDoneAt  *time.Time
	AfterID     string
	Visited     int64
	Evaluated   int64
	Total       int64
	FinishedAt  *time.Time
}

func (passRow) TableName() string { return "readiness_passes" }

// rulesState is what a DB knows of the rules its Evaluate applies.
type rulesState struct {
	mark    atomic.Int64 // rulesMark of their fingerprint; 0 until one is given
	passing atomic.Bool  // a re-evaluation has conferences still to reach
	// progress is the last progress heard of, for metrics.
	progress atomic.Pointer[ReevaluationProgress]
}

// rulesMark is what a conference row stores of a fingerprint. It is never
// 0, which stands for rules not known.
func rulesMark(fingerprint string) int64 {
	h := fnv.New64a()
	h.Write([]byte(fingerprint))
	if m := int64(h.Sum64()); m != 0 {
		return m
	}
	return 1
}

// stale reports whether a stored readiness evaluated under the rules
// marked m may differ from what the rules in use give. That can only be so
// while a re-evaluation is under way: once it has finished every row
// agrees, and every write evaluates under the rules in use.
func (db *DB) stale(m int64) bool {
	return db.rules.passing.Load() && m != db.rules.mark.Load()
}

// trusted reports whether a stored readiness can be answered as it is: its
// findings were kept, and it is not stale.
func (db *DB) trusted(findingsKept bool, rules int64) bool {
	return findingsKept && !db.stale(rules)
}

// summary evaluates c under pol, naming the rules it was evaluated under.
func (db *DB) summary(c *domain.Conference, pol domain.Policy) domain.ReadinessSummary {
	s := db.Evaluate(c, pol).Summary()
	s.Rules = db.rules.mark.Load()
	return s
}

// current evaluates c live, under its organisation's policy, when its
// stored readiness cannot be trusted.
func (db *DB) current(t *Tx, org string, c *domain.Conference) error {
	if db.trusted(c.Readiness.Findings != nil, c.Readiness.Rules) {
		return nil
	}
	return db.reevaluate(t, org, c)
}

// Reevaluation is the background part of a re-evaluation after a change
// of rules or calendar.
type Reevaluation struct {
	db          *DB
	fingerprint string
	// Near is how many conferences this start re-evaluated before
	// listening. Resumed says an earlier start had done them, and this one
	// takes up the rest where that left off.
	Near    int64
	Resumed bool
}

// ReevaluationProgress is how far the background pass has got: it has
// visited Visited of about Total conferences, Evaluated of them again.
type ReevaluationProgress struct {
	Visited, Evaluated, Total int64
	Finished                  bool
}

// Remaining is about how many conferences the pass has still to visit.
func (p ReevaluationProgress) Remaining() int64 {
	if p.Finished {
		return 0
	}
	return max(p.Total-p.Visited, 0)
}

// ReevaluationRemaining is about how many conferences the background
// re-evaluation has still to visit, as last heard of; 0 when none is
// under way.
func (db *DB) ReevaluationRemaining() int64 {
	if !db.rules.passing.Load() {
		return 0
	}
	if p := db.rules.progress.Load(); p != nil {
		return p.Remaining()
	}
	return 0
}

// PrepareReadiness brings stored readiness in line with the rules named by
// fingerprint as far as answering requests needs: when they differ from
// those last recorded, or a re-evaluation after the last change has not
// finished, it re-evaluates the near conferences (see above) unless an
// earlier start did, and returns the pass that does the rest. It returns
// nil when every stored readiness is already in line. On PostgreSQL one
// instance re-evaluates the near conferences while any other starting
// with it waits.
func (db *DB) PrepareReadiness(ctx context.Context, fingerprint string) (*Reevaluation, error) {
	db.rules.mark.Store(rulesMark(fingerprint))
	pass, err := db.beginPass(ctx, fingerprint)
	if err != nil || pass == nil {
		db.rules.passing.Store(false)
		return nil, err
	}
	db.rules.passing.Store(true)
	db.rules.progress.Store(new(progressOf(*pass)))
	r := &Reevaluation{db: db, fingerprint: fingerprint}
	if r.Resumed = pass.NearDoneAt != nil; r.Resumed {
		return r, nil
	}
	err = db.exclusively(ctx, "readiness-near", func(ctx context.Context) error {
		var err error
		r.Near, err = db.reevaluateNear(ctx, fingerprint)
		return err
	})
	return r, err
}

// SyncReadiness brings every stored readiness in line with the rules
// named by fingerprint before it returns, for tools that start no server.
// It reports whether any had to be re-evaluated.
func (db *DB) SyncReadiness(ctx context.Context, fingerprint string) (bool, error) {
	r, err := db.PrepareReadiness(ctx, fingerprint)
	if err != nil || r == nil {
		return false, err
	}
	return true, r.Run(ctx, 0, nil)
}

// beginPass records a change of fingerprint and returns the pass under
// way for fingerprint, or nil when there is none. A database whose
// recorded fingerprint matches but that has no pass for it was brought in
// line before passes were kept.
func (db *DB) beginPass(ctx context.Context, fingerprint string) (*passRow, error) {
	var out *passRow
	err := db.inWrite(ctx, func(t *Tx) error {
		tx := t.orm()
		out = nil
		var st stateRow
		err := tx.Where("key = ?", calendarKey).Take(&st).Error
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		var pass passRow
		found := true
		if err := tx.Where("fingerprint = ?", fingerprint).Take(&pass).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			found = false
		} else if err != nil {
			return err
		}
		if st.Value == fingerprint {
			if found && pass.FinishedAt == nil {
				out = &pass
			}
			return nil
		}
		now := db.now()
		today := db.today()
		pass = passRow{
			Fingerprint: fingerprint, BeganAt: now,
			NearFrom: startOfDay(today), NearUntil: startOfDay(today.AddDays(NearDays + 1)),
		}
		if err := tx.Model(&conferenceRow{}).Count(&pass.Total).Error; err != nil {
			return err
		}
		if err := tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&pass).Error; err != nil {
			return err
		}
		// Older releases read the fingerprint here too: one rolled back to
		// then sees that the rules changed and re-evaluates.
		st = stateRow{Key: calendarKey, Value: fingerprint, UpdatedAt: now}
		if err := tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&st).Error; err != nil {
			return err
		}
		out = &pass
		return nil
	})
	return out, err
}

// startOfDay is the instant d begins in Europe/London.
func startOfDay(d domain.Date) time.Time {
	t := d.Time()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, domain.London).UTC()
}

// reevaluateNear re-evaluates the near conferences of the pass for
// fingerprint, a page to a transaction, and records that they are done. A
// start cut short leaves the pages it committed done; the next skips them,
// since their rows name the rules in use.
func (db *DB) reevaluateNear(ctx context.Context, fingerprint string) (int64, error) {
	var pass passRow
	err := db.inReadOne(ctx, func(t *Tx) error { return t.orm().Where("fingerprint = ?", fingerprint).Take(&pass).Error })
	if err != nil || pass.NearDoneAt != nil {
		return 0, err // another instance did them while this one waited
	}
	// Starts that have passed are recorded from the readiness they had
	// before the rules changed, as they were then.
	if err := db.RecordStarts(ctx, ""); err != nil {
		return 0, err
	}
	orgs, err := db.organisations(ctx)
	if err != nil {
		return 0, err
	}
	done, err := db.reevaluatePipelined(ctx, nearSlices(orgs, pass))
	if err != nil {
		return done, err
	}
	err = db.inWrite(ctx, func(t *Tx) error {
		return t.orm().Model(&passRow{}).Where("fingerprint = ?", fingerprint).Update("near_done_at", db.now()).Error
	})
	return done, err
}

// A nearSlice is part of the near conferences of an organisation: those
// that q selects from the cursor on (by start, then id), dated before
// until, or, for nearByDue, due before it.
type nearSlice struct {
	org   string
	q     *query
	from  cursor
	until time.Time
}

// The near conferences of an organisation whose rows name other rules
// than the given mark, a page at a time: those dated in the window, and
// later ones whose earliest deadline falls in it, or has passed, which
// the overdue filter lists (only a conference not ready has a deadline).
var (
	nearByStart = newQuery("SELECT " + conferences.columns("") + ` FROM conferences
		WHERE org = ? AND readiness_rules <> ? AND (scheduled_start, id) > (?, ?) AND scheduled_start < ?
		ORDER BY scheduled_start, id LIMIT ?`)
	// The cursor alone bounds the start from below: a second bound on it
	// would steer SQLite to conferences_by_start and every later
	// conference, ten times the reads at a million.
	nearByDue = newQuery("SELECT " + conferences.columns("") + ` FROM conferences
		WHERE org = ? AND readiness_status = 'not_ready' AND readiness_rules <> ? AND (scheduled_start, id) > (?, ?)
		AND readiness_due_on < ?
		ORDER BY scheduled_start, id LIMIT ?`)
)

// nearDaysEach is how many days of the window one slice covers: enough
// slices that the readers share the work evenly.
const nearDaysEach = 7

// nearSlices divides the near conferences of each organisation into
// slices that can be read side by side.
func nearSlices(orgs []string, pass passRow) []nearSlice {
	var out []nearSlice
	for _, org := range orgs {
		for from := pass.NearFrom; from.Before(pass.NearUntil); {
			until := from.AddDate(0, 0, nearDaysEach)
			if until.After(pass.NearUntil) {
				until = pass.NearUntil
			}
			out = append(out, nearSlice{org: org, q: nearByStart, from: cursor{Start: from}, until: until})
			from = until
		}
		out = append(out, nearSlice{org: org, q: nearByDue, from: cursor{Start: pass.NearUntil}, until: pass.NearUntil})
	}
	return out
}

// page reads the slice's next page after the cursor.
func (s nearSlice) page(t *Tx, mark int64, after cursor) ([]conferenceRow, error) {
	args := []any{s.org, mark, after.Start, after.ID, s.until}
	if s.q == nearByDue {
		args[4] = domain.DateOf(s.until).String() // due before the window ends
	}
	return selectRows(t, (*conferenceRow).fields, s.q, append(args, nearPage)...)
}

// reevaluatePipelined re-evaluates the conferences of the slices: as many
// readers as there are processors load and evaluate pages, each in a read
// transaction, while this goroutine writes them, a page to a transaction.
// Loading and evaluating are most of the work, and the write transaction
// is one at a time, so the work is spread over every core. A page whose
// conferences or policy moved after it was read (another instance's
// write, on PostgreSQL) is done again under the lock.
func (db *DB) reevaluatePipelined(ctx context.Context, parts []nearSlice) (int64, error) {
	mark := db.rules.mark.Load()
	g, gctx := errgroup.WithContext(ctx)
	work := make(chan nearSlice)
	pages := make(chan evaluated, 2)
	g.Go(func() error {
		defer close(work)
		for _, s := range parts {
			select {
			case work <- s:
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		return nil
	})
	var readers sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		readers.Add(1)
		g.Go(func() error {
			defer readers.Done()
			for s := range work {
				if err := db.evaluateSlice(gctx, s, mark, pages); err != nil {
					return err
				}
			}
			return nil
		})
	}
	go func() { readers.Wait(); close(pages) }()
	var done int64
	g.Go(func() error {
		for e := range pages {
			if err := db.writePage(gctx, e); err != nil {
				return err
			}
			done += int64(len(e.before))
		}
		return nil
	})
	err := g.Wait()
	return done, err
}

// evaluateSlice reads and evaluates a slice a page at a time, handing each
// page on.
func (db *DB) evaluateSlice(ctx context.Context, s nearSlice, mark int64, out chan<- evaluated) error {
	after := s.from
	for {
		var e evaluated
		err := db.inRead(ctx, func(t *Tx) error {
			rows, err := s.page(t, mark, after)
			if err != nil || len(rows) == 0 {
				e = evaluated{}
				return err
			}
			pol, err := policyIn(t, s.org)
			if err != nil {
				return err
			}
			e, err = db.evaluateRows(t, s.org, pol, rows)
			return err
		})
		if err != nil || len(e.before) == 0 {
			return err
		}
		last := e.before[len(e.before)-1]
		after = cursor{Start: last.ScheduledStart, ID: last.ID}
		select {
		case out <- e:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// writePage writes a page evaluated outside the transaction, with its
// tallies, when neither its rows nor its organisation's policy moved
// since; otherwise it reads the page's rows again under the lock and
// re-evaluates those still under other rules.
func (db *DB) writePage(ctx context.Context, e evaluated) error {
	err := db.inWrite(ctx, func(t *Tx) error {
		if err := policyUnchanged(t, e.org, e.pol); err != nil {
			return err
		}
		d := tallyDelta{}
		if err := db.writeEvaluated(t, e, d); err != nil {
			return err
		}
		return d.apply(t, e.org)
	})
	if !errors.Is(err, errStale) {
		return err
	}
	ids := make([]string, len(e.before))
	for i, r := range e.before {
		ids[i] = r.ID
	}
	mark := db.rules.mark.Load()
	return db.inWrite(ctx, func(t *Tx) error {
		rows, err := conferenceRows(t, e.org, ids)
		if err != nil {
			return err
		}
		return db.reevaluateIn(t, e.org, slices.DeleteFunc(rows, func(r conferenceRow) bool { return r.ReadinessRules == mark }))
	})
}

// reevaluateIn re-evaluates rows of org under its policy and changes the
// tallies by the difference.
func (db *DB) reevaluateIn(t *Tx, org string, rows []conferenceRow) error {
	if len(rows) == 0 {
		return nil
	}
	pol, err := policyIn(t, org)
	if err != nil {
		return err
	}
	d := tallyDelta{}
	if err := db.reevaluateRows(t, org, pol, rows, d); err != nil {
		return err
	}
	return d.apply(t, org)
}

// organisations lists the organisations that have conferences.
func (db *DB) organisations(ctx context.Context) ([]string, error) {
	var orgs []string
	err := db.inReadOne(ctx, func(t *Tx) error {
		return t.orm().Model(&conferenceRow{}).Distinct("org").Order("org").Pluck("org", &orgs).Error
	})
	return orgs, err
}

// Run re-evaluates, in the background, the conferences PrepareReadiness
// left, until none is left or ctx ends, waiting pause between pages. One
// instance does it (on PostgreSQL an advisory lock decides); any other
// watches its progress, and takes over should it stop. report, when set,
// hears of progress after every page, and every half minute while another
// instance works.
func (r *Reevaluation) Run(ctx context.Context, pause time.Duration, report func(ReevaluationProgress)) error {
	db := r.db
	heard := func(p ReevaluationProgress) {
		if report != nil {
			report(p)
		}
	}
	for {
		var last ReevaluationProgress
		ran, err := db.AsLeader(ctx, "readiness-pass", func(ctx context.Context) error {
			for {
				p, err := r.Step(ctx)
				if err != nil {
					return err
				}
				last = p
				heard(p)
				if p.Finished {
					return nil
				}
				if err := sleep(ctx, pause); err != nil {
					return err
				}
			}
		})
		if err != nil || last.Finished {
			return err
		}
		if !ran {
			p, err := r.Progress(ctx)
			if err != nil {
				return err
			}
			heard(p)
			if p.Finished {
				return nil
			}
			if err := sleep(ctx, 30*time.Second); err != nil {
				return err
			}
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Progress reads how far the pass has got.
func (r *Reevaluation) Progress(ctx context.Context) (ReevaluationProgress, error) {
	var pass passRow
	err := r.db.inReadOne(ctx, func(t *Tx) error {
		return t.orm().Where("fingerprint = ?", r.fingerprint).Take(&pass).Error
	})
	if domain.ErrorKind(err) == domain.ENOTFOUND {
		return r.heard(ReevaluationProgress{Finished: true}), nil // a later change replaced it
	}
	if err != nil {
		return ReevaluationProgress{}, err
	}
	return r.heard(progressOf(pass)), nil
}

// heard keeps p for metrics; once the pass has finished, no stored
// readiness is stale.
func (r *Reevaluation) heard(p ReevaluationProgress) ReevaluationProgress {
	r.db.rules.progress.Store(&p)
	if p.Finished {
		r.db.rules.passing.Store(false)
	}
	return p
}

func progressOf(p passRow) ReevaluationProgress {
	return ReevaluationProgress{Visited: p.Visited, Evaluated: p.Evaluated, Total: p.Total, Finished: p.FinishedAt != nil}
}

// Step re-evaluates the next page of conferences, in id order, whose rows
// name rules other than those in use, and records how far it got in the
// same transaction.
func (r *Reevaluation) Step(ctx context.Context) (ReevaluationProgress, error) {
	db := r.db
	mark := db.rules.mark.Load()
	var out ReevaluationProgress
	err := db.inWrite(ctx, func(t *Tx) error {
		tx := t.orm()
		var pass passRow
		err := tx.Where("fingerprint = ?", r.fingerprint).Take(&pass).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			out = ReevaluationProgress{Finished: true}
			return nil
		}
		if err != nil {
			return err
		}
		defer func() { out = progressOf(pass) }()
		if pass.FinishedAt != nil {
			return nil
		}
		rows, err := db.nextPage(t, pass.AfterID)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			now := db.now()
			pass.FinishedAt = &now
		} else {
			byOrg := map[string][]conferenceRow{}
			for _, row := range rows {
				if row.ReadinessRules != mark {
					byOrg[row.Org] = append(byOrg[row.Org], row)
				}
			}
			// Organisations in a fixed order, so that on PostgreSQL two
			// writers never lock tallies in opposite orders.
			for _, org := range slices.Sorted(maps.Keys(byOrg)) {
				if err := db.reevaluateIn(t, org, byOrg[org]); err != nil {
					return err
				}
				pass.Evaluated += int64(len(byOrg[org]))
			}
			pass.AfterID = rows[len(rows)-1].ID
			pass.Visited += int64(len(rows))
		}
		return tx.Model(&passRow{}).Where("fingerprint = ?", pass.Fingerprint).Updates(map[string]any{
			"after_id": pass.AfterID, "visited": pass.Visited, "evaluated": pass.Evaluated,
			"total": pass.Total, "finished_at": pass.FinishedAt,
		}).Error
	})
	if err != nil {
		return ReevaluationProgress{}, err
	}
	return r.heard(out), nil
}

// conferencesAfter is a page of conferences in id order, locked on
// PostgreSQL.
var conferencesAfter = newDialectQuery("SELECT "+conferences.columns("")+" FROM conferences WHERE id > ? ORDER BY id LIMIT ?",
	"SELECT "+conferences.columns("")+" FROM conferences WHERE id > ? ORDER BY id LIMIT ? FOR UPDATE")

// nextPage locks and reads the page of conferences after the one with id
// after. A conference whose start has passed unrecorded has its start
// recorded first, from the readiness stored before this pass changes it,
// and the page is read again.
func (db *DB) nextPage(t *Tx, after string) ([]conferenceRow, error) {
	read := func() ([]conferenceRow, error) {
		return selectRows(t, (*conferenceRow).fields, conferencesAfter, after, reevaluatePage)
	}
	rows, err := read()
	if err != nil {
		return nil, err
	}
	now := db.now()
	var due []string
	for _, row := range rows {
		if row.StartStatus == nil && !row.ScheduledStart.After(now) && !slices.Contains(due, row.Org) {
			due = append(due, row.Org)
		}
	}
	if len(due) == 0 {
		return rows, nil
	}
	slices.SortFunc(due, cmp.Compare)
	for _, org := range due {
		if err := db.recordStarts(t, org); err != nil {
			return nil, err
		}
	}
	return read()
}
