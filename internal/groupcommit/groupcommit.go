// Package groupcommit batches concurrent durable writes: callers that arrive
// while a commit is in flight queue up, and the next commit takes all of them
// at once, so n waiting writers pay for one round trip (one database
// transaction, one index segment) instead of n in a row.
//
// There is no background goroutine and no timer. The first caller to find the
// group idle becomes the leader and commits at once, alone: a write without
// contention costs what it did without batching. Callers that arrive during a
// commit wait; when it ends, the leader hands leadership to the oldest waiter,
// with everything queued by then as its batch. Every caller returns only
// after the commit that held its item has returned, with that commit's error.
//
// A group made with NewParallel lets more than one commit be in flight: a
// caller finding fewer running leads at once, as a caller finding the group
// idle does. For writes whose commits may overlap (different records), so
// that a writer does not wait for a whole commit it could not join.
package groupcommit

import "sync"

// Group commits items of type T. The zero value is not usable; see New.
type Group[T any] struct {
	commit   func([]T) error
	max      int
	parallel int

	mu      sync.Mutex
	running int // leaders committing, or chosen and about to
	queue   []*waiter[T]
}

type waiter[T any] struct {
	item T
	// done is closed when the item's commit has returned (err is then
	// set), or when the waiter is made leader (lead is then set).
	done  chan struct{}
	lead  bool
	batch []*waiter[T] // set with lead: the batch to commit, w first
	err   error
}

// New returns a group that commits with commit, at most max items at a time
// (max < 1 means no limit). commit is never called concurrently with itself,
// and never with an empty slice; it must not keep the slice.
func New[T any](max int, commit func([]T) error) *Group[T] {
	return &Group[T]{commit: commit, max: max, parallel: 1}
}

// NewParallel is New with up to parallel commits in flight at once: commit is
// then called concurrently with itself, never with the same item twice.
func NewParallel[T any](most, parallel int, commit func([]T) error) *Group[T] {
	return &Group[T]{commit: commit, max: most, parallel: max(parallel, 1)}
}

// Do queues item and returns once a commit holding it has returned, with that
// commit's error. A commit that fails fails every item in it: commit cannot
// say which items were written, so each caller must treat its item as not
// written (and it may have been).
func (g *Group[T]) Do(item T) error {
	w := &waiter[T]{item: item, done: make(chan struct{})}
	g.mu.Lock()
	g.queue = append(g.queue, w)
	if g.running >= g.parallel {
		g.mu.Unlock()
		<-w.done
		if !w.lead {
			return w.err
		}
		return g.run(w, w.batch) // made leader, of the batch taken for it
	}
	g.running++
	batch := g.take()
	g.mu.Unlock()
	return g.run(w, batch)
}

// take removes the next batch from the queue, oldest first. g.mu is held.
func (g *Group[T]) take() []*waiter[T] {
	n := len(g.queue)
	if g.max > 0 && n > g.max {
		n = g.max
	}
	batch := g.queue[:n:n]
	g.queue = append([]*waiter[T](nil), g.queue[n:]...)
	return batch
}

// run commits batch, led by w, releases its waiters and hands on leadership.
// A panicking commit still releases them (with an error) and hands on before
// the panic goes on up w's stack, so nobody waits for ever.
func (g *Group[T]) run(w *waiter[T], batch []*waiter[T]) (err error) {
	items := make([]T, len(batch))
	for i, o := range batch {
		items[i] = o.item
	}
	panicked := true
	defer func() {
		if panicked {
			err = errPanicked
		}
		for _, o := range batch {
			o.err = err
			if o != w {
				close(o.done)
			}
		}
		g.mu.Lock()
		if len(g.queue) > 0 {
			// The batch is taken here, not by the next leader once it
			// runs: another commit ending meanwhile must not hand the same
			// waiter on.
			next := g.queue[0]
			next.batch = g.take()
			next.lead = true
			close(next.done)
		} else {
			g.running--
		}
		g.mu.Unlock()
	}()
	err = g.commit(items)
	panicked = false
	return err
}

type panicError struct{}

func (panicError) Error() string { return "groupcommit: commit panicked" }

var errPanicked error = panicError{}
