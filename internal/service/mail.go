package service

import (
	"context"
	"strings"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// MailOptions turn on email notifications.
type MailOptions struct {
	// Enabled queues an email in the outbox for every notification; the
	// mailer's worker sends it. Off, notifications stay in-app only.
	Enabled bool
	// BaseURL ("https://bettermatch.example.gov") makes the links in emails
	// absolute; without it they are paths, which a reader can still follow
	// from the site.
	BaseURL string
}

// subjects are the email subjects per notification kind. The message itself,
// which carries user-written titles, goes in the body, so a subject never
// needs escaping and reads the same in every mail client.
var subjects = map[string]string{
	domain.NotifyNewMatch:        "A new challenge matches your profile",
	domain.NotifyResponseStatus:  "Your response has been reviewed",
	domain.NotifyNewResponse:     "New response to your challenge",
	domain.NotifyChallengeAward:  "You won a challenge",
	domain.NotifyAccountVerified: "Your account is verified",
}

// queueEmail writes the outbox message for a stored notification. Like
// notify, it logs and never fails: the notification is in the app either way.
// The outbox id is derived from the notification id, so a retried call cannot
// queue a second email.
func (s *Service) queueEmail(ctx context.Context, n *domain.Notification) {
	if !s.mail.Enabled {
		return
	}
	u, err := s.users.Get(ctx, n.UserID)
	if err != nil {
		s.log.ErrorContext(ctx, "queue email: read user", "user", n.UserID, "notification", n.ID, "err", err)
		return
	}
	if u.Email == "" || u.Status == domain.StatusSuspended {
		return
	}
	subject := subjects[n.Kind]
	if subject == "" {
		subject = "New notification"
	}
	m := &domain.OutboxMessage{
		Meta:           domain.Meta{ID: domain.OutboxID(n.ID), CreatedAt: n.CreatedAt, UpdatedAt: n.CreatedAt},
		NotificationID: n.ID, To: u.Email, Subject: "bettermatch: " + subject,
		Body: s.emailBody(u, n), NextAttemptAt: n.CreatedAt,
	}
	if err := s.store.Outbox().Create(ctx, m); err != nil && domain.ErrorCode(err) != domain.ECONFLICT {
		s.log.ErrorContext(ctx, "queue email", "user", n.UserID, "notification", n.ID, "err", err)
	}
}

func (s *Service) emailBody(u *domain.User, n *domain.Notification) string {
	base := strings.TrimRight(s.mail.BaseURL, "/")
	var b strings.Builder
	b.WriteString("Hello " + u.Name + ",\n\n" + n.Message + "\n")
	if n.Link != "" {
		b.WriteString("\n" + base + n.Link + "\n")
	}
	b.WriteString("\n-- \nYou get this email because you have an account on bettermatch.\n")
	b.WriteString("All your notifications: " + base + "/notifications\n")
	return b.String()
}

// OutboxDepth is how many emails wait to be sent (for metrics).
func (s *Service) OutboxDepth(ctx context.Context) (int, error) {
	return s.store.Outbox().Count(ctx)
}
