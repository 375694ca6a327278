package match

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// Options tune an Engine. The zero value is usable.
type Options struct {
	// Now is the clock deadlines are judged by (time.Now when nil).
	Now func() time.Time
	// Weights of the fusion (DefaultWeights when zero).
	Weights Weights
	// Candidates is how many profiles the first stage hands to full scoring
	// (default 200).
	Candidates int
	// Relearn is the least time between two relearnings of the word
	// associations after the corpus changes (default 10s; negative: relearn on
	// the first query after every change, as tests want).
	Relearn time.Duration
}

// Engine is the in-memory matcher. Reads are hot and concurrent: one RWMutex
// guards the corpus, and writes queue rather than wait for it (pending.go).
type Engine struct {
	an   domain.TextAnalyzer
	opts Options

	mu       sync.RWMutex
	terms    *dict
	concepts *dict
	// conceptLabel is each concept as first written ("GIS", not "gis").
	conceptLabel map[uint32]string
	smes         *side
	challenges   *side
	courses      *side
	vectors      map[string]map[string][]float32 // kind → id → unit vector
	gen          uint64                          // bumped by every write

	// Puts waiting for the write lock (pending.go).
	pmu      sync.Mutex
	pending  []pendingPut
	draining bool         // a drain goroutine will take the queue
	npending atomic.Int64 // len(pending), read without pmu

	learnMu   sync.Mutex
	assoc     *assocTable
	learnedAt time.Time
	learning  bool // a background relearn is running

	scratch sync.Pool // *[]float32 accumulators for candidate generation
	labels  sync.Map  // CPV code → analysed label
	stems   sync.Map  // language and word → its stem, for explanations
	nstems  atomic.Int64

	qmu    sync.Mutex // guards the cache of prepared challenge queries
	qcache map[string]*query
	qgen   uint64
	qtab   *assocTable
}

var _ domain.Matcher = (*Engine)(nil)

// New returns an empty engine that analyses text with an.
func New(an domain.TextAnalyzer, opts Options) *Engine {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Weights == (Weights{}) {
		opts.Weights = DefaultWeights
	}
	if opts.Candidates <= 0 {
		opts.Candidates = 200
	}
	if opts.Relearn == 0 {
		opts.Relearn = 10 * time.Second
	}
	return &Engine{
		an: an, opts: opts,
		terms: newDict(), concepts: newDict(), conceptLabel: map[uint32]string{},
		smes: newSide(), challenges: newSide(), courses: newSide(),
		vectors: map[string]map[string][]float32{},
	}
}

// Put adds or replaces records. Text is analysed before any lock is taken,
// and the corpus is updated without waiting for the matches being computed:
// see pending.go.
func (e *Engine) Put(recs ...domain.Record) {
	ps := e.prepare(recs)
	if len(ps) == 0 {
		return // nothing the matcher keeps (a response, say): the corpus is as it was
	}
	e.put(ps)
}

// prepare analyses the records the matcher keeps, for apply; it takes no
// lock.
func (e *Engine) prepare(recs []domain.Record) []pendingPut {
	ps := make([]pendingPut, 0, len(recs))
	for _, r := range recs {
		if t, ok := textOf(r); ok && t.id != "" {
			ps = append(ps, pendingPut{rec: r, a: e.analyse(t)})
		}
	}
	return ps
}

// apply adds ps to the corpus, in order. The caller holds the write lock.
func (e *Engine) apply(ps []pendingPut) {
	if len(ps) == 0 {
		return
	}
	for _, p := range ps {
		d := build(p.a, e.terms.add, e.concepts.add)
		// The first spelling of each listed phrase names it when it is
		// inferred for a challenge that did not list it.
		for i, c := range d.concepts {
			if _, ok := e.conceptLabel[c]; !ok {
				e.conceptLabel[c] = d.conceptText[i]
			}
		}
		switch r := p.rec.(type) {
		case *domain.SME:
			d.sme = r
		case *domain.Challenge:
			d.challenge = r
		case *domain.Course:
			d.course = r
		}
		e.sideOf(d.kind).put(d)
	}
	for _, s := range []*side{e.smes, e.challenges, e.courses} {
		s.refreshNorms()
	}
	e.gen++
}

// textOf extracts a record's text; ok is false for kinds the matcher ignores.
func textOf(r domain.Record) (text, bool) {
	switch r := r.(type) {
	case *domain.SME:
		return smeText(r), r != nil
	case *domain.Challenge:
		return challengeText(r), r != nil
	case *domain.Course:
		return courseText(r), r != nil
	}
	return text{}, false
}

func (e *Engine) sideOf(kind string) *side {
	switch kind {
	case domain.KindSME:
		return e.smes
	case domain.KindChallenge:
		return e.challenges
	case domain.KindCourse:
		return e.courses
	}
	return nil
}

// Remove drops a record and its vector.
func (e *Engine) Remove(kind, id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.applyPending() // a Put of id that returned before this must not outlive it
	if s := e.sideOf(kind); s != nil && s.remove(id) {
		e.gen++
	}
	delete(e.vectors[kind], id)
}

// SetVector records a record's embedding, normalised to unit length so that
// similarity is a dot product; nil removes it.
func (e *Engine) SetVector(kind, id string, v []float32) {
	var u []float32
	if len(v) > 0 {
		u = unit(v)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if u == nil {
		delete(e.vectors[kind], id)
		return
	}
	if e.vectors[kind] == nil {
		e.vectors[kind] = map[string][]float32{}
	}
	e.vectors[kind][id] = u
}

// vector returns the stored vector of a record, or nil.
func (e *Engine) vector(kind, id string) []float32 {
	if id == "" {
		return nil
	}
	return e.vectors[kind][id]
}

// Warm learns the word associations now (see assoc.go), so that the first
// query after a bulk load does not pay for it (about 0.6 s per 100,000
// profiles). Call it after feeding the corpus at start-up.
func (e *Engine) Warm() {
	e.rlock()
	defer e.mu.RUnlock()
	e.table()
}
