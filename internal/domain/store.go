package domain

import (
	"context"
	"fmt"
	"time"
)

// Record is any stored entity.
type Record interface {
	RecordMeta() *Meta
}

// Collection stores one kind of record. MongoDB is the only source of truth;
// everything else (the search index, embeddings, the match corpus) is derived
// from what a Collection holds.
//
// Reads and writes by id are primary-key operations. Find scans and is meant for
// small collections (users, responses, notifications) and admin views, never for
// a hot path over SMEs, challenges or courses.
type Collection[T Record] interface {
	// Create inserts rec, whose ID must be set. It sets CreatedAt, UpdatedAt
	// (when zero) and Version = 1. A duplicate id is ECONFLICT.
	Create(ctx context.Context, rec T) error
	// Get reads one record; ENOTFOUND when absent.
	Get(ctx context.Context, id string) (T, error)
	// Update replaces rec when the stored version equals rec's Version, then sets
	// rec's Version to the next one and UpdatedAt to now. A stale version is
	// EPRECONDITION; a missing record ENOTFOUND.
	Update(ctx context.Context, rec T) error
	// Modify reads the record with id, lets fn change it in place and writes it
	// as Update does, returning it with its new Version. An error from fn is
	// returned as is, with nothing written. fn must not write to the store.
	// It is one read where Get then Update are two: a store that checks
	// versions by reading under a lock checks against this read.
	Modify(ctx context.Context, id string, fn func(T) error) (T, error)
	// Delete removes a record; ENOTFOUND when absent.
	Delete(ctx context.Context, id string) error
	// Find lists records whose fields equal the given values (JSON field names,
	// and OrgKeyField for challenges; string or bool values), newest first,
	// with the total before paging.
	Find(ctx context.Context, q Query) ([]T, int, error)
	// Each calls fn for every record in id order, streaming; used to rebuild
	// derived indexes.
	Each(ctx context.Context, fn func(T) error) error
	// Import writes recs (ids set) in batches: new ids are inserted, existing ones
	// replaced only when their content differs (so importing the same data twice
	// changes nothing, not even versions).
	Import(ctx context.Context, recs []T) (ImportStats, error)
	// Count returns how many records there are.
	Count(ctx context.Context) (int, error)
}

// Query is a simple equality filter with paging for Collection.Find.
type Query struct {
	Where  map[string]any
	Limit  int // 0 means no limit
	Offset int
}

// ImportStats counts what an import did.
type ImportStats struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// Add sums two stats.
func (s ImportStats) Add(o ImportStats) ImportStats {
	return ImportStats{s.Created + o.Created, s.Updated + o.Updated, s.Unchanged + o.Unchanged}
}

// Store is the database.
type Store interface {
	Users() Collection[*User]
	SMEs() Collection[*SME]
	Challenges() Collection[*Challenge]
	Responses() Collection[*Response]
	Courses() Collection[*Course]
	Notifications() Collection[*Notification]
	Embeddings() Collection[*Embedding]
	// Outbox holds emails waiting to be sent; sent ones are deleted, so it
	// stays small enough for the sending worker to scan.
	Outbox() Collection[*OutboxMessage]
	// Sessions and RefreshTokens keep sign-ins alive past the access token's
	// short life; both are read by primary key only.
	Sessions() Collection[*Session]
	RefreshTokens() Collection[*RefreshToken]
	// Audit is the log of admin actions and status changes.
	Audit() Collection[*AuditEntry]
	// PurgeSessions deletes the sessions and refresh tokens that expired
	// before the given time, so the collections hold live sign-ins, not
	// their history.
	PurgeSessions(ctx context.Context, before time.Time) (int, error)

	// ClaimEmail reserves a normalized email for userID; ECONFLICT when taken.
	// Emails are claims with the address as primary key, so uniqueness holds
	// without a transaction and login reads by key, not by scan.
	ClaimEmail(ctx context.Context, email, userID string) error
	// ReleaseEmail undoes a claim (when creating the user fails).
	ReleaseEmail(ctx context.Context, email string) error
	// EmailOwner returns the id of the user holding email; ENOTFOUND if none.
	EmailOwner(ctx context.Context, email string) (string, error)

	// ChangeSeq returns a number that grows with every write to SMEs, challenges
	// and courses by any process sharing the database, and the ids written since
	// a given number, so a second serve process can bring its index up to date.
	Changes(ctx context.Context, since int64) ([]Change, int64, error)
	// RecordChange notes a write to kind/id for other processes.
	RecordChange(ctx context.Context, kind, id string) error
	// Origin names this store's changes in the log: it is new each time the
	// store is opened, so a process tells its own changes from the others'
	// (and from those of the process it replaced).
	Origin() string

	// Ping checks the database is reachable.
	Ping(ctx context.Context) error
	Close(ctx context.Context) error
}

// Change is one write noted for other processes.
type Change struct {
	Seq  int64
	Kind string
	ID   string
	// Origin is the Store.Origin of the process that noted it, At when.
	Origin string
	At     time.Time
}

// String is "{seq kind id}", for logs and tests.
func (c Change) String() string { return fmt.Sprintf("{%d %s %s}", c.Seq, c.Kind, c.ID) }

// Record kinds, as used by the search index, changes and ids.
const (
	KindSME       = "sme"
	KindChallenge = "challenge"
	KindCourse    = "course"
)

type forWriteKey struct{}

// ForWrite marks the reads made with ctx as reads for a write: what they
// return decides what is written, while the writer may hold a record's lock.
// A store may serve them the way it serves its writes (mongostore sends
// them with its writes, in process on the embedded database, so that they
// do not wait for the network poller of a busy server). They see the same
// data either way.
func ForWrite(ctx context.Context) context.Context {
	return context.WithValue(ctx, forWriteKey{}, true)
}

// IsForWrite reports whether ctx was marked by ForWrite.
func IsForWrite(ctx context.Context) bool {
	v, _ := ctx.Value(forWriteKey{}).(bool)
	return v
}
