package httpapi

import (
	"net/http"
	"runtime"

	"github.com/labstack/echo/v4"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// DefaultMaxReads is how many reads are served at once unless configured:
// eight per CPU.
//
// Why bound them: a search or a match list is CPU work, so on two cores a
// hundred of them at once finish no sooner than a few would, each just takes
// longer, and every other goroutine waits behind them. Reads beyond the bound
// wait their turn, in order, before any work is done for them, and count their
// wait against the request's timeout. The bound is loose because the CPU work
// itself has a tighter one inside the service (one search or ranking per CPU,
// service/compute.go): here it only caps the crowd, while reads that mostly
// wait for the database (a profile, a list of responses) go on past the
// searches. With four per CPU and no bound inside, those reads queued behind
// the searches. Writes are not held: they are few, short, and serialised
// further down (the store's write gate) anyway.
func DefaultMaxReads() int { return 8 * runtime.GOMAXPROCS(0) }

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
