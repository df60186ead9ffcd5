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
	auditRetention := fs.Duration("audit-retention", cfg.AuditRetention, "also delete audit events older than this, such as 52560h; 0 keeps them all (CPCREADY_AUDIT_RETENTION)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *olderThan <= 0 {
		return errors.New("purge needs --older-than, a positive duration such as 8760h")
	}
	if err := checkAuditRetention(*auditRetention); err != nil {
		return fmt.Errorf("--audit-retention: %w", err)
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
	if *auditRetention > 0 {
		deleted, err := db.ExpireAudit(ctx, *auditRetention)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "deleted %d audit events past retention\n", deleted)
	}
	return nil
}

// maintain runs the service's housekeeping until ctx ends: every hour it
// drops expired idempotency records and events past eventRetention, and
// every purgeEvery, when purgeAfter is set, it purges long-past
// conferences, and when auditRetention is set, audit events past it. On
// PostgreSQL only one instance at a time does any of it, under an
// advisory lock.
func maintain(ctx context.Context, db *store.DB, purgeAfter, purgeEvery, auditRetention, eventRetention time.Duration, log *slog.Logger) {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	var lastPurge time.Time
	for {
		ran, err := db.AsLeader(ctx, "maintenance", func(ctx context.Context) error {
			if err := db.ExpireIdempotency(ctx); err != nil {
				return err
			}
			if _, err := db.ExpireEvents(ctx, eventRetention); err != nil {
				return err
			}
			if err := db.Optimize(ctx); err != nil {
				return err
			}
			if (purgeAfter <= 0 && auditRetention <= 0) || time.Since(lastPurge) < purgeEvery {
				return nil
			}
			if purgeAfter > 0 {
				n, err := db.Purge(ctx, purgeAfter)
				log.Info("purge", slog.Int("purged", n))
				if err != nil {
					return err
				}
			}
			if auditRetention > 0 {
				n, err := db.ExpireAudit(ctx, auditRetention)
				log.Info("audit retention", slog.Int64("deleted", n))
				if err != nil {
					return err
				}
			}
			lastPurge = time.Now()
			return nil
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
