package notify

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/store"
)

// Metrics are the delivery metrics. Their labels are the few outcomes and
// nothing else: never a URL, an organisation or an id.
type Metrics struct {
	attempts *prometheus.CounterVec
	dead     prometheus.Counter
	lag      prometheus.Histogram
	backlog  prometheus.Gauge
}

// NewMetrics registers the delivery metrics with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cpcready_webhook_attempts_total",
			Help: "Webhook delivery attempts, by outcome: delivered, http_status, timeout, refused or network.",
		}, []string{"outcome"}),
		dead: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "cpcready_webhook_dead_total",
			Help: "Webhook deliveries given up after their last try.",
		}),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "cpcready_webhook_delivery_lag_seconds",
			Help:    "Time from an event to its successful delivery.",
			Buckets: []float64{0.5, 1, 2, 5, 10, 30, 60, 300, 1800, 3600, 6 * 3600, 24 * 3600},
		}),
		backlog: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "cpcready_webhook_pending_deliveries",
			Help: "Webhook deliveries waiting to be sent or retried.",
		}),
	}
	for _, c := range []prometheus.Collector{m.attempts, m.dead, m.lag, m.backlog} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	for _, o := range []string{domain.OutcomeDelivered, domain.OutcomeHTTPStatus, domain.OutcomeTimeout, domain.OutcomeRefused, domain.OutcomeNetwork} {
		m.attempts.WithLabelValues(o)
	}
	return m, nil
}

func (m *Metrics) observe(r store.AttemptResult, sinceEvent time.Duration) {
	if m == nil {
		return
	}
	m.attempts.WithLabelValues(r.Outcome).Inc()
	if r.Dead {
		m.dead.Inc()
	}
	if r.Outcome == domain.OutcomeDelivered {
		m.lag.Observe(sinceEvent.Seconds())
	}
}

func (m *Metrics) pending(n int64) {
	if m != nil {
		m.backlog.Set(float64(n))
	}
}
