package match

import (
	"sort"
	"strings"

	"github.com/bettermatch/bettermatch/internal/cpv"
)

// Needs: what a challenge asks for, how they group, and how a record shows
// each of them.

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
	// Words of its prose: the need's own and the learned ones. Listed phrases
	// are judged as phrases in matchWith, with their own credits.
	var lit, ev float64
	for _, w := range n.literal {
		if d.hasProse(w.term) {
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
