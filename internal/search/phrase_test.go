package search

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// textFixture is profiles for comparing queries with bleve's: prose, list
// values, stop words, repeated and stemmed terms, and 300 random profiles
// from a small vocabulary (a tenth of them long).
func textFixture() []domain.Record {
	recs := []domain.Record{
		sme("prose", 1, domain.SMEInput{Name: "Prose", Description: "We run air quality monitoring for councils; air and quality and monitoring apart."}),
		sme("list", 2, domain.SMEInput{Name: "List", Capabilities: []string{"air quality", "monitoring stations"}}),
		sme("list2", 3, domain.SMEInput{Name: "List two", Capabilities: []string{"cyber", "air quality monitoring"}}),
		sme("stop", 4, domain.SMEInput{Name: "Stop", Description: "Secure e-procurement and payments, procurement of payments."}),
		sme("repeat", 5, domain.SMEInput{Name: "Repeat", Description: "data to data, data data platforms, monitored monitoring"}),
		sme("apart", 6, domain.SMEInput{Name: "Apart", Description: "quality air monitoring quality; payments and e-procurement"}),
	}
	r := rand.New(rand.NewPCG(1, 2))
	vocab := strings.Fields("air quality monitoring data platform sensor network open the and of payments")
	for i := range 300 {
		n := 12 + r.IntN(20)
		if i%10 == 0 {
			n = 150 + r.IntN(100) // enough locations for matches to sort them
		}
		w := make([]string, n)
		for j := range w {
			w[j] = vocab[r.IntN(len(vocab))]
		}
		caps := []string{w[0] + " " + w[1], w[2] + " " + w[3] + " " + w[4]}
		recs = append(recs, sme(fmt.Sprintf("r%03d", i), 10+i, domain.SMEInput{Name: fmt.Sprintf("R %d", i),
			Description: strings.Join(w, " "), Capabilities: caps}))
	}
	return recs
}

// phraseQuery must find exactly what bleve's MatchPhraseQuery finds, with the
// same scores: in prose, across the values of a list field (which a phrase
// must not bridge), over dropped stop words, with repeated and stemmed terms,
// and on random text from a small vocabulary, where most documents hold every
// term of a phrase and few hold the phrase.
func TestPhraseQueryMatchesBleve(t *testing.T) {
	x := mustOpenMem(t, textFixture()...)
	phrases := []string{"air quality monitoring", "air quality", "quality monitoring", "e-procurement and payments",
		"procurement of payments", "data to data", "data data", "monitored monitoring", "monitoring",
		"open data platform sensor network air quality data", "the and of",
		"open data platform", "the sensor network", "payments and", "sensor of the network", "air air"}
	fields := []string{"en.description", "en.capabilities", "en.name"}
	found := 0
	for _, p := range phrases {
		for _, f := range fields {
			mq := query.NewMatchPhraseQuery(p)
			mq.SetField(f)
			mq.SetBoost(2)
			found += sameAsBleve(t, x, fmt.Sprintf("%q in %s", p, f), newPhraseQuery(p, f, 2), mq)
		}
	}
	if found < 100 {
		t.Fatalf("only %d hits over all phrases: the fixture no longer tests much", found)
	}
	// The cases written out: a phrase never bridges two values of a list.
	for _, c := range []struct {
		phrase, field string
		want          []string
	}{
		{"air quality monitoring", "en.capabilities", []string{"list2"}},
		{"quality monitoring", "en.capabilities", []string{"list2"}},
		{"e-procurement and payments", "en.description", []string{"stop"}},
	} {
		res, err := x.collect(context.Background(), query.NewConjunctionQuery([]query.Query{newPhraseQuery(c.phrase, c.field, 1),
			term(fieldKind, domain.KindSME)}), 1000, 0, byScore, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range res.hits {
			if id := recordID(h.ID); !strings.HasPrefix(id, "r") {
				got = append(got, id)
			}
		}
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%q in %s: %v, want %v", c.phrase, c.field, got, c.want)
		}
	}
}

// sameAsBleve checks that ours finds the hits ref (bleve's own query) finds,
// in the same order with the same scores, alone and inside a disjunction as
// searches use them (the norm and coordination above must come out the
// same), and returns the number of hits. Scores may differ in the last
// digit: without the disjunction around a single term, the same factors are
// multiplied in another order (records that tie still tie).
func sameAsBleve(t *testing.T, x *Index, name string, ours, ref query.Query) int {
	t.Helper()
	other := query.NewMatchQuery("sensor")
	other.SetField("en.description")
	n := 0
	for _, wrap := range []bool{false, true} {
		q, r := ours, ref
		if wrap {
			q = query.NewDisjunctionQuery([]query.Query{ours, other})
			r = query.NewDisjunctionQuery([]query.Query{ref, other})
		}
		got, err := x.collect(context.Background(), q, 1000, 0, byScore, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		want, err := x.collect(context.Background(), r, 1000, 0, byScore, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		if got.total != want.total || len(got.hits) != len(want.hits) {
			t.Fatalf("%s (wrapped %v): %d hits, bleve %d", name, wrap, got.total, want.total)
		}
		for i := range got.hits {
			g, w := got.hits[i], want.hits[i]
			if g.ID != w.ID || math.Abs(g.Score-w.Score) > 1e-12*w.Score {
				t.Fatalf("%s (wrapped %v): hit %d is %s (%g), bleve %s (%g)", name, wrap, i, g.ID, g.Score, w.ID, w.Score)
			}
		}
		if !wrap {
			n = want.total
		}
	}
	return n
}

// byScore orders hits by score, ties by document id: one order for both.
var byScore = search.SortOrder{&search.SortScore{Desc: true}, &search.SortDocID{}}
