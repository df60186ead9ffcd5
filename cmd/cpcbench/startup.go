package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/workdays"
)

// startupName is the start-up measurement's name. It restarts the server,
// so it runs after every load scenario.
const startupName = "startup"

// startupResult is what the start-up measurement found.
type startupResult struct {
	// ReadySeconds is the time from starting the process to its first
	// 200 from /readyz.
	ReadySeconds float64 `json:"ready_seconds"`
	// Near is how many conferences it re-evaluated before listening, and
	// NearSeconds how long that took, as the server logged them.
	Near        int64   `json:"near"`
	NearSeconds float64 `json:"near_seconds"`
	// Remaining is what the background pass had left when the server was
	// ready, and BackgroundRate how many conferences a second it then
	// visited while nothing else ran, over the scenario's duration.
	Remaining      int64   `json:"remaining"`
	BackgroundRate float64 `json:"background_per_second"`
	Holiday        string  `json:"extra_bank_holiday"`
}

// measureStartup stops the server and starts it again with a new one-off
// bank holiday, a change of calendar like the change of rules a release
// brings: every stored readiness is out of date. It times the process from
// its start to its first 200 from /readyz, then watches the background
// pass for the scenario's duration.
func (b *bench) measureStartup(ctx context.Context) (*startupResult, error) {
	if err := b.srv.stop(30 * time.Second); err != nil {
		return nil, err
	}
	b.srv = nil
	// A working day a month ahead: deadlines of conferences in the weeks
	// after it move, as a real new holiday's would.
	day, builtIn := domain.DateOf(time.Now()).AddDays(30), workdays.New(nil)
	for !builtIn.IsWorkingDay(day) {
		day = day.AddDays(1)
	}
	fmt.Fprintf(b.out, "Running %s: restarting the server with CPCREADY_EXTRA_BANK_HOLIDAYS=%s\n", startupName, day)
	began := time.Now()
	srv, err := startServerWith(ctx, b.bin, b.seed.Path, filepath.Join(b.workDir, "server-startup.log"), false, 10*time.Millisecond,
		"CPCREADY_EXTRA_BANK_HOLIDAYS="+day.String())
	if err != nil {
		return nil, err
	}
	b.srv = srv
	res := &startupResult{ReadySeconds: time.Since(began).Seconds(), Holiday: day.String()}
	res.Near, res.NearSeconds = nearFromLog(srv.logPath)
	if res.Remaining, err = remaining(ctx, srv.base); err != nil {
		return nil, err
	}
	if err := sleepCtx(ctx, b.o.Duration); err != nil {
		return nil, err
	}
	left, err := remaining(ctx, srv.base)
	if err != nil {
		return nil, err
	}
	res.BackgroundRate = float64(res.Remaining-left) / b.o.Duration.Seconds()
	return res, nil
}

// nearFromLog reads what the server logged of the re-evaluation before it
// listened.
func nearFromLog(path string) (n int64, seconds float64) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var line struct {
			Msg  string `json:"msg"`
			Near int64  `json:"near"`
			Took int64  `json:"took"` // slog writes a duration in nanoseconds
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && strings.HasPrefix(line.Msg, "readiness rules or calendar changed") {
			return line.Near, time.Duration(line.Took).Seconds()
		}
	}
	return 0, 0
}

// remaining reads the server's gauge of the conferences the background
// re-evaluation has still to visit.
func remaining(ctx context.Context, base string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	const gauge = "cpcready_readiness_reevaluation_remaining "
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), gauge); ok {
			f, err := strconv.ParseFloat(v, 64)
			return int64(f), err
		}
	}
	return 0, fmt.Errorf("/metrics has no %s", strings.TrimSpace(gauge))
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
