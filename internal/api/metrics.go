package api

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the server's Prometheus metrics on a registry of its own.
// Labels are the operation name and the error code: never a secret's name,
// id or value, and never anything a caller chose freely, which keeps the
// label set small and fixed.
type Metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// NewMetrics returns Metrics registered on a new registry, with the Go
// runtime and process collectors.
func NewMetrics() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "coffer_requests_total",
			Help: "API requests by operation and error code (empty code for success).",
		}, []string{"operation", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "coffer_request_duration_seconds",
			Help:    "API request latency by operation and error code.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"operation", "code"}),
	}
	m.registry.MustRegister(m.requests, m.latency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry returns the registry, for other parts of the server to register
// their metrics on.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// observe records one request. opName is from the server's operation table
// (or "unknown") and code from its error table, so labels stay bounded.
func (m *Metrics) observe(opName, code string, d time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(opName, code).Inc()
	m.latency.WithLabelValues(opName, code).Observe(d.Seconds())
}
