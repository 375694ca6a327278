package mongostore

import (
	"context"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

func TestSessionsAndRefreshTokens(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	exp := time.Now().Add(30 * 24 * time.Hour).UTC().Truncate(time.Millisecond)
	sess := &domain.Session{Meta: domain.Meta{ID: domain.NewID()}, UserID: domain.NewID(), ExpiresAt: exp}
	if err := s.Sessions().Create(ctx, sess); err != nil {
		t.Fatal(err)
	}
	got, err := s.Sessions().Get(ctx, sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.UserID != sess.UserID || !got.ExpiresAt.Equal(exp) || !got.RevokedAt.IsZero() {
		t.Fatalf("session round trip: %+v", got)
	}
	got.RevokedAt, got.Reason = exp.Add(-time.Hour), "logout"
	if err := s.Sessions().Update(ctx, got); err != nil {
		t.Fatal(err)
	}
	if again, _ := s.Sessions().Get(ctx, sess.ID); !again.RevokedAt.Equal(exp.Add(-time.Hour)) || again.Reason != "logout" {
		t.Fatalf("session after revoke: %+v", again)
	}

	rt := &domain.RefreshToken{Meta: domain.Meta{ID: domain.RefreshTokenID("secret")}, SessionID: sess.ID,
		UserID: sess.UserID, Epoch: 2, ExpiresAt: exp}
	if err := s.RefreshTokens().Create(ctx, rt); err != nil {
		t.Fatal(err)
	}
	if err := s.RefreshTokens().Create(ctx, rt); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("second create: %v, want conflict", err)
	}
	gt, err := s.RefreshTokens().Get(ctx, domain.RefreshTokenID("secret"))
	if err != nil {
		t.Fatal(err)
	}
	if gt.SessionID != sess.ID || gt.Epoch != 2 || !gt.RotatedAt.IsZero() || !gt.ExpiresAt.Equal(exp) {
		t.Fatalf("refresh token round trip: %+v", gt)
	}
	if _, err := s.RefreshTokens().Get(ctx, domain.RefreshTokenID("other")); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("unknown token: %v", err)
	}
}

func TestAudit(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	at := time.Now().UTC().Truncate(time.Millisecond)
	for i, to := range []string{"open", "closed"} {
		e := &domain.AuditEntry{Meta: domain.Meta{ID: domain.NewID(), CreatedAt: at.Add(time.Duration(i) * time.Second)},
			ActorID: "a", Action: domain.AuditChallengeStatus, TargetKind: domain.KindChallenge, TargetID: "c",
			From: "draft", To: to, RequestID: "r1", At: at.Add(time.Duration(i) * time.Second)}
		if err := s.Audit().Create(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	items, total, err := s.Audit().Find(ctx, domain.Query{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if total != 2 || len(items) != 2 || items[0].To != "closed" || items[1].To != "open" || items[0].RequestID != "r1" {
		t.Fatalf("audit newest first: total %d, %+v", total, items)
	}
}

func TestPurgeSessions(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	now := time.Now().UTC().Truncate(time.Millisecond)
	for i, exp := range []time.Time{now.Add(-time.Hour), now.Add(time.Hour)} {
		sess := &domain.Session{Meta: domain.Meta{ID: domain.NewID()}, UserID: "u", ExpiresAt: exp}
		rt := &domain.RefreshToken{Meta: domain.Meta{ID: domain.RefreshTokenID(string(rune('a' + i)))}, SessionID: sess.ID, ExpiresAt: exp}
		if err := s.Sessions().Create(ctx, sess); err != nil {
			t.Fatal(err)
		}
		if err := s.RefreshTokens().Create(ctx, rt); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.PurgeSessions(ctx, now)
	if err != nil || n != 2 {
		t.Fatalf("PurgeSessions = %d, %v; want 2", n, err)
	}
	if c, _ := s.Sessions().Count(ctx); c != 1 {
		t.Errorf("%d sessions left, want 1", c)
	}
	if _, err := s.RefreshTokens().Get(ctx, domain.RefreshTokenID("b")); err != nil {
		t.Errorf("live token purged: %v", err)
	}
}
