package service

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// At most one piece of CPU work per slot runs at once; the rest wait, and a
// caller whose context ends while it waits gets EUNAVAILABLE without its
// work running.
func TestComputeSlots(t *testing.T) {
	s := &Service{slots: newComputeSlots(2)}
	var running, most atomic.Int32
	release := make(chan struct{})
	work := func() (int, error) {
		n := running.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		<-release
		running.Add(-1)
		return 7, nil
	}
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if v, err := compute(context.Background(), s, work); v != 7 || err != nil {
				t.Errorf("compute = %d, %v", v, err)
			}
		}()
	}
	// Wait until two are running and the others queue.
	for deadline := time.Now().Add(5 * time.Second); running.Load() < 2; {
		if time.Now().After(deadline) {
			t.Fatal("the work never started")
		}
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	ran := false
	_, err := compute(ctx, s, func() (int, error) { ran = true; return 0, nil })
	if domain.ErrorCode(err) != domain.EUNAVAILABLE || ran {
		t.Errorf("while the slots are busy: err %v (ran %v), want EUNAVAILABLE and not run", err, ran)
	}
	close(release)
	wg.Wait()
	if m := most.Load(); m != 2 {
		t.Errorf("%d ran at once, want 2", m)
	}
	// A slot is given back whatever the work returns.
	boom := errors.New("boom")
	for range 3 {
		if _, err := compute(context.Background(), s, func() (int, error) { return 0, boom }); !errors.Is(err, boom) {
			t.Fatalf("err %v, want boom", err)
		}
	}
	if len(s.slots) != 0 {
		t.Errorf("%d slots still taken", len(s.slots))
	}
	if n := cap(newComputeSlots(0)); n < 1 {
		t.Errorf("default slots %d", n)
	}
}
