package mongostore

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// emailDoc is a claim on an address: the normalized address is the _id, so the
// primary-key index makes it unique without a transaction and a login finds
// its user by key.
type emailDoc struct {
	Email  string `bson:"_id"`
	UserID string `bson:"userId"`
}

const emailsName = "emails"

// ClaimEmail implements domain.Store.
func (s *Store) ClaimEmail(ctx context.Context, email, userID string) error {
	done := s.writes.enter()
	_, err := s.wdb.Collection(emailsName).InsertOne(ctx, emailDoc{Email: domain.NormalizeEmail(email), UserID: userID})
	done()
	if mongo.IsDuplicateKeyError(err) {
		return domain.Errorf(domain.ECONFLICT, "An account with this email address already exists.")
	}
	return translate(err, "Email", "claim email")
}

// ReleaseEmail implements domain.Store. Releasing an address nobody holds is
// not an error: the claim is gone either way.
func (s *Store) ReleaseEmail(ctx context.Context, email string) error {
	done := s.writes.enter()
	_, err := s.wdb.Collection(emailsName).DeleteOne(ctx, byID(domain.NormalizeEmail(email)))
	done()
	return translate(err, "Email", "release email")
}

// EmailOwner implements domain.Store.
func (s *Store) EmailOwner(ctx context.Context, email string) (string, error) {
	var d emailDoc
	err := s.db.Collection(emailsName).FindOne(ctx, byID(domain.NormalizeEmail(email))).Decode(&d)
	if err != nil {
		return "", translate(err, "Email", "read email")
	}
	return d.UserID, nil
}
