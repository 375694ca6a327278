package mailer

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// Sender delivers one message (SMTP in production, anything in tests).
type Sender interface {
	Send(ctx context.Context, m *domain.OutboxMessage) error
}

// Worker drains the outbox. Delivery is at least once, with at most one
// duplicate per crash:
//
//  1. Claim: a due message gets Attempts+1 and NextAttemptAt = now + Lease, in
//     an update checked against its version. Of two workers (two serve
//     processes) that saw it due, only one wins; the other skips it. A worker
//     that dies after claiming leaves the message to be retried once the lease
//     has run out — later, never twice at once.
//  2. Send.
//  3. Delete the message on success; on failure record the error and set
//     NextAttemptAt by exponential backoff; after MaxAttempts, or at once when
//     the server refused the recipient or content for good (5xx), drop it
//     with an error log (the notification stays in the app).
//
// The outbox is marked after sending, not before: marking first would turn a
// crash between the two into a lost email, marking after turns it into one
// repeated email, which carries the same Message-ID (see MessageID) so mail
// systems can collapse it. A restarted worker finds sent messages gone and
// sends only what was never confirmed. Should the delete itself fail, the
// worker sets SentAt instead, and later deletes such messages unsent.
//
// Deleting sent messages keeps the outbox to the mail not yet delivered —
// normally empty, at worst a few hours of notifications while the mail server
// is down — so reading the whole outbox at each poll (every few seconds, in
// the background, never on a request) costs little, and it works the same on
// FerretDB, which answers any filter other than by id with a scan anyway. The
// record of what was said stays in the in-app notifications.
type Worker struct {
	outbox domain.Collection[*domain.OutboxMessage]
	sender Sender
	opt    WorkerOptions
}

// WorkerOptions tune a Worker; zero values take the defaults.
type WorkerOptions struct {
	Logger *slog.Logger
	Now    func() time.Time
	// Lease is how long a claimed message is left to its worker before
	// another may try it; it must exceed the sender's timeout. 2m.
	Lease time.Duration
	// MaxAttempts before a message is dropped. 12, which with the default
	// backoff spans about seven hours.
	MaxAttempts int
	// Backoff is the wait after the given failed attempt (1, 2, …).
	// 30s·2^(n-1), at most 1h, ±20% so that messages queued together do
	// not retry in lockstep.
	Backoff func(attempt int) time.Duration
	// Batch is the most messages sent in one poll. 100.
	Batch int
}

// NewWorker returns a worker sending outbox through sender.
func NewWorker(outbox domain.Collection[*domain.OutboxMessage], sender Sender, opt WorkerOptions) *Worker {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Lease <= 0 {
		opt.Lease = 2 * time.Minute
	}
	if opt.MaxAttempts <= 0 {
		opt.MaxAttempts = 12
	}
	if opt.Backoff == nil {
		opt.Backoff = DefaultBackoff
	}
	if opt.Batch <= 0 {
		opt.Batch = 100
	}
	return &Worker{outbox: outbox, sender: sender, opt: opt}
}

// DefaultBackoff is 30s·2^(attempt-1), capped at an hour, with ±20% jitter.
func DefaultBackoff(attempt int) time.Duration {
	d := time.Hour
	if attempt < 8 {
		d = min(30*time.Second<<max(attempt-1, 0), time.Hour)
	}
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// Result counts what one poll did.
type Result struct {
	Sent, Failed, Dropped int
}

// Poll sends the messages that are due, at most Batch of them.
func (w *Worker) Poll(ctx context.Context) (Result, error) {
	var res Result
	now := w.opt.Now()
	var due, done []*domain.OutboxMessage
	err := w.outbox.Each(ctx, func(m *domain.OutboxMessage) error {
		switch {
		case !m.SentAt.IsZero():
			done = append(done, m)
		case !m.NextAttemptAt.After(now) && len(due) < w.opt.Batch:
			due = append(due, m)
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	for _, m := range done {
		if err := w.outbox.Delete(ctx, m.ID); err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
			w.opt.Logger.WarnContext(ctx, "delete sent email", "outbox", m.ID, "err", err)
		}
	}
	for _, m := range due {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		w.deliver(ctx, m, &res)
	}
	return res, nil
}

func (w *Worker) deliver(ctx context.Context, m *domain.OutboxMessage, res *Result) {
	log := w.opt.Logger.With("outbox", m.ID, "notification", m.NotificationID)
	m.Attempts++
	m.NextAttemptAt = w.opt.Now().Add(w.opt.Lease)
	if err := w.outbox.Update(ctx, m); err != nil {
		// Another worker claimed or finished it since the scan.
		if c := domain.ErrorCode(err); c != domain.EPRECONDITION && c != domain.ENOTFOUND {
			log.WarnContext(ctx, "claim email", "err", err)
		}
		return
	}
	sendErr := w.sender.Send(ctx, m)
	// The bookkeeping must land even when the send was cut short by shutdown.
	ctx = context.WithoutCancel(ctx)
	if sendErr == nil {
		res.Sent++
		if err := w.outbox.Delete(ctx, m.ID); err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
			log.WarnContext(ctx, "delete sent email; marking it sent", "err", err)
			m.SentAt = w.opt.Now()
			if err := w.outbox.Update(ctx, m); err != nil {
				log.ErrorContext(ctx, "mark email sent; it will be sent again after the lease", "err", err)
			}
		}
		return
	}
	m.LastError = sendErr.Error()
	if Permanent(sendErr) || m.Attempts >= w.opt.MaxAttempts {
		res.Dropped++
		log.ErrorContext(ctx, "email not delivered; giving up (the notification stays in the app)",
			"attempts", m.Attempts, "err", sendErr)
		if err := w.outbox.Delete(ctx, m.ID); err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
			log.WarnContext(ctx, "delete undeliverable email", "err", err)
		}
		return
	}
	res.Failed++
	m.NextAttemptAt = w.opt.Now().Add(w.opt.Backoff(m.Attempts))
	log.WarnContext(ctx, "email not sent; will retry", "attempts", m.Attempts, "next", m.NextAttemptAt, "err", sendErr)
	if err := w.outbox.Update(ctx, m); err != nil {
		log.WarnContext(ctx, "record email failure", "err", err)
	}
}

// Run polls every interval until ctx ends. A poll that filled its batch is
// followed at once by another, so a backlog drains without waiting.
func (w *Worker) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		res, err := w.Poll(ctx)
		if err != nil && ctx.Err() == nil {
			w.opt.Logger.WarnContext(ctx, "read outbox", "err", err)
		}
		if err == nil && res.Sent+res.Failed+res.Dropped >= w.opt.Batch {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
