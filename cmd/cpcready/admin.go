package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cpcready/cpcready/internal/auth"
	"github.com/cpcready/cpcready/internal/domain"
)

func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	fs := newFlagSet("migrate", stderr)
	fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "SQLite file or postgres:// URL (CPCREADY_DATABASE_URL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	status, err := db.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	for _, s := range status {
		fmt.Fprintf(stdout, "%05d %s %s\n", s.Source.Version, s.State, s.Source.Path)
	}
	return nil
}

func runKeys(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: cpcready keys create|list|revoke")
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	fs := newFlagSet("keys "+args[0], stderr)
	fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "SQLite file or postgres:// URL (CPCREADY_DATABASE_URL)")
	org := fs.String("org", "", "organisation code, such as an ONS code (create)")
	role := fs.String("role", "", "case_system, social_worker, chair, manager or admin (create)")
	name := fs.String("name", "", "what the key is for, such as the calling system (create)")
	id := fs.String("id", "", "the key's id (revoke)")
	rateLimit := fs.Float64("rate-limit", domain.DefaultKeyRateLimit, "requests a second the key may make (create)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if args[0] == "create" {
		if err := checkKeyFlags(*org, *name, *role, *rateLimit); err != nil {
			return err
		}
	}
	db, err := openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	switch args[0] {
	case "create":
		key, hash, err := auth.NewAPIKey()
		if err != nil {
			return err
		}
		if _, err := db.CreateAPIKeyWithRate(ctx, *org, domain.Role(*role), *name, hash, *rateLimit); err != nil {
			return err
		}
		// The key alone goes to stdout, so scripts can capture it.
		fmt.Fprintln(stdout, key)
		return nil
	case "list":
		keys, err := db.APIKeys(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tORG\tROLE\tNAME\tRATE/S\tCREATED\tREVOKED")
		for _, k := range keys {
			revoked := "-"
			if k.RevokedAt != nil {
				revoked = k.RevokedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%g\t%s\t%s\n", k.ID, k.Org, k.Role, k.Name, k.RateLimit, k.CreatedAt.Format(time.RFC3339), revoked)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if cfg.RateLimit <= 0 {
			_, err = fmt.Fprintln(stdout, "Rate limits are off (CPCREADY_RATE_LIMIT=0): neither keys nor staff tokens are limited.")
			return err
		}
		_, err = fmt.Fprintf(stdout, "Staff tokens: %g requests a second per person, bursts of %d (CPCREADY_RATE_LIMIT, CPCREADY_RATE_BURST).\n", cfg.RateLimit, cfg.RateBurst)
		return err
	case "revoke":
		if *id == "" {
			return errors.New("keys revoke needs --id")
		}
		return db.RevokeAPIKey(ctx, *id)
	}
	return fmt.Errorf("unknown keys command %q", args[0])
}

// checkKeyFlags refuses a key that keys create must not make, before the
// database is touched.
func checkKeyFlags(org, name, role string, rateLimit float64) error {
	if strings.TrimSpace(org) == "" || strings.TrimSpace(name) == "" || !domain.ValidRole(domain.Role(role)) {
		return errors.New("keys create needs --org, --name and --role (case_system, social_worker, chair, manager or admin)")
	}
	// Checked as typed, never trimmed or folded: " E09000006" or
	// "e09000006" would otherwise become a tenant of its own.
	if !domain.ValidOrg(org) {
		return errors.New("keys create: --org must be an organisation code, 1 to 16 upper-case letters and digits, such as E09000006")
	}
	if !(rateLimit > 0 && rateLimit <= domain.MaxKeyRateLimit) {
		return fmt.Errorf("keys create: --rate-limit must be more than 0 and at most %d requests a second", domain.MaxKeyRateLimit)
	}
	return nil
}

// runHealthcheck asks the local service's /healthz, for the container's
// HEALTHCHECK: the image has no curl.
func runHealthcheck(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("healthcheck", stderr)
	url := fs.String("url", "", "URL to check (default: /healthz on CPCREADY_ADDR)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *url == "" {
		addr := orDefault(getenv("CPCREADY_ADDR"), ":8080")
		scheme := "http"
		if getenv("CPCREADY_TLS_CERT") != "" {
			scheme = "https"
		}
		if strings.HasPrefix(addr, ":") {
			addr = "127.0.0.1" + addr
		}
		*url = scheme + "://" + addr + "/healthz"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
	if err != nil {
		return err
	}
	client := http.DefaultClient
	if strings.HasPrefix(*url, "https://127.0.0.1") {
		// The local liveness probe asks whether this process answers; the
		// certificate names the public host, not the loopback address.
		client = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s", resp.Status)
	}
	fmt.Fprintln(stdout, "ok")
	return nil
}
