package mongostore

import (
	"context"
	"fmt"
	"testing"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// importSMEs returns n SMEs with ids derived from their external ids, as an
// import file gives them.
func importSMEs(n int) []*domain.SME {
	out := make([]*domain.SME, n)
	for i := range out {
		c := newSME(fmt.Sprintf("Company %d", i))
		c.ExternalID = fmt.Sprint("ext-", i)
		c.ID = domain.KeyID(domain.KindSME, c.ExternalID)
		c.Description = "We build things for councils, with sensors and data pipelines and dashboards."
		out[i] = c
	}
	return out
}

func TestImport(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	const n = 1234 // three batches, the last one partial

	st, err := s.SMEs().Import(ctx, importSMEs(n))
	if err != nil {
		t.Fatal(err)
	}
	if st != (domain.ImportStats{Created: n}) {
		t.Fatalf("first import: %+v", st)
	}

	// The same data again changes nothing, not even versions.
	again := importSMEs(n)
	st, err = s.SMEs().Import(ctx, again)
	if err != nil {
		t.Fatal(err)
	}
	if st != (domain.ImportStats{Unchanged: n}) {
		t.Fatalf("second import: %+v", st)
	}
	if again[7].Version != 1 || again[7].CreatedAt.IsZero() {
		t.Fatalf("unchanged record's meta not set from the store: %+v", again[7].Meta)
	}

	// One changed record and one new one amid unchanged ones.
	third := importSMEs(n + 1)
	third[10].Summary = "Now also machine learning"
	st, err = s.SMEs().Import(ctx, third)
	if err != nil {
		t.Fatal(err)
	}
	if st != (domain.ImportStats{Created: 1, Updated: 1, Unchanged: n - 1}) {
		t.Fatalf("third import: %+v", st)
	}
	got, err := s.SMEs().Get(ctx, third[10].ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Summary != "Now also machine learning" || got.Version != 2 || third[10].Version != 2 || !got.CreatedAt.Equal(again[10].CreatedAt) {
		t.Fatalf("updated record: %+v (import saw %+v)", got.Meta, third[10].Meta)
	}
	if got, _ := s.SMEs().Get(ctx, third[11].ID); got.Version != 1 {
		t.Fatalf("unchanged record's version moved to %d", got.Version)
	}
	if c, err := s.SMEs().Count(ctx); err != nil || c != n+1 {
		t.Fatalf("count %d err %v", c, err)
	}
}

// Fresh records in a batch that also holds existing ones are created.
func TestImportMixed(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	recs := importSMEs(600)
	if _, err := s.SMEs().Import(ctx, recs[100:200]); err != nil {
		t.Fatal(err)
	}
	recs = importSMEs(600)
	recs[150].Name = "renamed"
	st, err := s.SMEs().Import(ctx, recs)
	if err != nil {
		t.Fatal(err)
	}
	if st != (domain.ImportStats{Created: 500, Updated: 1, Unchanged: 99}) {
		t.Fatalf("import: %+v", st)
	}
}
