package mongostore

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A record's lock excludes its other users only: a held lock never holds up
// another record, and locks are let go of once nobody holds or waits for them.
func TestRecordLocks(t *testing.T) {
	var r recordLocks
	unlockA := r.lock("a")
	done := make(chan struct{})
	go func() {
		for i := range 1000 { // ids that shared a's stripe once are no different
			r.lock(string(rune('b' + i%50)))()
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("other records waited for a's lock")
	}

	var inside, most atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			unlock := r.lock("a")
			n := inside.Add(1)
			if n > most.Load() {
				most.Store(n)
			}
			time.Sleep(time.Millisecond)
			inside.Add(-1)
			unlock()
		})
	}
	time.Sleep(5 * time.Millisecond)
	if inside.Load() != 0 {
		t.Fatal("a's lock was taken while held")
	}
	unlockA()
	wg.Wait()
	if most.Load() != 1 {
		t.Fatalf("%d holders of a's lock at once", most.Load())
	}
	if len(r.m) != 0 {
		t.Fatalf("%d locks kept after use", len(r.m))
	}
}
