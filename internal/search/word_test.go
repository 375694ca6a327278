package search

import (
	"fmt"
	"testing"

	"github.com/blevesearch/bleve/v2/search/query"
)

// wordQuery must find what bleve's MatchQuery finds, with the same scores:
// single terms, a word the analyzer splits in two, a stemmed one and a stop
// word (nothing).
func TestWordQueryMatchesBleve(t *testing.T) {
	x := mustOpenMem(t, textFixture()...)
	found := 0
	for _, w := range []string{"monitoring", "Monitored", "air", "data", "e-procurement", "the", "platforms", "cyber"} {
		for _, f := range []string{"en.description", "en.capabilities", "en.name"} {
			mq := query.NewMatchQuery(w)
			mq.SetField(f)
			mq.SetBoost(3)
			found += sameAsBleve(t, x, fmt.Sprintf("%q in %s", w, f), newWordQuery(w, f, 3), mq)
		}
	}
	if found < 500 {
		t.Fatalf("only %d hits over all words: the fixture no longer tests much", found)
	}
}
