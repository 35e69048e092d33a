package admin

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"policybot/index"
)

// Metrics are the process's figures in Prometheus format, on a registry of its own (not the
// global one): questions answered, how many by verdict (answer, related, none) and how many not
// answered directly, answer latency, reindex duration and lost query-log writes, plus the Go
// runtime's and the process's. It implements
// querylog.Observer; the reindex job calls Reindexed. It is safe for concurrent use.
type Metrics struct {
	reg           *prometheus.Registry
	questions     prometheus.Counter
	answers       *prometheus.CounterVec
	notConfident  prometheus.Counter
	latency       prometheus.Histogram
	reindex       prometheus.Histogram
	writeFailures prometheus.Counter
}

// NewMetrics returns metrics registered on a new registry.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		questions: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "policybot_questions_total",
			Help: "Questions answered.",
		}),
		answers: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "policybot_answers_total",
			Help: "Questions answered, by verdict: answer (the passages answer it), related (the documents hold its subject, no passage answers it directly) or none (the documents do not cover it).",
		}, []string{"verdict"}),
		notConfident: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "policybot_questions_not_confident_total",
			Help: "Questions not answered directly: the verdict related or none.",
		}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "policybot_answer_latency_seconds",
			Help: "Time from a question to its answer.",
			// An answer takes about a millisecond (README, How fast); a slow one, a locked log or a
			// busy machine, a second or more.
			Buckets: []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
		}),
		reindex: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "policybot_reindex_duration_seconds",
			Help:    "Time to build and publish an index.",
			Buckets: []float64{1, 5, 15, 30, 60, 120, 300, 600, 1800},
		}),
		writeFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "policybot_querylog_write_failures_total",
			Help: "Query-log writes lost (database locked, full or unreachable); the answers went out regardless.",
		}),
	}
	// Every verdict is there from the start, at 0, so that a rate over it is defined.
	for _, v := range []index.Verdict{index.VerdictAnswer, index.VerdictRelated, index.VerdictNone} {
		m.answers.WithLabelValues(string(v))
	}
	m.reg.MustRegister(m.questions, m.answers, m.notConfident, m.latency, m.reindex, m.writeFailures,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Question counts a question answered with verdict in latency.
func (m *Metrics) Question(verdict index.Verdict, latency time.Duration) {
	m.questions.Inc()
	m.answers.WithLabelValues(string(verdict)).Inc()
	if verdict != index.VerdictAnswer {
		m.notConfident.Inc()
	}
	m.latency.Observe(latency.Seconds())
}

// WriteFailed counts a query-log write that was lost.
func (m *Metrics) WriteFailed() { m.writeFailures.Inc() }

// Reindexed records how long a reindex took.
func (m *Metrics) Reindexed(d time.Duration) { m.reindex.Observe(d.Seconds()) }

// Registry is the registry the metrics are on, for a caller that adds its own.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// handler serves the metrics in Prometheus's text format.
func (m *Metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

var statusDesc = prometheus.NewDesc("policybot_corpus_info",
	"The corpus version and the index this process answers from (always 1): replicas agree when their labels do.",
	[]string{"corpus", "index"}, nil)

// statusCollector reports policybot_corpus_info from a Config's Status.
type statusCollector func() (corpus, index string)

func (f statusCollector) Describe(ch chan<- *prometheus.Desc) { ch <- statusDesc }

func (f statusCollector) Collect(ch chan<- prometheus.Metric) {
	c, ix := f()
	ch <- prometheus.MustNewConstMetric(statusDesc, prometheus.GaugeValue, 1, c, ix)
}
