package service

import (
	"context"

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
	e := &domain.AuditEntry{Meta: domain.Meta{ID: domain.NewID(), CreatedAt: now, UpdatedAt: now},
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
