package match

import (
	"math"
	"sync"

	"github.com/bettermatch/bettermatch/internal/cpv"
	"github.com/bettermatch/bettermatch/internal/domain"
)

// Field weights of BM25F on the profile side: what a firm lists as a capability
// or skill says more than a word in its prose; CPV labels are official words
// for what it sells, but generic ("services", "systems"), so they count less.
var docFieldWeight = [nFields]float64{fName: 1.5, fCaps: 3, fSkills: 3, fSummary: 1.5, fDesc: 1, fCPV: 0.6}

// Length normalisation per field: strong for prose, weak for lists (a long
// list of skills is not a diluted one).
var docFieldB = [nFields]float64{fName: 0.3, fCaps: 0.2, fSkills: 0.2, fSummary: 0.75, fDesc: 0.75, fCPV: 0.3}

// Query-side weights: how much a word of each field of the challenge matters.
var queryFieldWeight = [nFields]float64{fName: 1, fCaps: 1, fSkills: 1, fSummary: 0.8, fDesc: 0.6, fCPV: 0.4}

// qterm is one word of a query.
type qterm struct {
	term uint32
	w    float64 // query weight × idf
}

// need is one thing a challenge asks for: a required capability or skill, or a
// CPV code.
type need struct {
	label   string // as written, for explanations
	skill   bool
	phrase  *phrase
	code    string // eight digits, for CPV needs
	literal []weighted
	learned *assoc
	group   int
	// related are the concepts a listed phrase may stand for this need with
	// (see assocTable.relatedTo).
	related map[uint32]float64
	// inferred needs are not listed by the challenge but read from its prose
	// (see inferNeeds).
	inferred bool
}

// query is a challenge prepared for ranking SMEs.
type query struct {
	doc   *doc
	terms []qterm
	ideal float64
	// surface maps the challenge's stems to its words, for explanations;
	// built once, on first use.
	surfaceOnce sync.Once
	surface     map[string]string

	index []qentry // every word that counts, by term id, for query.pass
	theme *assoc   // the learned words of the challenge's theme, if any

	needs   []need
	groups  int
	weights []float64 // of each group of needs
	n       int
}

// newQuery prepares c (analysed against the current dictionaries) for ranking
// against the SME side. The caller holds the read lock.
func (e *Engine) newQuery(c *doc, tab *assocTable) *query {
	s := e.smes
	q := &query{doc: c, n: s.live}
	for _, t := range c.terms {
		var w float64
		for f := 0; f < nFields; f++ {
			if t.tf[f] > 0 {
				// Repeats add a little: a word the challenge uses in its title
				// and again in its description matters more than a passing one.
				w += queryFieldWeight[f] * (1 + 0.5*math.Log(float64(t.tf[f])))
			}
		}
		w = math.Min(w, 2.5)
		qt := qterm{term: t.term, w: w * idf(int(s.dfOf(t.term)), s.live)}
		q.terms = append(q.terms, qt)
		q.ideal += qt.w
	}
	idfOf := func(t uint32) float64 { return idf(int(s.dfOf(t)), s.live) }
	literal := func(ts []uint32) []weighted {
		var out []weighted
		var sum float64
		seen := map[uint32]bool{}
		for _, t := range ts {
			if !seen[t] {
				seen[t] = true
				out = append(out, weighted{t, idfOf(t)})
				sum += idfOf(t)
			}
		}
		for i := range out {
			out[i].w /= sum
		}
		return out
	}
	for i := range c.phrases {
		p := &c.phrases[i]
		n := need{label: p.text, skill: p.skill, phrase: p, literal: literal(p.terms)}
		if id, ok := e.concepts.lookup(phraseKey(p.norm, p.skill)); ok {
			n.learned = tab.by[id]
			n.related = tab.relatedTo(id, e.concepts.names)
		}
		q.needs = append(q.needs, n)
	}
	for _, code := range c.cpv {
		n := need{label: cpv.Full(code) + " " + cpv.Label(code), code: code}
		var ts []uint32
		for _, w := range e.labelTerms(code) {
			if id, ok := e.terms.lookup(w); ok {
				ts = append(ts, id)
			}
		}
		n.literal = literal(ts)
		if id, ok := e.concepts.lookup("c:" + code); ok {
			n.learned = tab.by[id]
		}
		q.needs = append(q.needs, n)
	}
	q.needs = append(q.needs, e.inferNeeds(c, q.needs, tab)...)
	if c.challenge != nil && c.challenge.Theme != "" && c.challenge.Theme != domain.ThemeOther {
		if id, ok := e.concepts.lookup(themeKey(c.challenge.Theme)); ok {
			q.theme = tab.by[id]
		}
	}
	q.weights = groupNeeds(q.needs)
	q.groups = len(q.weights)
	q.index = q.buildIndex()
	return q
}

// lexical is the BM25F score of q in d, over q's ideal: in [0,1].
func (q *query) lexical(d *doc) float64 {
	if q.ideal == 0 {
		return 0
	}
	var s float64
	for _, t := range q.terms {
		if tf := d.tf(t.term); tf != nil {
			s += t.w * saturate(q.weightedTF(d, tf))
		}
	}
	return s / q.ideal
}

// weightedTF is BM25F's pseudo-frequency: field frequencies weighted and
// normalised by field length.
func (q *query) weightedTF(d *doc, tf *[nFields]uint8) float64 {
	return weightedTF(&d.norm, tf)
}

func weightedTF(norm *[nFields]float32, tf *[nFields]uint8) float64 {
	var x float32
	for f := 0; f < nFields; f++ {
		x += norm[f] * float32(tf[f])
	}
	return float64(x)
}

// coverage is the share of q's needs that d shows, with the per-need matches.
func (q *query) coverage(d *doc, out []needMatch) (float64, []needMatch) {
	out = out[:0]
	if len(q.needs) == 0 {
		return 0, out
	}
	byGroup := make([][]float64, q.groups)
	for i := range q.needs {
		m := q.needs[i].match(d)
		out = append(out, m)
		g := q.needs[i].group
		byGroup[g] = append(byGroup[g], m.cov)
	}
	gs := make([]float64, q.groups)
	for g, covs := range byGroup {
		gs[g] = groupCoverage(covs)
	}
	return needsCoverage(gs, q.weights), out
}
