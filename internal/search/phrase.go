package search

import (
	"cmp"
	"context"
	"math"
	"slices"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
)

// phraseQuery matches a quoted phrase in one field: the documents that hold
// its terms at consecutive positions, scored as bleve's MatchPhraseQuery
// scores them (the conjunction of its terms).
//
// It finds the same documents as bleve's, more cheaply. bleve checks each
// document holding every term of the phrase by building maps of all their
// locations (DocumentMatch.Complete) and walking every path through them;
// with common words ("air quality monitoring" in profiles full of "data" and
// "monitoring") that was a third of a phrase search's time and most of its
// garbage. Here the positions are checked on the locations as the term
// searchers return them, and a match carries no locations on unless the
// search asked for them: Search does not (highlighting finds its own), and
// the disjunctions a phrase sits in would otherwise merge them for every
// hit.
type phraseQuery struct{ fieldText }

func newPhraseQuery(text, field string, boost float64) *phraseQuery {
	return &phraseQuery{fieldText{text, field, boost}}
}

// Searcher implements query.Query.
func (q *phraseQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	tokens, err := q.tokens(m)
	if err != nil {
		return nil, err
	}
	slots := phraseSlots(tokens)
	if len(slots) == 0 {
		return searcher.NewMatchNoneSearcher(r)
	}
	locations := options.IncludeTermVectors
	options.IncludeTermVectors = true // the positions
	terms := make([]search.Searcher, 0, len(slots))
	closeAll := func() {
		for _, s := range terms {
			_ = s.Close()
		}
	}
	for _, sl := range slots {
		// One term, unless the analyzer put several at the same position.
		s, err := anyTermSearcher(ctx, r, sl.terms, q.field, q.boost, options)
		if err != nil {
			closeAll()
			return nil, err
		}
		terms = append(terms, s)
	}
	must, err := searcher.NewConjunctionSearcher(ctx, r, terms, options)
	if err != nil {
		closeAll()
		return nil, err
	}
	// As bleve's phrase searcher does; a query above sets its own norm later.
	must.SetQueryNorm(1 / math.Sqrt(must.Weight()))
	return &phraseSearcher{must: must, slots: slots, locations: locations}, nil
}

// phraseSlot is one position of a phrase that has terms: the terms and the
// position's offset from the first one. Positions whose words the analyzer
// dropped (stop words) have no slot and match any term, as in bleve.
type phraseSlot struct {
	offset uint64
	terms  []string
}

// phraseSlots groups the analysed tokens by position, as bleve's
// MatchPhraseQuery does.
func phraseSlots(tokens analysis.TokenStream) []phraseSlot {
	if len(tokens) == 0 {
		return nil
	}
	first := tokens[0].Position
	for _, t := range tokens {
		first = min(first, t.Position)
	}
	var out []phraseSlot
	for _, t := range tokens {
		off := uint64(t.Position - first)
		i := 0
		for i < len(out) && out[i].offset < off {
			i++
		}
		if i == len(out) || out[i].offset != off {
			out = append(out, phraseSlot{})
			copy(out[i+1:], out[i:])
			out[i] = phraseSlot{offset: off}
		}
		out[i].terms = append(out[i].terms, string(t.Term))
	}
	return out
}

// phraseSearcher passes on the documents of must (every term of the phrase)
// whose terms stand in the phrase's order in some stretch of the field,
// within one value of a list field.
type phraseSearcher struct {
	must  search.Searcher
	slots []phraseSlot
	// locations says the caller asked for the matches' term locations.
	locations   bool
	curr        *search.DocumentMatch
	initialized bool
}

