package match

import (
	"fmt"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// DebugNeeds lists a challenge's needs with their groups and learned words.
func DebugNeeds(e *Engine, c *domain.Challenge) []string {
	a := e.analyse(challengeText(c))
	e.rlock()
	defer e.mu.RUnlock()
	q := e.newQuery(build(a, e.terms.lookup, e.concepts.lookup), e.table())
	var out []string
	for _, n := range q.needs {
		s := fmt.Sprintf("g%d %s:", n.group, n.label)
		if n.learned != nil {
			s += fmt.Sprintf(" n=%d norm=%.2f", n.learned.n, n.learned.norm)
			for i, w := range n.learned.terms {
				if i < 12 {
					s += fmt.Sprintf(" %s/%.2f", e.terms.names[w.term], w.w)
				}
			}
		}
		out = append(out, s)
	}
	return out
}

// DebugCos prints the pairwise cosines of the needs' vectors.
func DebugCos(e *Engine, c *domain.Challenge) []string {
	a := e.analyse(challengeText(c))
	e.rlock()
	defer e.mu.RUnlock()
	q := e.newQuery(build(a, e.terms.lookup, e.concepts.lookup), e.table())
	vec := needVectors(q.needs)
	var out []string
	for i := range q.needs {
		s := q.needs[i].label + ":"
		for j := range q.needs {
			s += fmt.Sprintf(" %.2f", cosine(vec[i], vec[j]))
		}
		out = append(out, s)
	}
	return out
}

// HoldRanking takes the read lock as a ranking in flight does, until release.
func HoldRanking(e *Engine) (release func()) {
	e.mu.RLock()
	return e.mu.RUnlock
}

// Queued is how many records wait for the write lock (pending.go).
func Queued(e *Engine) int64 { return e.npending.Load() }

// Enqueue queues recs as a Put that found the write lock taken does, as if
// its drain goroutine had not run yet.
func Enqueue(e *Engine, recs ...domain.Record) { e.enqueue(e.prepare(recs)) }
