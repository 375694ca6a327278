package service

import (
	"context"
	"runtime"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// Compute slots bound the CPU-bound work the service does at once — a search
// of the index, a ranking of matches or of a skills gap — to the number of
// CPUs, while the rest of a request (its reads and writes of the database)
// runs unbounded.
//
// Why: Go's scheduler has no priorities. With a dozen searches runnable on
// two cores, every goroutine that wakes up waits behind them for its turn: the
// database's own goroutines (the embedded database runs in this process) and
// the edits, which wait like that at each of their round trips, one after
// the other. Under scripts/load, at 500 requests/s on two cores, edits took
// hundreds of milliseconds while the same searches took a few. With at most
// one search per CPU, the others queue here, in order, and whatever wakes up
// finds a CPU soon: p99 of the whole mix fell from 175-600 ms to 45-90 ms
// in back-to-back runs, searches included, because the database reads of the
// reads got faster too. One slot on two CPUs did not help the edits (p95 66
// and 74 ms against 76 and 119) and slowed the searches (p99 94 and 128 ms
// against 48 and 72).
type computeSlots chan struct{}

func newComputeSlots(n int) computeSlots {
	if n < 1 {
		n = runtime.GOMAXPROCS(0)
	}
	return make(computeSlots, n)
}

// compute runs fn in a compute slot, waiting in order for one. A request
// whose context ends while it waits gets EUNAVAILABLE and fn does not run.
func compute[T any](ctx context.Context, s *Service, fn func() (T, error)) (T, error) {
	select {
	case s.slots <- struct{}{}:
	case <-ctx.Done():
		var zero T
		return zero, &domain.Error{Code: domain.EUNAVAILABLE, Message: "The server is busy. Try again in a moment."}
	}
	defer func() { <-s.slots }()
	return fn()
}
