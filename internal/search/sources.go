package search

import (
	"context"

	"github.com/blevesearch/bleve/v2"

	"github.com/bettermatch/bettermatch/internal/domain"
)

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
