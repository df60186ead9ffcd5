package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
)

// seedInfo describes a seeded database; a cached one keeps it in a JSON
// file beside the database.
type seedInfo struct {
	N            int     `json:"n"`
	Seed         uint64  `json:"seed"`
	ShapeVersion int     `json:"shape_version"`
	Today        string  `json:"today"` // the date the data was shaped around
	SeededAt     string  `json:"seeded_at"`
	SeedSeconds  float64 `json:"seed_seconds"`
	Cached       bool    `json:"cached,omitempty"`
	Path         string  `json:"path,omitempty"`
}

// cacheFile names the cached database for n conferences from seed: a new
// shape version, seed or size never reuses an old file.
func cacheFile(dir string, n int, seed uint64) string {
	return filepath.Join(dir, fmt.Sprintf("seed-n%d-s%d-v%d.db", n, seed, shapeVersion))
}

// prepareDatabase returns the path of a seeded database for this run: a
// copy of the cached one (seeding it first when missing or stale), the
// cached one itself with -reuse-cache, or a fresh one with -no-cache. The
// caller calls release when the run no longer needs the cache: with
// -reuse-cache, at the end of the run.
func prepareDatabase(ctx context.Context, o options, workDir string, out io.Writer) (info seedInfo, release func(), err error) {
	today := domain.DateOf(time.Now())
	runPath := filepath.Join(workDir, "bench.db")
	if o.NoCache {
		info, err := seedFresh(ctx, o, runPath, today, out)
		info.Path = runPath
		return info, func() {}, err
	}
	if err := os.MkdirAll(o.CacheDir, 0o755); err != nil {
		return seedInfo{}, nil, err
	}
	cached := cacheFile(o.CacheDir, o.N, o.Seed)
	unlock, err := lockCache(ctx, cached, out)
	if err != nil {
		return seedInfo{}, nil, err
	}
	defer func() {
		if err != nil || !o.ReuseInPlace {
			unlock()
		}
	}()
	info, err = useCache(ctx, o, cached, today, out)
	if err != nil {
		return info, nil, err
	}
	if o.ReuseInPlace {
		info.Path = cached
		return info, unlock, nil
	}
	began := time.Now()
	if err := copyFile(cached, runPath); err != nil {
		return info, nil, err
	}
	fmt.Fprintf(out, "Copied it to %s in %s\n", runPath, time.Since(began).Round(time.Millisecond))
	info.Path = runPath
	return info, func() {}, nil
}

// useCache makes the cached database current: seeded afresh when missing
// or stale, otherwise migrated. The caller holds its lock.
func useCache(ctx context.Context, o options, cached string, today domain.Date, out io.Writer) (seedInfo, error) {
	info, ok := readSeedInfo(cached, o, today)
	if ok {
		fmt.Fprintf(out, "Using the cached database %s (seeded %s around %s)\n", cached, info.SeededAt, info.Today)
		// Bring the cache itself up to date with newer migrations, once.
		db, err := openBenchStore(ctx, cached)
		if err != nil {
			return info, err
		}
		err = checkpoint(db)
		db.Close()
		if err != nil {
			return info, err
		}
	} else {
		// Seed beside the cache and rename at the end, so that a run cut
		// short never leaves a database that looks finished.
		tmp := cached + ".partial"
		removeDB(tmp)
		var err error
		if info, err = seedFresh(ctx, o, tmp, today, out); err != nil {
			removeDB(tmp)
			return info, err
		}
		removeDB(cached)
		if err := os.Rename(tmp, cached); err != nil {
			return info, err
		}
		if err := writeSeedInfo(cached, info); err != nil {
			return info, err
		}
	}
	info.Cached = true
	return info, nil
}

func seedFresh(ctx context.Context, o options, path string, today domain.Date, out io.Writer) (seedInfo, error) {
	fmt.Fprintf(out, "Seeding %d conferences (seed %d, shape v%d, %d to a transaction) into %s\n", o.N, o.Seed, shapeVersion, o.SeedBatch, path)
	began := time.Now()
	err := seedDatabase(ctx, path, o.N, o.SeedBatch, shaper{seed: o.Seed, today: today}, out)
	info := seedInfo{N: o.N, Seed: o.Seed, ShapeVersion: shapeVersion, Today: today.String(),
		SeededAt: began.UTC().Format(time.RFC3339), SeedSeconds: time.Since(began).Seconds()}
	if err == nil {
		fmt.Fprintf(out, "Seeded in %s\n", time.Since(began).Round(time.Second))
	}
	return info, err
}

// readSeedInfo reports whether the cached database matches the run and is
// recent enough: its dates were shaped around the day it was seeded.
func readSeedInfo(path string, o options, today domain.Date) (seedInfo, bool) {
	var info seedInfo
	b, err := os.ReadFile(path + ".json")
	if err != nil || json.Unmarshal(b, &info) != nil {
		return info, false
	}
	if _, err := os.Stat(path); err != nil {
		return info, false
	}
	shaped, err := domain.ParseDate(info.Today)
	if err != nil || info.N != o.N || info.Seed != o.Seed || info.ShapeVersion != shapeVersion {
		return info, false
	}
	age := today.Time().Sub(shaped.Time())
	return info, age >= 0 && age <= o.MaxSeedAge
}

func writeSeedInfo(path string, info seedInfo) error {
	b, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path+".json", append(b, '\n'), 0o644)
}

// removeDB deletes a SQLite file with its journal files.
func removeDB(path string) {
	for _, suffix := range []string{"", "-wal", "-shm", ".json"} {
		_ = os.Remove(path + suffix)
	}
}

// copyFile copies src to dst; on Linux the kernel copies the bytes itself.
func copyFile(src, dst string) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	removeDB(dst)
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, out.Close()) }()
	_, err = io.Copy(out, in)
	return err
}
