package mongostore

import (
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// outboxDoc is an email waiting to be sent. The collection holds only unsent
// messages (the worker deletes each once sent), so the worker's scan for due
// messages reads a handful of documents, not the history of every email.
type outboxDoc struct {
	Meta           metaDoc   `bson:",inline"`
	NotificationID string    `bson:"notificationId"`
	To             string    `bson:"to"`
	Subject        string    `bson:"subject"`
	Body           string    `bson:"body"`
	Attempts       int       `bson:"attempts"`
	NextAttemptAt  time.Time `bson:"nextAttemptAt"`
	SentAt         time.Time `bson:"sentAt"`
	LastError      string    `bson:"lastError,omitempty"`
}

func (d *outboxDoc) meta() *metaDoc { return &d.Meta }

var outboxEntity = entity[*domain.OutboxMessage, *outboxDoc]{
	name: "outbox", kind: "Outbox message",
	fields: map[string]string{"notificationId": "notificationId", "to": "to"},
	newDoc: func() *outboxDoc { return new(outboxDoc) },
	toDoc: func(m *domain.OutboxMessage) *outboxDoc {
		return &outboxDoc{Meta: toMeta(m.Meta), NotificationID: m.NotificationID, To: m.To, Subject: m.Subject,
			Body: m.Body, Attempts: m.Attempts, NextAttemptAt: bsonTime(m.NextAttemptAt), SentAt: bsonTime(m.SentAt),
			LastError: m.LastError}
	},
	fromDoc: func(d *outboxDoc) *domain.OutboxMessage {
		return &domain.OutboxMessage{Meta: fromMeta(d.Meta), NotificationID: d.NotificationID, To: d.To,
			Subject: d.Subject, Body: d.Body, Attempts: d.Attempts, NextAttemptAt: d.NextAttemptAt,
			SentAt: d.SentAt, LastError: d.LastError}
	},
}