// matches reports whether d holds the phrase. d's locations are those of
// the phrase's terms in the field, in no particular order. Each occurrence
// of the first term looks for the others at the positions after it; among
// many locations (a long phrase of common words in a long text), sorted
// first, so that this costs L log L for L locations rather than L² for each
// term of the phrase. With keep, d is left with the locations of the
// phrase's occurrences, as bleve's phrase searcher leaves them for a caller
// that asked for them (its highlighter); otherwise with none.
func (s *phraseSearcher) matches(d *search.DocumentMatch, keep bool) bool {
	locs := d.FieldTermLocations
	sorted := len(locs) > sortLocationsFrom
	if sorted {
		slices.SortFunc(locs, byPosition)
	}
	var kept []search.FieldTermLocation
	found := false
	for i := range locs {
		if !s.slots[0].has(locs[i].Term) {
			continue
		}
		start := &locs[i].Location
		n := len(kept)
		if keep {
			kept = append(kept, locs[i])
		}
		ok := true
		for _, sl := range s.slots[1:] {
			j := sl.at(locs, sorted, start.Pos+sl.offset, start.ArrayPositions)
			if j < 0 {
				ok = false
				break
			}
			if keep {
				kept = append(kept, locs[j])
			}
		}
		if !ok {
			kept = kept[:n]
			continue
		}
		found = true
		if !keep {
			break
		}
	}
	slices.SortFunc(kept, byPosition) // the same order however they were found
	d.FieldTermLocations = append(locs[:0], kept...)
	return found
}

func (sl phraseSlot) has(term string) bool { return slices.Contains(sl.terms, term) }

// byPosition orders locations by position, then list value and term, so
// that the order is the same however the term searchers' were merged.
func byPosition(a, b search.FieldTermLocation) int {
	if c := cmp.Compare(a.Location.Pos, b.Location.Pos); c != 0 {
		return c
	}
	if c := slices.Compare(a.Location.ArrayPositions, b.Location.ArrayPositions); c != 0 {
		return c
	}
	return cmp.Compare(a.Term, b.Term)
}

// at is the index in locs of one of sl's terms at pos in the list value ap,
// or -1. Sorted locations (byPosition) are searched from the first at pos.
func (sl phraseSlot) at(locs []search.FieldTermLocation, sorted bool, pos uint64, ap search.ArrayPositions) int {
	i := 0
	if sorted {
		i, _ = slices.BinarySearchFunc(locs, pos, func(l search.FieldTermLocation, pos uint64) int { return cmp.Compare(l.Location.Pos, pos) })
	}
	for ; i < len(locs); i++ {
		l := &locs[i]
		if l.Location.Pos != pos {
			if sorted {
				break
			}
			continue
		}
		if sl.has(l.Term) && l.Location.ArrayPositions.Equals(ap) {
			return i
		}
	}
	return -1
}

// sortLocationsFrom is the number of locations from which matches sorts
// them: below it a scan of all of them for each term of the phrase costs
// less than the sort (sorting every candidate's locations made a search of
// three common words 60% slower in BenchmarkSearch10k).
const sortLocationsFrom = 48

func (s *phraseSearcher) init(ctx *search.SearchContext) error {
	s.initialized = true
	var err error
	s.curr, err = s.must.Next(ctx)
	return err
}

// Next implements search.Searcher.
func (s *phraseSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	if !s.initialized {
		if err := s.init(ctx); err != nil {
			return nil, err
		}
	}
	for s.curr != nil {
		d := s.curr
		var err error
		if s.matches(d, s.locations) {
			s.curr, err = s.must.Next(ctx)
			return d, err
		}
		ctx.DocumentMatchPool.Put(d)
		if s.curr, err = s.must.Next(ctx); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// Advance implements search.Searcher.
func (s *phraseSearcher) Advance(ctx *search.SearchContext, id index.IndexInternalID) (*search.DocumentMatch, error) {
	if !s.initialized {
		if err := s.init(ctx); err != nil {
			return nil, err
		}
	}
	if s.curr == nil {
		return nil, nil
	}
	if s.curr.IndexInternalID.Compare(id) < 0 {
		ctx.DocumentMatchPool.Put(s.curr)
		var err error
		if s.curr, err = s.must.Advance(ctx, id); err != nil {
			return nil, err
		}
	}
	return s.Next(ctx)
}

func (s *phraseSearcher) Weight() float64            { return s.must.Weight() }
func (s *phraseSearcher) SetQueryNorm(qnorm float64) { s.must.SetQueryNorm(qnorm) }
func (s *phraseSearcher) Count() uint64              { return s.must.Count() }
func (s *phraseSearcher) Min() int                   { return 0 }
func (s *phraseSearcher) Close() error               { return s.must.Close() }
func (s *phraseSearcher) Size() int                  { return s.must.Size() }
func (s *phraseSearcher) DocumentMatchPoolSize() int { return s.must.DocumentMatchPoolSize() + 1 }
