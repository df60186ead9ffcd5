package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// options are the command line.
type options struct {
	N            int
	Seed         uint64
	SeedBatch    int
	Conc         int
	WriteConc    int
	Rate         int
	Duration     time.Duration
	Warmup       time.Duration
	Scenarios    []string
	ProfileDir   string
	JSONPath     string
	CacheDir     string
	NoCache      bool
	ReuseInPlace bool
	MaxSeedAge   time.Duration
	WorkDir      string
	Keep         bool
	ServerBin    string
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("cpcbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: cpcbench [flags]\n\nScenarios: %s\n\nFlags:\n", strings.Join(scenarioNames(), ", "))
		fs.PrintDefaults()
	}
	fs.IntVar(&o.N, "n", 10_000, "conferences to seed (1000000 for the full-size figures)")
	fs.Uint64Var(&o.Seed, "seed", 1, "random seed of the seeded data; the same seed gives the same data")
	fs.IntVar(&o.SeedBatch, "seed-batch", 2000, "conferences written per seeding transaction")
	fs.IntVar(&o.Conc, "c", 32, "concurrent connections for the read scenarios and the mix (closed model)")
	fs.IntVar(&o.WriteConc, "write-c", 64, "concurrent writers for the write scenario and the storage baseline")
	fs.IntVar(&o.Rate, "rate", 0, "requests per second (open model); 0 runs each scenario at fixed concurrency instead")
	fs.DurationVar(&o.Duration, "d", 10*time.Second, "how long each scenario and baseline runs")
	fs.DurationVar(&o.Warmup, "warmup", 2*time.Second, "unmeasured load before each scenario")
	scenarios := fs.String("scenarios", "", "comma-separated scenarios to run (default all; with -reuse-cache all but startup)")
	fs.StringVar(&o.ProfileDir, "cpuprofile-dir", "", "write a CPU profile of the server during each scenario into this directory")
	fs.StringVar(&o.JSONPath, "json", "", "also write every figure to this JSON file")
	fs.StringVar(&o.CacheDir, "cache-dir", defaultCacheDir(), "where seeded databases are kept for later runs")
	fs.BoolVar(&o.NoCache, "no-cache", false, "seed a fresh database for this run only")
	fs.BoolVar(&o.ReuseInPlace, "reuse-cache", false, "run on the cached database itself instead of a copy (faster for large -n; the run's writes stay in the cache)")
	fs.DurationVar(&o.MaxSeedAge, "max-seed-age", 30*24*time.Hour, "reseed a cached database older than this, since its dates drift from today")
	fs.StringVar(&o.WorkDir, "workdir", "", "directory for the run's database, server binary and logs (default: a new temporary directory)")
	fs.BoolVar(&o.Keep, "keep", false, "keep the work directory afterwards")
	fs.StringVar(&o.ServerBin, "server-bin", "", "a cpcready binary to run instead of building ./cmd/cpcready")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	list := *scenarios
	if list == "" {
		names := scenarioNames()
		if o.ReuseInPlace {
			// startup would leave the cache under a calendar of its own.
			names = slices.DeleteFunc(names, func(n string) bool { return n == startupName })
		}
		list = strings.Join(names, ",")
	}
	var err error
	if o.Scenarios, err = selectScenarios(list); err != nil {
		return o, err
	}
	switch {
	case o.N < 1:
		return o, fmt.Errorf("-n must be at least 1")
	case o.SeedBatch < 1:
		return o, fmt.Errorf("-seed-batch must be at least 1")
	case o.Conc < 1 || o.WriteConc < 1:
		return o, fmt.Errorf("-c and -write-c must be at least 1")
	case o.Rate < 0:
		return o, fmt.Errorf("-rate must not be negative")
	case o.Duration <= 0:
		return o, fmt.Errorf("-d must be positive")
	case o.Warmup < 0:
		return o, fmt.Errorf("-warmup must not be negative")
	case o.NoCache && o.ReuseInPlace:
		return o, fmt.Errorf("-no-cache and -reuse-cache exclude each other")
	case o.ReuseInPlace && slices.Contains(o.Scenarios, startupName):
		return o, fmt.Errorf("startup changes the calendar of the database it runs on: run it on a copy, not with -reuse-cache")
	}
	return o, nil
}

// selectScenarios checks a comma-separated list against the known names.
func selectScenarios(list string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" || seen[name] {
			continue
		}
		if scenarioByName(name) == nil {
			return nil, fmt.Errorf("unknown scenario %q: want some of %s", name, strings.Join(scenarioNames(), ", "))
		}
		seen[name] = true
		out = append(out, name)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("-scenarios selects nothing")
	}
	return out, nil
}

func defaultCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "cpcready", "cpcbench")
}
