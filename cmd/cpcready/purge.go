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

func runPurge(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	fs := newFlagSet("purge", stderr)
	fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "SQLite file or postgres:// URL (CPCREADY_DATABASE_URL)")
	olderThan := fs.Duration("older-than", cfg.PurgeAfter, "purge conferences dated longer ago than this, whatever their status, such as 8760h")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *olderThan <= 0 {
		return errors.New("purge needs --older-than, a positive duration such as 8760h")
	}
	db, err := openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.Purge(ctx, *olderThan)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "purged %d conferences\n", n)
	return nil
}

// maintain runs the service's housekeeping until ctx ends: every hour it
// drops expired idempotency records, and every purgeEvery, when purgeAfter
// is set, it purges long-past conferences. On PostgreSQL only one instance
// at a time does either, under an advisory lock.
func maintain(ctx context.Context, db *store.DB, purgeAfter, purgeEvery time.Duration, log *slog.Logger) {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	var lastPurge time.Time
	for {
		ran, err := db.AsLeader(ctx, "maintenance", func(ctx context.Context) error {
			if err := db.ExpireIdempotency(ctx); err != nil {
				return err
			}
			if err := db.DeleteExpiredSessions(ctx); err != nil {
				return err
			}
			if err := db.Optimize(ctx); err != nil {
				return err
			}
			if purgeAfter <= 0 || time.Since(lastPurge) < purgeEvery {
				return nil
			}
			n, err := db.Purge(ctx, purgeAfter)
			log.Info("purge", slog.Int("purged", n))
			if err == nil {
				lastPurge = time.Now()
			}
			return err
		})
		if err != nil {
			log.Error("maintenance failed", slog.String("error_type", fmt.Sprintf("%T", err)))
		} else if !ran {
			log.Info("maintenance skipped: another instance holds the lock")
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
