package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/bettermatch/bettermatch/internal/auth"
	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/embedded"
	"github.com/bettermatch/bettermatch/internal/embedder"
	"github.com/bettermatch/bettermatch/internal/logging"
	"github.com/bettermatch/bettermatch/internal/match"
	"github.com/bettermatch/bettermatch/internal/metrics"
	"github.com/bettermatch/bettermatch/internal/mongostore"
	"github.com/bettermatch/bettermatch/internal/search"
	"github.com/bettermatch/bettermatch/internal/service"
)

// app is the wired program: the concrete packages meet only here.
type app struct {
	cfg *config
	log *slog.Logger
	// secret signs tokens; web forms' CSRF key is derived from it, so every
	// process sharing it accepts the others' forms and a restart breaks none.
	secret  []byte
	edb     *embedded.DB
	store   *mongostore.Store
	index   *search.Index
	svc     *service.Service
	metrics *metrics.Registry
	closers []func() error
}

// newLogger logs JSON (or text) to stderr; every record made with a
// request's context carries its request_id (see package logging).
func newLogger(cfg *config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "text" {
		return slog.New(logging.Handler(slog.NewTextHandler(os.Stderr, opts)))
	}
	return slog.New(logging.Handler(slog.NewJSONHandler(os.Stderr, opts)))
}

// openApp connects to the database (starting the embedded one when no URI is
// configured), opens the search index and builds the service. Call Close.
func openApp(ctx context.Context, cfg *config, log *slog.Logger) (_ *app, err error) {
	a := &app{cfg: cfg, log: log, metrics: metrics.New()}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	uri := cfg.MongoURI
	if uri == "" {
		a.edb, err = embedded.Start(ctx, filepath.Join(cfg.DataDir, "db"), "", nil)
		if err != nil {
			return nil, err
		}
		a.closers = append(a.closers, a.edb.Close)
		uri = a.edb.URI()
		log.Info("embedded database started", "dir", filepath.Join(cfg.DataDir, "db"))
	}
	var local mongostore.Embedded // not a nil *embedded.DB
	if a.edb != nil {
		local = a.edb
	}
	a.store, err = mongostore.Open(ctx, uri, cfg.MongoDatabase, local)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	a.closers = append(a.closers, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return a.store.Close(ctx)
	})
	// One index per database name, so pointing the same data dir at another
	// database never mixes their records.
	a.index, err = search.Open(filepath.Join(cfg.DataDir, "index-"+cfg.MongoDatabase))
	if err != nil {
		return nil, fmt.Errorf("search index: %w", err)
	}
	a.closers = append(a.closers, a.index.Close)
	if a.store.IDLookupsScan() {
		log.Warn("the database reads documents by _id with a full scan; expect slow requests on large data")
	}
	if a.index.Fresh() {
		log.Info("search index is new; it will be built from the database")
	}
	tokens, err := a.tokens()
	if err != nil {
		return nil, err
	}
	a.svc = service.New(service.Deps{
		Store:    a.store,
		Index:    a.index,
		Matcher:  a.metrics.Matcher(match.New(search.NewAnalyzer(), match.Options{Now: time.Now})),
		Tokens:   tokens,
		Hasher:   auth.NewHasher(auth.DefaultParams),
		Embedder: newEmbedder(cfg),
		Mail:     service.MailOptions{Enabled: cfg.SMTPURL != "", BaseURL: cfg.PublicURL},
		Logger:   log,
		Limits: service.Limits{AttemptsPerEmail: cfg.EmailLimit.N, EmailWindow: cfg.EmailLimit.Window,
			AttemptsPerAddr: cfg.AddrLimit.N, AddrWindow: cfg.AddrLimit.Window},
		RefreshTTL:   cfg.RefreshTTL,
		ComputeSlots: cfg.ComputeSlots,
	})
	return a, nil
}

// newEmbedder is the configured embeddings endpoint, or the no-op one when
// there is no key: ranking is then lexical and says so.
func newEmbedder(cfg *config) domain.Embedder {
	if cfg.OpenAIKey == "" {
		return domain.NopEmbedder{}
	}
	return embedder.New(embedder.Config{APIKey: cfg.OpenAIKey, BaseURL: cfg.OpenAIBaseURL, Model: cfg.EmbeddingModel})
}

// tokens uses the configured secret or one generated and kept in the data dir.
func (a *app) tokens() (domain.TokenService, error) {
	secret := []byte(a.cfg.JWTSecret)
	if len(secret) == 0 {
		path := filepath.Join(a.cfg.DataDir, "jwt-secret")
		var created bool
		var err error
		secret, created, err = auth.LoadOrCreateSecret(path)
		if err != nil {
			return nil, fmt.Errorf("token secret: %w", err)
		}
		if created {
			a.log.Info("BETTERMATCH_JWT_SECRET is not set: generated a token secret and kept it in the data dir", "file", path)
		} else {
			a.log.Info("BETTERMATCH_JWT_SECRET is not set: using the token secret kept in the data dir", "file", path)
		}
	}
	a.secret = secret
	return auth.NewTokens(secret, a.cfg.TokenTTL, time.Now)
}

// csrfKey derives the web forms' key from the token secret.
func (a *app) csrfKey() []byte {
	m := hmac.New(sha256.New, a.secret)
	m.Write([]byte("bettermatch csrf v1"))
	return m.Sum(nil)
}

// Close shuts down in reverse order of opening.
func (a *app) Close() error {
	var errs []error
	for i := len(a.closers) - 1; i >= 0; i-- {
		if err := a.closers[i](); err != nil {
			errs = append(errs, err)
		}
	}
	a.closers = nil
	return errors.Join(errs...)
}
