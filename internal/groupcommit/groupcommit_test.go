package groupcommit

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Every item is committed exactly once, before its caller returns; commits
// never overlap; waiting callers are batched; no batch exceeds max.
func TestDo(t *testing.T) {
	const callers, max = 200, 16
	var (
		mu        sync.Mutex
		committed = map[int]bool{}
		batches   int
		inFlight  atomic.Int32
	)
	g := New(max, func(items []int) error {
		if inFlight.Add(1) != 1 {
			t.Error("commits overlap")
		}
		defer inFlight.Add(-1)
		if len(items) == 0 || len(items) > max {
			t.Errorf("batch of %d", len(items))
		}
		time.Sleep(2 * time.Millisecond)
		mu.Lock()
		defer mu.Unlock()
		batches++
		for _, it := range items {
			if committed[it] {
				t.Errorf("item %d committed twice", it)
			}
			committed[it] = true
		}
		return nil
	})
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			if err := g.Do(i); err != nil {
				t.Error(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if !committed[i] {
				t.Errorf("Do(%d) returned before its commit", i)
			}
		})
	}
	wg.Wait()
	if len(committed) != callers {
		t.Fatalf("%d of %d committed", len(committed), callers)
	}
	if batches >= callers/2 {
		t.Fatalf("%d batches for %d concurrent callers: not batching", batches, callers)
	}
	t.Logf("%d callers, %d commits", callers, batches)
}

// A lone caller commits at once, alone.
func TestDoAlone(t *testing.T) {
	var got [][]string
	g := New(0, func(items []string) error {
		got = append(got, append([]string(nil), items...))
		return nil
	})
	for _, s := range []string{"a", "b"} {
		if err := g.Do(s); err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != 2 || got[0][0] != "a" || got[1][0] != "b" {
		t.Fatalf("commits %v", got)
	}
}

// A failed commit fails every caller in it; a panic in a commit reaches its
// leader, and the group goes on.
func TestDoErrors(t *testing.T) {
	boom := errors.New("boom")
	release := make(chan struct{})
	var calls atomic.Int32
	g := New(0, func(items []int) error {
		switch calls.Add(1) {
		case 1:
			<-release // hold the first commit so the others queue up
			return nil
		case 2:
			return boom
		}
		return nil
	})
	first := make(chan error)
	go func() { first <- g.Do(0) }()
	for calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	errs := make(chan error, 3)
	for i := range 3 {
		go func() { errs <- g.Do(i + 1) }()
	}
	time.Sleep(20 * time.Millisecond)
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := <-errs; !errors.Is(err, boom) {
			t.Fatalf("queued caller got %v, want boom", err)
		}
	}

	// Second round: the leader panics, a waiter is released with an error.
	hold := make(chan struct{})
	g2 := New(0, func(items []int) error {
		if items[0] == 0 {
			<-hold
			panic("bang")
		}
		return nil
	})
	waiter := make(chan error, 1)
	leaderPanicked := make(chan any, 1)
	go func() {
		defer func() { leaderPanicked <- recover() }()
		_ = g2.Do(0)
	}()
	time.Sleep(10 * time.Millisecond)
	go func() { waiter <- g2.Do(1) }() // queued behind the leader; commits after it
	time.Sleep(10 * time.Millisecond)
	close(hold)
	if r := <-leaderPanicked; r != "bang" {
		t.Fatalf("leader recovered %v", r)
	}
	if err := <-waiter; err != nil {
		t.Fatalf("waiter behind a panicked commit: %v (it is committed by the next leader)", err)
	}
	if err := g2.Do(2); err != nil {
		t.Fatalf("group after a panic: %v", err)
	}
}
