package search

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/bettermatch/bettermatch/internal/domain"
)

func TestSources(t *testing.T) {
	a := sme("a", 1, domain.SMEInput{Name: "Alpha Sensors", Size: "small", Region: "Liguria", Summary: "Air quality."})
	b := sme("b", 2, domain.SMEInput{Name: "Beta Maps", Size: "micro", Region: "Gävleborg", Summary: "GIS."})
	x := mustOpenMem(t, a, b)
	hits, err := x.Sources(context.Background(), domain.KindSME, []string{"b", "missing", "a"})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 3 || hits[0].ID != "b" || hits[1].ID != "missing" || hits[2].ID != "a" {
		t.Fatalf("hits out of order: %+v", hits)
	}
	if len(hits[1].Source) != 0 {
		t.Fatalf("a missing record has a source: %s", hits[1].Source)
	}
	var got domain.SME
	if err := json.Unmarshal(hits[0].Source, &got); err != nil || got.ID != "b" || got.Name != "Beta Maps" {
		t.Fatalf("source of b = %s (%v)", hits[0].Source, err)
	}
	// Another kind's record with the same id is not returned.
	if hits, _ := x.Sources(context.Background(), domain.KindCourse, []string{"a"}); len(hits[0].Source) != 0 {
		t.Fatal("a course lookup returned an SME")
	}
}
