package service_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/service"
	"github.com/bettermatch/bettermatch/internal/testenv"
)

// BenchmarkSearchSMEs10k is the load test's SME search through the service:
// 10,000 imported profiles, the index on disk as serve has it, and the load
// test's kinds of query (a capability phrase, one or two words, a skill, a
// quoted phrase with an excluded word), half of them with a region filter. It
// includes everything a search page costs the server but the HTTP layer:
// the index search, filling in the records and the view.
//
//	go test -run XXX -bench SearchSMEs10k ./internal/service
func BenchmarkSearchSMEs10k(b *testing.B) {
	const n = 10_000
	ctx := context.Background()
	env := testenv.New(b, testenv.Options{IndexDir: b.TempDir()})
	caps := []string{"air quality monitoring", "IoT sensor networks", "geospatial mapping", "machine learning",
		"predictive analytics", "open data publishing", "data platform engineering", "user research",
		"accessibility auditing", "telecare and remote monitoring", "traffic modelling", "route optimisation",
		"cyber security", "cloud migration", "digital twins", "energy management", "data visualisation"}
	skills := []string{"Python", "R", "Go", "PostgreSQL", "GIS", "LoRaWAN", "Kubernetes", "React", "statistics", "MQTT"}
	regions := []string{"West Midlands", "Liguria", "Észak-Alföld", "Gävleborg", "Tartu County"}
	words := strings.Fields(`we build deliver design operate support councils hospitals schools transport
		operators public services residents data sensors dashboards platforms software apps analytics models
		maps networks cloud security accessibility research training pilots procurement payments energy
		buildings vehicles parking traffic air pollution health care social housing waste water libraries`)
	r := rand.New(rand.NewPCG(1, 2))
	sentence := func(k int) string {
		w := make([]string, k)
		for i := range w {
			w[i] = words[r.IntN(len(words))]
		}
		return strings.Join(w, " ") + "."
	}
	recs := make([]*domain.SME, n)
	for i := range recs {
		recs[i] = &domain.SME{SMEInput: domain.SMEInput{
			ExternalID: fmt.Sprintf("s-%05d", i), Name: fmt.Sprintf("Company %d", i),
			Size: []string{domain.SizeMicro, domain.SizeSmall, domain.SizeMedium}[r.IntN(3)], Region: regions[r.IntN(len(regions))],
			Summary: sentence(15), Description: sentence(60),
			Capabilities: []string{caps[r.IntN(len(caps))], caps[r.IntN(len(caps))]},
			Skills:       []string{skills[r.IntN(len(skills))], skills[r.IntN(len(skills))]},
		}}
	}
	if _, err := env.Svc.Import(ctx, recs, nil, nil, service.ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	queries := []service.SMEQuery{
		{Q: "air quality monitoring"},
		{Q: "sensors", Region: "Liguria"},
		{Q: "councils dashboards"},
		{Q: "Python", Region: "West Midlands"},
		{Q: `"machine learning" -parking`},
		{Q: "traffic modelling", Region: "Gävleborg"},
		{Q: "hospitals"},
		{Q: "energy buildings", Region: "Tartu County"},
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		q := queries[i%len(queries)]
		p, err := env.Svc.SearchSMEs(ctx, nil, q)
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Items) == 0 {
			b.Fatalf("%+v found nothing", q)
		}
	}
}
