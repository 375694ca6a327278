package mongostore

import "sync"

// gate serialises this process's writes to the embedded database (FerretDB on
// SQLite). SQLite has one writer at a time; a writer that finds the lock taken
// sleeps in SQLite's busy handler (1 to 100 ms a time) and tries again, and
// FerretDB's read-then-write transactions can fail outright when another
// writer commits in between. Under the load test, with dozens of concurrent
// writes, an update waited seconds while the CPU idled. Queueing writes here
// hands the lock on as soon as it is free. Reads are not gated: in WAL mode
// they never wait for a writer. On MongoDB the gate is open.
type gate struct {
	on bool
	mu sync.Mutex
}

// enter waits for this process's turn to write and returns the function that
// ends it.
func (g *gate) enter() func() {
	if !g.on {
		return func() {}
	}
	g.mu.Lock()
	return g.mu.Unlock
}
