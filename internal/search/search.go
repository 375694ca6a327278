package search

import (
	"context"
	"fmt"
	"slices"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// Paging and facet sizes.
const (
	defaultLimit = 20
	maxLimit     = 100
	maxOffset    = 10000 // deeper pages cost memory for every hit before them
	facetSize    = 20
)

// Search runs one page of a search over one kind. See domain.SearchRequest.
func (x *Index) Search(ctx context.Context, req domain.SearchRequest) (*domain.SearchResult, error) {
	spec := kinds[req.Kind]
	if spec == nil {
		return nil, unknownKind(req.Kind)
	}
	limit, offset, err := page(req.Limit, req.Offset)
	if err != nil {
		return nil, err
	}
	filter, err := filterQuery(spec, req)
	if err != nil {
		return nil, err
	}
	facets, err := facetFields(spec, req)
	if err != nil {
		return nil, err
	}
	clauses, err := parseQuery(req.Q)
	if err != nil {
		return nil, err
	}
	langs := x.activeLangs()
	var main query.Query = query.NewMatchAllQuery()
	hasText := len(clauses) > 0
	var hl sought // what to highlight; nil for nothing
	if hasText {
		known, done, err := x.dictionaries()
		if err != nil {
			return nil, err
		}
		defer done()
		b := queryBuilder{spec: spec, langs: langs, an: x.an, known: known}
		q, h, ok := b.textQuery(clauses)
		if !ok {
			return emptyResult(facets), nil
		}
		main, hl = q, h
	}
	// The filter is a required clause of zero weight (see term), not
	// bleve's BooleanQuery filter: that one tests each hit of the text
	// query after scoring it, and the kinds share field names, so a search
	// of 300 challenges scored the matching words of 10k profiles first
	// (BenchmarkSearchChallenges10k: 3-7 ms). In a conjunction, the kind's
	// postings let the text query skip the other kinds' documents.
	bq := query.NewConjunctionQuery([]query.Query{main, filter})

	order, err := sortOrder(req.Sort, hasText)
	if err != nil {
		return nil, err
	}
	// One search sorted on score, newest and id. Sorting on newest once read
	// every hit's prefix-coded date terms, which made an earlier version sort
	// on the score alone and break ties afterwards; with newest a keyword
	// term read with the facets' values (fieldKeys), the full sort costs little
	// and template-like records, which tie most of the time, no longer pay for
	// a second search (BenchmarkSearch10k).
	counters := facetCounters(spec, facets)
	// Stored fields are loaded only for the page's hits, after collection,
	// from the snapshot the hits were found in: every hit has its record.
	res, err := x.collect(ctx, bq, limit, offset, order, counters, true)
	if err != nil {
		return nil, searchErr(ctx, err)
	}
	out := toResult(facets, counters, res)
	if hl != nil {
		x.highlight(req.Kind, hl, out.Hits)
	}
	return out, nil
}

// facetCounters counts the facets: the kind's default ones from the values
// behind their prefix in fieldKeys, the others from their own fields.
func facetCounters(spec *kindSpec, facets []string) []*facetCounter {
	out := make([]*facetCounter, len(facets))
	for i, f := range facets {
		field, prefix := f, ""
		if j := spec.defaultFacet(f); j >= 0 {
			field, prefix = fieldKeys, facetPrefix(j)
		}
		out[i] = newFacetCounter(field, prefix)
	}
	return out
}

// dictionaries returns a lookup of terms in the fields' dictionaries of the
// index as it is now, for one query's building, and the function that
// releases it. A term indexed after this snapshot was taken may be missed by
// that one query; anything indexed before a search is called is seen.
func (x *Index) dictionaries() (known func(field, term string) bool, done func(), err error) {
	r, err := x.reader()
	if err != nil {
		return nil, nil, err
	}
	rc, ok := r.(index.IndexReaderContains)
	if !ok {
		_ = r.Close()
		return nil, func() {}, nil // take every term as known
	}
	dicts := map[string]index.FieldDictContains{}
	known = func(field, term string) bool {
		d, ok := dicts[field]
		if !ok {
			d, _ = rc.FieldDictContains(field) // on error: nil, and every term is known
			dicts[field] = d
		}
		if d == nil {
			return true
		}
		found, err := d.Contains([]byte(term))
		return found || err != nil
	}
	return known, func() { _ = r.Close() }, nil
}

func searchErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("search: %w", err)
}

func page(limit, offset int) (int, int, error) {
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	if offset < 0 {
		offset = 0
	}
	if offset > maxOffset {
		v := domain.Validation{}
		v.Add("offset", "must be at most %d", maxOffset)
		return 0, 0, v.Err()
	}
	return limit, offset, nil
}

