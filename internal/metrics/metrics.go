// Package metrics exposes bettermatch's Prometheus metrics. It is the only
// package that imports the Prometheus client: the HTTP layer reports requests
// through a small interface it defines (httpapi.Observer), the matcher is timed
// by a wrapper (Matcher), and gauges about the indexes, the embedding queue and
// the outbox are read through plain functions at scrape time, so nothing else
// knows Prometheus exists.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

const namespace = "bettermatch"

// Registry holds the metrics of one process.
type Registry struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	match    *prometheus.HistogramVec
}

// New returns a registry with the HTTP and matching metrics and the Go
// runtime's and process's own.
func New() *Registry {
	r := &Registry{reg: prometheus.NewRegistry()}
	labels := []string{"route", "method", "status"}
	r.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Subsystem: "http", Name: "requests_total",
		Help: "HTTP requests served, by route pattern, method and status.",
	}, labels)
	r.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: namespace, Subsystem: "http", Name: "request_duration_seconds",
		Help:    "Time to serve an HTTP request, by route pattern, method and status.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, labels)
	r.match = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: namespace, Subsystem: "match", Name: "duration_seconds",
		Help: "Time to rank, by operation: smes_for_challenge, challenges_for_sme, skills_gap.",
		// Matching is in memory: most answers take well under 50 ms.
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"op"})
	r.reg.MustRegister(r.requests, r.latency, r.match,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return r
}

// Handler serves the metrics in the Prometheus text format (or OpenMetrics,
// when the scraper asks for it).
func (r *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{Registry: r.reg, EnableOpenMetrics: true})
}

// methods are the HTTP methods counted by name; any other is "OTHER", so a
// client inventing methods cannot add series.
var methods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
}

// ObserveRequest counts one request. route must be the pattern the router
// matched ("/api/v1/smes/:id"), never the raw path, so the number of series
// stays bounded by the number of routes; "" (no route) is "unmatched".
func (r *Registry) ObserveRequest(route, method string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	if !methods[method] {
		method = "OTHER"
	}
	s := strconv.Itoa(status)
	r.requests.WithLabelValues(route, method, s).Inc()
	r.latency.WithLabelValues(route, method, s).Observe(d.Seconds())
}

// Gauges are read at each scrape. Any may be nil (not reported); a function
// that fails leaves its series out of that scrape rather than failing it.
type Gauges struct {
	// IndexDocuments is how many records of each kind the search index holds.
	IndexDocuments func() (map[string]int, error)
	// IndexSeq returns the change sequence the index has applied and the
	// store's head; the lag is their difference.
	IndexSeq func(ctx context.Context) (synced, head int64, err error)
	// EmbeddingQueue is how many records wait for an embedding.
	EmbeddingQueue func() int
	// OutboxDepth is how many emails wait to be sent.
	OutboxDepth func(ctx context.Context) (int, error)
}

// Watch registers g's gauges. Call it once, after the service exists.
func (r *Registry) Watch(g Gauges) {
	r.reg.MustRegister(&gaugeCollector{g: g})
}
