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
	if a.Origin() == b.Origin() || got[0].Origin != a.Origin() || got[3].Origin != b.Origin() || got[3].At.IsZero() {
		t.Errorf("origins %q and %q: changes carry %q and %q (at %v)", a.Origin(), b.Origin(), got[0].Origin, got[3].Origin, got[3].At)
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

	// Concurrent writers in two processes never share a number (and each
	// process group-commits its own).
	const writers = 200
	errs := make(chan error, writers)
	for i := range writers {
		s := a
		if i%2 == 1 {
			s = b
		}
		go func() { errs <- s.RecordChange(ctx, domain.KindChallenge, fmt.Sprint("x", i)) }()
	}
	for range writers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	// The counter may have gone past 4+writers: FerretDB's $inc is not
	// atomic across processes, and a block drawn twice is drawn again. But
	// every change is there, and readers are not held up by holes.
	got, last, err = a.Changes(ctx, 4)
	if err != nil || len(got) != writers {
		t.Fatalf("after concurrent writes: %d changes, last %d, %v", len(got), last, err)
	}
	seen := map[string]bool{}
	for _, c := range got {
		seen[c.ID] = true
	}
	if len(seen) != writers {
		t.Fatalf("%d distinct ids among %d changes", len(seen), writers)
	}
	// a has its own changes from memory and b's from the log; b reads all
	// from the log. They must agree to the millisecond.
	fromB, lastB, err := b.Changes(ctx, 4)
	if err != nil || lastB != last || len(fromB) != len(got) {
		t.Fatalf("b read %d changes to %d (%v); a %d to %d", len(fromB), lastB, err, len(got), last)
	}
	for i := range got {
		x, y := got[i], fromB[i]
		if x.Seq != y.Seq || x.Kind != y.Kind || x.ID != y.ID || x.Origin != y.Origin || !x.At.Equal(y.At) {
			t.Fatalf("change %d: a has %+v, b %+v", i, x, y)
		}
	}
}

// A block of numbers partly drawn by another process too: the documents that
// do not collide are written under their numbers, the ones that do are drawn
// again, and the log has no hole.
func TestRecordChangeCollision(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	if err := s.RecordChange(ctx, domain.KindSME, "a"); err != nil {
		t.Fatal(err)
	}
	// Another process wrote number 2 but its $inc was lost (FerretDB).
	if _, err := s.log.changes.InsertOne(ctx, changeDoc{ID: seqKey(2), Seq: 2, Kind: domain.KindCourse, RecordID: "other"}); err != nil {
		t.Fatal(err)
	}
	reqs := []changeReq{{ctx, domain.KindSME, "b"}, {ctx, domain.KindSME, "c"}, {ctx, domain.KindSME, "d"}}
	if err := s.log.commitChanges([][]changeReq{reqs}); err != nil {
		t.Fatal(err)
	}
	got, last, err := s.Changes(ctx, 0)
	want := "[{1 sme a} {2 course other} {3 sme c} {4 sme d} {5 sme b}]"
	if err != nil || fmt.Sprint(got) != want || last != 5 {
		t.Fatalf("Changes = %v, %d, %v; want %s, 5", got, last, err, want)
	}
}

