package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// phraseQuery must find exactly what bleve's MatchPhraseQuery finds, with the
// same scores: in prose, across the values of a list field (which a phrase
// must not bridge), over dropped stop words, with repeated and stemmed terms,
// and on random text from a small vocabulary, where most documents hold every
// term of a phrase and few hold the phrase.
func TestPhraseQueryMatchesBleve(t *testing.T) {
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
	x := mustOpenMem(t, recs...)
	phrases := []string{"air quality monitoring", "air quality", "quality monitoring", "e-procurement and payments",
		"procurement of payments", "data to data", "data data", "monitored monitoring", "monitoring",
		"open data platform sensor network air quality data", "the and of",
		"open data platform", "the sensor network", "payments and", "sensor of the network", "air air"}
	fields := []string{"en.description", "en.capabilities", "en.name"}
	order := search.SortOrder{&search.SortScore{Desc: true}, &search.SortDocID{}}
	found := 0
	for _, p := range phrases {
		for _, f := range fields {
			mq := query.NewMatchPhraseQuery(p)
			mq.SetField(f)
			mq.SetBoost(2)
			want, err := x.collect(context.Background(), mq, 1000, 0, order, nil, false)
			if err != nil {
				t.Fatal(err)
			}
			// Inside a disjunction too, as searches use it: the norm
			// and coordination above it must come out the same.
			for _, wrap := range []bool{false, true} {
				var q, ref query.Query = newPhraseQuery(p, f, 2), mq
				if wrap {
					other := query.NewMatchQuery("sensor")
					other.SetField("en.description")
					q = query.NewDisjunctionQuery([]query.Query{q, other})
					ref = query.NewDisjunctionQuery([]query.Query{mq, other})
				}
				got, err := x.collect(context.Background(), q, 1000, 0, order, nil, false)
				if err != nil {
					t.Fatal(err)
				}
				exp := want
				if wrap {
					if exp, err = x.collect(context.Background(), ref, 1000, 0, order, nil, false); err != nil {
						t.Fatal(err)
					}
				}
				if got.total != exp.total || len(got.hits) != len(exp.hits) {
					t.Fatalf("%q in %s (wrapped %v): %d hits, bleve %d", p, f, wrap, got.total, exp.total)
				}
				for i := range got.hits {
					g, w := got.hits[i], exp.hits[i]
					if g.ID != w.ID || g.Score != w.Score {
						t.Fatalf("%q in %s (wrapped %v): hit %d is %s (%g), bleve %s (%g)", p, f, wrap, i, g.ID, g.Score, w.ID, w.Score)
					}
				}
			}
			found += want.total
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
			term(fieldKind, domain.KindSME)}), 1000, 0, order, nil, false)
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
