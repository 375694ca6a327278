package mongostore

import (
	"context"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

func TestOutbox(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	due := time.Now().Add(time.Minute).UTC().Truncate(time.Millisecond)
	m := &domain.OutboxMessage{Meta: domain.Meta{ID: domain.OutboxID("n1")}, NotificationID: "n1",
		To: "ada@example.org", Subject: "Hello — Gävle", Body: "Line one.\nLine two.", NextAttemptAt: due}

	t.Run("OK", func(t *testing.T) {
		if err := s.Outbox().Create(ctx, m); err != nil {
			t.Fatal(err)
		}
		got, err := s.Outbox().Get(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.To != m.To || got.Subject != m.Subject || got.Body != m.Body || got.NotificationID != "n1" ||
			!got.NextAttemptAt.Equal(due) || !got.SentAt.IsZero() || got.Attempts != 0 {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, m)
		}
		got.Attempts, got.LastError, got.SentAt = 2, "451 try later", due
		if err := s.Outbox().Update(ctx, got); err != nil {
			t.Fatal(err)
		}
		again, err := s.Outbox().Get(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if again.Attempts != 2 || again.LastError != "451 try later" || !again.SentAt.Equal(due) {
			t.Fatalf("after update: %+v", again)
		}
	})

	// The id derived from the notification makes queuing one twice a conflict,
	// which is what keeps a notification from being mailed twice.
	t.Run("ErrConflict", func(t *testing.T) {
		dup := *m
		dup.Version = 0
		wantCode(t, s.Outbox().Create(ctx, &dup), domain.ECONFLICT)
	})

	t.Run("Count", func(t *testing.T) {
		if n, err := s.Outbox().Count(ctx); err != nil || n != 1 {
			t.Fatalf("count = %d, %v", n, err)
		}
		if err := s.Outbox().Delete(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
		if n, err := s.Outbox().Count(ctx); err != nil || n != 0 {
			t.Fatalf("count after delete = %d, %v", n, err)
		}
	})
}
