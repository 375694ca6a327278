package domain

import "time"

// OutboxMessage is an email waiting to be sent for a notification. It is
// written in the same request that stores the notification and sent later by a
// background worker, so a slow or unreachable mail server never slows down or
// fails the action that caused the notification.
//
// Its id is derived from the notification's (OutboxID), so a notification can
// be queued at most once, and the Message-ID header derived from the id lets a
// receiving mail system collapse the rare duplicate (see the mailer package).
type OutboxMessage struct {
	Meta
	NotificationID string `json:"notificationId"`
	To             string `json:"to"`
	Subject        string `json:"subject"`
	Body           string `json:"body"`
	// Attempts counts the sends started, failed or not.
	Attempts int `json:"attempts"`
	// NextAttemptAt is when the message is due; a worker that starts a send
	// moves it a lease ahead, so no other worker takes the message meanwhile.
	NextAttemptAt time.Time `json:"nextAttemptAt"`
	// SentAt is set only when a sent message could not be deleted at once; the
	// worker deletes such messages without sending them again.
	SentAt    time.Time `json:"sentAt,omitzero"`
	LastError string    `json:"lastError,omitempty"`
}

func (m *OutboxMessage) RecordMeta() *Meta { return &m.Meta }

// OutboxID is the id of the outbox message for a notification.
func OutboxID(notificationID string) string { return KeyID("outbox", notificationID) }
