package live

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"pexops/pexip"
)

// Metrics holds the Prometheus collectors of the live engine: poll timings and outcomes,
// upstream requests, data ages, deltas, hub subscribers and websocket traffic.
//
// A nil *Metrics is valid and records nothing, so tests and tools can leave it out.
//
// NOTE: one Metrics serves one Poller (the console watches one Management Node); the data
// age gauge reports the poller created last with it.
type Metrics struct {
	pollDuration    *prometheus.HistogramVec
	polls           *prometheus.CounterVec
	requests        *prometheus.CounterVec
	requestDuration *prometheus.HistogramVec
	inFlight        prometheus.Gauge
	deltas          *prometheus.CounterVec
	coalesced       prometheus.Counter
	stale           prometheus.Gauge
	subscribers     prometheus.Gauge
	subscriptions   *prometheus.GaugeVec
	dropped         prometheus.Counter
	wsMessages      prometheus.Counter
	wsBytes         prometheus.Counter
	ages            *ageCollector
}

// NewMetrics creates the collectors and registers them on reg. A nil reg gives working but
// unregistered collectors. Never pass prometheus.DefaultRegisterer from library code: the
// console owns one *prometheus.Registry and passes it in.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := newCollectors()
	if reg == nil {
		return m, nil
	}
	for _, c := range m.collectors() {
		if err := reg.Register(c); err != nil {
			return nil, errors.Join(errors.New("register live metrics"), err)
		}
	}
	return m, nil
}

const ns = "pexops"

func newCollectors() *Metrics {
	m := &Metrics{}
	m.addPollCollectors()
	m.addHubCollectors()
	return m
}

// addPollCollectors creates the collectors of the poller and its upstream requests.
func (m *Metrics) addPollCollectors() {
	m.pollDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: ns, Subsystem: "poll", Name: "duration_seconds",
		Help:    "Time to read one status resource from the Management Node, all pages included.",
		Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"resource"})
	m.polls = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: ns, Subsystem: "poll", Name: "total",
		Help: "Reads of a status resource by outcome (ok, error).",
	}, []string{"resource", "outcome"})
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: ns, Subsystem: "pexip", Name: "requests_total",
		Help: "HTTP exchanges with the Management Node by method, resource and status code.",
	}, []string{"method", "resource", "code"})
	m.requestDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: ns, Subsystem: "pexip", Name: "request_duration_seconds",
		Help:    "Duration of one HTTP exchange with the Management Node.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"method"})
	m.inFlight = prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: ns, Subsystem: "poll", Name: "requests_in_flight",
		Help: "Poller reads currently waiting on the Management Node (at most 1 per poller).",
	})
	m.stale = prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: ns, Subsystem: "live", Name: "stale",
		Help: "1 while the live state is stale because the Management Node cannot be read.",
	})
	m.ages = &ageCollector{desc: prometheus.NewDesc(ns+"_live_data_age_seconds",
		"Seconds since each status resource was last read successfully.",
		[]string{"resource"}, nil)}
}

// addHubCollectors creates the collectors of deltas, the hub and websocket traffic.
func (m *Metrics) addHubCollectors() {
	m.deltas = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: ns, Subsystem: "live", Name: "deltas_total",
		Help: "Deltas computed by the poller by resource and kind.",
	}, []string{"resource", "kind"})
	m.coalesced = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: ns, Subsystem: "live", Name: "batches_coalesced_total",
		Help: "Batches merged into a pending one because the consumer had not taken it yet.",
	})
	m.subscribers = prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: ns, Subsystem: "hub", Name: "subscribers",
		Help: "Hub subscribers connected.",
	})
	m.subscriptions = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: ns, Subsystem: "hub", Name: "subscriptions",
		Help: "Hub subscriptions by topic kind (the topic up to its first colon).",
	}, []string{"kind"})
	m.dropped = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: ns, Subsystem: "hub", Name: "subscribers_dropped_total",
		Help: "Hub subscribers dropped for not keeping up.",
	})
	m.wsMessages = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: ns, Subsystem: "ws", Name: "messages_sent_total",
		Help: "Websocket messages written to browsers.",
	})
	m.wsBytes = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: ns, Subsystem: "ws", Name: "bytes_sent_total",
		Help: "Websocket payload bytes written to browsers.",
	})
}

