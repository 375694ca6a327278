package mongostore

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// errUnavailable is what every layer above sees when the database cannot be
// reached, so the HTTP layer answers 503 instead of 500.
var errUnavailable = domain.Errorf(domain.EUNAVAILABLE, "The database is unavailable.")

// translate maps driver errors to domain errors at the store's boundary. what
// says which operation failed, for the log of an internal error; kind names the
// record for a not-found message.
func translate(err error, kind, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return domain.NotFound(kind)
	case mongo.IsDuplicateKeyError(err):
		return domain.Errorf(domain.ECONFLICT, "%s already exists.", kind)
	case unavailable(err):
		return fmt.Errorf("%s: %w", what, errUnavailable)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// unavailable reports whether err means the database could not be reached (as
// opposed to refusing the operation). A cancelled request context is not the
// database's fault, but a deadline spent waiting for a server is.
func unavailable(err error) bool {
	var sse topology.ServerSelectionError
	switch {
	case errors.As(err, &sse), mongo.IsNetworkError(err), errors.Is(err, mongo.ErrClientDisconnected):
		return true
	case errors.Is(err, context.Canceled):
		return false
	}
	return mongo.IsTimeout(err)
}

// noDocuments reports whether err says a read found nothing.
func noDocuments(err error) bool { return errors.Is(err, mongo.ErrNoDocuments) }
