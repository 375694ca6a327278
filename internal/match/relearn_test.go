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
	s := newSynth(7)
	var recs []domain.Record
	for i := 0; i < 2000; i++ {
		recs = append(recs, s.sme(i))
	}
	var chs []*domain.Challenge
	for i := 0; i < 10; i++ {
		chs = append(chs, s.challenge(i))
	}
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
