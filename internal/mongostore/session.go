package mongostore

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// sessionDoc is one sign-in (a family of refresh tokens).
type sessionDoc struct {
	Meta      metaDoc   `bson:",inline"`
	UserID    string    `bson:"userId"`
	ExpiresAt time.Time `bson:"expiresAt"`
	RevokedAt time.Time `bson:"revokedAt"`
	Reason    string    `bson:"reason,omitempty"`
}

func (d *sessionDoc) meta() *metaDoc { return &d.Meta }

var sessionEntity = entity[*domain.Session, *sessionDoc]{
	name: "sessions", kind: "Session",
	fields: map[string]string{"userId": "userId"},
	newDoc: func() *sessionDoc { return new(sessionDoc) },
	toDoc: func(s *domain.Session) *sessionDoc {
		return &sessionDoc{Meta: toMeta(s.Meta), UserID: s.UserID, ExpiresAt: bsonTime(s.ExpiresAt),
			RevokedAt: bsonTime(s.RevokedAt), Reason: s.Reason}
	},
	fromDoc: func(d *sessionDoc) *domain.Session {
		return &domain.Session{Meta: fromMeta(d.Meta), UserID: d.UserID, ExpiresAt: d.ExpiresAt,
			RevokedAt: zeroTime(d.RevokedAt), Reason: d.Reason}
	},
}

// refreshTokenDoc is a refresh token, stored under the hash of the token
// (domain.RefreshTokenID), never the token itself.
type refreshTokenDoc struct {
	Meta      metaDoc   `bson:",inline"`
	SessionID string    `bson:"sessionId"`
	UserID    string    `bson:"userId"`
	Epoch     int64     `bson:"epoch"`
	ExpiresAt time.Time `bson:"expiresAt"`
	RotatedAt time.Time `bson:"rotatedAt"`
}

func (d *refreshTokenDoc) meta() *metaDoc { return &d.Meta }

var refreshTokenEntity = entity[*domain.RefreshToken, *refreshTokenDoc]{
	name: "refreshTokens", kind: "Refresh token",
	fields: map[string]string{"sessionId": "sessionId", "userId": "userId"},
	newDoc: func() *refreshTokenDoc { return new(refreshTokenDoc) },
	toDoc: func(t *domain.RefreshToken) *refreshTokenDoc {
		return &refreshTokenDoc{Meta: toMeta(t.Meta), SessionID: t.SessionID, UserID: t.UserID, Epoch: t.Epoch,
			ExpiresAt: bsonTime(t.ExpiresAt), RotatedAt: bsonTime(t.RotatedAt)}
	},
	fromDoc: func(d *refreshTokenDoc) *domain.RefreshToken {
		return &domain.RefreshToken{Meta: fromMeta(d.Meta), SessionID: d.SessionID, UserID: d.UserID, Epoch: d.Epoch,
			ExpiresAt: d.ExpiresAt, RotatedAt: zeroTime(d.RotatedAt)}
	},
}

// zeroTime turns the zero time's round trip through BSON (omitted, or the
// epoch when written as a datetime) back into time.Time{}.
func zeroTime(t time.Time) time.Time {
	if t.IsZero() || t.Unix() <= 0 {
		return time.Time{}
	}
	return t
}

// PurgeSessions implements domain.Store. The filter on expiresAt scans on
// FerretDB; it runs hourly, off the request path.
func (s *Store) PurgeSessions(ctx context.Context, before time.Time) (int, error) {
	filter := bson.D{{Key: "expiresAt", Value: bson.D{{Key: "$lt", Value: bsonTime(before)}}}}
	n := 0
	for _, c := range []*mongo.Collection{s.refreshTokens.wcoll, s.sessions.wcoll} {
		done := s.writes.enter()
		res, err := c.DeleteMany(ctx, filter)
		done()
		if err != nil {
			return n, translate(err, "session", "purge sessions")
		}
		n += int(res.DeletedCount)
	}
	return n, nil
}
