package match

import (
	"math"
	"sort"
	"strings"
	"sync"
	"time"
)

// Learned associations: what words does the corpus use for a need?
//
// A council asks for "air quality monitoring"; one SME says it calibrates
// pollution monitors, another that its sensors report nitrogen dioxide. None
// repeats the phrase. But profiles that do list "air quality monitoring" (or the
// CPV code for air-pollution services) keep using those words in their prose,
// and profiles that do not list it rarely do. So for every listed capability,
// skill and CPV code (a "concept") the engine learns, from the corpus itself,
// the prose words over-represented among the records that list it: a relevance
// model estimated from the records' own structured fields. Nothing is written by
// hand, and it follows however a region's firms happen to phrase things.
//
// For concept k listed by n records, a word t found in the prose of c of them
// and in the prose of a share q of all records gets weight
//
//	w(k,t) = p − q,  with p = c / (n + 2)
//
// kept when c ≥ 2, p ≥ minP and p ≥ minLift·q: high when the word comes with
// the concept and is rare without it, shrunk (the +2) when few records list the
// concept. Each concept also records how much evidence a record that truly has
// it typically shows (the mean, over the records listing it, of the weights of
// its words they contain), so coverage can be judged relative to that rather
// than to a fixed number of words.
type assoc struct {
	terms []weighted // by weight, descending
	norm  float64    // typical evidence of a record listing the concept
	n     int        // records listing it

	vecOnce sync.Once
	vec     map[uint32]float64
}

type weighted struct {
	term uint32
	w    float64
}

// assocTable is one learned snapshot; it is replaced whole, never edited
// (but for the cache of related concepts, which has its own lock).
type assocTable struct {
	by   map[uint32]*assoc
	gen  uint64 // corpus generation it was learned from
	live int    // live records when it was learned

	relMu   sync.Mutex
	related map[uint32]map[uint32]float64
}

// relatedTo returns the listed phrases whose learned words are like those of
// concept c (cosine ≥ relatedAt), with their similarity: a firm listing
// "geospatial mapping" shows the skill "GIS" when the corpus describes both
// with the same words. Computed once per concept and table.
func (t *assocTable) relatedTo(c uint32, names []string) map[uint32]float64 {
	t.relMu.Lock()
	defer t.relMu.Unlock()
	if r, ok := t.related[c]; ok {
		return r
	}
	if t.related == nil {
		t.related = map[uint32]map[uint32]float64{}
	}
	a := t.by[c]
	var r map[uint32]float64
	if a != nil {
		va := a.vector()
		for id, b := range t.by {
			if id == c || !strings.HasPrefix(names[id], "p") {
				continue
			}
			if s := cosine(va, b.vector()); s >= relatedAt {
				if r == nil {
					r = map[uint32]float64{}
				}
				r[id] = s
			}
		}
	}
	t.related[c] = r
	return r
}

// relatedAt is how alike two concepts' learned words must be to relate them.
const relatedAt = 0.6

func (a *assoc) vector() map[uint32]float64 {
	a.vecOnce.Do(func() {
		a.vec = make(map[uint32]float64, len(a.terms))
		for _, w := range a.terms {
			a.vec[w.term] = w.w
		}
	})
	return a.vec
}

const (
	assocMinP     = 0.2
	assocMinLift  = 4.0
	assocMaxTerms = 40
	// assocPrior shrinks estimates from few records: with two records listing
	// a concept, a word both happen to use ("We are based in Gävle") must not
	// look like its meaning.
	assocPrior = 2.0
)

// learn builds the table from every record of the corpus. The caller holds at
// least the read lock.
func (e *Engine) learn() *assocTable { return e.gather().learn() }

// learnInput is what learning needs from the corpus: gathered under the read
// lock (gather), then learned from without it (learn), since records' docs
// never change once built. A background relearning (tens of milliseconds at
// 10k profiles under load, every Options.Relearn while edits come in) held the
// read lock throughout, so an edit's Put waited for it, and every match behind
// the waiting Put.
type learnInput struct {
	tab     *assocTable
	dfp     []int32 // prose document frequency of each term
	total   int     // records with prose
	members map[uint32][]*doc
	names   []string // concept names
}

