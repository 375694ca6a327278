package match

import "github.com/bettermatch/bettermatch/internal/domain"

// Writes do not wait for the matches being computed.
//
// A match list or a skills gap holds the read lock for its whole ranking,
// milliseconds of CPU and more when the CPUs are busy, and a write needs the
// write lock. Put used to take it on the edit's own path (the service calls it
// after every write it acknowledges), so each edit waited for the slowest
// ranking in flight, and every ranking that started meanwhile waited behind
// the edit (sync.RWMutex holds new readers back while a writer waits). Under
// scripts/load at 500 requests/s, timed in a throwaway build, that wait was
// 11-64 ms at p99 of the profile edits and up to 67 ms, while the update itself
// took 0.3-2 ms at p99. (Three alternating pairs of whole runs did not show it
// above the machine's noise: p99 159, 403 and 265 ms against 149, 274 and
// 398 ms before.) Put also bumped the corpus generation for records the
// matcher does not keep, responses, which made the association table and the
// prepared challenge queries stale for nothing.
//
// So Put takes the write lock only when it is free (TryLock); otherwise it
// queues the analysed records and returns, and a goroutine of its own applies
// the queue once the rankings in flight are done. Nothing is lost to the
// queue and nothing in it is missed: a reader applies whatever is queued before
// it ranks (rlock), so a ranking that starts after a Put returned sees that
// Put's records, as when Put applied them itself, and the corpus takes the
// records in the order their Puts queued them. Remove applies the queue first
// too, so a record put before its removal does not come back after it. The
// rankings that start while the drain waits for the lock still wait behind
// it, as they waited behind Put before; only the edit no longer does.

// pendingPut is one analysed record waiting to be applied.
type pendingPut struct {
	rec domain.Record
	a   *analysed
}

// put applies ps now if the write lock is free, and otherwise queues them
// for the drain goroutine (starting it if none is due to run).
func (e *Engine) put(ps []pendingPut) {
	if e.mu.TryLock() {
		e.applyPending()
		e.apply(ps)
		e.mu.Unlock()
		return
	}
	if e.enqueue(ps) {
		go e.drain()
	}
}

// enqueue queues ps and reports whether the caller must start a drain for
// them (none is due to run).
func (e *Engine) enqueue(ps []pendingPut) (start bool) {
	e.pmu.Lock()
	defer e.pmu.Unlock()
	e.pending = append(e.pending, ps...)
	e.npending.Add(int64(len(ps)))
	start = !e.draining
	e.draining = true
	return start
}

// drain applies the queue under the write lock.
func (e *Engine) drain() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.applyPending()
}

// applyPending applies the queued records, in order. The caller holds the
// write lock. Records queued after it took the queue start a drain of their
// own (draining is false from then on).
func (e *Engine) applyPending() {
	if e.npending.Load() == 0 {
		return
	}
	e.pmu.Lock()
	ps := e.pending
	e.pending = nil
	e.draining = false
	e.pmu.Unlock()
	e.apply(ps)
	e.npending.Add(-int64(len(ps)))
}

// rlock takes the read lock with every record queued before the call applied.
func (e *Engine) rlock() {
	e.mu.RLock()
	if e.npending.Load() == 0 {
		return
	}
	e.mu.RUnlock()
	e.mu.Lock()
	e.applyPending()
	e.mu.Unlock()
	// Records queued since are not this reader's to wait for: their Puts
	// had not returned when it began.
	e.mu.RLock()
}
