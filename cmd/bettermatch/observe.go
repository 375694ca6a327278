package main

import (
	"context"
	"time"

	"github.com/bettermatch/bettermatch/internal/mailer"
	"github.com/bettermatch/bettermatch/internal/metrics"
)

// mailPoll is how often the outbox is read for emails due. The outbox holds
// only unsent mail, so each poll reads a handful of documents. (A variable so
// the end-to-end test need not wait.)
var mailPoll = 5 * time.Second

// watchMetrics reports the service's gauges at each scrape of /metrics.
func (a *app) watchMetrics() {
	a.metrics.Watch(metrics.Gauges{
		IndexDocuments: a.svc.IndexCounts,
		IndexSeq:       a.svc.IndexSeq,
		EmbeddingQueue: a.svc.EmbeddingQueue,
		OutboxDepth:    a.svc.OutboxDepth,
	})
}

// runMailer sends the outbox through BETTERMATCH_SMTP_URL until ctx ends; the
// returned channel closes when it has stopped. Without a URL notifications
// stay in-app and the channel is closed at once.
func (a *app) runMailer(ctx context.Context) (<-chan struct{}, error) {
	done := make(chan struct{})
	if a.cfg.SMTPURL == "" {
		close(done)
		return done, nil
	}
	cfg, err := mailer.ParseURL(a.cfg.SMTPURL)
	if err != nil {
		close(done)
		return done, err
	}
	smtp, err := mailer.NewSMTP(cfg)
	if err != nil {
		close(done)
		return done, err
	}
	w := mailer.NewWorker(a.store.Outbox(), smtp, mailer.WorkerOptions{Logger: a.log})
	a.log.Info("email notifications on", "smtp", cfg.Addr, "from", cfg.From.Address)
	go func() {
		defer close(done)
		w.Run(ctx, mailPoll)
	}()
	return done, nil
}
