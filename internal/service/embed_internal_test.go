package service

import (
	"context"
	"testing"
	"time"
)

// TestBackoff: waits double from the minimum up to the cap, and a success
// starts over.
func TestBackoff(t *testing.T) {
	b := backoff{min: time.Millisecond, max: 5 * time.Millisecond}
	var got []time.Duration
	for range 5 {
		got = append(got, b.next())
		if !b.wait(context.Background()) {
			t.Fatal("wait ended early")
		}
	}
	want := []time.Duration{1, 2, 4, 5, 5}
	for i := range want {
		if got[i] != want[i]*time.Millisecond {
			t.Fatalf("waits %v, want %v ms", got, want)
		}
	}
	b.reset()
	if b.next() != time.Millisecond {
		t.Errorf("after reset the wait is %v", b.next())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if (&backoff{min: time.Hour, max: time.Hour}).wait(ctx) {
		t.Error("wait outlived its context")
	}
}
