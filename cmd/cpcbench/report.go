package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Result kinds.
const (
	kindScenario = "scenario"
	kindBaseline = "baseline"
)

// Baseline names, as they appear in the report.
const (
	baselineHTTPName    = "baseline-http"
	baselineStorageName = "baseline-storage"
)

// result is one scenario's or baseline's figures.
type result struct {
	Name         string         `json:"name"`
	About        string         `json:"about"`
	Kind         string         `json:"kind"`
	Concurrency  int            `json:"concurrency"`
	Rate         int            `json:"rate,omitempty"`
	Seconds      float64        `json:"seconds"`
	Requests     int            `json:"requests"`
	Errors       int            `json:"errors"`
	Codes        map[string]int `json:"codes"`
	ErrorSamples []string       `json:"error_samples,omitempty"`
	Throughput   float64        `json:"throughput_per_second"`
	P50Ms        float64        `json:"p50_ms"`
	P99Ms        float64        `json:"p99_ms"`
	MaxMs        float64        `json:"max_ms"`
	RSSBytes     int64          `json:"rss_max_bytes,omitempty"`
	PeakRSSBytes int64          `json:"rss_peak_bytes,omitempty"`
	Baseline     string         `json:"baseline,omitempty"`
	Ratio        float64        `json:"ratio_to_baseline,omitempty"`
	CPUProfile   string         `json:"cpu_profile,omitempty"`
	// WritesPerCommit is how many SQLite writes, audited reads among
	// them, shared each commit during the scenario; 0 when none committed.
	WritesPerCommit float64 `json:"writes_per_commit,omitempty"`
}

func newResult(name, about, kind string, shape loadShape, t *tally) result {
	s := t.summary()
	return result{
		Name: name, About: about, Kind: kind, Concurrency: shape.Conc, Rate: shape.Rate,
		Seconds: t.elapsed.Seconds(), Requests: t.requests(), Errors: t.errors(), Codes: t.codes, ErrorSamples: t.samples,
		Throughput: t.throughput(), P50Ms: msFloat(s.P50), P99Ms: msFloat(s.P99), MaxMs: msFloat(s.Max),
	}
}

func (r *result) p99() time.Duration { return time.Duration(r.P99Ms * float64(time.Millisecond)) }

// report is everything one run found.
type report struct {
	Started            string         `json:"started"`
	Machine            machine        `json:"machine"`
	Conditions         runConditions  `json:"conditions"`
	DurationSeconds    float64        `json:"duration_seconds"`
	WarmupSeconds      float64        `json:"warmup_seconds"`
	Seed               seedInfo       `json:"seed"`
	ServerSettings     []string       `json:"server_settings"`
	ReadinessBodyBytes int            `json:"readiness_body_bytes"`
	ListWindow         string         `json:"list_window"`
	ListPages          int            `json:"list_pages"`
	Results            []result       `json:"results"`
	Startup            *startupResult `json:"startup,omitempty"`
	Verdicts           []verdict      `json:"verdicts"`
}

type machine struct {
	OS        string `json:"os"`
	Arch      string `json:"arch"`
	CPUs      int    `json:"cpus"`
	GoVersion string `json:"go_version"`
}

func printReport(w io.Writer, rep *report) {
	fmt.Fprintf(w, "\ncpcbench: %d conferences, %s per scenario after %s warm-up, %s\n",
		rep.Conditions.N, secs(rep.DurationSeconds), secs(rep.WarmupSeconds), loadModel(rep.Conditions))
	fmt.Fprintf(w, "machine: %s/%s, %d CPUs, %s\n\n", rep.Machine.OS, rep.Machine.Arch, rep.Machine.CPUs, rep.Machine.GoVersion)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tconc\treq/s\tp50\tp99\tmax\terrors\tpeak RSS\tmax RSS\twrites/commit\tvs baseline\t")
	for _, r := range rep.Results {
		vs := "-"
		if r.Baseline != "" {
			vs = fmt.Sprintf("%.0f%% of %s", r.Ratio*100, strings.TrimPrefix(r.Baseline, "baseline-"))
		}
		perCommit := "-"
		if r.WritesPerCommit > 0 {
			perCommit = fmt.Sprintf("%.1f", r.WritesPerCommit)
		}
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t\n", r.Name, r.Concurrency, r.Throughput,
			msText(r.P50Ms), msText(r.P99Ms), msText(r.MaxMs), r.Errors, mbOrDash(r.PeakRSSBytes), mbOrDash(r.RSSBytes), perCommit, vs)
	}
	tw.Flush()
	for _, r := range rep.Results {
		if r.Errors == 0 {
			continue
		}
		fmt.Fprintf(w, "  %s errors: %s", r.Name, codeBreakdown(r.Codes))
		if len(r.ErrorSamples) > 0 {
			fmt.Fprintf(w, "; first: %s", strings.Join(r.ErrorSamples, " | "))
		}
		fmt.Fprintln(w)
	}
	if s := rep.Startup; s != nil {
		fmt.Fprintf(w, "\nstartup with a new bank holiday (%s): ready in %s, %d conferences re-evaluated before listening in %s;\n",
			s.Holiday, secs(s.ReadySeconds), s.Near, secs(s.NearSeconds))
		fmt.Fprintf(w, "  %d left to the background pass, which then visited %.0f a second\n", s.Remaining, s.BackgroundRate)
	}
	fmt.Fprintln(w, "\nTargets:")
	for _, v := range rep.Verdicts {
		fmt.Fprintf(w, "  [%s] %s", v.Status, v.Target)
		if v.Detail != "" {
			fmt.Fprintf(w, ": %s", v.Detail)
		}
		if v.Note != "" {
			fmt.Fprintf(w, " (%s)", v.Note)
		}
		fmt.Fprintln(w)
	}
	var profiles []string
	for _, r := range rep.Results {
		if r.CPUProfile != "" {
			profiles = append(profiles, r.CPUProfile)
		}
	}
	if len(profiles) > 0 {
		fmt.Fprintln(w, "\nCPU profiles of the server, one a scenario:")
		for _, p := range profiles {
			fmt.Fprintf(w, "  go tool pprof -top -nodecount=25 %s\n", p)
		}
	}
}

// codeBreakdown lists every answer code with its count, errors first.
func codeBreakdown(codes map[string]int) string {
	keys := slices.Sorted(maps.Keys(codes))
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s×%d", k, codes[k]))
	}
	return strings.Join(parts, ", ")
}

func loadModel(rc runConditions) string {
	if rc.Rate > 0 {
		return fmt.Sprintf("open model at %d req/s", rc.Rate)
	}
	return "closed model (fixed concurrency)"
}

func writeJSON(path string, rep *report) error {
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func msFloat(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func ms(d time.Duration) string { return msText(msFloat(d)) }

func msText(v float64) string {
	if v >= 100 {
		return fmt.Sprintf("%.0fms", v)
	}
	return fmt.Sprintf("%.2fms", v)
}

func mb(b int64) string { return fmt.Sprintf("%.0f MB", float64(b)/(1<<20)) }

func mbOrDash(b int64) string {
	if b == 0 {
		return "-"
	}
	return mb(b)
}

func secs(s float64) string {
	return time.Duration(s * float64(time.Second)).Round(time.Millisecond).String()
}
