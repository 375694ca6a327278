package search

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/search"
	htmlformat "github.com/blevesearch/bleve/v2/search/highlight/format/html"
	simplefrag "github.com/blevesearch/bleve/v2/search/highlight/fragmenter/simple"
	"github.com/blevesearch/bleve/v2/search/highlight/highlighter/simple"
)

// TestFragmentsMatchBleve: given the same matches, pickFragment cuts, picks
// and formats the fragment bleve's html highlighter did (its fragmenter,
// scorer and formatter with their defaults), on fields of one value or many,
// short or long, with multi-byte characters and HTML in the text.
func TestFragmentsMatchBleve(t *testing.T) {
	words := strings.Fields(`air quality monitoring sensor network networks data <b>platform</b> città
		Nyíregyháza öt "quoted" & ünnepi 日本 👍 a an of x-ray 3.5 e.g. l'aria`)
	bleveHL := simple.NewHighlighter(simplefrag.NewFragmenter(fragmentSize),
		htmlformat.NewFragmentFormatter(markOpen, markClose), simple.DefaultSeparator)
	an := NewAnalyzer()
	r := rand.New(rand.NewPCG(11, 13))
	for n := range 3000 {
		values := make([]string, 1+r.IntN(3))
		matches := make([][]match, len(values))
		doc := document.NewDocument("d")
		tlm := search.TermLocationMap{}
		for i := range values {
			var b strings.Builder
			for range 1 + r.IntN([]int{8, 40, 150}[r.IntN(3)]) {
				b.WriteString(words[r.IntN(len(words))])
				b.WriteString([]string{" ", " ", ", ", ". ", "\n"}[r.IntN(5)])
			}
			values[i] = b.String()
			doc.AddField(document.NewTextField("f", []uint64{uint64(i)}, []byte(values[i])))
			for _, tok := range an.tokens(values[i], "en") {
				if r.IntN(8) > 0 {
					continue
				}
				matches[i] = append(matches[i], match{start: tok.start, end: tok.end, term: tok.term})
				tlm[tok.term] = append(tlm[tok.term], &search.Location{Pos: uint64(tok.pos),
					Start: uint64(tok.start), End: uint64(tok.end), ArrayPositions: []uint64{uint64(i)}})
			}
		}
		if len(tlm) == 0 {
			continue
		}
		want := bleveHL.BestFragmentsInField(&search.DocumentMatch{Locations: search.FieldTermLocationMap{"f": tlm}}, doc, "f", 1)
		got, ok := pickFragment(values, matches)
		if !ok || len(want) != 1 || got != want[0] {
			t.Fatalf("case %d, values %q:\n got %q\nwant %q", n, values, got, want)
		}
	}
}
