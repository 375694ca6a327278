// Package testenv wires a real service for tests: the embedded database (one
// per test binary, started from TestMain), a fresh database per test dropped at
// cleanup, an in-memory bleve index, the matcher, real tokens and a fast
// password hasher. Nothing in it is a mock.
package testenv

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/auth"
	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/embedded"
	"github.com/bettermatch/bettermatch/internal/match"
	"github.com/bettermatch/bettermatch/internal/mongostore"
	"github.com/bettermatch/bettermatch/internal/search"
	"github.com/bettermatch/bettermatch/internal/service"
)

var (
	uri string
	edb *embedded.DB
)

// Main starts the package's embedded database, runs the tests and stops it.
// Call it from TestMain: os.Exit(testenv.Main(m)).
func Main(m *testing.M) int {
	dir, err := os.MkdirTemp("", "bettermatch-test-db-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	edb, err = embedded.Start(context.Background(), dir, "", nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		return 1
	}
	uri = edb.URI()
	code := m.Run()
	edb.Close()
	return code
}

// URI is the embedded database's address (after Main has started it).
func URI() string { return uri }

// Clock is a settable clock for deadline tests.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Env is one test's wired service.
type Env struct {
	Svc      *service.Service
	Store    *mongostore.Store
	Index    *search.Index
	Matcher  *match.Engine
	Tokens   *auth.Tokens
	Clock    *Clock
	Database string
}

// Options adjust the environment.
type Options struct {
	// Embedder, when set, enables semantic ranking.
	Embedder domain.Embedder
	// Logger defaults to a silent one.
	Logger *slog.Logger
	// Database shares another Env's database (a second process); empty
	// means a fresh one.
	Database string
	// Mail turns on email notifications (queued in the outbox).
	Mail service.MailOptions
	// WrapMatcher, when set, wraps the matcher the service uses (the
	// metrics package times it this way); Env.Matcher stays the engine.
	WrapMatcher func(domain.Matcher) domain.Matcher
	// Limits are the sign-in rate limits. By default they are too high to
	// meet, since every test client shares one address; tests of the
	// limits set them (service.DefaultLimits for the production ones).
	Limits *service.Limits
	// IndexDir puts the search index on disk there, as serve does; empty
	// means in memory.
	IndexDir string
}

// New returns a fresh environment on its own database.
func New(t testing.TB, opts ...Options) *Env {
	t.Helper()
	if uri == "" {
		t.Fatal("testenv: call testenv.Main from TestMain")
	}
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	ctx := context.Background()
	db, shared := "t_"+domain.NewID()[:16], o.Database != ""
	if shared {
		db = o.Database
	}
	st, err := mongostore.Open(ctx, uri, db, edb)
	if err != nil {
		t.Fatal(err)
	}
	var idx *search.Index
	if o.IndexDir != "" {
		idx, err = search.Open(o.IndexDir)
	} else {
		idx, err = search.OpenMem()
	}
	if err != nil {
		t.Fatal(err)
	}
	clock := &Clock{t: time.Now().UTC().Truncate(time.Millisecond)}
	tokens, err := auth.NewTokens([]byte("test-secret-test-secret-test-secret!"), time.Hour, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	m := match.New(search.NewAnalyzer(), match.Options{Now: clock.Now})
	var matcher domain.Matcher = m
	if o.WrapMatcher != nil {
		matcher = o.WrapMatcher(m)
	}
	limits := service.Limits{AttemptsPerEmail: 1 << 20, AttemptsPerAddr: 1 << 20}
	if o.Limits != nil {
		limits = *o.Limits
	}
	svc := service.New(service.Deps{
		Store: st, Index: idx, Matcher: matcher, Tokens: tokens, Hasher: auth.NewHasher(auth.TestParams),
		Embedder: o.Embedder, Mail: o.Mail, Logger: o.Logger, Now: clock.Now, Limits: limits,
	})
	if err := svc.Start(ctx, false, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		idx.Close()
		if !shared {
			_ = st.Drop(context.Background())
		}
		_ = st.Close(context.Background())
	})
	return &Env{Svc: svc, Store: st, Index: idx, Matcher: m, Tokens: tokens, Clock: clock, Database: db}
}
