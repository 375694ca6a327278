package mongostore

import "context"

// gate serialises this process's writes to the embedded database (FerretDB on
// SQLite). SQLite has one writer at a time; a writer that finds the lock taken
// sleeps in SQLite's busy handler (1 to 100 ms a time) and tries again, and
// FerretDB's read-then-write transactions can fail outright when another
// writer commits in between. Under the load test, with dozens of concurrent
// writes, an update waited seconds while the CPU idled. Queueing writes here
// hands the lock on as soon as it is free. Reads are not gated: in WAL mode
// they never wait for a writer. On MongoDB the gate is open.
//
// Every gated write goes through the store's write client (Store.wdb), which
// on the embedded database in this process reaches it in process
// (Embedded.DialContext): a writer holds the gate for a whole round trip,
// which over a socket waited for the runtime's network poller (see package
// embedded's pipe.go).
type gate struct {
	on   bool
	turn chan struct{} // holds a token while a write is in progress
}

func (g *gate) open(on bool) {
	g.on = on
	g.turn = make(chan struct{}, 1)
}

// enter waits for this process's turn to write and returns the function that
// ends it.
func (g *gate) enter() func() {
	done, _ := g.enterCtx(context.Background())
	return done
}

// enterCtx is enter that gives up when ctx ends.
func (g *gate) enterCtx(ctx context.Context) (func(), error) {
	if !g.on {
		return func() {}, nil
	}
	select {
	case g.turn <- struct{}{}:
		return func() { <-g.turn }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
