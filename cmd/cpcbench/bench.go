package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
)

// bench is one run: a seeded database, the server on it, and the load.
type bench struct {
	o       options
	out     io.Writer
	workDir string
	ownWork bool // the work directory was made for this run
	seed    seedInfo
	key     string
	bin     string // the cpcready binary
	srv     *server
	rss     *rssSampler
	release func() // lets other runs have the cached database
}

// newBench seeds (or copies) the database, creates a key and starts the
// server. close undoes whatever it managed.
func newBench(ctx context.Context, o options, out io.Writer) (_ *bench, err error) {
	b := &bench{o: o, out: out, workDir: o.WorkDir}
	defer func() {
		if err != nil {
			b.close()
		}
	}()
	if b.workDir == "" {
		if b.workDir, err = os.MkdirTemp("", "cpcbench-"); err != nil {
			return nil, err
		}
		b.ownWork = true
	} else if err = os.MkdirAll(b.workDir, 0o755); err != nil {
		return nil, err
	}
	if o.ProfileDir != "" {
		if err = os.MkdirAll(o.ProfileDir, 0o755); err != nil {
			return nil, err
		}
	}
	if b.seed, b.release, err = prepareDatabase(ctx, o, b.workDir, out); err != nil {
		return nil, err
	}
	if b.key, err = createKey(ctx, b.seed.Path); err != nil {
		return nil, err
	}
	b.bin = o.ServerBin
	if b.bin == "" {
		fmt.Fprintln(out, "Building ./cmd/cpcready")
		if b.bin, err = buildServer(ctx, b.workDir); err != nil {
			return nil, err
		}
	}
	if b.srv, err = startServer(ctx, b.bin, b.seed.Path, b.workDir, o.ProfileDir != ""); err != nil {
		return nil, err
	}
	b.rss = sampleRSS(b.srv.pid())
	fmt.Fprintf(out, "Server pid %d at %s, settings: %s\n", b.srv.pid(), b.srv.base, strings.Join(b.srv.settings, " "))
	fmt.Fprintf(out, "Rate limits are lifted (the key's own to %d a second, CPCREADY_RATE_LIMIT to %s): all load comes from one key.\n", domain.MaxKeyRateLimit, liftedRateLimit)
	return b, nil
}

func (b *bench) close() {
	if b.rss != nil {
		b.rss.close()
	}
	if b.srv != nil {
		if err := b.srv.stop(30 * time.Second); err != nil {
			fmt.Fprintln(b.out, "stopping the server:", err)
		}
	}
	if b.release != nil {
		b.release()
	}
	if b.ownWork && !b.o.Keep {
		_ = os.RemoveAll(b.workDir)
	} else {
		fmt.Fprintln(b.out, "Work directory kept:", b.workDir)
	}
}

// run measures every selected scenario, each baseline just before the
// first scenario compared with it.
func (b *bench) run(ctx context.Context) (*report, error) {
	c := newClient(b.key)
	bodySize, err := c.readinessBodySize(ctx, b.srv.base, b.o.N, b.o.Seed)
	if err != nil {
		return nil, err
	}
	today := domain.DateOf(time.Now())
	from, to := today.String(), today.AddDays(13).String()
	pages, err := c.listPages(ctx, listURL(b.srv.base, from, to))
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(b.out, "A readiness answer is about %d bytes; the not-ready list from %s to %s has %d pages of 50\n", bodySize, from, to, len(pages))
	rep := &report{
		Started:         time.Now().UTC().Format(time.RFC3339),
		Machine:         machine{OS: runtime.GOOS, Arch: runtime.GOARCH, CPUs: runtime.NumCPU(), GoVersion: runtime.Version()},
		Conditions:      runConditions{N: b.o.N, Conc: b.o.Conc, WriteConc: b.o.WriteConc, Rate: b.o.Rate},
		DurationSeconds: b.o.Duration.Seconds(), WarmupSeconds: b.o.Warmup.Seconds(),
		Seed: b.seed, ServerSettings: b.srv.settings, ReadinessBodyBytes: bodySize,
		ListWindow: from + " to " + to, ListPages: len(pages),
	}
	targets := newTargetSet(b.srv.base, b.key, b.o.N, b.o.Seed, pages)
	baselines := map[string]*result{}
	for _, name := range b.o.Scenarios {
		sc := scenarioByName(name)
		if sc.Restarts {
			continue
		}
		if sc.Baseline != "" && baselines[sc.Baseline] == nil {
			base, err := b.runBaseline(ctx, sc.Baseline, bodySize)
			if err != nil {
				return nil, err
			}
			baselines[sc.Baseline] = base
			rep.Results = append(rep.Results, *base)
		}
		r, err := b.runScenario(ctx, sc, targets)
		if err != nil {
			return nil, err
		}
		if base := baselines[sc.Baseline]; base != nil {
			r.Baseline, r.Ratio = base.Name, ratio(r.Throughput, base.Throughput)
		}
		rep.Results = append(rep.Results, r)
	}
	if slices.Contains(b.o.Scenarios, startupName) {
		if rep.Startup, err = b.measureStartup(ctx); err != nil {
			return nil, err
		}
	}
	rep.Verdicts = judge(rep.Conditions, rep.Results, rep.Startup)
	return rep, nil
}

