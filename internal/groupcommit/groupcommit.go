// Package groupcommit batches concurrent durable writes: callers that arrive
// while a commit is in flight queue up, and the next commit takes all of them
// at once, so n waiting writers pay for one round trip (one database
// transaction, one index segment) instead of n in a row.
//
// There is no background goroutine and no timer. The first caller to find the
// group idle becomes the leader and commits at once, alone: a write without
// contention costs what it did without batching. Callers that arrive during a
// commit wait; when it ends, the leader hands leadership to the oldest waiter,
// whose commit takes everything queued by then. Every caller returns only
// after the commit that held its item has returned, with that commit's error.
package groupcommit

import "sync"

// Group commits items of type T. The zero value is not usable; see New.
type Group[T any] struct {
	commit func([]T) error
	max    int

	mu    sync.Mutex
	busy  bool // a leader is committing, or has been chosen and will
	queue []*waiter[T]
}

type waiter[T any] struct {
	item T
	// done is closed when the item's commit has returned (err is then
	// set), or when the waiter is made leader (lead is then set).
	done chan struct{}
	lead bool
	err  error
}

// New returns a group that commits with commit, at most max items at a time
// (max < 1 means no limit). commit is never called concurrently with itself,
// and never with an empty slice; it must not keep the slice.
func New[T any](max int, commit func([]T) error) *Group[T] {
	return &Group[T]{commit: commit, max: max}
}

// Do queues item and returns once a commit holding it has returned, with that
// commit's error. A commit that fails fails every item in it: commit cannot
// say which items were written, so each caller must treat its item as not
// written (and it may have been).
func (g *Group[T]) Do(item T) error {
	w := &waiter[T]{item: item, done: make(chan struct{})}
	g.mu.Lock()
	g.queue = append(g.queue, w)
	if g.busy {
		g.mu.Unlock()
		<-w.done
		if !w.lead {
			return w.err
		}
		// Made leader: w is at the head of the queue, so the batch taken
		// below holds it.
		g.mu.Lock()
	}
	g.busy = true
	n := len(g.queue)
	if g.max > 0 && n > g.max {
		n = g.max
	}
	batch := g.queue[:n:n]
	g.queue = append([]*waiter[T](nil), g.queue[n:]...)
	g.mu.Unlock()
	return g.run(w, batch)
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
			next := g.queue[0]
			next.lead = true
			close(next.done)
		} else {
			g.busy = false
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
