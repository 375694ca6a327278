package mongostore

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

func TestChanges(t *testing.T) {
	ctx := context.Background()
	a := mustOpen(t)
	b := mustOpenDB(t, a.db.Name()) // a second process on the same database

	if got, head, err := b.Changes(ctx, -1); err != nil || head != 0 || got != nil {
		t.Fatalf("empty log: %v %d %v", got, head, err)
	}
	for i := range 3 {
		if err := a.RecordChange(ctx, domain.KindSME, fmt.Sprint("s", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.RecordChange(ctx, domain.KindCourse, "c0"); err != nil {
		t.Fatal(err)
	}
	got, last, err := b.Changes(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := "[{1 sme s0} {2 sme s1} {3 sme s2} {4 course c0}]"
	if fmt.Sprint(got) != want || last != 4 {
		t.Fatalf("Changes(0) = %v, %d; want %s, 4", got, last, want)
	}
	got, last, err = a.Changes(ctx, 2)
	if err != nil || fmt.Sprint(got) != "[{3 sme s2} {4 course c0}]" || last != 4 {
		t.Fatalf("Changes(2) = %v, %d, %v", got, last, err)
	}
	if got, last, err := a.Changes(ctx, 4); err != nil || got != nil || last != 4 {
		t.Fatalf("Changes(4) = %v, %d, %v", got, last, err)
	}
	if _, head, err := a.Changes(ctx, -1); err != nil || head != 4 {
		t.Fatalf("head %d %v", head, err)
	}

	// Concurrent writers in two processes never share a number.
	errs := make(chan error, 40)
	for i := range 40 {
		s := a
		if i%2 == 1 {
			s = b
		}
		go func() { errs <- s.RecordChange(ctx, domain.KindChallenge, fmt.Sprint("x", i)) }()
	}
	for range 40 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	got, last, err = a.Changes(ctx, 4)
	if err != nil || len(got) != 40 || last != 44 {
		t.Fatalf("after concurrent writes: %d changes, last %d, %v", len(got), last, err)
	}
	seen := map[string]bool{}
	for _, c := range got {
		seen[c.ID] = true
	}
	if len(seen) != 40 {
		t.Fatalf("%d distinct ids among 40 changes", len(seen))
	}
}

// A number drawn but never written (a writer that died) holds readers up only
// for the grace period.
func TestChangesGap(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	s.log.grace = 300 * time.Millisecond
	if err := s.RecordChange(ctx, domain.KindSME, "a"); err != nil {
		t.Fatal(err)
	}
	var ctr counterDoc
	inc := map[string]any{"$inc": map[string]any{"seq": int64(1)}}
	if err := s.log.counters.FindOneAndUpdate(ctx, byID(counterID), inc).Decode(&ctr); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordChange(ctx, domain.KindSME, "c"); err != nil {
		t.Fatal(err)
	}
	got, last, err := s.Changes(ctx, 0)
	if err != nil || fmt.Sprint(got) != "[{1 sme a}]" || last != 1 {
		t.Fatalf("before grace: %v %d %v", got, last, err)
	}
	time.Sleep(400 * time.Millisecond)
	got, last, err = s.Changes(ctx, 1)
	if err != nil || fmt.Sprint(got) != "[{3 sme c}]" || last != 3 {
		t.Fatalf("after grace: %v %d %v", got, last, err)
	}
}
