package embedded

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"unsafe"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// The store's writes, and each write's own read of the record it replaces,
// reach FerretDB through in-process pipes rather than loopback TCP
// (DB.DialContext); the other reads stay on TCP.
//
// Why: the store writes one command at a time behind its write gate (SQLite
// has one writer), so every writer waits for the round trips of the ones
// ahead. Over a socket, each half of a round trip is a goroutine woken by the
// runtime's network poller, which a busy scheduler consults only when a CPU
// runs out of queued work, or every 10 ms: under scripts/load at 500
// requests/s on two cores, each round trip of an edit (its read, then its
// commit's claims, change note and replace) took 7-14 ms on average in the
// slowest 3% of edits, for about a millisecond of work. Through a pipe the other side is woken
// directly and runs next. In four alternating runs against TCP (2026-12-07)
// the profile edits' p99 fell from 112-134 ms to 51-63 ms and the mix's p99
// from 67-79 ms to 50-65 ms, with no more CPU. The other reads are left on
// TCP on purpose: with them on pipes too, the database's goroutines ran ahead
// of the searches and the searches' p95 doubled when this was first built.
//
// FerretDB 1.24 has no way to serve a connection it did not accept, so Start
// asks it for a Unix socket listener and swaps that, before FerretDB runs, for
// one that accepts the pipes (swapListener, by reflection on an unexported
// field). Should an upgrade move the field, the swap fails, the store's writes
// go over TCP like its reads, and TestWritesInProcess fails.

// memListener accepts the server ends of DialContext's pipes.
type memListener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func newMemListener() *memListener {
	return &memListener{conns: make(chan net.Conn), closed: make(chan struct{})}
}

func (l *memListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *memListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *memListener) Addr() net.Addr { return pipeAddr{} }

// pipeAddr is both ends' address. FerretDB names a connection from a "unix"
// one by a random number, as it would a Unix socket client.
type pipeAddr struct{}

func (pipeAddr) Network() string { return "unix" }
func (pipeAddr) String() string  { return "bettermatch-in-process" }

// pipeConn is one end of a pipe, with addresses.
type pipeConn struct{ net.Conn }

func (pipeConn) RemoteAddr() net.Addr { return pipeAddr{} }
func (pipeConn) LocalAddr() net.Addr  { return pipeAddr{} }

// DialContext connects to the database in process, for the store's writes (see
// above); network and addr, from the URI, are used only if the in-process
// listener could not be set up. It fails once the database is closed.
func (db *DB) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if db.mem == nil {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	c, s := net.Pipe()
	select {
	case db.mem.conns <- pipeConn{s}:
		return pipeConn{c}, nil
	case <-db.mem.closed:
		return nil, errors.New("embedded database: closed")
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// InProcess reports whether DialContext connects in process; false means
// the swap below failed and DialContext dials TCP.
func (db *DB) InProcess() bool { return db.mem != nil }

// unixSocket is a path for the Unix socket FerretDB opens and swapListener
// closes at once: it is never used, so a fresh temporary directory removed
// after the swap will do. Linux caps such a path at 107 bytes, so not under
// the data directory, whose path can be any length.
func unixSocket() (path string, remove func(), err error) {
	dir, err := os.MkdirTemp("", "bmdb")
	if err != nil {
		return "", nil, err
	}
	return filepath.Join(dir, "s"), func() { os.RemoveAll(dir) }, nil
}

// swapListener replaces the Unix socket listener of f, not yet running, by l,
// and closes the socket. It reports false, changing nothing, when f does not
// look as FerretDB 1.24's does.
func swapListener(f *ferretdb.FerretDB, l net.Listener) bool {
	lv := reflect.ValueOf(f).Elem().FieldByName("l")
	if !lv.IsValid() || lv.Kind() != reflect.Pointer || lv.IsNil() {
		return false
	}
	u := lv.Elem().FieldByName("unixListener")
	if !u.IsValid() || u.Type() != reflect.TypeFor[net.Listener]() {
		return false
	}
	u = reflect.NewAt(u.Type(), unsafe.Pointer(u.UnsafeAddr())).Elem()
	old, _ := u.Interface().(net.Listener)
	if old == nil {
		return false
	}
	_ = old.Close()
	u.Set(reflect.ValueOf(l))
	return true
}
