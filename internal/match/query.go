package match

import (
	"math"
	"sort"
	"strings"
	"sync"

	"github.com/bettermatch/bettermatch/internal/cpv"
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
	q.weights = groupNeeds(q.needs)
	q.groups = len(q.weights)
	q.index = q.buildIndex()
	return q
}

// groupNeeds puts needs the corpus treats as one thing in the same group, so a
// need spelt out as a capability and three skills counts once, like a need
// given as a single capability. It returns the weight of each group.
//
// Capabilities and skills join when the words that describe them (the learned
// ones when both have them, else their own) are alike. CPV codes are the
// buyer's coarse classification of the same work: when the challenge spells
// its needs out, a code joins the need it is most alike rather than adding one
// of its own (one code such as "programming services" covers many different
// needs); a code like none of them stands alone at half weight. When the
// challenge lists only codes, the codes are its needs, one per CPV class.
func groupNeeds(needs []need) []float64 {
	n := len(needs)
	vec := needVectors(needs)
	learned := make([]map[uint32]float64, n)
	for i, nd := range needs {
		if nd.learned != nil {
			learned[i] = map[uint32]float64{}
			for _, w := range nd.learned.terms {
				learned[i][w.term] = w.w
			}
		}
	}
	sim := func(i, j int) float64 {
		// Learned profiles, when both have one, say more than the names: a
		// CPV label's generic words ("information", "services") would
		// otherwise tie unrelated needs together.
		if learned[i] != nil && learned[j] != nil {
			return cosine(learned[i], learned[j])
		}
		return cosine(vec[i], vec[j])
	}
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	phrases := 0
	for i := range needs {
		if needs[i].phrase == nil {
			continue
		}
		phrases++
		for j := i + 1; j < n; j++ {
			if needs[j].phrase != nil && sim(i, j) >= groupCosine {
				parent[find(i)] = find(j)
			}
		}
	}
	alone := map[int]bool{}
	for i := range needs {
		if needs[i].code == "" {
			continue
		}
		best, at := 0.0, -1
		for j := range needs {
			if needs[j].phrase != nil {
				if s := sim(i, j); s > best {
					best, at = s, j
				}
			}
		}
		if at >= 0 && best >= cpvAttach {
			parent[find(i)] = find(at)
			continue
		}
		alone[i] = phrases > 0
		for j := range needs[:i] {
			if needs[j].code != "" && alone[j] == alone[i] && cpv.SharedPrefix(needs[i].code, needs[j].code) >= 4 {
				parent[find(i)] = find(j)
			}
		}
	}
	ids := map[int]int{}
	var weights []float64
	for i := range needs {
		r := find(i)
		g, ok := ids[r]
		if !ok {
			g = len(ids)
			ids[r] = g
			weights = append(weights, 0)
		}
		needs[i].group = g
		w := 1.0
		if alone[i] || needs[i].inferred {
			w = loneCodeWeight
		}
		weights[g] = max(weights[g], w)
	}
	return weights
}

// cpvAttach is how alike a code must be to a spelt-out need to count as part
// of it; loneCodeWeight the weight of a code like none of them.
const (
	cpvAttach      = 0.1
	loneCodeWeight = 0.5
)

// inferNeeds reads needs from a challenge's prose with the learned
// associations run the other way: a capability or skill whose words the
// challenge uses as much as a record listing it typically does is a need
// even when the officer did not list it (many list only CPV codes, or
// nothing). At most maxInferred, strongest first, none already listed.
func (e *Engine) inferNeeds(c *doc, have []need, tab *assocTable) []need {
	listed := map[string]bool{}
	for _, n := range have {
		if n.phrase != nil {
			listed[phraseKey(n.phrase.norm, n.phrase.skill)] = true
		}
	}
	type cand struct {
		id  uint32
		cov float64
	}
	var cs []cand
	for id, a := range tab.by {
		name := e.concepts.names[id]
		if !strings.HasPrefix(name, "pc:") && !strings.HasPrefix(name, "ps:") || listed[name] {
			continue
		}
		if ev := evidence(a.terms, c); ev >= inferAt*evidenceShare*a.norm {
			cs = append(cs, cand{id, ev / a.norm})
		}
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].cov != cs[j].cov {
			return cs[i].cov > cs[j].cov
		}
		return cs[i].id < cs[j].id
	})
	var out []need
	for _, cd := range cs[:min(len(cs), maxInferred)] {
		name := e.concepts.names[cd.id]
		p := &phrase{text: e.conceptLabel[cd.id], norm: name[3:], skill: name[:3] == "ps:"}
		if p.text == "" {
			p.text = p.norm
		}
		for _, w := range e.an.Terms(p.norm, c.lang) {
			if id, ok := e.terms.lookup(w); ok {
				p.terms = append(p.terms, id)
			}
		}
		out = append(out, need{label: p.text, skill: p.skill, phrase: p, learned: tab.by[cd.id],
			related: tab.relatedTo(cd.id, e.concepts.names), inferred: true})
	}
	return out
}

