package search

import (
	"context"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// t0 is the fixtures' clock; day(n) is n days after it.
var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

func day(n int) time.Time { return t0.AddDate(0, 0, n) }

func ptr[T any](v T) *T { return &v }

// mustOpenMem returns an in-memory index holding recs, closed at the end of the test.
func mustOpenMem(tb testing.TB, recs ...domain.Record) *Index {
	tb.Helper()
	x, err := OpenMem()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = x.Close() })
	if err := x.Index(context.Background(), recs...); err != nil {
		tb.Fatal(err)
	}
	return x
}

// mustOpenMemStoringText is mustOpenMem with the text fields stored, as
// bleve's own highlighter needs them (the tests that compare with it).
func mustOpenMemStoringText(tb testing.TB, recs ...domain.Record) *Index {
	tb.Helper()
	idx, err := bleve.NewUsing("", newMappingStoring(true), scorch.Name, scorch.Name, nil)
	if err != nil {
		tb.Fatal(err)
	}
	x := newIndex(idx, true, false)
	tb.Cleanup(func() { _ = x.Close() })
	if err := x.Index(context.Background(), recs...); err != nil {
		tb.Fatal(err)
	}
	return x
}

func mustSearch(tb testing.TB, x *Index, req domain.SearchRequest) *domain.SearchResult {
	tb.Helper()
	res, err := x.Search(context.Background(), req)
	if err != nil {
		tb.Fatalf("Search(%+v): %v", req, err)
	}
	return res
}

func ids(res *domain.SearchResult) []string {
	out := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.ID
	}
	return out
}

func sme(id string, created int, in domain.SMEInput) *domain.SME {
	return &domain.SME{Meta: domain.Meta{ID: id, CreatedAt: day(created)}, SMEInput: in}
}

func challenge(id, status, org string, created, deadline int, in domain.ChallengeInput) *domain.Challenge {
	c := &domain.Challenge{Meta: domain.Meta{ID: id, CreatedAt: day(created)}, Status: status, ChallengeInput: in}
	c.Organisation = org
	c.Deadline = day(deadline)
	if status != domain.ChallengeDraft {
		c.PublishedAt = ptr(day(created + 1))
	}
	return c
}

// smes is the SME fixture: each record is there for one or two tests.
func smes() []domain.Record {
	return []domain.Record{
		sme("airsense", 1, domain.SMEInput{Name: "AirSense", Size: "small", Region: "Genoa",
			Summary:      "We monitor air quality near schools.",
			Capabilities: []string{"sensor networks"}, Skills: []string{"IoT", "Python"}, CPV: []string{"38432000-2"}}),
		sme("harbour", 2, domain.SMEInput{Name: "Data Harbour", Size: "micro", Region: "Birmingham",
			Summary:     "Open data platforms for councils.",
			Description: "We also build dashboards about air pollution. Senior staff.", Skills: []string{"Python", "PostgreSQL"}}),
		sme("transit", 3, domain.SMEInput{Name: "Clean Transit", Size: "medium", Region: "Tartu",
			Summary: "Improving the quality of the air on bus routes.", Capabilities: []string{"route planning"}}),
		sme("dashworks", 4, domain.SMEInput{Name: "Dashboard Works", Size: "small", Region: "Birmingham",
			Summary: "Software for local government.", Capabilities: []string{"reporting"}}),
		sme("traffico", 5, domain.SMEInput{Name: "Traffico Srl", Size: "micro", Region: "Genoa", Language: "it",
			Summary: "Monitoriamo il traffico nelle città.", Capabilities: []string{"analisi dei dati"}}),
		sme("escape", 6, domain.SMEInput{Name: "Escape & Co", Size: "micro", Region: "Gävle",
			Summary: `<script>alert("x")</script> counts cyclists`, Capabilities: []string{"counting"}}),
	}
}

func challenges() []domain.Record {
	in := func(title, theme string) domain.ChallengeInput {
		return domain.ChallengeInput{Title: title, Theme: theme, Region: "Genoa", Summary: "A challenge about " + title}
	}
	return []domain.Record{
		challenge("open-genoa", domain.ChallengeOpen, "Genoa Council", 1, 30, in("Cut NO2 near schools", "mobility")),
		challenge("draft-genoa", domain.ChallengeDraft, "Genoa Council", 2, 20, in("Predict hospital admissions", "health")),
		challenge("draft-tartu", domain.ChallengeDraft, "Tartu City", 3, 10, in("Join up open data", "data")),
		challenge("closed-genoa", domain.ChallengeClosed, "Genoa Council", 4, 5, in("Digital skills for shops", "sme-digital")),
	}
}

func fc(value string, count int) domain.FacetCount {
	return domain.FacetCount{Value: value, Count: count}
}
