package mailer_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/mailer"
	"github.com/bettermatch/bettermatch/internal/service"
	"github.com/bettermatch/bettermatch/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// verified registers an officer and has an admin verify it, which notifies the
// officer.
func verified(t *testing.T, env *testenv.Env, email string) {
	t.Helper()
	ctx := context.Background()
	if _, err := env.Svc.EnsureAdmin(ctx, "admin@example.org", "admin-passphrase", "Admin"); err != nil {
		t.Fatal(err)
	}
	admin, err := env.Svc.Login(ctx, "admin@example.org", "admin-passphrase")
	if err != nil {
		t.Fatal(err)
	}
	off, err := env.Svc.Register(ctx, domain.Registration{Email: email, Password: "a-long-passphrase",
		Name: "Olu", Role: domain.RoleOfficer, Organisation: "Birmingham City Council"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Svc.SetUserStatus(ctx, admin.User, off.User.ID, domain.StatusActive); err != nil {
		t.Fatal(err)
	}
}

func outbox(t *testing.T, env *testenv.Env) []*domain.OutboxMessage {
	t.Helper()
	var out []*domain.OutboxMessage
	if err := env.Store.Outbox().Each(context.Background(), func(m *domain.OutboxMessage) error {
		out = append(out, m)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func newWorker(t *testing.T, env *testenv.Env, d *smtpd, opt mailer.WorkerOptions) *mailer.Worker {
	opt.Now = env.Clock.Now
	opt.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if opt.Backoff == nil {
		opt.Backoff = func(n int) time.Duration { return time.Duration(n) * time.Minute }
	}
	return mailer.NewWorker(env.Store.Outbox(), sender(t, d, nil), opt)
}

func poll(t *testing.T, w *mailer.Worker, want mailer.Result) {
	t.Helper()
	got, err := w.Poll(context.Background())
	if err != nil || got != want {
		t.Fatalf("Poll = %+v, %v; want %+v", got, err, want)
	}
}

func TestWorker(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		env := testenv.New(t, testenv.Options{Mail: service.MailOptions{Enabled: true, BaseURL: "https://bm.example/"}})
		d := newSMTPD(t)
		verified(t, env, "Olu@Birmingham.example")
		q := outbox(t, env)
		if len(q) != 1 || q[0].To != "olu@birmingham.example" || !strings.Contains(q[0].Body, "Hello Olu") ||
			!strings.Contains(q[0].Body, "https://bm.example/notifications") {
			t.Fatalf("outbox = %+v", q)
		}
		if q[0].ID != domain.OutboxID(q[0].NotificationID) {
			t.Fatalf("outbox id %s not derived from notification %s", q[0].ID, q[0].NotificationID)
		}

		poll(t, newWorker(t, env, d, mailer.WorkerOptions{}), mailer.Result{Sent: 1})
		got := d.received()
		if len(got) != 1 || got[0].To != "olu@birmingham.example" || !strings.Contains(got[0].Data, q[0].ID) {
			t.Fatalf("received %+v", got)
		}
		if q := outbox(t, env); len(q) != 0 {
			t.Fatalf("sent message left in the outbox: %+v", q)
		}
		if n, err := env.Svc.OutboxDepth(ctx); err != nil || n != 0 {
			t.Fatalf("depth = %d, %v", n, err)
		}

		// A restart: a new worker and sender on the same database send nothing again.
		env.Clock.Advance(time.Hour)
		poll(t, newWorker(t, env, d, mailer.WorkerOptions{}), mailer.Result{})
		if n := len(d.received()); n != 1 {
			t.Fatalf("%d emails after a restart, want 1", n)
		}
	})

	t.Run("Disabled", func(t *testing.T) {
		env := testenv.New(t)
		verified(t, env, "olu@birmingham.example")
		if q := outbox(t, env); len(q) != 0 {
			t.Fatalf("mail is off, yet the outbox has %+v", q)
		}
	})

	t.Run("Retries", func(t *testing.T) {
		env := testenv.New(t, testenv.Options{Mail: service.MailOptions{Enabled: true}})
		d := newSMTPD(t)
		d.failMail = 2
		verified(t, env, "olu@birmingham.example")
		w := newWorker(t, env, d, mailer.WorkerOptions{})

		poll(t, w, mailer.Result{Failed: 1})
		q := outbox(t, env)
		if len(q) != 1 || q[0].Attempts != 1 || !strings.Contains(q[0].LastError, "451") ||
			!q[0].NextAttemptAt.Equal(env.Clock.Now().Add(time.Minute)) {
			t.Fatalf("after a failure: %+v", q)
		}
		// Not due yet: the backoff holds it.
		poll(t, w, mailer.Result{})
		env.Clock.Advance(time.Minute)
		poll(t, w, mailer.Result{Failed: 1})
		env.Clock.Advance(time.Minute)
		poll(t, w, mailer.Result{})
		env.Clock.Advance(time.Minute)
		// A restart in the middle of the retries picks up where it was.
		poll(t, newWorker(t, env, d, mailer.WorkerOptions{}), mailer.Result{Sent: 1})
		if n := len(d.received()); n != 1 {
			t.Fatalf("%d emails, want 1", n)
		}
	})

	t.Run("GivesUp", func(t *testing.T) {
		env := testenv.New(t, testenv.Options{Mail: service.MailOptions{Enabled: true}})
		d := newSMTPD(t)
		d.failMail = 100
		verified(t, env, "olu@birmingham.example")
		w := newWorker(t, env, d, mailer.WorkerOptions{MaxAttempts: 2})
		poll(t, w, mailer.Result{Failed: 1})
		env.Clock.Advance(time.Hour)
		poll(t, w, mailer.Result{Dropped: 1})
		if q := outbox(t, env); len(q) != 0 {
			t.Fatalf("outbox = %+v", q)
		}

		// A refused recipient is dropped at once.
		d.set(func(d *smtpd) { d.failMail, d.rejectRcpt = 0, true })
		verified2 := func() {
			admin, _ := env.Svc.Login(ctx, "admin@example.org", "admin-passphrase")
			p, err := env.Svc.Register(ctx, domain.Registration{Email: "ghost@example.org", Password: "a-long-passphrase",
				Name: "Ghost", Role: domain.RoleProvider, Organisation: "Skills Co"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := env.Svc.SetUserStatus(ctx, admin.User, p.User.ID, domain.StatusActive); err != nil {
				t.Fatal(err)
			}
		}
		verified2()
		poll(t, w, mailer.Result{Dropped: 1})
	})

	// A worker that died after sending, before deleting, left SentAt set (its
	// delete failed) — the message is removed, not sent again. One that died
	// after claiming holds the message for the lease, then it is retried.
	t.Run("Crashes", func(t *testing.T) {
		env := testenv.New(t)
		d := newSMTPD(t)
		now := env.Clock.Now()
		sent := &domain.OutboxMessage{Meta: domain.Meta{ID: domain.OutboxID("n-sent")}, NotificationID: "n-sent",
			To: "a@example.org", Subject: "s", Body: "b", Attempts: 1, NextAttemptAt: now.Add(-time.Hour), SentAt: now}
		claimed := &domain.OutboxMessage{Meta: domain.Meta{ID: domain.OutboxID("n-claimed")}, NotificationID: "n-claimed",
			To: "b@example.org", Subject: "s", Body: "b", Attempts: 1, NextAttemptAt: now.Add(2 * time.Minute)}
		for _, m := range []*domain.OutboxMessage{sent, claimed} {
			if err := env.Store.Outbox().Create(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		w := newWorker(t, env, d, mailer.WorkerOptions{})
		poll(t, w, mailer.Result{})
		if q := outbox(t, env); len(q) != 1 || q[0].ID != claimed.ID {
			t.Fatalf("outbox = %+v, want only the claimed message", q)
		}
		env.Clock.Advance(2 * time.Minute)
		poll(t, w, mailer.Result{Sent: 1})
		if got := d.received(); len(got) != 1 || got[0].To != "b@example.org" {
			t.Fatalf("received %+v", got)
		}
	})

	// Two workers (two serve processes) that both see a message due send it once.
	t.Run("TwoWorkers", func(t *testing.T) {
		env := testenv.New(t, testenv.Options{Mail: service.MailOptions{Enabled: true}})
		d := newSMTPD(t)
		verified(t, env, "olu@birmingham.example")
		a, b := newWorker(t, env, d, mailer.WorkerOptions{}), newWorker(t, env, d, mailer.WorkerOptions{})
		done := make(chan mailer.Result, 2)
		for _, w := range []*mailer.Worker{a, b} {
			go func() {
				r, _ := w.Poll(ctx)
				done <- r
			}()
		}
		r1, r2 := <-done, <-done
		if r1.Sent+r2.Sent != 1 || len(d.received()) != 1 {
			t.Fatalf("results %+v %+v, %d received; want one email", r1, r2, len(d.received()))
		}
	})
}

func TestRun(t *testing.T) {
	env := testenv.New(t, testenv.Options{Mail: service.MailOptions{Enabled: true}})
	d := newSMTPD(t)
	verified(t, env, "olu@birmingham.example")
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		newWorker(t, env, d, mailer.WorkerOptions{}).Run(ctx, 10*time.Millisecond)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for len(d.received()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-stopped
	if n := len(d.received()); n != 1 {
		t.Fatalf("%d emails, want 1", n)
	}
}
