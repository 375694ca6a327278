package match

import "sort"

// The hot path of ranking: one merge of a profile's sorted terms with the
// query's sorted words computes the lexical score and, for every need, the sums
// of its own and its learned words that the profile shows. It gives the same
// numbers as query.lexical and need.match (a test holds them equal) in one
// pass instead of a lookup per word.

// qentry is a word of the query: its lexical weight, and the needs it is
// evidence for.
type qentry struct {
	term uint32
	lexW float64
	hits []needHit
}

type needHit struct {
	need    int
	w       float64
	learned bool // both count in prose only: listed phrases are judged as phrases
}

func (q *query) buildIndex() []qentry {
	at := map[uint32]int{}
	var idx []qentry
	entry := func(t uint32) *qentry {
		i, ok := at[t]
		if !ok {
			i = len(idx)
			at[t] = i
			idx = append(idx, qentry{term: t})
		}
		return &idx[i]
	}
	for _, t := range q.terms {
		entry(t.term).lexW += t.w
	}
	for i := range q.needs {
		n := &q.needs[i]
		for _, w := range n.literal {
			e := entry(w.term)
			e.hits = append(e.hits, needHit{need: i, w: w.w})
		}
		if n.learned != nil {
			for _, w := range n.learned.terms {
				e := entry(w.term)
				e.hits = append(e.hits, needHit{need: i, w: w.w, learned: true})
			}
		}
	}
	sort.Slice(idx, func(i, j int) bool { return idx[i].term < idx[j].term })
	return idx
}

// scratch holds the per-call buffers of scoring, reused across candidates.
type scratch struct {
	lit, ev   []float64
	best, sum []float64
	cnt       []int
	matches   []needMatch
}

func (q *query) newScratch() *scratch {
	n, g := len(q.needs), q.groups
	return &scratch{lit: make([]float64, n), ev: make([]float64, n),
		best: make([]float64, g), sum: make([]float64, g), cnt: make([]int, g),
		matches: make([]needMatch, n)}
}

// pass scores d: its lexical part and its coverage of the needs, filling
// sc.matches with how it shows each need.
func (q *query) pass(d *doc, sc *scratch) (lexical, coverage float64) {
	for i := range sc.lit {
		sc.lit[i], sc.ev[i] = 0, 0
	}
	var lex float64
	i, j := 0, 0
	for i < len(d.terms) && j < len(q.index) {
		a, b := d.terms[i].term, q.index[j].term
		switch {
		case a < b:
			i++
		case a > b:
			j++
		default:
			tf, e := &d.terms[i].tf, &q.index[j]
			if e.lexW > 0 {
				lex += e.lexW * saturate(weightedTF(&d.norm, tf))
			}
			if tf[fSummary]|tf[fDesc] > 0 || d.nameIsProse && tf[fName] > 0 {
				for _, h := range e.hits {
					if h.learned {
						sc.ev[h.need] += h.w
					} else {
						sc.lit[h.need] += h.w
					}
				}
			}
			i++
			j++
		}
	}
	if q.ideal > 0 {
		lexical = lex / q.ideal
	}
	if len(q.needs) == 0 {
		return lexical, 0
	}
	for g := range sc.best {
		sc.best[g], sc.sum[g], sc.cnt[g] = 0, 0, 0
	}
	for k := range q.needs {
		n := &q.needs[k]
		m := n.matchWith(d, sc.lit[k], sc.ev[k])
		sc.matches[k] = m
		g := n.group
		sc.best[g] = max(sc.best[g], m.cov)
		sc.sum[g] += m.cov
		sc.cnt[g]++
	}
	var s, w float64
	for g := range sc.best {
		s += q.weights[g] * (groupBest*sc.best[g] + (1-groupBest)*sc.sum[g]/float64(sc.cnt[g]))
		w += q.weights[g]
	}
	return lexical, s / w
}
