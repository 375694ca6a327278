package service

import (
	"context"
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

// search runs req on the index and loads the hits by id from the store (the
// source of truth), dropping any the caller may not see (view returns nil) or
// that vanished since they were indexed.
func search[T domain.Record](ctx context.Context, s *Service, req domain.SearchRequest, c domain.Collection[T], view func(T) (T, bool)) (*Page[T], error) {
	req.Limit, req.Offset = ClampPage(req.Limit, req.Offset)
	if len(req.Q) > 500 {
		return nil, &domain.Error{Code: domain.EINVALID, Message: "The search is too long.", Fields: []domain.FieldError{{Field: "q", Message: "must be at most 500 characters"}}}
	}
	res, err := s.index.Search(ctx, req)
	if err != nil {
		return nil, err
	}
	recs, found, err := loadAll(ctx, c, hitIDs(res.Hits))
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

func hitIDs(hits []domain.SearchHit) []string {
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	return ids
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
