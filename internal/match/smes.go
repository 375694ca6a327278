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
	a := e.analyse(challengeText(c))
	e.rlock()
	defer e.mu.RUnlock()
	tab := e.table()
	cd := build(a, e.terms.lookup, e.concepts.lookup)
	cd.challenge = c
	q := e.newQuery(cd, tab)
	qv := e.vector(domain.KindChallenge, c.ID)

	// A long list needs a wider first stage than the default top 10 does.
	cands := e.candidates(q, max(e.opts.Candidates, 2*limit))
	if qv != nil {
		cands = e.semanticCandidates(qv, cands)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	top := newTopK(limit)
	sc := q.newScratch()
	for _, slot := range cands {
		d := e.smes.docs[slot]
		f := e.features(q, d, qv, e.vector(domain.KindSME, d.id), sc)
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

// features scores one challenge–SME pair; sc.matches says how d shows each
// need.
func (e *Engine) features(q *query, d *doc, qv, dv []float32, sc *scratch) Features {
	var f Features
	f.Lexical, f.Coverage = q.pass(d, sc)
	f.SameRegion = q.doc.region != "" && q.doc.region == d.region
	if q.theme != nil {
		f.Theme = evidenceCoverage(evidence(q.theme.terms, d), q.theme.norm)
	}
	if qv != nil && dv != nil {
		f.HasSemantic = true
		f.Semantic = dot(qv, dv)
	}
	return f
}

// candidates is the first stage: an approximation of the fused score summed
// over postings — the challenge's words, the words the corpus associates with
// its needs, and the profiles listing its phrases and CPV codes — with the best
// m slots kept. Accumulators are a dense array reused between queries, not a
// map per query.
func (e *Engine) candidates(q *query, m int) []uint32 {
	s := e.smes
	ng := min(q.groups, maxStageGroups)
	a, _ := e.scratch.Get().(*accum)
	if a == nil {
		a = &accum{}
	}
	a.reset(len(s.docs), ng)
	defer e.scratch.Put(a)

	w := e.opts.Weights
	if q.ideal > 0 {
		for _, t := range q.terms {
			// Words in a large share of profiles add little to anyone's
			// score, and their long postings most of the time: they are left to
			// the second stage, which scores every word for each candidate.
			if int(t.term) >= len(s.postings) || e.frequent(t.term, frequentShare) {
				continue
			}
			scale := float32(w.Lexical * t.w / q.ideal)
			for _, p := range s.postings[t.term] {
				if s.docs[p.slot] != nil {
					x := weightedTF(&s.fnorm[p.slot], &p.tf)
					a.add(p.slot, scale*float32(x/(bm25K1+x)))
				}
			}
		}
	}
	// Needs: evidence accumulates per group and is capped at full coverage
	// when the candidates are chosen, as the second stage caps it, so a
	// profile repeating one need's words does not outrank one showing all.
	for i := range q.needs {
		n := &q.needs[i]
		g := min(n.group, ng-1)
		for _, lw := range n.literal {
			e.addNeedPostings(a, lw.term, g, lw.w)
		}
		if n.learned != nil {
			// The strongest learned words find the profiles; the second
			// stage weighs all of them.
			for _, lw := range n.learned.terms[:min(len(n.learned.terms), candidateLearned)] {
				e.addNeedPostings(a, lw.term, g, lw.w/(evidenceShare*n.learned.norm))
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
						a.addNeed(slot, g, 1)
					}
				}
			}
		}
	}
	var sumW float64
	gw := make([]float32, ng)
	for _, x := range q.weights {
		sumW += x
	}
	for g := range q.weights {
		gw[min(g, ng-1)] += float32(w.Coverage * q.weights[g] / sumW)
	}
	top := newTopK(m)
	for _, slot := range a.touched {
		score := a.acc[slot]
		for g := 0; g < ng; g++ {
			score += gw[g] * min(1, a.gacc[int(slot)*ng+g])
		}
		top.push(slot, float64(score))
	}
	out := make([]uint32, 0, len(top.h))
	for _, sc := range top.h {
		out = append(out, sc.slot)
	}
	return out
}

// semanticCandidates adds the profiles nearest to the challenge's embedding,
// which may share no word with it. The scan is exhaustive, so it runs only
// while there are at most maxSemanticScan vectors; beyond that, semantic
// similarity re-ranks the lexical candidates only.
func (e *Engine) semanticCandidates(qv []float32, cands []uint32) []uint32 {
	vs := e.vectors[domain.KindSME]
	if len(vs) == 0 || len(vs) > maxSemanticScan {
		return cands
	}
	top := newTopK(semanticCandidates)
	for id, v := range vs {
		if d, ok := e.smes.byID[id]; ok {
			top.push(d.slot, dot(qv, v))
		}
	}
	have := make(map[uint32]bool, len(cands))
	for _, c := range cands {
		have[c] = true
	}
	for _, sc := range top.h {
		if !have[sc.slot] && sc.score > 0 {
			cands = append(cands, sc.slot)
		}
	}
	return cands
}

const (
	maxSemanticScan    = 20_000
	semanticCandidates = 50
)

// maxStageGroups bounds the per-profile group accumulators of the first
// stage; further groups share the last one.
const maxStageGroups = 8

// accum accumulates first-stage scores by slot — the lexical part, and the
// evidence for each group of needs — remembering which slots it touched so
// that resetting costs as much as the query, not the corpus.
type accum struct {
	acc     []float32
	gacc    []float32 // slot*groups + group
	seen    []bool
	touched []uint32
	groups  int
}

func (a *accum) reset(n, groups int) {
	for _, s := range a.touched {
		a.acc[s] = 0
		a.seen[s] = false
		for g := 0; g < a.groups; g++ {
			a.gacc[int(s)*a.groups+g] = 0
		}
	}
	a.touched = a.touched[:0]
	if cap(a.acc) < n {
		a.acc, a.seen = make([]float32, n), make([]bool, n)
	}
	if cap(a.gacc) < n*groups {
		a.gacc = make([]float32, n*groups)
	}
	a.acc, a.seen, a.gacc, a.groups = a.acc[:n], a.seen[:n], a.gacc[:n*groups], groups
}

func (a *accum) touch(slot uint32) {
	if !a.seen[slot] {
		a.seen[slot] = true
		a.touched = append(a.touched, slot)
	}
}

func (a *accum) add(slot uint32, x float32) {
	a.touch(slot)
	a.acc[slot] += x
}

func (a *accum) addNeed(slot uint32, g int, x float32) {
	a.touch(slot)
	a.gacc[int(slot)*a.groups+g] += x
}

// frequent reports whether candidate generation should skip a word found in
// more than 1/share of the profiles.
func (e *Engine) frequent(t uint32, share int) bool {
	s := e.smes
	return s.live > frequentMin && int(s.dfOf(t)) > s.live/share
}

func (e *Engine) addNeedPostings(a *accum, t uint32, g int, x float64) {
	s := e.smes
	if int(t) >= len(s.postings) || e.frequent(t, frequentNeedShare) {
		return
	}
	for _, p := range s.postings[t] {
		if s.docs[p.slot] != nil {
			a.addNeed(p.slot, g, float32(x))
		}
	}
}

// Candidate generation skips words found in more than 1/frequentShare of the
// profiles, once there are more than frequentMin.
const (
	candidateLearned  = 10
	frequentShare     = 100
	frequentNeedShare = 10 // a need's own words are worth longer lists
	frequentMin       = 2000
)
