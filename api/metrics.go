package api

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(reg *prometheus.Registry, commitCounts func() (commits, writes int64)) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cpcready_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "cpcready_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route"}),
	}
	commits := prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "cpcready_sqlite_commits_total", Help: "SQLite write transactions; writes arriving together share one.",
	}, func() float64 { c, _ := commitCounts(); return float64(c) })
	writes := prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "cpcready_sqlite_writes_total", Help: "SQLite writes, each in its own savepoint of a shared transaction.",
	}, func() float64 { _, w := commitCounts(); return float64(w) })
	for _, c := range []prometheus.Collector{m.requests, m.duration, commits, writes, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register metrics: %w", err)
		}
	}
	return m, nil
}

// observe counts one request. route is a registered pattern or
// "unmatched", and method is folded to a known one, so that no client can
// mint new series: each label value is kept for the life of the process.
func (m *metrics) observe(method, route string, status int, d time.Duration) {
	method = metricMethod(method)
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(method, route).Observe(d.Seconds())
}

func metricMethod(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return method
	}
	return "OTHER"
}

func typeName(v any) string { return fmt.Sprintf("%T", v) }
