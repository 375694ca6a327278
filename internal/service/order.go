package service

import (
	"sync"
	"time"
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
	used    time.Time // for pruning; under applyOrder.mu
}

// orderKeep is how long a record's last applied write is remembered. A write
// reaches afterWrite within its request, so a later one cannot come after
// this.
const orderKeep = 2 * time.Minute

// write applies fn for the record's write of version, created at created,
// unless a newer write or a delete of the record was applied already.
func (o *applyOrder) write(kind, id string, created time.Time, version int64, fn func()) {
	a := o.acquire(kind, id)
	defer o.release(a)
	if a.older(created, version) {
		return // the index already has a newer write, or the delete
	}
	fn()
	a.created, a.version, a.gone = created, version, false
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
// record created before at are skipped from then on.
func (o *applyOrder) remove(kind, id string, at time.Time, fn func()) {
	a := o.acquire(kind, id)
	defer o.release(a)
	fn()
	a.created, a.version, a.gone = at.Truncate(time.Millisecond), 0, true
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
