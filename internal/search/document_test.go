package search

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// TestSortKeysKeepOrder: the compact sort keys order as the times and hex ids
// they are made from.
func TestSortKeysKeepOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 9))
	times := []time.Time{{}, time.Date(1, 1, 1, 0, 0, 0, 1e6, time.UTC), time.Unix(0, 0), time.Date(9999, 12, 31, 23, 59, 59, 999e6, time.UTC)}
	for range 2000 {
		times = append(times, time.UnixMilli(r.Int64N(1<<45)-1<<44))
	}
	for i := range times {
		for j := range times {
			a, b := times[i], times[j]
			if got, want := compare(timeKey(a), timeKey(b)), compare(a.UnixMilli(), b.UnixMilli()); got != want {
				t.Fatalf("timeKey(%v) vs timeKey(%v) = %d, want %d", a, b, got, want)
			}
		}
	}
	ids := []string{"000000000000000000000000", "ffffffffffffffffffffffff", "0123456789abcdef01234567"}
	for range 500 {
		ids = append(ids, fmt.Sprintf("%024x", r.Uint64()<<32|uint64(r.Uint32())))
	}
	for _, a := range ids {
		for _, b := range ids {
			if got, want := compare(sortable(a), sortable(b)), compare(a, b); got != want {
				t.Fatalf("sortable(%s) vs sortable(%s) = %d, want %d", a, b, got, want)
			}
		}
		if len(sortable(a)) != 16 {
			t.Fatalf("sortable(%s) = %q, want 16 characters", a, sortable(a))
		}
	}
	if got := sortable("open-genoa"); got != "open-genoa" {
		t.Errorf("sortable of a non-hex id = %q, want it unchanged", got)
	}
}

func compare[T int64 | string](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
