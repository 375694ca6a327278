package match

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/bettermatch/bettermatch/internal/cpv"
	"github.com/bettermatch/bettermatch/internal/domain"
)

// explain scores one pair again with its details and says why, in words a
// council officer or a firm can check against the two records.
func (e *Engine) explain(q *query, d *doc, qv, dv []float32) domain.Match {
	sc := q.newScratch()
	f := e.features(q, d, qv, dv, sc)
	matches := sc.matches
	score, structured := Fuse(f, e.opts.Weights)
	x := domain.Explanation{
		MatchedTerms:       []string{},
		SharedCapabilities: []string{},
		SharedSkills:       []string{},
		SharedCPV:          []string{},
		SameRegion:         f.SameRegion,
		Lexical:            round3(f.Lexical),
		Structured:         round3(structured),
		Mode:               "lexical",
		Reasons:            []string{},
	}
	if f.HasSemantic {
		x.Mode = "hybrid"
		x.Semantic = round3(clamp01(f.Semantic))
	}

	// Needs, best shown first.
	covered := make([]bool, q.groups)
	var learnedHits []uint32
	// Reasons that quote the profile's words are finished once all the words
	// are known, with one pass over the profile.
	type pending struct {
		at    int
		start string
		ts    []uint32
	}
	var later []pending
	for i := range q.needs {
		n, m := &q.needs[i], matches[i]
		if m.cov >= coveredAt {
			covered[n.group] = true
		}
		if m.cov < reasonAt {
			continue
		}
		switch {
		case n.inferred && m.how == byPhrase:
			x.Reasons = append(x.Reasons, fmt.Sprintf("Lists %s %q, which the challenge describes.", kindWord(n.skill), m.which))
		case m.how == byPhrase:
			if n.skill {
				x.SharedSkills = append(x.SharedSkills, n.label)
			} else {
				x.SharedCapabilities = append(x.SharedCapabilities, n.label)
			}
			if normPhrase(m.which) == n.phrase.norm {
				x.Reasons = append(x.Reasons, fmt.Sprintf("Lists %s %q.", kindWord(n.skill), m.which))
			} else {
				x.Reasons = append(x.Reasons, fmt.Sprintf("Lists %q, close to the %s %q asked for.", m.which, kindWord(n.skill), n.label))
			}
		case m.how == byRelated:
			x.Reasons = append(x.Reasons, fmt.Sprintf("Lists %q, which is described in the same words as the %s %q %s.", m.which, kindWord(n.skill), n.label, asked(n)))
		case m.how == byCode:
			if m.which == n.code {
				x.SharedCPV = append(x.SharedCPV, cpv.Full(n.code))
				x.Reasons = append(x.Reasons, fmt.Sprintf("Works under CPV %s (%s).", cpv.Full(n.code), cpv.Label(n.code)))
			} else {
				x.Reasons = append(x.Reasons, fmt.Sprintf("Works under CPV %s (%s), related to %s (%s).",
					cpv.Full(m.which), cpv.Label(m.which), cpv.Full(n.code), cpv.Label(n.code)))
			}
		case m.how == byProse:
			words := e.proseHits(n, d)
			learnedHits = append(learnedHits, words...)
			what := n.label
			if n.code != "" {
				what = cpv.Label(n.code)
			}
			if n.inferred {
				what += " (which the challenge describes)"
			}
			later = append(later, pending{len(x.Reasons), fmt.Sprintf("Its profile describes %q", what), words})
			x.Reasons = append(x.Reasons, "")
		}
	}
	var all []uint32
	for i := range later {
		later[i].ts = uniqueTerms(later[i].ts, 4)
		all = append(all, later[i].ts...)
	}
	words := e.surfaceMap(q, d, append(all, e.matchedTerms(q, d, learnedHits)...))
	for _, p := range later {
		r := p.start
		if len(p.ts) > 0 {
			r += " (" + strings.Join(e.wordsForStems(p.ts, words), ", ") + ")"
		}
		x.Reasons[p.at] = r + "."
	}
	x.MatchedTerms = e.wordsForStems(e.matchedTerms(q, d, learnedHits), words)
	if q.groups > 0 {
		n := 0
		for _, c := range covered {
			if c {
				n++
			}
		}
		x.Reasons = append([]string{fmt.Sprintf("Shows %d of the %d needs of the challenge.", n, q.groups)}, x.Reasons...)
	}
	if f.SameRegion {
		x.Reasons = append(x.Reasons, fmt.Sprintf("Based in the same region (%s).", regionOf(d)))
	}
	if f.HasSemantic {
		x.Reasons = append(x.Reasons, fmt.Sprintf("Semantic similarity of the texts: %.2f.", x.Semantic))
	}

	return domain.Match{Kind: d.kind, ID: d.id, Score: round3(score), Explanation: x}
}

const (
	coveredAt       = 0.6 // a need counts as shown from here
	reasonAt        = 0.5 // and is worth a reason from here
	maxMatchedTerms = 12
)