func (m *Metrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.pollDuration, m.polls, m.requests, m.requestDuration,
		m.inFlight, m.deltas, m.coalesced, m.stale, m.subscribers, m.subscriptions, m.dropped,
		m.wsMessages, m.wsBytes, m.ages}
}

// ObserveRequest records one HTTP exchange with the Management Node. Plug it into
// pexip.Config.Observe.
func (m *Metrics) ObserveRequest(ri pexip.RequestInfo) {
	if m == nil {
		return
	}
	code := strconv.Itoa(ri.Status)
	if ri.Status == 0 {
		code = "error"
	}
	m.requests.WithLabelValues(ri.Method, resourceLabel(ri.Resource), code).Inc()
	m.requestDuration.WithLabelValues(ri.Method).Observe(ri.Duration.Seconds())
}

// WebsocketSent counts one websocket message of n payload bytes written to a browser.
func (m *Metrics) WebsocketSent(n int) {
	if m == nil {
		return
	}
	m.wsMessages.Inc()
	m.wsBytes.Add(float64(n))
}

func (m *Metrics) observePoll(resource string, d time.Duration, err error) {
	if m == nil {
		return
	}
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	m.pollDuration.WithLabelValues(resource).Observe(d.Seconds())
	m.polls.WithLabelValues(resource, outcome).Inc()
}

func (m *Metrics) requestStarted() {
	if m != nil {
		m.inFlight.Inc()
	}
}

func (m *Metrics) requestDone() {
	if m != nil {
		m.inFlight.Dec()
	}
}

func (m *Metrics) countDeltas(ds []Delta) {
	if m == nil {
		return
	}
	for _, d := range ds {
		m.deltas.WithLabelValues(d.Resource, d.Kind.String()).Inc()
	}
}

func (m *Metrics) batchCoalesced() {
	if m != nil {
		m.coalesced.Inc()
	}
}

func (m *Metrics) setStale(stale bool) {
	if m == nil {
		return
	}
	v := 0.0
	if stale {
		v = 1
	}
	m.stale.Set(v)
}

func (m *Metrics) subscribed(kinds []string) {
	if m == nil {
		return
	}
	m.subscribers.Inc()
	for _, k := range kinds {
		m.subscriptions.WithLabelValues(k).Inc()
	}
}

func (m *Metrics) unsubscribed(kinds []string, dropped bool) {
	if m == nil {
		return
	}
	m.subscribers.Dec()
	for _, k := range kinds {
		m.subscriptions.WithLabelValues(k).Dec()
	}
	if dropped {
		m.dropped.Inc()
	}
}

// setAgeSource makes the data-age gauge read from the given poller.
func (m *Metrics) setAgeSource(p *Poller) {
	if m == nil {
		return
	}
	m.ages.mu.Lock()
	defer m.ages.mu.Unlock()
	m.ages.poller = p
}

// ageCollector reports State.Ages of one poller at scrape time, so the gauge is never older
// than the scrape.
type ageCollector struct {
	desc   *prometheus.Desc
	mu     sync.Mutex
	poller *Poller
}

func (a *ageCollector) Describe(ch chan<- *prometheus.Desc) { ch <- a.desc }

func (a *ageCollector) Collect(ch chan<- prometheus.Metric) {
	a.mu.Lock()
	p := a.poller
	a.mu.Unlock()
	if p == nil {
		return
	}
	now := p.now()
	for res, t := range p.State().Ages {
		ch <- prometheus.MustNewConstMetric(a.desc, prometheus.GaugeValue,
			now.Sub(t).Seconds(), res)
	}
}

// idSegment matches a path segment that is an object id (digits or a UUID-like token), which
// must not become a label value: ids are unbounded and participant ids are personal data.
var idSegment = regexp.MustCompile(`^([0-9]+|[0-9a-fA-F-]{8,})$`)

// resourceLabel turns a request path into a bounded label: query dropped, ids replaced.
func resourceLabel(path string) string {
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i, s := range segs {
		if idSegment.MatchString(s) {
			segs[i] = ":id"
		}
	}
	return strings.Join(segs, "/")
}

// topicKind is the metric label of a topic: "conference:VMR_1" counts as "conference".
func topicKind(topic string) string {
	if i := strings.IndexByte(topic, ':'); i >= 0 {
		return topic[:i]
	}
	return topic
}
