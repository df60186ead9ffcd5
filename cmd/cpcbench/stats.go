package main

import (
	"math"
	"slices"
	"strconv"
	"time"
)

// tally collects the outcome of every request of one scenario.
type tally struct {
	latencies []time.Duration
	ok        int
	codes     map[string]int // "200", "429", …, "transport" for no answer, "error" for a failed transaction
	samples   []string       // the first few distinct error messages
	elapsed   time.Duration
}

func newTally() *tally { return &tally{codes: map[string]int{}} }

// add records one request. Anything but a 2xx answer is an error,
// including a request that got no answer at all (code 0) and a failed
// storage transaction (a negative code).
func (t *tally) add(code int, latency time.Duration, errMsg string) {
	t.latencies = append(t.latencies, latency)
	key := strconv.Itoa(code)
	switch {
	case code == 0:
		key = "transport"
	case code < 0:
		key = "error"
	}
	t.codes[key]++
	if code >= 200 && code < 300 && errMsg == "" {
		t.ok++
		return
	}
	if errMsg == "" {
		errMsg = "status " + key
	}
	if len(t.samples) < 5 && !slices.Contains(t.samples, errMsg) {
		t.samples = append(t.samples, errMsg)
	}
}

func (t *tally) requests() int { return len(t.latencies) }
func (t *tally) errors() int   { return len(t.latencies) - t.ok }

// throughput is successful requests a second of wall time.
func (t *tally) throughput() float64 {
	if t.elapsed <= 0 {
		return 0
	}
	return float64(t.ok) / t.elapsed.Seconds()
}

// latencySummary is what the report shows of a latency distribution.
type latencySummary struct {
	P50, P99, Max time.Duration
}

func (t *tally) summary() latencySummary {
	sorted := slices.Clone(t.latencies)
	slices.Sort(sorted)
	return latencySummary{P50: percentile(sorted, 0.50), P99: percentile(sorted, 0.99), Max: percentile(sorted, 1)}
}

// percentile is the nearest-rank percentile q (0 < q ≤ 1) of sorted
// values: the smallest value at least a fraction q of them do not exceed.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}

// ratio is a/b, or 0 when there is no b to compare with.
func ratio(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return a / b
}
