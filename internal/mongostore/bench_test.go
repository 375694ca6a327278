package mongostore

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// BenchmarkImport100k loads 100k SMEs into an empty collection (10k with
// -short), in the 1000-record calls the service makes, and reports records/s.
func BenchmarkImport100k(b *testing.B) {
	n := 100_000
	if testing.Short() {
		n = 10_000
	}
	recs := importSMEs(n)
	ctx := context.Background()
	var elapsed time.Duration
	for b.Loop() {
		b.StopTimer()
		s := mustOpen(b)
		b.StartTimer()
		start := time.Now()
		for i := 0; i < n; i += 1000 {
			if _, err := s.SMEs().Import(ctx, recs[i:min(i+1000, n)]); err != nil {
				b.Fatal(err)
			}
		}
		elapsed += time.Since(start)
	}
	b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "records/s")
}

// BenchmarkGetByID reads random SMEs from a collection of 10k (1k with -short).
func BenchmarkGetByID(b *testing.B) {
	n := 10_000
	if testing.Short() {
		n = 1_000
	}
	ctx := context.Background()
	s := mustOpen(b)
	recs := importSMEs(n)
	if _, err := s.SMEs().Import(ctx, recs); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i = (i + 7919) % n // a prime stride visits the whole table
		if _, err := s.SMEs().Get(ctx, recs[i].ID); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReimport imports 5k unchanged SMEs into a collection holding them.
func BenchmarkReimport(b *testing.B) {
	n := 5_000
	if testing.Short() {
		n = 1_000
	}
	ctx := context.Background()
	s := mustOpen(b)
	if _, err := s.SMEs().Import(ctx, importSMEs(n)); err != nil {
		b.Fatal(err)
	}
	recs := importSMEs(n)
	for b.Loop() {
		st, err := s.SMEs().Import(ctx, recs)
		if err != nil || st.Unchanged != n {
			b.Fatal(st, err)
		}
	}
}

// BenchmarkModify edits SMEs one at a time (a collection of 1k): the latency
// of one edit, its change note and its group commit alone.
func BenchmarkModify(b *testing.B) {
	benchModify(b, 1)
}

// BenchmarkModifyParallel edits distinct SMEs from 8 goroutines per CPU at
// once, so the edits share group commits as they do under load.
func BenchmarkModifyParallel(b *testing.B) {
	benchModify(b, 8)
}

func benchModify(b *testing.B, writers int) {
	const n = 1_000
	ctx := context.Background()
	s := mustOpen(b)
	recs := importSMEs(n)
	if _, err := s.SMEs().Import(ctx, recs); err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	edit := func() {
		i := next.Add(1)
		if _, err := s.SMEs().Modify(ctx, recs[i%n].ID, func(r *domain.SME) error {
			r.Summary = fmt.Sprint("edit ", i)
			return nil
		}); err != nil {
			b.Error(err)
		}
	}
	b.ResetTimer()
	if writers == 1 {
		for b.Loop() {
			edit()
		}
		return
	}
	b.SetParallelism(writers) // per CPU
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			edit()
		}
	})
}

// BenchmarkSweepClaims sweeps a claims collection of 3k, the most 70 writes a
// second leave (sweepAge and a slot and a quarter of them, claims.go),
// finding none old enough: the scan a sweep costs, once a slot in one of the
// processes.
func BenchmarkSweepClaims(b *testing.B) {
	const n = 3_000
	ctx := context.Background()
	s := mustOpen(b)
	if !s.Ferret() {
		b.Skip("FerretDB only")
	}
	at := now()
	for i := 0; i < n; i += 1000 {
		docs := make([]any, 0, 1000)
		for j := i; j < min(i+1000, n); j++ {
			docs = append(docs, claimDoc{ID: claimKey("smes", domain.NewID(), int64(j), at), Origin: s.Origin(), At: at})
		}
		if _, err := s.claims.coll.InsertMany(ctx, docs); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		if got, err := s.claims.sweepClaims(ctx, at.Add(-time.Hour)); err != nil || got != 0 {
			b.Fatal(got, err)
		}
	}
}
