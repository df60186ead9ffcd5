package main

import (
	"strings"
	"testing"
	"time"
)

func TestPercentileIsNearestRank(t *testing.T) {
	var xs []time.Duration
	for i := 1; i <= 100; i++ {
		xs = append(xs, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 50 * time.Millisecond}, {0.99, 99 * time.Millisecond}, {1, 100 * time.Millisecond}, {0.001, time.Millisecond}} {
		if got := percentile(xs, c.q); got != c.want {
			t.Errorf("p%v = %s, want %s", c.q*100, got, c.want)
		}
	}
	if got := percentile(nil, 0.99); got != 0 {
		t.Errorf("p99 of nothing = %s", got)
	}
	if got := percentile([]time.Duration{7}, 0.5); got != 7 {
		t.Errorf("p50 of one = %s", got)
	}
}

func TestTallyCountsAnythingButTwoHundredsAsErrors(t *testing.T) {
	tl := newTally()
	tl.add(200, time.Millisecond, "")
	tl.add(201, 3*time.Millisecond, "")
	tl.add(302, time.Millisecond, "")
	tl.add(500, 2*time.Millisecond, "500 Internal Server Error")
	tl.add(0, 4*time.Millisecond, "connection refused")
	tl.add(-1, time.Millisecond, "database is locked")
	tl.elapsed = 2 * time.Second
	if tl.requests() != 6 || tl.errors() != 4 {
		t.Errorf("requests %d, errors %d; want 6 and 4", tl.requests(), tl.errors())
	}
	if got := tl.throughput(); got != 1 {
		t.Errorf("throughput %v, want 1 (two successes in two seconds)", got)
	}
	for code, want := range map[string]int{"200": 1, "201": 1, "302": 1, "500": 1, "transport": 1, "error": 1} {
		if tl.codes[code] != want {
			t.Errorf("code %s counted %d times, want %d", code, tl.codes[code], want)
		}
	}
	if got := strings.Join(tl.samples, "|"); got != "status 302|500 Internal Server Error|connection refused|database is locked" {
		t.Errorf("error samples %q", got)
	}
	if s := tl.summary(); s.Max != 4*time.Millisecond || s.P50 != time.Millisecond {
		t.Errorf("summary %+v", s)
	}
}

func TestRatio(t *testing.T) {
	if got := ratio(30, 60); got != 0.5 {
		t.Errorf("ratio(30, 60) = %v", got)
	}
	if got := ratio(30, 0); got != 0 {
		t.Errorf("ratio against nothing = %v, want 0", got)
	}
}

func TestParseStatus(t *testing.T) {
	status := "Name:\tcpcready\nVmPeak:\t 1000 kB\nVmHWM:\t   81234 kB\nVmRSS:\t   70000 kB\nThreads:\t9\n"
	m, err := parseStatus(strings.NewReader(status))
	if err != nil {
		t.Fatal(err)
	}
	if m.Peak != 81234*1024 || m.RSS != 70000*1024 {
		t.Errorf("got %+v", m)
	}
	if _, err := parseStatus(strings.NewReader("Name:\tx\n")); err == nil {
		t.Error("a status without memory lines was accepted")
	}
}

func TestPaddedJSONHasTheAskedSize(t *testing.T) {
	for _, size := range []int{60, 1234, 9000} {
		if got := len(paddedJSON(size)); got != size {
			t.Errorf("paddedJSON(%d) is %d bytes", size, got)
		}
	}
	if got := string(paddedJSON(1)); !strings.HasPrefix(got, "{") || !strings.HasSuffix(got, "}") {
		t.Errorf("a tiny body is not an object: %s", got)
	}
}
