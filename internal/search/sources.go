package search

import (
	"context"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// IDs implements domain.SearchIndex: one search for every record of kind.
func (x *Index) IDs(ctx context.Context, kind string) ([]string, error) {
	if kinds[kind] == nil {
		return nil, unknownKind(kind)
	}
	n, err := x.Count(kind)
	if err != nil || n == 0 {
		return nil, err
	}
	res, err := x.collect(ctx, term(fieldKind, kind), n, 0, search.SortOrder{&search.SortScore{}}, nil, false)
	if err != nil {
		return nil, searchErr(ctx, err)
	}
	out := make([]string, len(res.hits))
	for i, h := range res.hits {
		out[i] = recordID(h.ID)
	}
	return out, nil
}

// Sources returns, in the order of ids, a hit carrying each record's stored
// JSON (Source empty for a record the index does not hold). Ranked matches use
// it to fill in their records without a database read per record: the index
// is kept in step with the store like search results are.
func (x *Index) Sources(ctx context.Context, kind string, ids []string) ([]domain.SearchHit, error) {
	out := make([]domain.SearchHit, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	docIDs := make([]string, len(ids))
	for i, id := range ids {
		out[i].ID = id
		docIDs[i] = docID(kind, id)
	}
	sr := bleve.NewSearchRequestOptions(bleve.NewDocIDQuery(docIDs), len(ids), 0, false)
	sr.Fields = []string{fieldSource}
	res, err := x.idx.SearchInContext(ctx, sr)
	if err != nil {
		return nil, err
	}
	byID := make(map[string][]byte, len(res.Hits))
	for _, h := range res.Hits {
		if src := hitSource(h); src != nil {
			byID[recordID(h.ID)] = src
		}
	}
	for i := range out {
		out[i].Source = byID[out[i].ID]
	}
	return out, nil
}
