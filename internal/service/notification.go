package service

import (
	"context"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// notify stores an in-app notification and, when mail is on, queues its email;
// failures are logged, never returned, because the action that caused them has
// already happened.
func (s *Service) notify(ctx context.Context, userID, kind, msg, link string) {
	ctx = context.WithoutCancel(ctx)
	now := s.Now()
	n := &domain.Notification{Meta: domain.Meta{ID: domain.NewID(), CreatedAt: now, UpdatedAt: now},
		UserID: userID, Kind: kind, Message: msg, Link: link}
	if err := s.store.Notifications().Create(ctx, n); err != nil {
		s.log.ErrorContext(ctx, "store notification", "user", userID, "kind", kind, "err", err)
		return
	}
	s.queueEmail(ctx, n)
}

// Notifications lists the caller's notifications, newest first.
func (s *Service) Notifications(ctx context.Context, a *domain.User, unreadOnly bool, limit, offset int) (*Page[*domain.Notification], error) {
	if err := signedIn(a); err != nil {
		return nil, err
	}
	limit, offset = ClampPage(limit, offset)
	where := map[string]any{"userId": a.ID}
	if unreadOnly {
		where["read"] = false
	}
	items, total, err := s.store.Notifications().Find(ctx, domain.Query{Where: where, Limit: limit, Offset: offset})
	if err != nil {
		return nil, err
	}
	return &Page[*domain.Notification]{Items: items, Total: total, Limit: limit, Offset: offset}, nil
}

// MarkRead marks one of the caller's notifications read.
func (s *Service) MarkRead(ctx context.Context, a *domain.User, id string) (*domain.Notification, error) {
	if err := signedIn(a); err != nil {
		return nil, err
	}
	return update(ctx, s.store.Notifications(), id, change[*domain.Notification]{
		kind: "Notification",
		allow: func(n *domain.Notification) error {
			if n.UserID != a.ID {
				return domain.NotFound("Notification")
			}
			return nil
		},
		apply: func(n *domain.Notification) error { n.Read = true; return nil },
	})
}
