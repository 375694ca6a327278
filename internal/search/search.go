package search

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/highlight/highlighter/html"
	"github.com/blevesearch/bleve/v2/search/query"

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
	hasText, positive := len(clauses) > 0, false
	if hasText {
		b := queryBuilder{spec: spec, langs: langs, an: x.an, known: x.termKnown}
		q, pos, ok := b.textQuery(clauses)
		if !ok {
			return emptyResult(facets), nil
		}
		main, positive = q, pos
	}
	bq := query.NewBooleanQuery([]query.Query{main}, nil, nil)
	bq.AddFilter(filter) // filters narrow the hits without touching scores

	order, err := sortOrder(req.Sort, hasText)
	if err != nil {
		return nil, err
	}
	var out *domain.SearchResult // with its hits once done
	done := false
	if req.Sort == "" && hasText && offset+limit <= maxScoreWindow {
		if out, done, err = x.searchByScore(ctx, bq, facets, limit, offset); err != nil {
			return nil, err
		}
	}
	if !done {
		sr := bleve.NewSearchRequestOptions(bq, limit, offset, false)
		sr.SortByCustom(order)
		if out == nil {
			addFacets(sr, facets)
		} // else searchByScore counted the same hits' facets and total already
		// Stored fields are loaded only for the page's hits, after collection.
		sr.Fields = []string{fieldSource}
		res, err := x.idx.SearchInContext(ctx, sr)
		if err != nil {
			return nil, searchErr(ctx, err)
		}
		if out == nil {
			out = toResult(facets, res)
		} else {
			out.Hits = toResult(nil, res).Hits
		}
	}
	if positive && len(out.Hits) > 0 {
		if err := x.highlight(ctx, main, req.Kind, langs, out.Hits); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func addFacets(sr *bleve.SearchRequest, facets []string) {
	for _, f := range facets {
		sr.AddFacet(f, bleve.NewFacetRequest(f, facetSize))
	}
}

// maxScoreWindow is the deepest page end searchByScore serves; deeper pages
// would load the stored fields of every hit before them.
var maxScoreWindow = 100 // a var so tests can turn searchByScore off

// searchByScore is a relevance-ordered page (score, then newest, then id) for
// a fraction of the work of bleve sorting on all three. Sorting on newest and
// id made bleve read both for every matching document, not just the page's:
// half the time of a text search over 10k profiles (BenchmarkSearch10k). Here
// bleve sorts on the score alone, which it has anyway, and returns one hit
// past the page. When that extra hit scores less than the page's last one,
// the page holds exactly the right documents, and only runs of equal scores
// within it need ordering by newest and id, which one small search over those
// documents does. When it scores the same, documents of that score may have
// been cut off in the wrong order: done is false, and the caller runs the full
// sort for the hits (the result's total and facets stand), and the page costs
// more than the full sort alone would have. Real prose rarely ties; records
// made from templates do (most pages of BenchmarkSearchSMEs10k's profiles), and
// even there this comes out ahead on average.
func (x *Index) searchByScore(ctx context.Context, q query.Query, facets []string, limit, offset int) (out *domain.SearchResult, done bool, err error) {
	window := offset + limit
	sr := bleve.NewSearchRequestOptions(q, window+1, 0, false)
	sr.SortByCustom(search.SortOrder{&search.SortScore{Desc: true}})
	addFacets(sr, facets)
	sr.Fields = []string{fieldSource}
	res, err := x.idx.SearchInContext(ctx, sr)
	if err != nil {
		return nil, false, searchErr(ctx, err)
	}
	hits := res.Hits
	if len(hits) > window {
		if hits[window].Score == hits[window-1].Score {
			res.Hits = nil
			return toResult(facets, res), false, nil
		}
		hits = hits[:window]
	}
	if err := x.breakTies(ctx, hits, offset); err != nil {
		return nil, false, err
	}
	res.Hits = hits[min(offset, len(hits)):]
	return toResult(facets, res), true, nil
}

// breakTies orders the runs of equal scores in hits (sorted by score) that
// reach into the page, hits[offset:], by newest then id, as sortOrder's
// relevance order does.
func (x *Index) breakTies(ctx context.Context, hits search.DocumentMatchCollection, offset int) error {
	var runs [][2]int
	var ids []string
	for i := 0; i < len(hits); {
		j := i + 1
		for j < len(hits) && hits[j].Score == hits[i].Score {
			j++
		}
		if j-i > 1 && j > offset {
			runs = append(runs, [2]int{i, j})
			for _, h := range hits[i:j] {
				ids = append(ids, h.ID)
			}
		}
		i = j
	}
	if len(runs) == 0 {
		return nil
	}
	order, _ := sortOrder("newest", false)
	sr := bleve.NewSearchRequestOptions(query.NewDocIDQuery(ids), len(ids), 0, false)
	sr.SortByCustom(order)
	res, err := x.idx.SearchInContext(ctx, sr)
	if err != nil {
		return searchErr(ctx, err)
	}
	rank := make(map[string]int, len(res.Hits))
	for i, h := range res.Hits {
		rank[h.ID] = i
	}
	// A record removed since the first search is not found here: it goes last.
	at := func(id string) int {
		if r, ok := rank[id]; ok {
			return r
		}
		return len(ids)
	}
	for _, r := range runs {
		slices.SortStableFunc(hits[r[0]:r[1]], func(a, b *search.DocumentMatch) int {
			return at(a.ID) - at(b.ID)
		})
	}
	return nil
}

// highlight fills in the page's highlights with a second search limited to
// the page's documents. Highlighting in the main search would make bleve read
// term locations for every hit, not just the page: on 100k matching profiles
// that doubled the time of a search.
func (x *Index) highlight(ctx context.Context, q query.Query, kind string, langs []string, hits []domain.SearchHit) error {
	spec := kinds[kind]
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = docID(kind, h.ID)
	}
	sr := bleve.NewSearchRequestOptions(query.NewConjunctionQuery([]query.Query{query.NewDocIDQuery(ids), q}), len(ids), 0, false)
	sr.Highlight = bleve.NewHighlightWithStyle(html.Name)
	for _, lang := range langs {
		for _, f := range spec.text {
			sr.Highlight.AddField(lang + "." + f.name)
		}
	}
	res, err := x.idx.SearchInContext(ctx, sr)
	if err != nil {
		return searchErr(ctx, err)
	}
	byID := make(map[string]search.FieldFragmentMap, len(res.Hits))
	for _, h := range res.Hits {
		byID[recordID(h.ID)] = h.Fragments
	}
	for i := range hits {
		for field, frags := range byID[hits[i].ID] {
			if len(frags) == 0 {
				continue
			}
			if hits[i].Highlights == nil {
				hits[i].Highlights = map[string][]string{}
			}
			_, name, _ := strings.Cut(field, ".") // "en.summary" → "summary"
			hits[i].Highlights[name] = append(hits[i].Highlights[name], frags...)
		}
	}
	return nil
}

