package main

import (
	"strings"
	"testing"
)

func fullRun() runConditions {
	return runConditions{N: fullSize, Conc: readTargetConns, WriteConc: writeTargetConns}
}

func passingResults() []result {
	return []result{
		{Name: baselineHTTPName, Kind: kindBaseline, Throughput: 10000},
		{Name: "readiness", Kind: kindScenario, Throughput: 6000, P99Ms: 10, PeakRSSBytes: 100 << 20},
		{Name: baselineStorageName, Kind: kindBaseline, Throughput: 1000},
		{Name: "write", Kind: kindScenario, Throughput: 500, P99Ms: 40, PeakRSSBytes: 150 << 20},
		{Name: "not-ready-list", Kind: kindScenario, Throughput: 900, P99Ms: 25, PeakRSSBytes: 120 << 20},
	}
}

func passingStartup() *startupResult { return &startupResult{ReadySeconds: 5, Near: 25_000} }

func statuses(vs []verdict) string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Status)
	}
	return strings.Join(out, ",")
}

func TestTargetsMetAtTheirLimits(t *testing.T) {
	vs := judge(fullRun(), passingResults(), passingStartup())
	if got := statuses(vs); got != "met,met,met,met,met" {
		t.Errorf("verdicts %s, want all met: %+v", got, vs)
	}
	for _, v := range vs {
		if v.Note != "" {
			t.Errorf("%s: note %q on a full-size run", v.Target, v.Note)
		}
	}
}

func TestTargetsMissedJustPastTheirLimits(t *testing.T) {
	cases := map[string]func(rs []result){
		"slow read throughput": func(rs []result) { rs[1].Throughput = 5999 },
		"slow read p99":        func(rs []result) { rs[1].P99Ms = 10.01 },
		"slow writes":          func(rs []result) { rs[3].Throughput = 499 },
		"a write error":        func(rs []result) { rs[3].Errors = 1 },
		"slow list":            func(rs []result) { rs[4].P99Ms = 25.1 },
		"too much memory":      func(rs []result) { rs[4].PeakRSSBytes = 150<<20 + 1 },
		"slow start":           func([]result) {},
	}
	want := map[string]string{
		"slow read throughput": "NOT MET,met,met,met,met",
		"slow read p99":        "NOT MET,met,met,met,met",
		"slow writes":          "met,NOT MET,met,met,met",
		"a write error":        "met,NOT MET,met,met,met",
		"slow list":            "met,met,NOT MET,met,met",
		"too much memory":      "met,met,met,NOT MET,met",
		"slow start":           "met,met,met,met,NOT MET",
	}
	for name, spoil := range cases {
		rs, start := passingResults(), passingStartup()
		spoil(rs)
		if name == "slow start" {
			start.ReadySeconds = 5.001
		}
		if got := statuses(judge(fullRun(), rs, start)); got != want[name] {
			t.Errorf("%s: verdicts %s, want %s", name, got, want[name])
		}
	}
}

func TestTargetsNotRunOrIndicative(t *testing.T) {
	vs := judge(runConditions{N: 10_000, Conc: 8, WriteConc: 64}, passingResults()[2:], nil)
	if got := statuses(vs); got != "not run,met,met,met,not run" {
		t.Errorf("verdicts %s", got)
	}
	if !strings.Contains(vs[2].Note, "indicative") || !strings.Contains(vs[3].Note, "indicative") {
		t.Errorf("a small run's list and memory verdicts carry no warning: %+v", vs)
	}
	vs = judge(runConditions{N: fullSize, Conc: 8, WriteConc: 64, Rate: 500}, passingResults(), nil)
	if !strings.Contains(vs[0].Note, "8 connections") || !strings.Contains(vs[0].Note, "fixed rate") {
		t.Errorf("readiness at other conditions: note %q", vs[0].Note)
	}
}
