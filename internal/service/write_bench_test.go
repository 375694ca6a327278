package service_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/service"
	"github.com/bettermatch/bettermatch/internal/testenv"
)

// BenchmarkParallelSMEUpdates edits SME profiles from many writers at once, as
// the load test's profile edits do (a PATCH is UpdateSME with a merge edit):
// the store write, both change-log notes and the search-index batch
// are all included, with the index on disk as serve has it. Each writer edits
// its own profiles, so no edit loses a version race. It reports updates/s and
// the p50 and p99 latency of one update. writers=1 is one writer alone (the
// latency without contention); the others run b.RunParallel with that many
// goroutines.
func BenchmarkParallelSMEUpdates(b *testing.B) {
	procs := runtime.GOMAXPROCS(0)
	for _, writers := range []int{1, 8 * procs, 32 * procs} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			benchUpdates(b, writers)
		})
	}
}

func benchUpdates(b *testing.B, writers int) {
	const profiles = 1000
	ctx := context.Background()
	env := testenv.New(b, testenv.Options{IndexDir: b.TempDir()})
	admin := &domain.User{Meta: domain.Meta{ID: domain.NewID()}, Role: domain.RoleAdmin, Status: domain.StatusActive}
	recs := make([]*domain.SME, profiles)
	for i := range recs {
		recs[i] = sme(fmt.Sprintf("w-%04d", i), fmt.Sprintf("Company %d", i), "We build sensor networks for councils.")
	}
	if _, err := env.Svc.Import(ctx, recs, nil, nil, service.ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	var ids []string
	err := env.Store.SMEs().Each(ctx, func(s *domain.SME) error {
		ids = append(ids, s.ID)
		return nil
	})
	if err != nil || len(ids) != profiles {
		b.Fatalf("%d profiles, %v", len(ids), err)
	}

	var (
		next atomic.Int64 // hands each writer goroutine its own slice of ids
		mu   sync.Mutex
		lats []time.Duration
	)
	per := profiles / writers
	edits := func(more func() bool) {
		w := int(next.Add(1)-1) % writers
		mine := ids[w*per : (w+1)*per]
		var local []time.Duration
		for i := 0; more(); i++ {
			id := mine[i%len(mine)]
			summary := fmt.Sprintf("We build sensor networks for councils, edit %d.", i)
			start := time.Now()
			_, err := env.Svc.UpdateSME(ctx, admin, id, 0, func(in *domain.SMEInput) error {
				in.Summary = summary
				return nil
			})
			local = append(local, time.Since(start))
			if err != nil {
				b.Error(err)
				return
			}
		}
		mu.Lock()
		lats = append(lats, local...)
		mu.Unlock()
	}
	b.ResetTimer()
	if writers == 1 {
		n := 0
		edits(func() bool { n++; return n <= b.N })
	} else {
		b.SetParallelism(writers / runtime.GOMAXPROCS(0))
		b.RunParallel(func(pb *testing.PB) { edits(pb.Next) })
	}
	b.StopTimer()
	slices.Sort(lats)
	if len(lats) > 0 {
		b.ReportMetric(float64(len(lats))/b.Elapsed().Seconds(), "updates/s")
		b.ReportMetric(float64(lats[len(lats)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lats[len(lats)*99/100].Microseconds())/1000, "p99-ms")
	}
	// The last edit of each profile must be what search finds: the
	// benchmark would be meaningless if batching lost index writes.
	if p, err := env.Svc.SearchSMEs(ctx, nil, service.SMEQuery{Q: "councils"}); err != nil || p.Total != profiles {
		b.Fatalf("search after the edits: %d of %d, %v", p.Total, profiles, err)
	}
}
