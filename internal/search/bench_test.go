package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// Benchmarks over 100k SME-like profiles on an on-disk index, as in production.
// The vocabulary is small (a few hundred words), so common query words match
// nearly every profile: these are worst cases for scoring and facets, and the
// capabilities facet (free-text phrases, ~300k distinct values here) is the
// single most expensive part of a search.
//
//	go test -run XXX -bench . -benchtime 1x ./internal/search   # indexing
//	go test -run XXX -bench Search ./internal/search             # searches

const (
	benchDocs  = 100_000
	benchBatch = 1000
)

var benchWords = strings.Fields(`air quality monitoring sensor sensors network networks data platform open
	analytics dashboard dashboards health hospital admissions prediction predictive model models machine learning
	traffic transport mobility bus route routes planning cycling pedestrian school schools pollution emissions
	energy building buildings heating smart city cities council public service services digital skills training
	software cloud mobile app apps web design user research survey mapping gis satellite imagery drone drones
	camera cameras counting detection forecasting optimisation logistics delivery freight parking charging
	electric vehicle vehicles battery storage solar wind water waste recycling circular economy retail shops
	tourism culture heritage education learning students teachers care elderly social housing security privacy
	identity payments blockchain integration api apis interoperability standards metadata catalogue portal
	visualisation reporting statistics modelling simulation twin digital-twin iot lorawan edge embedded
	hardware firmware consulting engineering civil environmental noise flooding climate adaptation resilience`)

var benchSkills = strings.Fields(`Python Go Java JavaScript TypeScript SQL PostgreSQL MongoDB GIS QGIS R Rust C++
	Kubernetes Docker AWS Azure GCP TensorFlow PyTorch Spark Kafka React Vue Django Flask LoRaWAN MQTT Arduino
	PowerBI Tableau Excel UX Figma Agile Scrum DevOps Terraform Linux`)

var benchRegions = []string{"Genoa", "Birmingham", "Nyíregyháza", "Gävle", "Tartu", "Liguria", "West Midlands", "Szabolcs", "Gävleborg", "Tartumaa"}

// benchSME makes the i-th synthetic profile: prose drawn from benchWords with
// a skew (a few common words, a long tail), plus a made-up word per record so
// the term dictionary grows like a real one.
func benchSME(r *rand.Rand, i int) *domain.SME {
	word := func() string {
		// Squaring skews toward the start of the list: common words are common.
		f := r.Float64()
		return benchWords[int(f*f*float64(len(benchWords)))]
	}
	words := func(n int) string {
		w := make([]string, n)
		for j := range w {
			w[j] = word()
		}
		return strings.Join(w, " ")
	}
	pick := func(list []string, n int) []string {
		out := make([]string, n)
		for j := range out {
			out[j] = list[r.IntN(len(list))]
		}
		return out
	}
	return &domain.SME{
		Meta: domain.Meta{ID: fmt.Sprintf("%024x", i), CreatedAt: t0.Add(time.Duration(i) * time.Minute)},
		SMEInput: domain.SMEInput{
			Name:         fmt.Sprintf("%s %s Ltd", strings.ToUpper(word()[:1])+word()[1:], fmt.Sprintf("x%dq", i)),
			Size:         []string{"micro", "small", "medium"}[r.IntN(3)],
			Region:       benchRegions[r.IntN(len(benchRegions))],
			Summary:      words(20) + ".",
			Description:  words(80) + ".",
			Capabilities: []string{words(2), words(2), words(3)},
			Skills:       pick(benchSkills, 4),
			CPV:          []string{fmt.Sprintf("%08d-%d", 72000000+r.IntN(999)*1000, r.IntN(10))},
		},
	}
}

// openBench opens an index in a temporary directory, closed when b ends, and
// fills it with n profiles (indexBench).
func openBench(b *testing.B, n int) *Index {
	x, err := Open(filepath.Join(b.TempDir(), "index"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = x.Close() })
	indexBench(b, x, n)
	return x
}

// indexBench writes n profiles to x in batches of benchBatch.
func indexBench(tb testing.TB, x *Index, n int) {
	r := rand.New(rand.NewPCG(1, 2))
	ctx := context.Background()
	batch := make([]domain.Record, 0, benchBatch)
	for i := range n {
		batch = append(batch, benchSME(r, i))
		if len(batch) == benchBatch || i == n-1 {
			if err := x.Index(ctx, batch...); err != nil {
				tb.Fatal(err)
			}
			batch = batch[:0]
		}
	}
}

