package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cpcready/cpcready/internal/store"
)

// prepareReadiness re-evaluates, before serve listens, the conferences of
// the coming weeks whose stored readiness new rules or a new calendar may
// have changed, and returns the pass that does the rest; nil when there
// is none.
func prepareReadiness(ctx context.Context, db *store.DB, fingerprint string, log *slog.Logger) (*store.Reevaluation, error) {
	began := time.Now()
	pass, err := db.PrepareReadiness(ctx, fingerprint)
	if err != nil || pass == nil {
		return nil, err
	}
	if pass.Resumed {
		log.Info("readiness re-evaluation after a change of rules or calendar resumes in the background")
		return pass, nil
	}
	log.Info("readiness rules or calendar changed: near conferences re-evaluated, the rest follow in the background",
		slog.Int("near_days", store.NearDays), slog.Int64("near", pass.Near), slog.Duration("took", time.Since(began)))
	return pass, nil
}

// progressEvery is how often the background re-evaluation logs its
// progress.
const progressEvery = 30 * time.Second

// reevaluateInBackground runs the pass until it finishes or ctx ends,
// logging its progress; after a failure it tries again a minute later.
// stop ends it and waits for it.
func reevaluateInBackground(ctx context.Context, pass *store.Reevaluation, pause time.Duration, log *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var logged time.Time
		report := func(p store.ReevaluationProgress) {
			if p.Finished {
				log.Info("readiness re-evaluation finished", slog.Int64("visited", p.Visited), slog.Int64("evaluated", p.Evaluated))
				return
			}
			if time.Since(logged) >= progressEvery {
				logged = time.Now()
				log.Info("readiness re-evaluation under way", slog.Int64("visited", p.Visited), slog.Int64("total", p.Total),
					slog.Int64("evaluated", p.Evaluated), slog.Int64("remaining", p.Remaining()))
			}
		}
		for {
			err := pass.Run(ctx, pause, report)
			if err == nil || ctx.Err() != nil {
				return
			}
			log.Error("readiness re-evaluation failed; trying again in a minute", slog.String("error_type", fmt.Sprintf("%T", err)))
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Minute):
			}
		}
	}()
	return func() {
		cancel()
		wg.Wait()
	}
}

// registerReevaluationMetric exposes how many conferences the background
// re-evaluation has still to visit.
func registerReevaluationMetric(reg *prometheus.Registry, db *store.DB) error {
	return reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "cpcready_readiness_reevaluation_remaining",
		Help: "Conferences the background re-evaluation after new readiness rules or calendar has still to visit; 0 when none is under way.",
	}, func() float64 { return float64(db.ReevaluationRemaining()) }))
}
