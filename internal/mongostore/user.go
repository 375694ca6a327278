package mongostore

import "github.com/bettermatch/bettermatch/internal/domain"

type userDoc struct {
	Meta         metaDoc `bson:",inline"`
	Email        string  `bson:"email"`
	PasswordHash string  `bson:"passwordHash"`
	Name         string  `bson:"name"`
	Role         string  `bson:"role"`
	Organisation string  `bson:"organisation,omitempty"`
	Status       string  `bson:"status"`
	SMEID        string  `bson:"smeId,omitempty"`
	SessionEpoch int64   `bson:"sessionEpoch,omitempty"`
}

func (d *userDoc) meta() *metaDoc { return &d.Meta }

var userEntity = entity[*domain.User, *userDoc]{
	name: "users", kind: "User",
	fields: map[string]string{"email": "email", "role": "role", "status": "status", "organisation": "organisation", "smeId": "smeId"},
	lists:  []string{"status", "role"},
	newDoc: func() *userDoc { return new(userDoc) },
	toDoc: func(u *domain.User) *userDoc {
		return &userDoc{
			Meta: toMeta(u.Meta), Email: u.Email, PasswordHash: u.PasswordHash, Name: u.Name,
			Role: u.Role, Organisation: u.Organisation, Status: u.Status, SMEID: u.SMEID, SessionEpoch: u.SessionEpoch,
		}
	},
	fromDoc: func(d *userDoc) *domain.User {
		return &domain.User{
			Meta: fromMeta(d.Meta), Email: d.Email, PasswordHash: d.PasswordHash, Name: d.Name,
			Role: d.Role, Organisation: d.Organisation, Status: d.Status, SMEID: d.SMEID, SessionEpoch: d.SessionEpoch,
		}
	},
}
