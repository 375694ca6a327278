package search

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/collector"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// collected is one page of a search: the page's hits in order and the
// number of hits in all.
type collected struct {
	hits  search.DocumentMatchCollection
	total int
}

// collect runs q on a snapshot of the index and returns the page of size hits
// after the first from, in order, counting each hit in the counters, and,
// with withSource, each page hit's record JSON in its Fields[fieldSource].
//
// It is bleve's SearchInContext cut down to what a search here needs, so that
// the facets are counted by facetCounter: bleve builds its own terms facet
// builder for every facet a request names, and that one allocates a string
// for every value of every hit (two facets on 10k hits: 20k strings a search).
func (x *Index) collect(ctx context.Context, q query.Query, size, from int, order search.SortOrder, counters []*facetCounter, withSource bool) (*collected, error) {
	r, err := x.reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	s, err := q.Searcher(ctx, r, x.idx.Mapping(), search.SearcherOptions{})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	coll := collector.NewTopNCollector(size, from, order)
	if len(counters) > 0 {
		fb := search.NewFacetsBuilder(r)
		for i, c := range counters {
			fb.Add(strconv.Itoa(i), c)
		}
		coll.SetFacetsBuilder(fb)
	}
	if err := coll.Collect(ctx, s, r); err != nil {
		return nil, err
	}
	out := &collected{hits: coll.Results(), total: int(coll.Total())}
	if withSource {
		for _, h := range out.hits {
			if err := loadSource(r, h); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// reader is a reader of the index's current snapshot, for the caller to
// close.
func (x *Index) reader() (index.IndexReader, error) {
	adv, err := x.idx.Advanced()
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return r, nil
}

// loadSource puts the hit's stored record JSON in h.Fields[fieldSource], as
// a search request's Fields would.
func loadSource(r index.IndexReader, h *search.DocumentMatch) error {
	doc, err := r.Document(h.ID)
	if err != nil || doc == nil {
		return err
	}
	doc.VisitFields(func(f index.Field) {
		if f.Name() == fieldSource {
			if h.Fields == nil {
				h.Fields = map[string]any{}
			}
			h.Fields[fieldSource] = string(f.Value())
		}
	})
	return nil
}

// facetCounter counts the values of one facet over the hits: the terms of
// field, or with a prefix, those of its terms that start with it (less the
// prefix; see fieldKeys). A value is looked up by the term's bytes, which
// allocates nothing; only a value not seen before in this search is copied.
type facetCounter struct {
	field  string
	prefix string
	at     map[string]int // value → position in values and counts
	values []string
	counts []int
}

func newFacetCounter(field, prefix string) *facetCounter {
	return &facetCounter{field: field, prefix: prefix, at: map[string]int{}}
}

func (c *facetCounter) UpdateVisitor(term []byte) {
	if len(term) < len(c.prefix) || string(term[:len(c.prefix)]) != c.prefix {
		return
	}
	v := term[len(c.prefix):]
	if i, ok := c.at[string(v)]; ok {
		c.counts[i]++
		return
	}
	s := string(v)
	c.at[s] = len(c.values)
	c.values = append(c.values, s)
	c.counts = append(c.counts, 1)
}

func (c *facetCounter) StartDoc()     {}
func (c *facetCounter) EndDoc()       {}
func (c *facetCounter) Field() string { return c.field }
func (c *facetCounter) Size() int     { return 0 }

// Result is what bleve's collector asks of every facet builder; the counts
// are read with top instead.
func (c *facetCounter) Result() *search.FacetResult {
	return &search.FacetResult{Field: c.field}
}

// top is the n most frequent values with their counts, by count and then by
// value, as bleve's terms facets order them.
func (c *facetCounter) top(n int) []facetValue {
	out := make([]facetValue, len(c.values))
	for i, v := range c.values {
		out[i] = facetValue{v, c.counts[i]}
	}
	slices.SortFunc(out, func(a, b facetValue) int {
		if a.count != b.count {
			return b.count - a.count
		}
		return cmp.Compare(a.value, b.value)
	})
	return out[:min(n, len(out))]
}

type facetValue struct {
	value string
	count int
}
