package service

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// filters builds search filters from name/value pairs, skipping empty values;
// a value may list several options separated by commas.
func filters(pairs ...string) map[string][]string {
	f := map[string][]string{}
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			continue
		}
		for _, v := range strings.Split(pairs[i+1], ",") {
			if v = strings.TrimSpace(v); v != "" {
				f[pairs[i]] = append(f[pairs[i]], v)
			}
		}
	}
	return f
}

// search runs req on the index and returns the hits the caller may see (view
// says whether, and what of them).
//
// The records come from the JSON the index keeps with each hit rather than from
// the store: reading twenty records by id per search page was most of the
// database's work under load. That copy is as fresh as the index itself, which
// already decides what a search finds and in which order: this process indexes
// every write as it makes it, and other processes' writes arrive with the next
// change sync, within seconds. Hits without a copy (an index built before it
// was kept, or one that does not decode) are read from the store as before, and
// dropped if they vanished since they were indexed.
func search[T domain.Record](ctx context.Context, s *Service, req domain.SearchRequest, c domain.Collection[T], view func(T) (T, bool)) (*Page[T], error) {
	req.Limit, req.Offset = ClampPage(req.Limit, req.Offset)
	if len(req.Q) > 500 {
		return nil, &domain.Error{Code: domain.EINVALID, Message: "The search is too long.", Fields: []domain.FieldError{{Field: "q", Message: "must be at most 500 characters"}}}
	}
	res, err := compute(ctx, s, func() (*domain.SearchResult, error) { return s.index.Search(ctx, req) })
	if err != nil {
		return nil, err
	}
	recs, found, err := hitRecords(ctx, c, res.Hits)
	if err != nil {
		return nil, err
	}
	p := &Page[T]{Items: make([]T, 0, len(recs)), Total: res.Total, Limit: req.Limit, Offset: req.Offset, Facets: res.Facets}
	for i, rec := range recs {
		if !found[i] {
			continue
		}
		if v, ok := view(rec); ok {
			p.Items = append(p.Items, v)
			if h := res.Hits[i].Highlights; len(h) > 0 {
				if p.Highlights == nil {
					p.Highlights = map[string]map[string][]string{}
				}
				p.Highlights[v.RecordMeta().ID] = h
			}
		}
	}
	return p, nil
}

// hitRecords decodes each hit's record from its Source, unless the index did
// (Record), reading from the store only those without one; found says which
// exist.
func hitRecords[T domain.Record](ctx context.Context, c domain.Collection[T], hits []domain.SearchHit) ([]T, []bool, error) {
	recs := make([]T, len(hits))
	found := make([]bool, len(hits))
	var missing []int // positions of hits to read from the store
	for i, h := range hits {
		if rec, ok := h.Record.(T); ok && rec.RecordMeta().ID == h.ID {
			recs[i], found[i] = rec, true
			continue
		}
		if len(h.Source) == 0 {
			missing = append(missing, i)
			continue
		}
		rec := newRecord[T]()
		if json.Unmarshal(h.Source, rec) == nil && rec.RecordMeta().ID == h.ID {
			recs[i], found[i] = rec, true
			continue
		}
		missing = append(missing, i)
	}
	if len(missing) == 0 {
		return recs, found, nil
	}
	ids := make([]string, len(missing))
	for j, i := range missing {
		ids[j] = hits[i].ID
	}
	loaded, ok, err := loadAll(ctx, c, ids)
	if err != nil {
		return nil, nil, err
	}
	for j, i := range missing {
		recs[i], found[i] = loaded[j], ok[j]
	}
	return recs, found, nil
}

// newRecord allocates an empty record; T is a pointer to a record struct, as
// every collection's is. Decoding into it (not into a *T) keeps a JSON null
// from leaving a nil record behind.
func newRecord[T domain.Record]() T {
	return reflect.New(reflect.TypeFor[T]().Elem()).Interface().(T)
}

// loadAll reads records by id, in order, a few at a time in parallel (each is a
// primary-key read); found says which still exist.
func loadAll[T domain.Record](ctx context.Context, c domain.Collection[T], ids []string) ([]T, []bool, error) {
	out := make([]T, len(ids))
	found := make([]bool, len(ids))
	errs := make([]error, len(ids))
	sem := make(chan struct{}, 8)
	done := make(chan struct{})
	for i, id := range ids {
		go func() {
			sem <- struct{}{}
			defer func() { <-sem; done <- struct{}{} }()
			rec, err := c.Get(ctx, id)
			if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
				errs[i] = err
				return
			}
			if err == nil {
				out[i], found[i] = rec, true
			}
		}()
	}
	for range ids {
		<-done
	}
	for _, err := range errs {
		if err != nil {
			return nil, nil, err
		}
	}
	return out, found, nil
}
