package match

import (
	"context"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// SMEsFor ranks SMEs for a challenge: candidates from the inverted index, then
// every candidate scored on all features (see score.go).
func (e *Engine) SMEsFor(ctx context.Context, c *domain.Challenge, limit int) ([]domain.Match, error) {
	if c == nil {
		return nil, domain.Errorf(domain.EINVALID, "No challenge to match.")
	}
	if limit <= 0 {
		limit = 10
	}
	a := analyse(e.an, challengeText(c))
	e.mu.RLock()
	defer e.mu.RUnlock()
	tab := e.table()
	cd := build(a, e.terms.lookup, e.concepts.lookup)
	cd.challenge = c
	q := e.newQuery(cd, tab)
	qv := e.vector(domain.KindChallenge, c.ID)

	cands := e.candidates(q, e.opts.Candidates)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	top := newTopK(limit)
	var buf []needMatch
	for _, slot := range cands {
		d := e.smes.docs[slot]
		f, _ := e.features(q, d, qv, e.vector(domain.KindSME, d.id), &buf)
		score, _ := Fuse(f, e.opts.Weights)
		top.push(slot, score)
	}
	var out []domain.Match
	for _, sc := range top.sorted() {
		d := e.smes.docs[sc.slot]
		out = append(out, e.explain(q, d, qv, e.vector(domain.KindSME, d.id)))
	}
	return out, nil
}

// features scores one challenge–SME pair. buf is reused between calls.
func (e *Engine) features(q *query, d *doc, qv, dv []float32, buf *[]needMatch) (Features, []needMatch) {
	f := Features{Lexical: q.lexical(d)}
	f.Coverage, *buf = q.coverage(d, *buf)
	f.SameRegion = q.doc.region != "" && q.doc.region == d.region
	if qv != nil && dv != nil {
		f.HasSemantic = true
		f.Semantic = dot(qv, dv)
	}
	return f, *buf
}

// candidates is the first stage: an approximation of the fused score summed
// over postings — the challenge's words, the words the corpus associates with
// its needs, and the profiles listing its phrases and CPV codes — with the best
// m slots kept. Accumulators are a dense array reused between queries, not a
// map per query.
func (e *Engine) candidates(q *query, m int) []uint32 {
	s := e.smes
	accp, _ := e.scratch.Get().(*[]float32)
	if accp == nil {
		accp = new([]float32)
	}
	acc := *accp
	if cap(acc) < len(s.docs) {
		acc = make([]float32, len(s.docs))
	}
	acc = acc[:len(s.docs)]
	touched := make([]uint32, 0, 4096)
	add := func(slot uint32, x float64) {
		if acc[slot] == 0 {
			touched = append(touched, slot)
		}
		acc[slot] += float32(x)
	}
	w := e.opts.Weights
	if q.ideal > 0 {
		for _, t := range q.terms {
			if int(t.term) >= len(s.postings) {
				continue
			}
			scale := w.Lexical * t.w / q.ideal
			for _, p := range s.postings[t.term] {
				if d := s.docs[p.slot]; d != nil {
					add(p.slot, scale*saturate(q.weightedTF(d, &p.tf)))
				}
			}
		}
	}
	if q.groups > 0 {
		var sumW float64
		for _, gw := range q.weights {
			sumW += gw
		}
		for i := range q.needs {
			n := &q.needs[i]
			per := w.Coverage * q.weights[n.group] / sumW
			for _, lw := range n.literal {
				e.addPostings(lw.term, per*lw.w, add)
			}
			if n.learned != nil {
				for _, lw := range n.learned.terms {
					e.addPostings(lw.term, per*lw.w/(evidenceShare*n.learned.norm), add)
				}
			}
			var keys []string
			if n.phrase != nil {
				keys = []string{phraseKey(n.phrase.norm, n.phrase.skill)}
			} else {
				keys = cpvConcepts(n.code)
			}
			for _, k := range keys {
				if id, ok := e.concepts.lookup(k); ok && int(id) < len(s.concepts) {
					for _, slot := range s.concepts[id] {
						if s.docs[slot] != nil {
							add(slot, per)
						}
					}
				}
			}
		}
	}
	top := newTopK(m)
	for _, slot := range touched {
		top.push(slot, float64(acc[slot]))
		acc[slot] = 0
	}
	*accp = acc
	e.scratch.Put(accp)
	out := make([]uint32, 0, len(top.h))
	for _, sc := range top.h {
		out = append(out, sc.slot)
	}
	return out
}

func (e *Engine) addPostings(t uint32, x float64, add func(uint32, float64)) {
	s := e.smes
	if int(t) >= len(s.postings) {
		return
	}
	for _, p := range s.postings[t] {
		if s.docs[p.slot] != nil {
			add(p.slot, x)
		}
	}
}
