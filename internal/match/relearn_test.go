package match_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/match"
	"github.com/bettermatch/bettermatch/internal/search"
)

// TestWarmThenBulkLoad: an engine warmed on an empty corpus (as at start-up)
// and then bulk-loaded must rank as one that learned after the load, not with
// the empty corpus's word associations.
func TestWarmThenBulkLoad(t *testing.T) {
	recs, chs := synthCorpus(7, 2000, 10)
	an := search.NewAnalyzer()
	now := func() time.Time { return time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC) }
	warm := match.New(an, match.Options{Now: now, Relearn: time.Hour})
	warm.Warm()
	warm.Put(recs...)
	exact := match.New(an, match.Options{Now: now, Relearn: -1})
	exact.Put(recs...)
	for _, c := range chs {
		a, err := warm.SMEsFor(context.Background(), c, 10)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := exact.SMEsFor(context.Background(), c, 10)
		if !reflect.DeepEqual(ids(a), ids(b)) {
			t.Fatalf("challenge %s: warmed-then-loaded engine ranks %v, fresh one %v", c.ID, ids(a), ids(b))
		}
	}
}

// TestCachedQueriesFollowChallengeEdits: between relearnings an engine keeps
// the challenges' prepared queries across profile edits, but a challenge
// edited since must be ranked by its new text, and one closed must go.
func TestCachedQueriesFollowChallengeEdits(t *testing.T) {
	recs, chs := synthCorpus(11, 300, 20)
	for _, c := range chs {
		recs = append(recs, c)
	}
	now := func() time.Time { return time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC) }
	e := match.New(search.NewAnalyzer(), match.Options{Now: now, Relearn: time.Hour})
	e.Put(recs...)
	me := recs[0].(*domain.SME)
	ctx := context.Background()
	if _, err := e.ChallengesFor(ctx, me, 5); err != nil { // fills the cache
		t.Fatal(err)
	}
	// A profile edit elsewhere keeps the cache; the profile matched is read
	// as it is.
	other := *recs[1].(*domain.SME)
	other.Description += " and more"
	e.Put(&other)

	// Rewrite the challenge ranked last to ask for exactly what me offers:
	// it must now come first.
	before, err := e.ChallengesFor(ctx, me, len(chs))
	if err != nil {
		t.Fatal(err)
	}
	last := before[len(before)-1].ID
	var edited domain.Challenge
	for _, c := range chs {
		if c.ID == last {
			edited = *c
		}
	}
	edited.Title = me.Name
	edited.RequiredCapabilities = me.Capabilities
	edited.RequiredSkills = me.Skills
	edited.Summary, edited.Description = me.Summary, me.Description
	e.Put(&edited)
	after, err := e.ChallengesFor(ctx, me, len(chs))
	if err != nil {
		t.Fatal(err)
	}
	if after[0].ID != last {
		t.Fatalf("challenge %s rewritten to fit %s ranks %v, want it first", last, me.ID, ids(after))
	}
	// Closed: it must leave the list.
	closed := edited
	closed.Status = domain.ChallengeClosed
	e.Put(&closed)
	after, _ = e.ChallengesFor(ctx, me, len(chs))
	for _, m := range after {
		if m.ID == last {
			t.Fatalf("closed challenge %s still listed: %v", last, ids(after))
		}
	}
}

// TestRelearnWhileWriting: background relearning reads the corpus without
// the engine's lock while writes go on (run with -race).
func TestRelearnWhileWriting(t *testing.T) {
	recs, chs := synthCorpus(13, 500, 1)
	ch := chs[0]
	recs = append(recs, ch)
	e := match.New(search.NewAnalyzer(), match.Options{Relearn: time.Millisecond})
	e.Put(recs...)
	ctx := context.Background()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 300; i++ {
			sm := *recs[i%500].(*domain.SME)
			sm.Description += " edited"
			e.Put(&sm)
		}
	}()
	for {
		select {
		case <-done:
			return
		default:
		}
		if _, err := e.SMEsFor(ctx, ch, 5); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond)
	}
}

// synthCorpus makes smes synthetic profiles and chs challenges from seed.
func synthCorpus(seed uint64, smes, chs int) ([]domain.Record, []*domain.Challenge) {
	s := newSynth(seed)
	recs := make([]domain.Record, 0, smes)
	for i := range smes {
		recs = append(recs, s.sme(i))
	}
	out := make([]*domain.Challenge, 0, chs)
	for i := range chs {
		out = append(out, s.challenge(i))
	}
	return recs, out
}
