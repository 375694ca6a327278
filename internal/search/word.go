package search

import (
	"context"
	"fmt"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
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
	terms := make([]query.Query, len(tokens))
	for i, t := range tokens {
		tq := query.NewTermQuery(string(t.Term))
		tq.SetField(q.field)
		tq.SetBoost(q.boost)
		terms[i] = tq
	}
	switch len(terms) {
	case 0:
		return searcher.NewMatchNoneSearcher(r)
	case 1:
		return terms[0].Searcher(ctx, r, m, options)
	}
	d := query.NewDisjunctionQuery(terms)
	d.SetMin(1)
	return d.Searcher(ctx, r, m, options)
}