func BenchmarkIndex100k(b *testing.B) {
	for range b.N {
		x, err := Open(filepath.Join(b.TempDir(), "index"))
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		indexBench(b, x, benchDocs)
		if err := x.Close(); err != nil { // includes flushing to disk
			b.Fatal(err)
		}
		b.ReportMetric(benchDocs/time.Since(start).Seconds(), "docs/s")
	}
}

// BenchmarkIndexEdits re-indexes single profiles of a 10k-profile index on
// disk, one call per edit, as profile edits do under load: one writer alone,
// 16 at once (their calls share commits, see commitWrites), and one writer
// paced at the load test's rate of about 80 edits/s. Besides ns/op it reports
// the p99 latency of a call and the CPU the whole process spent per edit,
// which counts scorch's background persister and merger: under the paced
// load that is what the index costs the server. segments is the average
// number of segments a search had to look in.
//
//	go test -run '^$' -bench IndexEdits -benchtime 10s ./internal/search
func BenchmarkIndexEdits(b *testing.B) {
	const docs = 10_000
	x := openBench(b, docs)
	for _, bc := range []struct {
		name    string
		writers int
		every   time.Duration // pace of one writer; 0: as fast as it can
	}{
		{"paced=80/s", 1, time.Second / 80},
		{"writers=1", 1, 0},
		{"writers=16", 16, 0},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var (
				mu       sync.Mutex
				lats     []time.Duration
				wg       sync.WaitGroup
				segs, nc int
			)
			// The merges the last run left behind would be counted in this one's CPU.
			settle(b, x)
			cpu0 := cpuTime()
			b.ResetTimer()
			start := time.Now()
			for w := range bc.writers {
				wg.Go(func() {
					r := rand.New(rand.NewPCG(uint64(b.N), uint64(w)))
					var local []time.Duration
					for i := w; i < b.N; i += bc.writers {
						if bc.every > 0 {
							time.Sleep(time.Until(start.Add(time.Duration(i) * bc.every)))
						}
						rec := benchSME(r, r.IntN(docs)) // a new text for an existing profile
						t := time.Now()
						if err := x.Index(context.Background(), rec); err != nil {
							b.Error(err)
							return
						}
						local = append(local, time.Since(t))
						if i%16 == 0 {
							n := segmentCount(b, x)
							mu.Lock()
							segs, nc = segs+n, nc+1
							mu.Unlock()
						}
					}
					mu.Lock()
					lats = append(lats, local...)
					mu.Unlock()
				})
			}
			wg.Wait()
			b.StopTimer()
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-us/edit")
			slices.Sort(lats)
			if len(lats) > 0 {
				b.ReportMetric(float64(lats[len(lats)*99/100].Microseconds())/1000, "p99-ms")
			}
			if nc > 0 {
				b.ReportMetric(float64(segs)/float64(nc), "segments")
			}
		})
	}
	mustCount(b, x, domain.KindSME, docs)
}

// segmentCount is the number of segments, in memory or on disk, in the
// snapshot searches read now.
func segmentCount(tb testing.TB, x *Index) int {
	r, err := x.reader()
	if err != nil {
		tb.Fatal(err)
	}
	defer r.Close()
	return len(r.(*scorch.IndexSnapshot).Segments())
}

func BenchmarkSearch100k(b *testing.B) { benchSearch(b, benchDocs) }

// BenchmarkSearch10k is the load test's size (10k SMEs).
func BenchmarkSearch10k(b *testing.B) { benchSearch(b, 10_000) }

func benchSearch(b *testing.B, docs int) {
	x := openBench(b, docs)
	if n, err := x.Count(domain.KindSME); err != nil || n != docs {
		b.Fatalf("Count = %d, %v", n, err)
	}
	settle(b, x)
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		req  domain.SearchRequest
	}{
		{"5words+facets", domain.SearchRequest{Q: "air quality sensor network dashboard"}},
		{"5words+typo+facets", domain.SearchRequest{Q: "air qualty sensor netwrok dashboard"}},
		{"phrase+required+excluded", domain.SearchRequest{Q: `"machine learning" +hospital -drone`}},
		// Common words: most profiles hold all three, few the phrase.
		{"3word phrase+excluded", domain.SearchRequest{Q: `"air quality sensor" -drone`}},
		{"5words+filters", domain.SearchRequest{Q: "air quality sensor network dashboard",
			Filters: map[string][]string{"region": {"Genoa", "Tartu"}, "size": {"small"}}}},
		{"all+facets newest", domain.SearchRequest{}},
		{"1word", domain.SearchRequest{Q: "sensor"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			bc.req.Kind = domain.KindSME
			var total int
			b.ReportAllocs()
			for range b.N {
				res, err := x.Search(ctx, bc.req)
				if err != nil {
					b.Fatal(err)
				}
				total = res.Total
			}
			b.ReportMetric(float64(total), "hits")
		})
	}
}

