package service

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"sync"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/logging"
)

// audit records a state change by actor (nil for the command line or the
// service itself) in the audit collection, and logs it. It runs after the
// change has been stored, so a failure to write the entry is logged, not
// returned: the caller's action did happen, and saying otherwise would invite
// a retry of something that succeeded.
func (s *Service) audit(ctx context.Context, actor *domain.User, action, kind, id, from, to, detail string) {
	now := s.Now()
	e := &domain.AuditEntry{Meta: domain.Meta{ID: auditID(now), CreatedAt: now, UpdatedAt: now},
		Action: action, TargetKind: kind, TargetID: id, From: from, To: to, Detail: detail,
		RequestID: logging.RequestID(ctx), At: now}
	if actor != nil {
		e.ActorID = actor.ID
	}
	s.log.InfoContext(ctx, "audit", "action", action, "actor", e.ActorID, "target_kind", kind, "target", id,
		"from", from, "to", to, "detail", detail)
	// The entry is written even when the request was cancelled after the
	// change went through.
	if err := s.store.Audit().Create(context.WithoutCancel(ctx), e); err != nil {
		s.log.ErrorContext(ctx, "audit: write entry", "action", action, "target", id, "err", err)
	}
}

// ListAudit pages through the audit log, newest first. Admin only.
func (s *Service) ListAudit(ctx context.Context, a *domain.User, f domain.AuditFilter) (*Page[*domain.AuditEntry], error) {
	if err := signedIn(a); err != nil {
		return nil, err
	}
	if !isAdmin(a) {
		return nil, forbidden("Only an administrator can read the audit log.")
	}
	f.Limit, f.Offset = ClampPage(f.Limit, f.Offset)
	items, total, err := s.store.Audit().Find(ctx, domain.Query{Limit: f.Limit, Offset: f.Offset})
	if err != nil {
		return nil, err
	}
	if items == nil {
		items = []*domain.AuditEntry{}
	}
	return &Page[*domain.AuditEntry]{Items: items, Total: total, Limit: f.Limit, Offset: f.Offset}, nil
}

var auditSeq struct {
	sync.Mutex
	last int64
}

// auditID is an id that grows with time within this process: the log is
// listed newest first by creation time and then id, and entries made in one
// millisecond (or under a test's stopped clock) must still come out in the
// order they happened. Eight bytes of a strictly increasing nanosecond count,
// four random ones so processes do not collide.
func auditID(now time.Time) string {
	auditSeq.Lock()
	n := max(now.UnixNano(), auditSeq.last+1)
	auditSeq.last = n
	auditSeq.Unlock()
	var b [12]byte
	binary.BigEndian.PutUint64(b[:8], uint64(n))
	if _, err := rand.Read(b[8:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b[:])
}