// asked says where a need comes from, for reasons.
func asked(n *need) string {
	if n.inferred {
		return "the challenge describes"
	}
	return "asked for"
}

// uniqueTerms keeps the first max distinct terms.
func uniqueTerms(ts []uint32, max int) []uint32 {
	var out []uint32
	for _, t := range ts {
		if len(out) == max {
			break
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

func kindWord(skill bool) string {
	if skill {
		return "skill"
	}
	return "capability"
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// proseHits are the need's learned or own words found in d, strongest first.
func (e *Engine) proseHits(n *need, d *doc) []uint32 {
	var out []uint32
	for _, w := range n.literal {
		if d.has(w.term) {
			out = append(out, w.term)
		}
	}
	if n.learned != nil {
		for _, w := range n.learned.terms {
			if d.hasProse(w.term) {
				out = append(out, w.term)
			}
		}
	}
	return out
}

// matchedTerms are the challenge's own words the profile shares, by weight,
// then the words the profile uses for the needs it shows.
func (e *Engine) matchedTerms(q *query, d *doc, learnedHits []uint32) []uint32 {
	type hit struct {
		term uint32
		w    float64
	}
	var hits []hit
	for _, t := range q.terms {
		if d.has(t.term) {
			hits = append(hits, hit{t.term, t.w})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].w > hits[j].w })
	var terms []uint32
	seen := map[uint32]bool{}
	for _, h := range hits {
		terms = append(terms, h.term)
		seen[h.term] = true
	}
	for _, t := range learnedHits {
		if !seen[t] {
			seen[t] = true
			terms = append(terms, t)
		}
	}
	return terms[:min(len(terms), maxMatchedTerms)]
}

// surfaceMap maps stems back to words, as the query record writes them when
// it has the word, else as d does: "monitor" becomes "monitoring" again for
// the reader.
func (e *Engine) surfaceMap(q *query, d *doc, ts []uint32) map[string]string {
	q.surfaceOnce.Do(func() {
		q.surface = map[string]string{}
		e.wordsOf(q.doc, nil, q.surface)
	})
	words := map[string]string{}
	want := map[string]bool{}
	for _, t := range ts {
		stem := e.terms.names[t]
		if w, ok := q.surface[stem]; ok {
			words[stem] = w
		} else {
			want[stem] = true
		}
	}
	if len(want) > 0 {
		e.wordsOf(d, want, words)
	}
	return words
}

// wordsForStems spells stems as words, or as the stem itself when no word is known.
func (e *Engine) wordsForStems(ts []uint32, words map[string]string) []string {
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		stem := e.terms.names[t]
		if w, ok := words[stem]; ok {
			out = append(out, w)
		} else {
			out = append(out, stem)
		}
	}
	return out
}

// wordsOf analyses r's words one at a time until every wanted stem has a word
// (every stem when want is nil).
func (e *Engine) wordsOf(r *doc, want map[string]bool, words map[string]string) {
	found := 0
	for _, s := range rawTexts(r) {
		for _, w := range strings.FieldsFunc(s, func(c rune) bool { return !unicode.IsLetter(c) && !unicode.IsDigit(c) && c != '.' }) {
			w = strings.Trim(w, ".")
			stem := e.stemOf(w, r.lang)
			if stem == "" || want != nil && !want[stem] {
				continue
			}
			if _, ok := words[stem]; !ok {
				if strings.ToUpper(w) != w {
					w = strings.ToLower(w) // keep acronyms (NO2, GDPR) as written
				}
				words[stem] = w
				found++
				if want != nil && found == len(want) {
					return
				}
			}
		}
	}
}

// stemOf is the one term a word analyses to ("" for a stop word), cached:
// explanations map stems back to words on every query, and a region's
// vocabulary is small. The cache stops growing at maxStemCache words.
func (e *Engine) stemOf(word, lang string) string {
	k := lang + "\x00" + word
	if s, ok := e.stems.Load(k); ok {
		return s.(string)
	}
	ts := e.an.Terms(word, lang)
	s := ""
	if len(ts) == 1 {
		s = ts[0]
	}
	if e.nstems.Add(1) <= maxStemCache {
		e.stems.Store(k, s)
	}
	return s
}

const maxStemCache = 200_000

func rawTexts(r *doc) []string {
	switch {
	case r.sme != nil:
		return append([]string{r.sme.Name, r.sme.Summary, r.sme.Description}, append(r.sme.Capabilities, r.sme.Skills...)...)
	case r.challenge != nil:
		c := r.challenge
		return append([]string{c.Title, c.Summary, c.Description}, append(c.RequiredCapabilities, c.RequiredSkills...)...)
	case r.course != nil:
		return append([]string{r.course.Title, r.course.Description}, r.course.Skills...)
	}
	return nil
}

func regionOf(d *doc) string {
	switch {
	case d.sme != nil:
		return d.sme.Region
	case d.challenge != nil:
		return d.challenge.Region
	}
	return d.region
}
