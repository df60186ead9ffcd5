package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/cpcready/cpcready/internal/store"
)

// runInsights repairs the insights' tallies: --recount rebuilds them from
// every conference, and says how many it found wrong.
func runInsights(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	fs := newFlagSet("insights", stderr)
	fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "SQLite file or postgres:// URL (CPCREADY_DATABASE_URL)")
	recount := fs.Bool("recount", false, "rebuild every organisation's insight tallies from its conferences")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !*recount {
		return errors.New("insights needs --recount")
	}
	db, err := openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := db.RecountInsights(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "recounted %d conferences in %d organisations: %d tallies repaired\n", rep.Conferences, rep.Organisations, rep.Repaired)
	return nil
}

// startsEvery is how often serve records the start of conferences that
// have begun. An insights read records them too, so this only keeps the
// work of doing so small and steady.
const startsEvery = time.Minute

// recordStarts records, until ctx ends, the readiness of conferences as
// they begin (see store.RecordStarts). Instances may run it side by side:
// each start is recorded once whoever gets there first.
func recordStarts(ctx context.Context, db *store.DB, log *slog.Logger) {
	tick := time.NewTicker(startsEvery)
	defer tick.Stop()
	for {
		if err := db.RecordStarts(ctx, ""); err != nil && ctx.Err() == nil {
			log.Error("recording conference starts failed", slog.String("error_type", fmt.Sprintf("%T", err)))
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