// BenchmarkHighlight10k times the highlighting of one page of 20 hits of a
// search of the 10k profiles: loading each hit's stored document (as collect
// does) and marking the words in the records' text (Index.highlight). It
// replaced a second bleve search of the page's documents with bleve's html
// highlighter, which took 1.1-7.7 ms a page here against 0.7-1.8 ms (see
// the commit that brought highlight.go); that way needed the text fields
// stored, which they no longer are.
func BenchmarkHighlight10k(b *testing.B) {
	x := openBench(b, 10_000)
	settle(b, x)
	for _, q := range []string{"air quality sensor network dashboard", "air qualty sensor netwrok dashboard",
		`"machine learning" +hospital -drone`, "sensor"} {
		req := domain.SearchRequest{Kind: domain.KindSME, Q: q}
		page := mustSearch(b, x, req).Hits
		clauses, err := parseQuery(q)
		if err != nil {
			b.Fatal(err)
		}
		known, done, err := x.dictionaries()
		if err != nil {
			b.Fatal(err)
		}
		qb := queryBuilder{spec: kinds[domain.KindSME], langs: x.activeLangs(), an: x.an, known: known}
		_, hl, _ := qb.textQuery(clauses)
		done()
		b.Run(fmt.Sprintf("%q", q), func(b *testing.B) {
			hits := slices.Clone(page)
			for range b.N {
				r, err := x.reader()
				if err != nil {
					b.Fatal(err)
				}
				for i := range hits {
					dm := &search.DocumentMatch{ID: docID(domain.KindSME, hits[i].ID)}
					if err := loadSource(r, dm); err != nil {
						b.Fatal(err)
					}
					hits[i].Source = hitSource(dm)
				}
				_ = r.Close()
				x.highlight(domain.KindSME, hl, hits)
			}
		})
	}
}

// settle waits for scorch's background merging to calm down (the segment count
// stops changing), so the searches measure the index a running server has
// rather than one still being merged.
func settle(tb testing.TB, x *Index) {
	segments := func() any {
		st, _ := x.idx.StatsMap()["index"].(map[string]any)
		return st["TotFileSegmentsAtRoot"]
	}
	last, stable := segments(), 0
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline) && stable < 5; {
		time.Sleep(time.Second)
		if n := segments(); n == last {
			stable++
		} else {
			last, stable = n, 0
		}
	}
	tb.Logf("file segments at root: %v", last)
}

// BenchmarkSearchChallenges10k searches 300 challenges in an index that also
// holds 10k profiles, as in the load test: the kinds share field names, so a
// challenge search must not pay for the profiles' postings.
func BenchmarkSearchChallenges10k(b *testing.B) {
	x := openBench(b, 10_000)
	r := rand.New(rand.NewPCG(3, 4))
	var chs []domain.Record
	for i := range 300 {
		s := benchSME(r, i)
		chs = append(chs, &domain.Challenge{
			Meta:   domain.Meta{ID: fmt.Sprintf("c%023x", i), CreatedAt: s.CreatedAt},
			Status: domain.ChallengeOpen,
			ChallengeInput: domain.ChallengeInput{Title: s.Name, Summary: s.Summary, Description: s.Description,
				Region: s.Region, Theme: "environment", RequiredCapabilities: s.Capabilities, RequiredSkills: s.Skills,
				Deadline: t0.AddDate(1, 0, 0)},
		})
	}
	if err := x.Index(context.Background(), chs...); err != nil {
		b.Fatal(err)
	}
	settle(b, x)
	for _, q := range []string{"sensor", "air quality dashboard", `"machine learning" -drone`, ""} {
		b.Run(fmt.Sprintf("%q", q), func(b *testing.B) {
			req := domain.SearchRequest{Kind: domain.KindChallenge, Q: q, AllDrafts: true}
			var total int
			for range b.N {
				res, err := x.Search(context.Background(), req)
				if err != nil {
					b.Fatal(err)
				}
				total = res.Total
			}
			b.ReportMetric(float64(total), "hits")
		})
	}
}
