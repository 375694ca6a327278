package mongostore

import (
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// auditDoc is one entry of the audit log. Entries are only ever inserted.
type auditDoc struct {
	Meta       metaDoc   `bson:",inline"`
	ActorID    string    `bson:"actorId,omitempty"`
	Action     string    `bson:"action"`
	TargetKind string    `bson:"targetKind"`
	TargetID   string    `bson:"targetId,omitempty"`
	From       string    `bson:"from,omitempty"`
	To         string    `bson:"to,omitempty"`
	Detail     string    `bson:"detail,omitempty"`
	RequestID  string    `bson:"requestId,omitempty"`
	At         time.Time `bson:"at"`
}

func (d *auditDoc) meta() *metaDoc { return &d.Meta }

var auditEntity = entity[*domain.AuditEntry, *auditDoc]{
	name: "audit", kind: "Audit entry",
	fields: map[string]string{"actorId": "actorId", "action": "action", "targetKind": "targetKind", "targetId": "targetId"},
	newDoc: func() *auditDoc { return new(auditDoc) },
	toDoc: func(a *domain.AuditEntry) *auditDoc {
		return &auditDoc{Meta: toMeta(a.Meta), ActorID: a.ActorID, Action: a.Action, TargetKind: a.TargetKind,
			TargetID: a.TargetID, From: a.From, To: a.To, Detail: a.Detail, RequestID: a.RequestID, At: bsonTime(a.At)}
	},
	fromDoc: func(d *auditDoc) *domain.AuditEntry {
		return &domain.AuditEntry{Meta: fromMeta(d.Meta), ActorID: d.ActorID, Action: d.Action, TargetKind: d.TargetKind,
			TargetID: d.TargetID, From: d.From, To: d.To, Detail: d.Detail, RequestID: d.RequestID, At: d.At}
	},
}