func (b *bench) shape(sc *scenario) loadShape {
	if sc.Writes {
		return loadShape{Conc: b.o.WriteConc, Rate: b.o.Rate}
	}
	return loadShape{Conc: b.o.Conc, Rate: b.o.Rate}
}

func (b *bench) runScenario(ctx context.Context, sc *scenario, ts *targetSet) (result, error) {
	shape := b.shape(sc)
	b.announce(sc.Name, shape)
	if b.o.Warmup > 0 {
		attack(ctx, sc.targets(ts), shape, b.o.Warmup, sc.Name+"-warmup")
	}
	b.rss.reset()
	type profiled struct {
		path string
		err  error
	}
	var prof chan profiled
	if b.srv.pprof != "" {
		prof = make(chan profiled, 1)
		go func() {
			path, err := cpuProfile(ctx, b.srv.pprof, b.o.ProfileDir, sc.Name, b.o.Duration)
			prof <- profiled{path, err}
		}()
	}
	commits0, writes0, countErr := b.srv.commitCounts(ctx)
	t := attack(ctx, sc.targets(ts), shape, b.o.Duration, sc.Name)
	if err := ctx.Err(); err != nil {
		return result{}, err
	}
	r := newResult(sc.Name, sc.About, kindScenario, shape, t)
	if commits1, writes1, err := b.srv.commitCounts(ctx); countErr == nil && err == nil && commits1 > commits0 {
		r.WritesPerCommit = (writes1 - writes0) / (commits1 - commits0)
	}
	r.RSSBytes, r.PeakRSSBytes = b.rss.window()
	if prof != nil {
		p := <-prof
		if p.err != nil {
			return r, fmt.Errorf("%s: %w", sc.Name, p.err)
		}
		r.CPUProfile = p.path
	}
	return r, nil
}

func (b *bench) runBaseline(ctx context.Context, which string, bodySize int) (*result, error) {
	if which == againstHTTP {
		return b.httpBaseline(ctx, bodySize)
	}
	return b.storageBaseline(ctx)
}

// httpBaseline loads a bare gin server exactly as the readiness scenario
// loads the real one.
func (b *bench) httpBaseline(ctx context.Context, bodySize int) (*result, error) {
	p, base, err := startBaselineHTTP(bodySize)
	if err != nil {
		return nil, err
	}
	defer p.stop(10 * time.Second)
	rss := sampleRSS(p.pid())
	defer rss.close()
	sc := scenarioByName("readiness")
	shape := b.shape(sc)
	b.announce(baselineHTTPName, shape)
	ts := newTargetSet(base, b.key, b.o.N, b.o.Seed, nil)
	if b.o.Warmup > 0 {
		attack(ctx, sc.targets(ts), shape, b.o.Warmup, baselineHTTPName+"-warmup")
	}
	rss.reset()
	t := attack(ctx, sc.targets(ts), shape, b.o.Duration, baselineHTTPName)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r := newResult(baselineHTTPName, fmt.Sprintf("bare gin answering the readiness path with a fixed %d-byte JSON body", bodySize), kindBaseline, shape, t)
	r.RSSBytes, r.PeakRSSBytes = rss.window()
	return &r, nil
}

// storageBaseline commits single-row durable transactions beside the
// benchmark database, at the write scenario's concurrency.
func (b *bench) storageBaseline(ctx context.Context) (*result, error) {
	path := filepath.Join(filepath.Dir(b.seed.Path), "storage-baseline.db")
	removeDB(path)
	defer removeDB(path)
	shape := loadShape{Conc: b.o.WriteConc}
	b.announce(baselineStorageName, shape)
	if b.o.Warmup > 0 {
		if _, err := storageBaseline(ctx, path, shape.Conc, b.o.Warmup); err != nil {
			return nil, err
		}
	}
	t, err := storageBaseline(ctx, path, shape.Conc, b.o.Duration)
	if err != nil {
		return nil, err
	}
	r := newResult(baselineStorageName, "database/sql and go-sqlite3: BEGIN IMMEDIATE; INSERT one row; COMMIT, with the store's pragmas", kindBaseline, shape, t)
	return &r, nil
}

func (b *bench) announce(name string, shape loadShape) {
	how := fmt.Sprintf("%d at a time", shape.Conc)
	if shape.Rate > 0 {
		how = fmt.Sprintf("%d a second", shape.Rate)
	}
	fmt.Fprintf(b.out, "Running %s: %s for %s after %s warm-up\n", name, how, b.o.Duration, b.o.Warmup)
}