// gather collects the learnInput. The caller holds at least the read lock.
func (e *Engine) gather() *learnInput {
	sides := []*side{e.smes, e.challenges, e.courses}
	nTerms := len(e.terms.names)
	// Prose document frequency over all records.
	dfp := make([]int32, nTerms)
	total := 0
	for _, s := range sides {
		for _, d := range s.docs {
			if d == nil || len(d.prose) == 0 {
				continue
			}
			total++
			for _, t := range d.prose {
				dfp[t]++
			}
		}
	}
	in := &learnInput{tab: &assocTable{by: map[uint32]*assoc{}, gen: e.gen, live: e.live()},
		dfp: dfp, total: total, names: e.concepts.names}
	if total == 0 {
		return in
	}
	// Which records list each concept: the union of the sides' concept postings.
	in.members = map[uint32][]*doc{}
	for _, s := range sides {
		for c, slots := range s.concepts {
			for _, sl := range slots {
				if d := s.docs[sl]; d != nil && len(d.prose) > 0 {
					in.members[uint32(c)] = append(in.members[uint32(c)], d)
				}
			}
		}
	}
	return in
}

// learn builds the table from in, without the engine's lock.
func (in *learnInput) learn() *assocTable {
	tab, dfp, total := in.tab, in.dfp, in.total
	if total == 0 {
		return tab
	}
	count := make([]int32, len(dfp)) // scratch, reset through touched
	var touched []uint32
	for c, docs := range in.members {
		// Only whole phrases and exact codes are needs; class-level concepts
		// exist for candidate generation.
		if len(docs) < 2 || strings.HasPrefix(in.names[c], "k:") {
			continue
		}
		touched = touched[:0]
		for _, d := range docs {
			for _, t := range d.prose {
				if count[t] == 0 {
					touched = append(touched, t)
				}
				count[t]++
			}
		}
		n := float64(len(docs))
		a := &assoc{n: len(docs)}
		for _, t := range touched {
			cnt := count[t]
			count[t] = 0
			p := float64(cnt) / (n + assocPrior)
			q := float64(dfp[t]) / float64(total)
			if cnt >= 2 && p >= assocMinP && p >= assocMinLift*q {
				a.terms = append(a.terms, weighted{t, p - q})
			}
		}
		if len(a.terms) == 0 {
			continue
		}
		sort.Slice(a.terms, func(i, j int) bool {
			if a.terms[i].w != a.terms[j].w {
				return a.terms[i].w > a.terms[j].w
			}
			return a.terms[i].term < a.terms[j].term
		})
		if len(a.terms) > assocMaxTerms {
			a.terms = a.terms[:assocMaxTerms]
		}
		for _, d := range docs {
			a.norm += evidence(a.terms, d)
		}
		a.norm /= n
		if a.norm > 0 {
			tab.by[c] = a
		}
	}
	return tab
}

// evidence is the summed weight of the terms of ws found in d's prose.
func evidence(ws []weighted, d *doc) float64 {
	var s float64
	for _, w := range ws {
		if d.hasProse(w.term) {
			s += w.w
		}
	}
	return s
}

// table returns a current association table, relearning it when the corpus has
// changed and the last one is older than Options.Relearn (so a burst of writes
// does not trigger a burst of relearning). The caller holds the read lock.
func (e *Engine) table() *assocTable {
	e.learnMu.Lock()
	defer e.learnMu.Unlock()
	t := e.assoc
	if t != nil && t.gen == e.gen {
		return t
	}
	// A table learned from a corpus a tenth smaller or larger (an empty one
	// at start-up, before a bulk load) would be wrong, not just stale: learn
	// now. So do tests that ask for exact answers after every change.
	n := e.live()
	if t == nil || n > t.live+t.live/10 || n < t.live-t.live/10 || e.opts.Relearn < 0 {
		t = e.learn()
		e.assoc, e.learnedAt = t, time.Now()
		return t
	}
	// Stale after a few writes: answer with the table we have and, at most
	// once per Relearn period (by the wall clock, not Options.Now, which
	// judges deadlines and may be frozen in tests), learn the new one in the
	// background, so no request pays for relearning (tens of milliseconds at
	// 10k profiles, 0.6 s at 100k).
	if !e.learning && time.Since(e.learnedAt) >= e.opts.Relearn {
		e.learning = true
		go e.relearn()
	}
	return t
}

// live counts the records of every side.
func (e *Engine) live() int { return e.smes.live + e.challenges.live + e.courses.live }

// relearn builds a new association table off the request path, holding the
// read lock only while it gathers its input.
func (e *Engine) relearn() {
	e.rlock()
	in := e.gather()
	e.mu.RUnlock()
	t := in.learn()
	e.learnMu.Lock()
	e.assoc, e.learnedAt, e.learning = t, time.Now(), false
	e.learnMu.Unlock()
}

// cosine of two sparse weight vectors.
func cosine(a, b map[uint32]float64) float64 {
	var dot, na, nb float64
	for t, w := range a {
		na += w * w
		dot += w * b[t]
	}
	for _, w := range b {
		nb += w * w
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}
