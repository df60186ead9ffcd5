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

// purgeLoop purges on a schedule. On PostgreSQL only one instance at a time
// runs it, under an advisory lock.
func purgeLoop(ctx context.Context, db *store.DB, olderThan, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		ran, err := db.AsLeader(ctx, "purge", func(ctx context.Context) error {
			n, err := db.Purge(ctx, olderThan)
			log.Info("purge", slog.Int("purged", n))
			return err
		})
		if err != nil {
			log.Error("purge failed", slog.String("error_type", fmt.Sprintf("%T", err)))
		} else if !ran {
			log.Info("purge skipped: another instance holds the lock")
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
