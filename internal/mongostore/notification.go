package mongostore

import "github.com/bettermatch/bettermatch/internal/domain"

type notificationDoc struct {
	Meta    metaDoc `bson:",inline"`
	UserID  string  `bson:"userId"`
	Kind    string  `bson:"kind"`
	Message string  `bson:"message"`
	Link    string  `bson:"link,omitempty"`
	Read    bool    `bson:"read"`
}

func (d *notificationDoc) meta() *metaDoc { return &d.Meta }

var notificationEntity = entity[*domain.Notification, *notificationDoc]{
	name: "notifications", kind: "Notification",
	fields: map[string]string{"userId": "userId", "kind": "kind", "read": "read"},
	lists:  []string{"userId"},
	newDoc: func() *notificationDoc { return new(notificationDoc) },
	toDoc: func(n *domain.Notification) *notificationDoc {
		return &notificationDoc{Meta: toMeta(n.Meta), UserID: n.UserID, Kind: n.Kind, Message: n.Message, Link: n.Link, Read: n.Read}
	},
	fromDoc: func(d *notificationDoc) *domain.Notification {
		return &domain.Notification{Meta: fromMeta(d.Meta), UserID: d.UserID, Kind: d.Kind, Message: d.Message, Link: d.Link, Read: d.Read}
	},
}
