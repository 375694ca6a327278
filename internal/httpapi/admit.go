package httpapi

import (
	"net/http"
	"runtime"

	"github.com/labstack/echo/v4"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// DefaultMaxReads is how many reads are served at once unless configured:
// four per CPU.
//
// Why bound them: a search or a match list is CPU work (the index, the
// ranking, the embedded database's decoding), so on two cores a hundred of
// them at once finish no sooner than eight would, each just takes longer. And
// writes pay for the crowd: an edit is a few round trips to the database,
// one after the other and each behind every runnable goroutine, and under the
// load test (scripts/load) edits took seconds while reads took milliseconds.
// Reads beyond the bound wait their turn, in order, before any work is done
// for them, and count their wait against the request's timeout. Writes are
// not held: they are few, short, and serialised further down (the store's
// write gate) anyway.
func DefaultMaxReads() int { return 4 * runtime.GOMAXPROCS(0) }

// admit waits for a read's turn (see DefaultMaxReads). Health checks and
// metrics are never held: a busy server must still answer its probes.
func (s *Server) admit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if s.reads == nil || r.Method != http.MethodGet && r.Method != http.MethodHead || opsPath(r.URL.Path) {
			return next(c)
		}
		select {
		case s.reads <- struct{}{}:
		case <-r.Context().Done():
			// Out of time (timeout then says so) or the client left.
			return &domain.Error{Code: domain.EUNAVAILABLE, Message: "The server is busy. Try again in a moment."}
		}
		defer func() { <-s.reads }()
		return next(c)
	}
}

// opsPath is a path for the operator's probes and scraper.
func opsPath(p string) bool { return p == "/healthz" || p == "/readyz" || p == "/metrics" }
