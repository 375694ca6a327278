package service

import (
	"sync"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// applyOrder makes the search index and the matcher take one record's writes
// in the order the store made them.
//
// afterWrite runs once the store's write has returned, outside the record's
// lock, so two edits of one record can reach it in either order. Applied as
// they came, the older one overwrote the newer in the index, which GETs read,
// and stayed there until the record's next write: an acknowledged update that
// every reader then missed (TestConcurrentUpdatesNeverOverwrite saw v22 after
// v23 was acknowledged in 2 of 30 runs). So each record's writes and deletes
// are applied one at a time, and one older than what was applied is skipped.
//
// Older means: a lower version of the same record (the same creation time),
// or a record created before the last one applied, or before the record was
// deleted here — a write that raced with the delete must not bring it back,
// while the same id created again after the delete is newer.
//
// The sync takes its turn too (sync.go's apply and reload): what it indexes
// is a read of the store, and that read can be older than a write this
// process applied while the read was on its way (a GET then showed the read's
// version until the record's next write). A record the sync found is a write
// like any other (write, batch); one it did not find is absent, which yields
// to anything applied after the read began.
type applyOrder struct {
	mu    sync.Mutex
	recs  map[[2]string]*applied
	calls int // since the last prune
}

// applied is what was last applied of one record.
type applied struct {
	mu      sync.Mutex // held while one of the record's writes is applied
	refs    int        // callers holding or waiting for mu; under applyOrder.mu
	created time.Time  // the record's creation time, or when it was deleted
	version int64
	gone    bool
	at      time.Time // when a write or delete was last applied
	used    time.Time // for pruning; under applyOrder.mu
}

// orderKeep is how long a record's last applied write is remembered. A write
// reaches afterWrite within its request, so a later one cannot come after
// this.
const orderKeep = 2 * time.Minute

// write applies fn for the record's write of version, created at created,
// unless a newer write or a delete of the record was applied already. A write
// fn fails to apply counts as not applied, so that its retry (retryIndex) is
// not skipped as already done.
func (o *applyOrder) write(kind, id string, created time.Time, version int64, fn func() error) error {
	a := o.acquire(kind, id)
	defer o.release(a)
	if a.older(created, version) {
		return nil // the index already has a newer write, or the delete
	}
	if err := fn(); err != nil {
		return err
	}
	a.wrote(created, version, time.Now())
	return nil
}

// wrote records the record's write of version, created at created, as
// applied at at.
func (a *applied) wrote(created time.Time, version int64, at time.Time) {
	a.created, a.version, a.gone, a.at = created, version, false, at
}

// older reports whether the write of version, created at created, is older
// than what was applied: a record created before the one applied or before
// the delete, or an earlier version of the one applied. Nothing applied yet
// (zero) is older than any stored record, whose version is at least 1.
func (a *applied) older(created time.Time, version int64) bool {
	if a.gone {
		return created.Before(a.created)
	}
	return created.Before(a.created) || created.Equal(a.created) && version <= a.version
}

// remove applies fn for a delete of the record, made at at. Writes of the
// record created before at are skipped from then on, even when fn failed: its
// retry finds the record absent.
func (o *applyOrder) remove(kind, id string, at time.Time, fn func()) {
	a := o.acquire(kind, id)
	defer o.release(a)
	fn()
	a.created, a.version, a.gone, a.at = at.Truncate(time.Millisecond), 0, true, time.Now()
}

// absent applies fn for a record a read that began at readAt did not find,
// unless a write of it was applied since: that write may be newer than the
// absence (the same id created again), and when it is not, the delete's own
// note is read again once it has settled, and its record found absent then.
//
// It leaves no tombstone, unlike remove: a record not found may be one whose
// create has not landed yet (another process notes a write before making
// it), and a tombstone from now would hide that create, which began earlier.
func (o *applyOrder) absent(kind, id string, readAt time.Time, fn func() error) error {
	a := o.acquire(kind, id)
	defer o.release(a)
	if !a.gone && a.at.After(readAt) {
		return nil
	}
	return fn()
}

// batch applies fn to those of recs (records of kind, just read from the
// store) that no newer write or delete was applied for, as write would for
// each, holding every one's turn while fn runs. Only one batch runs at a time
// (the sync's lock, or start-up before the sync runs); writes take one turn
// each, so holding many cannot deadlock.
func (o *applyOrder) batch(kind string, recs []domain.Record, fn func([]domain.Record) error) error {
	var held []*applied
	defer func() {
		for _, a := range held {
			o.release(a)
		}
	}()
	var fresh []domain.Record
	var turns []*applied // fresh's
	seen := make(map[string]bool, len(recs))
	for _, r := range recs {
		m := r.RecordMeta()
		if seen[m.ID] {
			continue // a second turn would wait for the first
		}
		seen[m.ID] = true
		a := o.acquire(kind, m.ID)
		held = append(held, a)
		if !a.older(m.CreatedAt, m.Version) {
			fresh, turns = append(fresh, r), append(turns, a)
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	if err := fn(fresh); err != nil {
		return err
	}
	now := time.Now()
	for i, r := range fresh {
		m := r.RecordMeta()
		turns[i].wrote(m.CreatedAt, m.Version, now)
	}
	return nil
}

func (o *applyOrder) acquire(kind, id string) *applied {
	k := [2]string{kind, id}
	o.mu.Lock()
	if o.recs == nil {
		o.recs = map[[2]string]*applied{}
	}
	a := o.recs[k]
	if a == nil {
		a = &applied{}
		o.recs[k] = a
	}
	a.refs++
	o.mu.Unlock()
	a.mu.Lock()
	return a
}

func (o *applyOrder) release(a *applied) {
	a.mu.Unlock()
	now := time.Now()
	o.mu.Lock()
	defer o.mu.Unlock()
	a.refs--
	a.used = now
	if o.calls++; o.calls < 1024 {
		return
	}
	o.calls = 0
	for k, r := range o.recs {
		if r.refs == 0 && now.Sub(r.used) > orderKeep {
			delete(o.recs, k)
		}
	}
}