// A number drawn but never written (a writer that died) holds readers up only
// for the grace period. This is the log as on MongoDB, where numbers are
// reserved with $inc before they are written.
func TestChangesGap(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	s.log.local = false
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

// Another process wrote a run of changes past ours and has not raised the
// counter: our next block collides with it and is drawn again after the run.
func TestRecordChangeAfterForeignRun(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	if err := s.RecordChange(ctx, domain.KindSME, "a"); err != nil {
		t.Fatal(err)
	}
	for seq := int64(2); seq <= 6; seq++ {
		if _, err := s.log.changes.InsertOne(ctx, changeDoc{ID: seqKey(seq), Seq: seq, Kind: domain.KindCourse, RecordID: fmt.Sprint("o", seq)}); err != nil {
			t.Fatal(err)
		}
	}
	reqs := []changeReq{{ctx, domain.KindSME, "b"}, {ctx, domain.KindSME, "c"}}
	if err := s.log.commitChanges([][]changeReq{reqs}); err != nil {
		t.Fatal(err)
	}
	got, last, err := s.Changes(ctx, 0)
	want := "[{1 sme a} {2 course o2} {3 course o3} {4 course o4} {5 course o5} {6 course o6} {7 sme b} {8 sme c}]"
	if err != nil || fmt.Sprint(got) != want || last != 8 {
		t.Fatalf("Changes = %v, %d, %v; want %s, 8", got, last, err, want)
	}
}

// On FerretDB the counter is raised after the writes, in the background:
// readers find the changes past it all the same, and it catches up.
func TestChangesPastCounter(t *testing.T) {
	ctx := context.Background()
	a := mustOpen(t)
	if !a.log.local {
		t.Skip("numbers are drawn locally only on FerretDB")
	}
	b := mustOpenDB(t, a.db.Name())
	a.log.stopRaising(ctx) // hold the counter back
	for i := range 5 {
		if err := a.RecordChange(ctx, domain.KindSME, fmt.Sprint("s", i)); err != nil {
			t.Fatal(err)
		}
	}
	ctr, err := a.log.counter(ctx)
	if err != nil || ctr.Seq >= 5 {
		t.Fatalf("counter %d (%v): want it behind the log for this test", ctr.Seq, err)
	}
	got, last, err := b.Changes(ctx, 0)
	if err != nil || len(got) != 5 || last != 5 {
		t.Fatalf("another process read %v to %d (%v); want 5 changes to 5", got, last, err)
	}
	if _, head, err := b.Changes(ctx, -1); err != nil || head != 5 {
		t.Fatalf("head %d (%v), want 5", head, err)
	}
	// b draws after the run, not at the counter.
	if err := b.RecordChange(ctx, domain.KindCourse, "c"); err != nil {
		t.Fatal(err)
	}
	if got, last, err := a.Changes(ctx, 5); err != nil || fmt.Sprint(got) != "[{6 course c}]" || last != 6 {
		t.Fatalf("after b's write: %v to %d (%v)", got, last, err)
	}
	// b raises the counter in the background, soon.
	deadline := time.Now().Add(5 * time.Second)
	for {
		ctr, err := b.log.counter(ctx)
		if err == nil && ctr.Seq == 6 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("counter %d (%v), want 6", ctr.Seq, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Past the counter a missing number is the end of the log, or an insert in
// flight: readers stop there however long it stays missing (never skipping a
// change that may still come), and the next writer fills it.
func TestChangesHolePastCounter(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	if !s.log.local {
		t.Skip("numbers are drawn locally only on FerretDB")
	}
	s.log.grace = 50 * time.Millisecond
	if err := s.RecordChange(ctx, domain.KindSME, "a"); err != nil {
		t.Fatal(err)
	}
	s.log.stopRaising(ctx)
	// Number 3 written by a writer whose number 2 is still on its way.
	if _, err := s.log.changes.InsertOne(ctx, changeDoc{ID: seqKey(3), Seq: 3, Kind: domain.KindCourse, RecordID: "other", At: now()}); err != nil {
		t.Fatal(err)
	}
	r := mustOpenDB(t, s.db.Name())
	for range 2 {
		got, last, err := r.Changes(ctx, 0)
		if err != nil || fmt.Sprint(got) != "[{1 sme a}]" || last != 1 {
			t.Fatalf("with 2 missing: %v to %d (%v); want only 1", got, last, err)
		}
		time.Sleep(100 * time.Millisecond) // past the grace: still not skipped
	}
	if err := s.RecordChange(ctx, domain.KindSME, "b"); err != nil {
		t.Fatal(err)
	}
	got, last, err := r.Changes(ctx, 1)
	if err != nil || fmt.Sprint(got) != "[{2 sme b} {3 course other}]" || last != 3 {
		t.Fatalf("after the next write: %v to %d (%v)", got, last, err)
	}
}