// inferAt is how much of the typical evidence (as a multiple of the share
// that covers a need) a challenge's prose must show to infer the need.
const (
	inferAt     = 1.0
	maxInferred = 6
)

// groupCosine is how alike two needs' word profiles must be to count as one.
const groupCosine = 0.35

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

// how says in what way a profile shows a need, for explanations.
type how int

const (
	byNothing how = iota
	byPhrase      // lists the same or a near-identical capability or skill
	byCode        // lists the same CPV code or one of its class
	byProse       // its words show it
	byRelated     // lists a phrase the corpus describes with the same words
)

// needMatch is how well a profile shows one need.
type needMatch struct {
	cov   float64
	how   how
	which string // the profile's phrase or code that matched
}

// match judges how well d shows need n: the best of a listed phrase, a listed
// CPV code and the words of its profile.
func (n *need) match(d *doc) needMatch {
	// Words: the need's own (anywhere in the profile) and the learned ones (in
	// its prose, where they were learned).
	var lit, ev float64
	for _, w := range n.literal {
		if d.hasText(w.term) {
			lit += w.w
		}
	}
	if n.learned != nil {
		ev = evidence(n.learned.terms, d)
	}
	return n.matchWith(d, lit, ev)
}

// matchWith is match with the word sums already taken (see query.pass).
func (n *need) matchWith(d *doc, lit, ev float64) needMatch {
	var best needMatch
	try := func(c float64, h how, which string) {
		if c > best.cov {
			best = needMatch{c, h, which}
		}
	}
	if n.phrase != nil {
		for i := range d.phrases {
			p := &d.phrases[i]
			// The same name in the other list (a skill for a capability asked
			// for) is good evidence but not proof: see phraseKey.
			credit := 1.0
			if p.skill != n.phrase.skill {
				credit = crossListCredit
			}
			if p.norm == n.phrase.norm {
				try(credit, byPhrase, p.text)
			} else if o := containment(n.phrase.terms, p.terms); o > 0 {
				try(credit*phraseOverlapCredit(o), byPhrase, p.text)
			}
		}
	}
	if n.related != nil {
		for i, c := range d.concepts {
			if _, ok := n.related[c]; ok {
				try(relatedCredit, byRelated, d.conceptText[i])
			}
		}
	}
	if n.code != "" {
		for _, c := range d.cpv {
			try(cpvCredit(cpv.SharedPrefix(n.code, c), c == n.code), byCode, c)
		}
	}
	try(literalCoverage(lit), byProse, "")
	if n.learned != nil {
		try(evidenceCoverage(ev, n.learned.norm), byProse, "")
	}
	return best
}

// relatedCredit is the credit of a related listed phrase: good evidence,
// not as good as the phrase itself.
const relatedCredit = 0.8

// crossListCredit is the credit of a phrase found in the other list.
const crossListCredit = 0.7

// containment is the share of the need's stems found in a listed phrase:
// "cloud migration" is wholly contained in "cloud migration services", while
// "health data analysis" is only two-thirds contained in "data analysis".
func containment(need, listed []uint32) float64 {
	if len(need) == 0 {
		return 0
	}
	n := 0
	for _, x := range need {
		for _, y := range listed {
			if x == y {
				n++
				break
			}
		}
	}
	return float64(n) / float64(len(need))
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

// needVectors are the needs' word profiles: their own words and the learned
// ones, each part normalised to sum 1.
func needVectors(needs []need) []map[uint32]float64 {
	vec := make([]map[uint32]float64, len(needs))
	for i, n := range needs {
		v := map[uint32]float64{}
		for _, w := range n.literal {
			v[w.term] += w.w
		}
		if n.learned != nil {
			var sum float64
			for _, w := range n.learned.terms {
				sum += w.w
			}
			for _, w := range n.learned.terms {
				v[w.term] += w.w / sum
			}
		}
		vec[i] = v
	}
	return vec
}
