package service_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/service"
	"github.com/bettermatch/bettermatch/internal/testenv"
)

// BenchmarkImport100k imports 100,000 SME profiles into an empty embedded
// database with the search index on disk, as `bettermatch import` does: the
// store writes, the bleve index and the matcher's corpus are all included.
// The target is under 60 s.
func BenchmarkImport100k(b *testing.B) {
	const n = 100_000
	caps := []string{"air quality monitoring", "IoT sensor networks", "geospatial mapping", "machine learning",
		"open data publishing", "user research", "accessibility auditing", "telecare", "route optimisation", "cyber security"}
	words := []string{"councils", "hospitals", "schools", "transport", "sensors", "dashboards", "platforms", "analytics",
		"maps", "cloud", "security", "pilots", "payments", "energy", "parking", "traffic", "housing", "waste", "archives"}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		env := testenv.New(b, testenv.Options{IndexDir: b.TempDir()})
		recs := make([]*domain.SME, n)
		for j := range recs {
			desc := ""
			for k := 0; k < 24; k++ {
				desc += words[(j*7+k*13)%len(words)] + " "
			}
			recs[j] = &domain.SME{SMEInput: domain.SMEInput{
				ExternalID: fmt.Sprintf("b-%06d", j), Name: fmt.Sprintf("Company %d", j), Size: domain.SizeSmall,
				Region: []string{"Liguria", "West Midlands", "Gävleborg"}[j%3], Summary: "We provide " + caps[j%len(caps)] + ".",
				Description: desc, Capabilities: []string{caps[j%len(caps)], caps[(j/7)%len(caps)]}, Skills: []string{"Python"},
			}}
		}
		b.StartTimer()
		rep, err := env.Svc.Import(context.Background(), recs, nil, nil, service.ImportOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if rep.SMEs.Created != n {
			b.Fatalf("created %d", rep.SMEs.Created)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "profiles/s")
}
