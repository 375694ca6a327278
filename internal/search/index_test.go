package search

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/bettermatch/bettermatch/internal/domain"
)

func mustOpen(t *testing.T, path string, wantFresh bool) *Index {
	t.Helper()
	x, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if x.Fresh() != wantFresh {
		t.Fatalf("Fresh() = %v, want %v", x.Fresh(), wantFresh)
	}
	return x
}

func mustCount(t testing.TB, x *Index, kind string, want int) {
	t.Helper()
	if n, err := x.Count(kind); err != nil || n != want {
		t.Fatalf("Count(%s) = %d, %v; want %d", kind, n, err, want)
	}
}

func TestOpenReopenKeepsDocsAndStamp(t *testing.T) {
	path := filepath.Join(t.TempDir(), "index")
	x := mustOpen(t, path, true)
	if s, err := x.Stamp(); err != nil || s != "" {
		t.Fatalf("new index Stamp = %q, %v", s, err)
	}
	if err := x.Index(context.Background(), smes()...); err != nil {
		t.Fatal(err)
	}
	if err := x.SetStamp("42"); err != nil {
		t.Fatal(err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}

	x = mustOpen(t, path, false)
	defer x.Close()
	mustCount(t, x, domain.KindSME, 6)
	if s, err := x.Stamp(); err != nil || s != "42" {
		t.Fatalf("reopened Stamp = %q, %v", s, err)
	}
	// The reopened index knows an Italian record is there and searches Italian fields.
	if got := ids(mustSearch(t, x, domain.SearchRequest{Kind: domain.KindSME, Q: "traffici"})); len(got) != 1 || got[0] != "traffico" {
		t.Fatalf("Italian search after reopen = %q", got)
	}
}

func TestOpenRecoversCorruptIndex(t *testing.T) {
	garbage := []byte("this is not a bleve index\x00\xff\x13")
	tests := []struct {
		name    string
		corrupt func(t *testing.T, path string)
		// Scorch skips a snapshot whose segments fail to load and opens the
		// newest one that loads: an older but consistent state whose stamp is
		// as old as its contents, which the caller's sync catches up from.
		mayFallBack bool
	}{
		{"every file overwritten", func(t *testing.T, path string) {
			err := filepath.WalkDir(path, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					err = os.WriteFile(p, garbage, 0o600)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}, false},
		{"segments overwritten", func(t *testing.T, path string) {
			zaps, _ := filepath.Glob(filepath.Join(path, "store", "*.zap"))
			if len(zaps) == 0 {
				t.Fatal("no segment files to corrupt")
			}
			for _, p := range zaps {
				if err := os.WriteFile(p, garbage, 0o600); err != nil {
					t.Fatal(err)
				}
			}
		}, true},
		{"index_meta.json garbage", func(t *testing.T, path string) {
			if err := os.WriteFile(filepath.Join(path, "index_meta.json"), garbage, 0o600); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"store missing", func(t *testing.T, path string) {
			if err := os.RemoveAll(filepath.Join(path, "store")); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"older mapping version", func(t *testing.T, path string) {
			x := mustOpen(t, path, false)
			if err := x.idx.SetInternal(keyVersion, []byte("0")); err != nil {
				t.Fatal(err)
			}
			if err := x.Close(); err != nil {
				t.Fatal(err)
			}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "index")
			x := mustOpen(t, path, true)
			if err := x.Index(context.Background(), smes()...); err != nil {
				t.Fatal(err)
			}
			if err := x.SetStamp("7"); err != nil {
				t.Fatal(err)
			}
			if err := x.Close(); err != nil {
				t.Fatal(err)
			}
			tt.corrupt(t, path)

			x, err := Open(path)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer x.Close()
			stamp, _ := x.Stamp()
			if tt.mayFallBack && !x.Fresh() {
				if stamp == "7" {
					t.Fatal("index lost its segments but kept the stamp of the state that had them")
				}
				return
			}
			if !x.Fresh() {
				t.Fatal("Fresh() = false, want true")
			}
			mustCount(t, x, domain.KindSME, 0)
			if stamp != "" {
				t.Errorf("fresh index kept stamp %q", stamp)
			}
			// And it works.
			if err := x.Index(context.Background(), smes()...); err != nil {
				t.Fatal(err)
			}
			mustCount(t, x, domain.KindSME, 6)
		})
	}
}

func TestOpenLeavesOtherDirectoriesAlone(t *testing.T) {
	dir := t.TempDir()
	keep := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(keep, []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); err == nil {
		t.Fatal("Open on a directory of other files succeeded")
	}
	if _, err := os.Stat(keep); err != nil {
		t.Fatalf("Open removed someone's file: %v", err)
	}

	// An empty directory is fine: a fresh index goes in it.
	empty := t.TempDir()
	x := mustOpen(t, empty, true)
	_ = x.Close()
}

// Concurrent writers share batches (commitWrites), and still each finds its
// own write the moment Index or Remove returns, and finds it after a reopen.
func TestConcurrentWritesReadTheirOwn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "index")
	x := mustOpen(t, path, true)
	ctx := context.Background()
	const writers = 40
	// Every two words are at least two edits apart, so that the fuzzy
	// alternatives of a removed word match no other writer's.
	word := func(i int) string {
		a, b := string(rune('a'+i%26)), string(rune('a'+i/26))
		return "zq" + a + a + "word" + b + b
	}
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			rec := sme(fmt.Sprint("w", i), 1, domain.SMEInput{Name: "Writer", Summary: "Makes " + word(i) + "."})
			if err := x.Index(ctx, rec); err != nil {
				t.Error(err)
				return
			}
			if got := ids(mustSearch(t, x, domain.SearchRequest{Kind: domain.KindSME, Q: word(i)})); len(got) != 1 {
				t.Errorf("writer %d: search right after Index found %q", i, got)
			}
			if i%4 != 0 {
				return
			}
			if err := x.Remove(ctx, domain.KindSME, rec.ID); err != nil {
				t.Error(err)
				return
			}
			if got := ids(mustSearch(t, x, domain.SearchRequest{Kind: domain.KindSME, Q: word(i)})); len(got) != 0 {
				t.Errorf("writer %d: search right after Remove found %q", i, got)
			}
		})
	}
	wg.Wait()
	mustCount(t, x, domain.KindSME, writers-writers/4)
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	x = mustOpen(t, path, false)
	defer x.Close()
	mustCount(t, x, domain.KindSME, writers-writers/4)
}
