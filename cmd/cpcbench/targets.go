package main

import (
	"fmt"
	"time"
)

// The targets the figures are judged against.
const (
	readThroughputShare  = 0.60
	readP99Limit         = 10 * time.Millisecond
	readTargetConns      = 32
	writeThroughputShare = 0.50
	writeTargetConns     = 64
	listP99Limit         = 25 * time.Millisecond
	rssLimit             = 150 << 20
	readyLimit           = 5 * time.Second
	fullSize             = 1_000_000
)

// Verdict statuses.
const (
	met    = "met"
	notMet = "NOT MET"
	notRun = "not run"
)

// verdict is one target, judged.
type verdict struct {
	Target string `json:"target"`
	Status string `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Note says when the run's conditions differ from the target's, so the
	// verdict is only indicative.
	Note string `json:"note,omitempty"`
}

// runConditions are the settings the targets depend on.
type runConditions struct {
	N         int
	Conc      int
	WriteConc int
	Rate      int
}

// judge checks every target against the results it needs.
func judge(rc runConditions, results []result, startup *startupResult) []verdict {
	find := func(name string) *result {
		for i := range results {
			if results[i].Name == name {
				return &results[i]
			}
		}
		return nil
	}
	openModel := ""
	if rc.Rate > 0 {
		openModel = "run at a fixed rate, so throughput shows the offered rate rather than capacity"
	}
	var out []verdict

	v := verdict{Target: fmt.Sprintf("readiness GET ≥ %.0f%% of bare-HTTP throughput, p99 ≤ %s at %d connections",
		readThroughputShare*100, readP99Limit, readTargetConns)}
	if r, base := find("readiness"), find(baselineHTTPName); r == nil || base == nil {
		v.Status = notRun
	} else {
		share := ratio(r.Throughput, base.Throughput)
		v.Status = judged(share >= readThroughputShare && r.p99() <= readP99Limit)
		v.Detail = fmt.Sprintf("%.0f%% of %.0f req/s, p99 %s", share*100, base.Throughput, ms(r.p99()))
		v.Note = join(openModel, differs("connections", rc.Conc, readTargetConns))
	}
	out = append(out, v)

	v = verdict{Target: fmt.Sprintf("checklist writes ≥ %.0f%% of raw durable single-row transactions, no errors at %d writers",
		writeThroughputShare*100, writeTargetConns)}
	if r, base := find("write"), find(baselineStorageName); r == nil || base == nil {
		v.Status = notRun
	} else {
		share := ratio(r.Throughput, base.Throughput)
		v.Status = judged(share >= writeThroughputShare && r.Errors == 0)
		v.Detail = fmt.Sprintf("%.0f%% of %.0f commits/s, %d errors", share*100, base.Throughput, r.Errors)
		v.Note = join(openModel, differs("writers", rc.WriteConc, writeTargetConns))
	}
	out = append(out, v)

	v = verdict{Target: fmt.Sprintf("not-ready list p99 ≤ %s", listP99Limit)}
	if r := find("not-ready-list"); r == nil {
		v.Status = notRun
	} else {
		v.Status = judged(r.p99() <= listP99Limit)
		v.Detail = "p99 " + ms(r.p99())
		v.Note = smallRun(rc.N)
	}
	out = append(out, v)

	v = verdict{Target: fmt.Sprintf("server RSS ≤ %d MB under load", rssLimit>>20)}
	var peak int64
	for _, r := range results {
		if r.Kind == kindScenario {
			peak = max(peak, r.PeakRSSBytes)
		}
	}
	if peak == 0 {
		v.Status = notRun
	} else {
		v.Status = judged(peak <= rssLimit)
		v.Detail = "peak " + mb(peak)
		v.Note = smallRun(rc.N)
	}
	out = append(out, v)

	v = verdict{Target: fmt.Sprintf("first start after a change of rules or calendar ready in ≤ %s", readyLimit)}
	if startup == nil {
		v.Status = notRun
	} else {
		ready := time.Duration(startup.ReadySeconds * float64(time.Second))
		v.Status = judged(ready <= readyLimit)
		v.Detail = fmt.Sprintf("ready in %s, %d conferences re-evaluated first", ready.Round(time.Millisecond), startup.Near)
		v.Note = smallRun(rc.N)
	}
	return append(out, v)
}

func judged(ok bool) string {
	if ok {
		return met
	}
	return notMet
}

func differs(what string, got, want int) string {
	if got == want {
		return ""
	}
	return fmt.Sprintf("measured at %d %s, the target is for %d", got, what, want)
}

func smallRun(n int) string {
	if n >= fullSize {
		return ""
	}
	return fmt.Sprintf("indicative only: %d conferences seeded, the target is for %d", n, fullSize)
}

func join(notes ...string) string {
	out := ""
	for _, n := range notes {
		switch {
		case n == "":
		case out == "":
			out = n
		default:
			out += "; " + n
		}
	}
	return out
}
