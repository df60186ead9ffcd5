package notify

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/store"
)

// overdueAfterMidnight is how long after midnight in Europe/London the
// overdue scan runs: past the day's turn, and clear of the hour a clock
// change repeats or skips.
const overdueAfterMidnight = 5 * time.Minute

// NextOverdueRun is the first scan time after now: 00:05 Europe/London on
// the next day (or today, when now is before 00:05).
func NextOverdueRun(now time.Time) time.Time {
	local := now.In(domain.London)
	y, m, d := local.Date()
	run := time.Date(y, m, d, 0, 0, 0, 0, domain.London).Add(overdueAfterMidnight)
	if !run.After(now) {
		run = time.Date(y, m, d+1, 0, 0, 0, 0, domain.London).Add(overdueAfterMidnight)
	}
	return run
}

// OverdueScheduler turns findings that went overdue into events: once at
// start, for anything missed while the service was down, then just after
// each midnight. On PostgreSQL one instance at a time runs it, under an
// advisory lock; the store's notices make each finding's event unique
// even without it.
type OverdueScheduler struct {
	DB  *store.DB
	Log *slog.Logger
	// Sleep waits until the given instant or until ctx ends; tests replace
	// it along with the store's clock.
	Sleep func(ctx context.Context, until time.Time) error
}

// RunOnce scans once, as leader, and returns how many events it wrote.
func (o *OverdueScheduler) RunOnce(ctx context.Context) (int, error) {
	n := 0
	_, err := o.DB.AsLeader(ctx, "overdue", func(ctx context.Context) error {
		var err error
		n, err = o.DB.EmitOverdue(ctx)
		return err
	})
	return n, err
}

// Run scans now and after every midnight until ctx ends.
func (o *OverdueScheduler) Run(ctx context.Context) {
	sleep := o.Sleep
	if sleep == nil {
		sleep = sleepUntil
	}
	for {
		n, err := o.RunOnce(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			o.log().Error("overdue scan failed", slog.String("error_type", fmt.Sprintf("%T", err)))
		case err == nil && n > 0:
			o.log().Info("overdue scan", slog.Int("events", n))
		}
		if sleep(ctx, NextOverdueRun(o.DB.Now())) != nil {
			return
		}
	}
}

func (o *OverdueScheduler) log() *slog.Logger {
	if o.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Log
}

func sleepUntil(ctx context.Context, until time.Time) error {
	t := time.NewTimer(time.Until(until))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
