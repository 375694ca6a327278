package mongostore

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/embedded"
)

// uri is the one embedded database every test in the package shares; each
// test gets its own database name in it.
var (
	uri string
	edb *embedded.DB
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "mongostore-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	edb, err = embedded.Start(context.Background(), dir, "", nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer edb.Close()
	uri = edb.URI()
	return m.Run()
}

// mustOpen opens a store on a fresh database, dropped when the test ends.
func mustOpen(tb testing.TB) *Store {
	tb.Helper()
	name := "t" + domain.NewID()
	s := mustOpenDB(tb, name)
	tb.Cleanup(func() {
		if err := s.Drop(context.Background()); err != nil {
			tb.Errorf("drop: %v", err)
		}
	})
	return s
}

// mustOpenDB opens another store on a named database, closed when the test ends.
func mustOpenDB(tb testing.TB, name string) *Store {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := Open(ctx, uri, name, edb)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	if s.IDLookupsScan() {
		tb.Fatal("reads by _id scan the collection even with the embedded database's index")
	}
	tb.Cleanup(func() { s.Close(context.Background()) })
	return s
}

func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if got := domain.ErrorCode(err); got != code {
		tb.Fatalf("error code = %q, want %q (err: %v)", got, code, err)
	}
}

func newSME(name string) *domain.SME {
	return &domain.SME{Meta: domain.Meta{ID: domain.NewID()}, SMEInput: domain.SMEInput{
		Name: name, Size: domain.SizeSmall, Region: "West Midlands", Summary: "Air quality sensors",
		Capabilities: []string{"sensors", "data"}, Skills: []string{"go"}, CPV: []string{}, SIC: []string{},
		Certifications: []string{},
	}}
}
