package service

import (
	"context"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// get reads a record by id; malformed ids are not found without a database trip.
func get[T domain.Record](ctx context.Context, c domain.Collection[T], id, kind string) (T, error) {
	var zero T
	if !domain.ValidID(id) {
		return zero, domain.NotFound(kind)
	}
	rec, err := c.Get(ctx, id)
	if err != nil {
		return zero, notFoundAs(err, kind)
	}
	return rec, nil
}

// read reads a record for showing it: the copy the search index keeps (see
// search), or the store's when the index has none or this process failed to
// index the record's last write (retryIndex). A read by id on the embedded
// database cost more CPU than anything but a search (a FerretDB find: ~1.3 ms
// under scripts/load), and profile pages, match lists and skills gaps each
// made one or two. The copy is as fresh as search results: this process
// indexes its own writes before acknowledging them, other processes' writes
// arrive with the next change sync. Writes and the checks they depend on read
// the store (get).
func read[T domain.Record](ctx context.Context, s *Service, c domain.Collection[T], kind, id, name string) (T, error) {
	var zero T
	if !domain.ValidID(id) {
		return zero, domain.NotFound(name)
	}
	if s.indexBehind(kind, id) {
		return get(ctx, c, id, name)
	}
	recs, found, err := indexed(ctx, s, kind, c, []string{id})
	if err != nil {
		return zero, notFoundAs(err, name)
	}
	if !found[0] {
		return zero, domain.NotFound(name)
	}
	return recs[0], nil
}

// change is one optimistic read-modify-write of a record: allow decides whether
// the actor may touch it at all (checked before the version, so a stranger learns
// nothing), apply edits it in place and validates.
type change[T domain.Record] struct {
	kind    string
	ifMatch int64
	allow   func(T) error
	apply   func(T) error
}

// update runs ch against the record with id. A version that changed between our
// read and write is reported as 412, never overwritten.
//
// It is one Modify: the store reads the record once, for ch and for its own
// version check.
func update[T domain.Record](ctx context.Context, c domain.Collection[T], id string, ch change[T]) (T, error) {
	var zero T
	if !domain.ValidID(id) {
		return zero, domain.NotFound(ch.kind)
	}
	var mine bool // whether an error came from ch, not from the store
	rec, err := c.Modify(ctx, id, func(rec T) error {
		mine = true
		if err := ch.allow(rec); err != nil {
			return err
		}
		if err := checkVersion(ch.ifMatch, rec.RecordMeta()); err != nil {
			return err
		}
		if err := ch.apply(rec); err != nil {
			return err
		}
		mine = false
		return nil
	})
	switch {
	case err == nil:
		return rec, nil
	case mine:
		return zero, err
	case domain.ErrorCode(err) == domain.EPRECONDITION:
		return zero, domain.Errorf(domain.EPRECONDITION, "The record was changed by someone else while you were saving. Reload and try again.")
	default:
		return zero, notFoundAs(err, ch.kind)
	}
}

// newID gives a record with an externalId the id derived from it.
func newID(kind, externalID string) string {
	if externalID != "" {
		return domain.KeyID(kind, externalID)
	}
	return domain.NewID()
}
