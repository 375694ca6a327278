package search

import (
	"context"
	"fmt"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
)

// wordQuery is bleve's MatchQuery as searches use it (any of the text's
// terms, no fuzziness) in one field, with the same hits and scores, less
// the disjunction MatchQuery puts around a single term. A search's word is
// nearly always one term, looked for in every text field: that disjunction
// of one was a layer more for every hit of every field to pass through.
type wordQuery struct{ fieldText }

func newWordQuery(text, field string, boost float64) *wordQuery {
	return &wordQuery{fieldText{text, field, boost}}
}

// fieldText is a query's text for one field, and the field's boost.
type fieldText struct {
	text  string
	field string
	boost float64
}

// tokens is the text analysed as the field's text was when indexed.
func (q fieldText) tokens(m mapping.IndexMapping) (analysis.TokenStream, error) {
	an := m.AnalyzerNamed(m.AnalyzerNameForPath(q.field))
	if an == nil {
		return nil, fmt.Errorf("search: no analyzer for field %s", q.field)
	}
	return an.Analyze([]byte(q.text)), nil
}

// Searcher implements query.Query.
func (q *wordQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	tokens, err := q.tokens(m)
	if err != nil {
		return nil, err
	}
	if len(tokens) == 0 {
		return searcher.NewMatchNoneSearcher(r)
	}
	terms := make([]string, len(tokens))
	for i, t := range tokens {
		terms[i] = string(t.Term)
	}
	return anyTermSearcher(ctx, r, terms, q.field, q.boost, options)
}

// anyTermSearcher finds the documents with any of terms (at least one) in
// field, scored as bleve's term queries in a disjunction are: a word's terms,
// or the terms at one position of a phrase. A single term is its own
// searcher, without the disjunction around it.
func anyTermSearcher(ctx context.Context, r index.IndexReader, terms []string, field string, boost float64, options search.SearcherOptions) (search.Searcher, error) {
	if len(terms) == 1 {
		return searcher.NewTermSearcher(ctx, r, terms[0], field, boost, options)
	}
	ss := make([]search.Searcher, 0, len(terms))
	for _, t := range terms {
		s, err := searcher.NewTermSearcher(ctx, r, t, field, boost, options)
		if err != nil {
			for _, o := range ss {
				_ = o.Close()
			}
			return nil, err
		}
		ss = append(ss, s)
	}
	return searcher.NewDisjunctionSearcher(ctx, r, ss, 1, options)
}
