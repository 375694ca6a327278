package search

import (
	"slices"
	"unicode/utf8"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// sought is what a search's text looks for, by language, in that language's
// terms: what highlighting marks in the hits. Excluded words are not in it:
// they never occur in a hit.
type sought map[string]*soughtTerms

// soughtTerms is what a search looks for in the fields of one language, as
// the text query's clauses match it (see queryBuilder.clauseQuery): a word's
// terms wherever they occur (its match query), the terms one edit from a
// misspelt word's (its fuzzy query), a phrase's terms where they occur in
// order (its phrase query).
type soughtTerms struct {
	words map[string]bool // terms of plain and required words
	fuzzy []string        // terms of misspelt words, whose near misses count
	// phrases are each quoted phrase's terms by position from its first, ""
	// where the phrase had a stop word: any word matches there. (The
	// languages' analyzers give each position one term.)
	phrases [][]string
}

func (s sought) terms(lang string) *soughtTerms {
	st := s[lang]
	if st == nil {
		st = &soughtTerms{words: map[string]bool{}}
		s[lang] = st
	}
	return st
}

// addWord: any of terms (of one word in lang), and with fuzzy, their near misses.
func (s sought) addWord(lang string, terms, fuzzy []string) {
	st := s.terms(lang)
	for _, t := range terms {
		st.words[t] = true
	}
	for _, t := range fuzzy {
		if !slices.Contains(st.fuzzy, t) {
			st.fuzzy = append(st.fuzzy, t)
		}
	}
}

// addPhrase: the phrase's tokens (in lang), where they occur in order.
func (s sought) addPhrase(lang string, toks []token) {
	first := toks[0].pos
	p := make([]string, toks[len(toks)-1].pos-first+1)
	for _, t := range toks {
		p[t.pos-first] = t.term
	}
	st := s.terms(lang)
	st.phrases = append(st.phrases, p)
}

// highlight fills in the hits' Highlights from their records' text, which
// the hits carry in Source.
//
// Highlighting in bleve's main search would read term locations for every
// hit, not just the page's (on 100k matching profiles that doubled the time
// of a search). So it was a second bleve search, of the page's documents, with
// bleve's html highlighter; that search read the postings of every word sought
// in every field and language again, with their locations: about 1.3 ms of
// each text search under load (8.5% of the server's CPU). The page's text is
// at hand in the records, and analysing it again (see tokenMemo) costs less:
// from two thirds of that for one word to a fifth for several
// (BenchmarkHighlight10k).
func (x *Index) highlight(kind string, s sought, hits []domain.SearchHit) {
	spec := kinds[kind]
	h := newHighlighter(x.an, s)
	for i := range hits {
		if hits[i].Source == nil {
			continue
		}
		// A record that does not decode has no highlights; the caller
		// reads it from the store (see service.hitRecords).
		rec, err := decodeRecord(kind, hits[i].Source)
		if err != nil {
			continue
		}
		lang, text := recordText(rec)
		hits[i].Highlights = h.record(spec, lang, text)
		hits[i].Record = rec
	}
}

// highlighter marks what one search sought in the text of its hits, and cuts
// the fragments to show.
type highlighter struct {
	an     *Analyzer
	sought sought
	langs  map[string]*langMarker
	toks   []token // reused for each text
	hit    []bool
}

// langMarker is the highlighter's state in one language.
type langMarker struct {
	st   *soughtTerms
	memo *tokenMemo
	near map[string]bool // fuzzy verdicts on terms met, by term
}

func newHighlighter(an *Analyzer, s sought) *highlighter {
	return &highlighter{an: an, sought: s, langs: map[string]*langMarker{}}
}

// record returns, by field name, the best fragment of each of the record's
// text fields (see recordText) that shows something sought; nil if none does.
// A list field's values are texts of their own: a fragment is cut from one.
func (h *highlighter) record(spec *kindSpec, lang string, text docFields) map[string][]string {
	var out map[string][]string
	for _, f := range spec.text {
		var values []string
		switch v := text[f.name].(type) {
		case string:
			values = []string{v}
		case []string:
			values = v
		}
		if frag, ok := h.field(lang, values); ok {
			if out == nil {
				out = map[string][]string{}
			}
			out[f.name] = []string{frag}
		}
	}
	return out
}

// field returns the best fragment of one field's values in lang, false if
// none shows anything sought.
func (h *highlighter) field(lang string, values []string) (string, bool) {
	lm := h.marker(lang)
	if lm == nil {
		return "", false
	}
	matches := make([][]match, len(values))
	for i, v := range values {
		matches[i] = h.matches(lm, v)
	}
	return pickFragment(values, matches)
}

func (h *highlighter) marker(lang string) *langMarker {
	if lm, ok := h.langs[lang]; ok {
		return lm
	}
	var lm *langMarker
	if st := h.sought[lang]; st != nil {
		lm = &langMarker{st: st, memo: h.an.memo(lang), near: map[string]bool{}}
	}
	h.langs[lang] = lm
	return lm
}

// matches are the words of text that are sought, in order.
func (h *highlighter) matches(lm *langMarker, text string) []match {
	toks := lm.memo.tokens(text, h.toks[:0])
	h.toks = toks
	hit := slices.Grow(h.hit[:0], len(toks))[:len(toks)]
	clear(hit)
	h.hit = hit
	found := false
	for i, t := range toks {
		if lm.st.words[t.term] || lm.isNear(t.term) {
			hit[i], found = true, true
		}
	}
	for _, p := range lm.st.phrases {
		found = markPhrase(p, toks, hit) || found
	}
	if !found {
		return nil
	}
	var out []match
	for i, t := range toks {
		if hit[i] {
			out = append(out, match{start: t.start, end: t.end, term: t.term})
		}
	}
	return out
}

// markPhrase marks in hit the tokens of each occurrence of phrase p: its
// terms at consecutive positions, any word where p has "". It reports
// whether there was one.
func markPhrase(p []string, toks []token, hit []bool) bool {
	found := false
	var at []int
	for i, t := range toks {
		if t.term != p[0] {
			continue
		}
		at = append(at[:0], i)
		ok := true
		for off, k := 1, i+1; off < len(p) && ok; off++ {
			if p[off] == "" {
				continue
			}
			for k < len(toks) && toks[k].pos < t.pos+off {
				k++
			}
			ok = k < len(toks) && toks[k].pos == t.pos+off && toks[k].term == p[off]
			at = append(at, k)
		}
		if ok {
			for _, j := range at {
				hit[j], found = true, true
			}
		}
	}
	return found
}

// isNear reports whether term is one edit from a fuzzy term.
func (lm *langMarker) isNear(term string) bool {
	if len(lm.st.fuzzy) == 0 {
		return false
	}
	near, ok := lm.near[term]
	if !ok {
		for _, f := range lm.st.fuzzy {
			if oneEdit(term, f) {
				near = true
				break
			}
		}
		lm.near[term] = near
	}
	return near
}

// oneEdit reports whether a and b are at most one edit apart: a rune
// inserted, deleted or replaced, or two adjacent runes swapped. That is what
// bleve's fuzzy query of fuzziness 1 matches (its Levenshtein automaton
// counts a transposition as one edit).
func oneEdit(a, b string) bool {
	if a == b {
		return true
	}
	na, nb := utf8.RuneCountInString(a), utf8.RuneCountInString(b)
	if na > nb {
		a, b, na, nb = b, a, nb, na
	}
	if nb-na > 1 {
		return false
	}
	ra, rb := []rune(a), []rune(b)
	i := 0
	for i < na && ra[i] == rb[i] {
		i++
	}
	if na < nb { // one inserted in b
		return slices.Equal(ra[i:], rb[i+1:])
	}
	if slices.Equal(ra[i+1:], rb[i+1:]) { // one replaced
		return true
	}
	return i+1 < na && ra[i] == rb[i+1] && ra[i+1] == rb[i] && slices.Equal(ra[i+2:], rb[i+2:])
}
