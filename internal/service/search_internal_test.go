package service

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// getOnly is a collection that answers Get from a map and counts the reads;
// hitRecords uses nothing else.
type getOnly struct {
	domain.Collection[*domain.SME]
	recs  map[string]*domain.SME
	reads int
}

func (g *getOnly) Get(_ context.Context, id string) (*domain.SME, error) {
	g.reads++
	if r, ok := g.recs[id]; ok {
		return r, nil
	}
	return nil, domain.NotFound("SME")
}

// TestHitRecords: hits with the record decoded by the index, or with a
// source, are taken without a read; the others (an index built before sources
// were kept, or a source that does not decode to the hit's record) are read
// from the store, and dropped if gone.
func TestHitRecords(t *testing.T) {
	src := func(id, name string) []byte {
		b, _ := json.Marshal(&domain.SME{Meta: domain.Meta{ID: id, Version: 3}, Owner: "u1", SMEInput: domain.SMEInput{Name: name}})
		return b
	}
	store := &getOnly{recs: map[string]*domain.SME{
		"b": {Meta: domain.Meta{ID: "b"}, SMEInput: domain.SMEInput{Name: "B from the store"}},
		"d": {Meta: domain.Meta{ID: "d"}, SMEInput: domain.SMEInput{Name: "D from the store"}},
	}}
	hits := []domain.SearchHit{
		{ID: "a", Source: src("a", "A from the index")},
		{ID: "b"},                         // no source: read
		{ID: "c"},                         // no source and gone: dropped
		{ID: "d", Source: []byte("null")}, // useless source: read
		{ID: "e", Source: src("x", "X")},  // another record's source: not trusted
		// Decoded by the index: not decoded again.
		{ID: "f", Source: src("f", "F from the JSON"), Record: &domain.SME{Meta: domain.Meta{ID: "f"}, SMEInput: domain.SMEInput{Name: "F decoded"}}},
		// Another record decoded: not trusted either.
		{ID: "g", Source: src("g", "G from the JSON"), Record: &domain.SME{Meta: domain.Meta{ID: "x"}}},
	}
	recs, found, err := hitRecords(context.Background(), domain.Collection[*domain.SME](store), hits)
	if err != nil {
		t.Fatal(err)
	}
	if store.reads != 4 {
		t.Errorf("%d store reads, want 4 (b, c, d, e)", store.reads)
	}
	wantFound := []bool{true, true, false, true, false, true, true}
	wantName := []string{"A from the index", "B from the store", "", "D from the store", "", "F decoded", "G from the JSON"}
	for i := range hits {
		if found[i] != wantFound[i] {
			t.Errorf("hit %s: found %v, want %v", hits[i].ID, found[i], wantFound[i])
			continue
		}
		if found[i] && recs[i].Name != wantName[i] {
			t.Errorf("hit %s: name %q, want %q", hits[i].ID, recs[i].Name, wantName[i])
		}
	}
	if recs[0].Owner != "u1" || recs[0].Version != 3 {
		t.Errorf("decoded record lost fields: %+v", recs[0])
	}
}
