package main

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	"github.com/bettermatch/bettermatch/internal/httpapi"
	"github.com/bettermatch/bettermatch/internal/web"
)

func serve(ctx context.Context, cfg *config) error {
	log := newLogger(cfg)
	log.Info("starting bettermatch", cfg.logAttrs()...)
	tuneGC(os.Getenv)
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.svc.Start(ctx, false, nil); err != nil {
		return fmt.Errorf("bring the search index up to date: %w", err)
	}
	if cfg.AdminEmail != "" {
		created, err := a.svc.EnsureAdmin(ctx, cfg.AdminEmail, cfg.AdminPassword, "Administrator")
		if err != nil {
			return fmt.Errorf("admin account from BETTERMATCH_ADMIN_EMAIL: %w", err)
		}
		if created {
			log.Info("admin account created", "email", cfg.AdminEmail)
		}
	}
	if cfg.Demo {
		if err := loadDemo(ctx, a, log); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
	}
	a.watchMetrics()
	srv := httpapi.New(a.svc, httpapi.Options{Logger: log, Pages: web.New(a.svc, web.Options{Logger: log, CSRFKey: a.csrfKey()}),
		Observer: a.metrics, Metrics: a.metrics.Handler(),
		TrustProxy: cfg.TrustProxy, CORSOrigins: cfg.CORSOrigins, RequestTimeout: cfg.RequestTimeout, MaxReads: cfg.MaxReads})
	if cfg.PprofAddr != "" {
		stop, err := servePprof(cfg.PprofAddr, log)
		if err != nil {
			return err
		}
		defer stop()
	}
	if err := srv.Listen(cfg.Addr); err != nil {
		return err
	}
	log.Info("listening", "addr", srv.Addr(), "url", "http://"+displayAddr(srv.Addr()))

	bg, stopBG := context.WithCancel(context.Background())
	mailDone, err := a.runMailer(bg)
	if err != nil {
		stopBG()
		return err
	}
	syncDone := make(chan struct{})
	go func() {
		defer close(syncDone)
		a.svc.RunSync(bg, cfg.SyncInterval)
	}()
	embedDone := make(chan struct{})
	go func() {
		defer close(embedDone)
		a.svc.RunEmbeddings(bg)
	}()
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve() }()

	select {
	case err = <-serveErr:
	case <-ctx.Done():
		log.Info("shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		err = srv.Shutdown(sctx)
		cancel()
	}
	// The workers stop before the deferred Close shuts the index and store.
	stopBG()
	<-syncDone
	<-embedDone
	<-mailDone
	return err
}

func displayAddr(a string) string {
	if len(a) > 0 && a[0] == ':' {
		return "localhost" + a
	}
	if len(a) > 8 && a[:8] == "0.0.0.0:" {
		return "localhost:" + a[8:]
	}
	if len(a) > 5 && a[:5] == "[::]:" {
		return "localhost:" + a[5:]
	}
	return a
}

// serveGOGC is the collector's target when GOGC is not set: the heap may grow
// to five times what is live between collections, not twice. A server's live
// heap is the matcher's index and caches, a few hundred MB at 100k profiles,
// while every request allocates and drops a little; at Go's default, marking
// and allocation assists took a tenth of the CPU under the load test
// (scripts/load). Set GOGC (and GOMEMLIMIT) to choose otherwise.
//
// At 10k profiles the live heap is about 55 MB, and a collection runs about
// once a second for about 60 ms, a mark worker holding one of the two CPUs
// for much of it. In runs alternating at 500 requests/s, GOGC=100 put the
// mix's p99 at 432 and 199 ms against 92 and 86, and GOGC=1600 at 131 and
// 143 against 101 and 122: fewer collections, yet slower, presumably from
// faulting in and clearing the bigger heap's fresh pages on this machine's
// slow memory (not measured).
const serveGOGC = 400

func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(serveGOGC)
	}
}
