package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/cpcready/cpcready/internal/store"
)

// runCopy moves a SQLite deployment to PostgreSQL: every table, the audit
// trail included, verified by row counts and by comparing every aggregate.
func runCopy(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	fs := newFlagSet("copy", stderr)
	from := fs.String("from", "", "the SQLite file to copy from")
	to := fs.String("to", "", "the postgres:// URL to copy to")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" || !store.IsPostgresURL(*to) || store.IsPostgresURL(*from) {
		return errors.New("copy needs --from <sqlite file> and --to <postgres url>")
	}
	srcCfg, dstCfg := cfg, cfg
	srcCfg.DatabaseURL, dstCfg.DatabaseURL = *from, *to
	src, err := openMigrated(ctx, srcCfg)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := openMigrated(ctx, dstCfg)
	if err != nil {
		return err
	}
	defer dst.Close()
	rep, err := src.CopyTo(ctx, dst)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(rep.Tables))
	for t := range rep.Tables {
		names = append(names, t)
	}
	sort.Strings(names)
	for _, t := range names {
		fmt.Fprintf(stdout, "%-18s %d rows\n", t, rep.Tables[t][1])
	}
	fmt.Fprintf(stdout, "verified: row counts match and %d conferences are equal\n", rep.Conferences)
	return nil
}
