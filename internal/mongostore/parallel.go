package mongostore

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// workers bounds the primary-key reads and writes done in parallel. FerretDB
// answers one in about 0.3 ms; done one at a time, re-importing 100k records or
// catching up 5000 changes would spend most of its time waiting on round trips.
const workers = 8

// parallel calls fn(0) … fn(n-1), workers at a time, and returns the first
// error (after which no further calls start).
func parallel(ctx context.Context, n int, fn func(i int) error) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range min(workers, n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(i); err != nil {
					errs[w] = err
					next.Store(int64(n))
					return
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return ctx.Err()
}