// termKnown reports whether term is in field's dictionary.
func (x *Index) termKnown(field, term string) bool {
	d, err := x.idx.FieldDictRange(field, []byte(term), []byte(term))
	if err != nil {
		return false
	}
	defer d.Close()
	e, err := d.Next()
	return err == nil && e != nil && e.Term == term && e.Count > 0
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
		if req.DraftsOf != "" {
			visible = append(visible, term("organisation", req.DraftsOf))
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

func term(field, value string) query.Query {
	q := query.NewTermQuery(value)
	q.SetField(field)
	return q
}

// sortOrder: relevance then newest; newest; or soonest deadline (records
// without one last). The document id breaks ties so pages never overlap.
func sortOrder(sort string, hasText bool) (search.SortOrder, error) {
	newest := &search.SortField{Field: fieldNewest, Desc: true, Type: search.SortFieldAsDate, Missing: search.SortFieldMissingLast}
	id := &search.SortDocID{}
	switch sort {
	case "":
		if hasText {
			return search.SortOrder{&search.SortScore{Desc: true}, newest, id}, nil
		}
		return search.SortOrder{newest, id}, nil
	case "newest":
		return search.SortOrder{newest, id}, nil
	case "deadline":
		deadline := &search.SortField{Field: fieldDeadline, Type: search.SortFieldAsDate, Missing: search.SortFieldMissingLast}
		return search.SortOrder{deadline, newest, id}, nil
	}
	v := domain.Validation{}
	v.Add("sort", "must be empty, newest or deadline")
	return nil, v.Err()
}

func toResult(facets []string, res *bleve.SearchResult) *domain.SearchResult {
	out := emptyResult(facets)
	out.Total = int(res.Total)
	out.Hits = make([]domain.SearchHit, 0, len(res.Hits))
	for _, h := range res.Hits {
		hit := domain.SearchHit{ID: recordID(h.ID), Score: h.Score}
		if src, ok := h.Fields[fieldSource].(string); ok && src != "" {
			hit.Source = []byte(src)
		}
		out.Hits = append(out.Hits, hit)
	}
	for _, f := range facets {
		fr := res.Facets[f]
		if fr == nil || fr.Terms == nil {
			continue
		}
		for _, t := range fr.Terms.Terms() {
			out.Facets[f] = append(out.Facets[f], domain.FacetCount{Value: t.Term, Count: t.Count})
		}
	}
	return out
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
