// Package embedded starts the MongoDB-compatible database bettermatch uses when no
// MONGODB_URI is configured: FerretDB with its SQLite handler, listening on loopback
// only, with its files under the data directory. It is the only package that imports
// FerretDB, so the rest of the program only ever sees a MongoDB URI.
package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// DB is a running embedded database.
type DB struct {
	dir    string
	uri    string
	cancel context.CancelFunc
	done   chan struct{}
	// mem accepts DialContext's pipes; nil when they could not be set up
	// (pipe.go).
	mem *memListener
}

// Start runs FerretDB with its SQLite files in dir, on a free loopback port (or on
// addr when it is not empty). FerretDB's own logging is discarded unless logger is
// given: it is chatty at info level and says nothing a bettermatch operator needs.
func Start(ctx context.Context, dir, addr string, logger *slog.Logger) (*DB, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("embedded database: %w", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("embedded database: %w", err)
	}
	if addr == "" {
		addr, err = freeLoopbackAddr()
		if err != nil {
			return nil, fmt.Errorf("embedded database: %w", err)
		}
	}
	if logger == nil {
		logger = slog.New(discard{})
	}
	sock, removeSock, err := unixSocket()
	if err != nil {
		return nil, fmt.Errorf("embedded database: %w", err)
	}
	defer removeSock()
	f, err := ferretdb.New(&ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: addr, Unix: sock},
		Handler:  "sqlite",
		// WAL (FerretDB's default) with synchronous=NORMAL: a commit is
		// durable once it is in the write-ahead log, so an acknowledged write
		// survives the process being killed (kill -9 tests), and the log is
		// synced at checkpoints rather than on every commit, which more than
		// doubles write throughput on this 2-core machine (BenchmarkParallel-
		// SMEUpdates: 104 → 212 updates/s at 16 writers, p99 1.1 s → 120 ms).
		// What it gives up: the last commits before a power cut or OS crash.
		// Production runs on MongoDB (see README) where that matters.
		SQLiteURL: "file:" + abs + "/?_pragma=synchronous(normal)",
		Logger:    logger,
	})
	if err != nil {
		return nil, fmt.Errorf("embedded database: %w", err)
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	db := &DB{dir: abs, cancel: cancel, done: make(chan struct{})}
	if mem := newMemListener(); swapListener(f, mem) {
		db.mem = mem
	}
	go func() {
		defer close(db.done)
		_ = f.Run(runCtx)
	}()
	// MongoDBURI needs the listener to be up; wait for the port to accept.
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			cancel()
			return nil, errors.New("embedded database: did not start listening within 30s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	db.uri = f.MongoDBURI()
	return db, nil
}

// URI is the mongodb:// address clients connect to.
func (db *DB) URI() string { return db.uri }

// Close stops the database and waits for its files to be closed.
func (db *DB) Close() error {
	db.cancel()
	select {
	case <-db.done:
	case <-time.After(10 * time.Second):
		return errors.New("embedded database: did not stop within 10s")
	}
	return nil
}

func freeLoopbackAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// discard is a slog handler that drops everything for free. FerretDB derives
// a logger with attributes for every SQL statement; a text handler writing to
// io.Discard still formatted those attributes (0.7% of the CPU under
// scripts/load).
type discard struct{}

func (discard) Enabled(context.Context, slog.Level) bool  { return false }
func (discard) Handle(context.Context, slog.Record) error { return nil }
func (d discard) WithAttrs([]slog.Attr) slog.Handler      { return d }
func (d discard) WithGroup(string) slog.Handler           { return d }
