package match_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/match"
)

// An edit's Put must not wait for the rankings in flight, and a ranking that
// starts after the Put returned must still see it.
func TestPutDoesNotWaitForRankings(t *testing.T) {
	e := newEngine()
	e.Put(corpus()...)
	c := challenge("c1", domain.ChallengeOpen, now.Add(time.Hour), "Cleaning", "Clean our offices and schools.", []string{"cleaning"}, nil, nil)

	release := match.HoldRanking(e)
	put := make(chan struct{})
	go func() {
		e.Put(sme("taxi", "West Midlands", "We now clean offices, schools and leisure centres.", []string{"cleaning"}, nil, nil))
		close(put)
	}()
	select {
	case <-put:
	case <-time.After(10 * time.Second):
		release()
		t.Fatal("Put waited for a ranking in flight")
	}
	if n := match.Queued(e); n != 1 {
		t.Errorf("queued = %d, want the one record", n)
	}
	// A removal queued behind the ranking applies the Put before it: the
	// removed record does not come back.
	e.Put(sme("clean2", "West Midlands", "We clean offices and schools.", []string{"cleaning"}, nil, nil))
	removed := make(chan struct{})
	go func() {
		e.Remove(domain.KindSME, "clean2")
		close(removed)
	}()
	release()
	<-removed

	ms, err := e.SMEsFor(context.Background(), c, 5)
	if err != nil {
		t.Fatal(err)
	}
	got := ids(ms)
	if !slices.Contains(got, "taxi") || slices.Contains(got, "clean2") {
		t.Fatalf("a ranking after the Put and the Remove got %v; want taxi's new text matched and clean2 gone", got)
	}
	if n := match.Queued(e); n != 0 {
		t.Errorf("queued = %d after a ranking, want 0", n)
	}
}

// With no reader to apply it, the queue is applied by its own goroutine once
// the rankings in flight end.
func TestQueuedPutsDrain(t *testing.T) {
	e := newEngine()
	e.Put(corpus()...)
	release := match.HoldRanking(e)
	for i := range 20 {
		e.Put(sme("new"+string(rune('a'+i)), "Liguria", "We print leaflets.", nil, nil, nil))
	}
	if n := match.Queued(e); n != 20 {
		t.Fatalf("queued = %d, want 20", n)
	}
	release()
	deadline := time.Now().Add(10 * time.Second)
	for match.Queued(e) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("queue still holds %d records", match.Queued(e))
		}
		time.Sleep(time.Millisecond)
	}
}

// A record the matcher does not keep (a response) leaves the corpus as it
// was, and never waits.
func TestPutIgnoresOtherKinds(t *testing.T) {
	e := newEngine()
	release := match.HoldRanking(e)
	defer release()
	e.Put(&domain.Response{Meta: domain.Meta{ID: "r1"}})
	if n := match.Queued(e); n != 0 {
		t.Errorf("queued = %d, want 0", n)
	}
}

// A ranking applies what is queued before it ranks, whether or not the drain
// goroutine has run.
func TestRankingAppliesQueue(t *testing.T) {
	e := newEngine()
	e.Put(corpus()...)
	c := challenge("c1", domain.ChallengeOpen, now.Add(time.Hour), "Cleaning", "Clean our offices and schools.", []string{"cleaning"}, nil, nil)
	match.Enqueue(e, sme("taxi", "West Midlands", "We now clean offices, schools and leisure centres.", []string{"cleaning"}, nil, nil))
	ms, err := e.SMEsFor(context.Background(), c, 5)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(ids(ms), "taxi") {
		t.Fatalf("got %v; the queued profile must be ranked", ids(ms))
	}
	if n := match.Queued(e); n != 0 {
		t.Errorf("queued = %d, want 0", n)
	}
}
