package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// scrapeTimeout bounds the database reads a scrape makes (the change head, the
// outbox count), so a database that is down makes the gauges go missing
// instead of the scrape hanging.
const scrapeTimeout = 2 * time.Second

var (
	indexDocsDesc = prometheus.NewDesc(namespace+"_index_documents",
		"Records in the search index, by kind.", []string{"kind"}, nil)
	indexLagDesc = prometheus.NewDesc(namespace+"_index_lag_changes",
		"Store changes not yet applied to the search index and matcher (store head minus synced sequence).", nil, nil)
	embedQueueDesc = prometheus.NewDesc(namespace+"_embedding_queue_depth",
		"Records waiting for an embedding.", nil, nil)
	outboxDesc = prometheus.NewDesc(namespace+"_outbox_depth",
		"Emails waiting in the outbox to be sent.", nil, nil)
)

// gaugeCollector reads Gauges at scrape time: the values live elsewhere (the
// index, the database), and copying them into gauges on a timer would only
// make them stale.
type gaugeCollector struct{ g Gauges }

func (c *gaugeCollector) Describe(ch chan<- *prometheus.Desc) {
	if c.g.IndexDocuments != nil {
		ch <- indexDocsDesc
	}
	if c.g.IndexSeq != nil {
		ch <- indexLagDesc
	}
	if c.g.EmbeddingQueue != nil {
		ch <- embedQueueDesc
	}
	if c.g.OutboxDepth != nil {
		ch <- outboxDesc
	}
}

func (c *gaugeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	if f := c.g.IndexDocuments; f != nil {
		if docs, err := f(); err == nil {
			for kind, n := range docs {
				ch <- prometheus.MustNewConstMetric(indexDocsDesc, prometheus.GaugeValue, float64(n), kind)
			}
		}
	}
	if f := c.g.IndexSeq; f != nil {
		if synced, head, err := f(ctx); err == nil {
			ch <- prometheus.MustNewConstMetric(indexLagDesc, prometheus.GaugeValue, float64(max(head-synced, 0)))
		}
	}
	if f := c.g.EmbeddingQueue; f != nil {
		ch <- prometheus.MustNewConstMetric(embedQueueDesc, prometheus.GaugeValue, float64(f()))
	}
	if f := c.g.OutboxDepth; f != nil {
		if n, err := f(ctx); err == nil {
			ch <- prometheus.MustNewConstMetric(outboxDesc, prometheus.GaugeValue, float64(n))
		}
	}
}