// filterQuery is the kind, the request's filters (values of one field ORed,
// fields ANDed) and, for challenges, who may see drafts.
func filterQuery(spec *kindSpec, req domain.SearchRequest) (query.Query, error) {
	and := []query.Query{term(fieldKind, req.Kind)}
	fields := make([]string, 0, len(req.Filters))
	for f := range req.Filters {
		fields = append(fields, f)
	}
	slices.Sort(fields) // deterministic queries and error messages
	for _, f := range fields {
		if !spec.filter[f] {
			v := domain.Validation{}
			v.Add(f, "is not a filter for %s search", req.Kind)
			return nil, v.Err()
		}
		var or []query.Query
		for _, val := range req.Filters[f] {
			if val != "" {
				or = append(or, term(f, val))
			}
		}
		if len(or) > 0 {
			and = append(and, query.NewDisjunctionQuery(or))
		}
	}
	// Not Status != draft: Published is the domain's "the public may see it"
	// (a draft cancelled before publication stays private too).
	if req.Kind == domain.KindChallenge && !req.AllDrafts {
		visible := []query.Query{term(fieldPublic, "true")}
		if key := domain.OrgKey(req.DraftsOf); key != "" {
			visible = append(visible, term(fieldOrgKey, key))
		}
		and = append(and, query.NewDisjunctionQuery(visible))
	}
	return query.NewConjunctionQuery(and), nil
}

// facetFields is the kind's default facets and the extra ones req asks for.
func facetFields(spec *kindSpec, req domain.SearchRequest) ([]string, error) {
	out := spec.facets
	for _, f := range req.Facets {
		if slices.Contains(out, f) {
			continue
		}
		if !slices.Contains(spec.extraFacets, f) {
			v := domain.Validation{}
			v.Add("facets", "%q is not a facet of %s search", f, req.Kind)
			return nil, v.Err()
		}
		out = append(slices.Clip(out), f) // never append into spec.facets
	}
	return out, nil
}

// term is a filter's term: it narrows the hits without adding to their
// scores (boost 0), so a filtered search ranks as the unfiltered one does.
func term(field, value string) query.Query {
	q := query.NewTermQuery(value)
	q.SetField(field)
	q.SetBoost(0)
	return q
}

// sortOrder: relevance then newest; newest; or soonest deadline (records
// without one last). The newest key ends with the record's id, so it is
// unique: equal times fall back to the higher id, and pages never overlap.
func sortOrder(sort string, hasText bool) (search.SortOrder, error) {
	// fieldKeys' first term is the newest key (see newestPrefix).
	newest := &search.SortField{Field: fieldKeys, Desc: true, Type: search.SortFieldAsString, Missing: search.SortFieldMissingLast}
	switch sort {
	case "":
		if hasText {
			return search.SortOrder{&search.SortScore{Desc: true}, newest}, nil
		}
		return search.SortOrder{newest}, nil
	case "newest":
		return search.SortOrder{newest}, nil
	case "deadline":
		deadline := &search.SortField{Field: fieldDeadline, Type: search.SortFieldAsString, Missing: search.SortFieldMissingLast}
		return search.SortOrder{deadline, newest}, nil
	}
	v := domain.Validation{}
	v.Add("sort", "must be empty, newest or deadline")
	return nil, v.Err()
}

func toResult(facets []string, counters []*facetCounter, res *collected) *domain.SearchResult {
	out := emptyResult(facets)
	out.Total = res.total
	out.Hits = make([]domain.SearchHit, 0, len(res.hits))
	for _, h := range res.hits {
		out.Hits = append(out.Hits, domain.SearchHit{ID: recordID(h.ID), Score: h.Score, Source: hitSource(h)})
	}
	for i, f := range facets {
		for _, v := range counters[i].top(facetSize) {
			out.Facets[f] = append(out.Facets[f], domain.FacetCount{Value: v.value, Count: v.count})
		}
	}
	return out
}

// hitSource is the record JSON a hit loaded from the stored fields, nil when
// it did not load it.
func hitSource(h *search.DocumentMatch) []byte {
	if src, ok := h.Fields[fieldSource].(string); ok && src != "" {
		return []byte(src)
	}
	return nil
}

// emptyResult has every facet asked for, with no values, so callers can
// range over them without nil checks.
func emptyResult(facets []string) *domain.SearchResult {
	r := &domain.SearchResult{Hits: []domain.SearchHit{}, Facets: map[string][]domain.FacetCount{}}
	for _, f := range facets {
		r.Facets[f] = []domain.FacetCount{}
	}
	return r
}
