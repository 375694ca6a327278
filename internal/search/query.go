package search

import (
	"slices"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/search/query"
)

// Fuzzy alternatives: words of at least fuzzyMinRunes letters also match terms
// one edit away, at fuzzyBoost of the exact match's weight, so a typo still
// finds things but never outranks the real word. The fuzzy match is on the
// word's analysed terms (a stemmed typo is one edit from the stemmed word:
// "monitring" → "monitr" ~ "monitor"), and only on terms of fuzzyMinTerm runes
// or more, so "38432000-2" does not fuzzily match every one-letter term via "2".
// Very long words skip it: the automaton grows with the word.
const (
	fuzzyMinRunes = 5
	fuzzyMinTerm  = 4
	fuzzyMaxRunes = 40
	fuzzyBoost    = 0.2
	cpvBoost      = boostTitle
)

// queryBuilder turns parsed clauses into bleve queries over one kind's text
// fields in the languages present in the index.
type queryBuilder struct {
	spec  *kindSpec
	langs []string
	an    *Analyzer
	// known reports whether a term is in a field's dictionary. Fuzzy
	// alternatives are only for terms the index does not know: a correctly
	// spelled word needs none, and skipping them keeps "sensor" from also
	// matching "senior" and saves a third of a common query's time.
	known func(field, term string) bool
}

// textQuery is the scoring part of a search:
//
//   - plain words are should clauses, one disjunction per word over every text
//     field (with its boost) plus its fuzzy alternative. bleve multiplies a
//     disjunction's score by matched/total clauses, so a record matching more of
//     the words ranks higher;
//   - +words and "phrases" are must clauses (a quoted phrase is required, as on
//     every web search engine);
//   - -words and -"phrases" are must-not clauses.
//
// ok is false when the text has nothing to search for (only stop words or
// punctuation): the caller returns no hits rather than everything. positive
// is false when the text only excludes: nothing to highlight.
func (b *queryBuilder) textQuery(clauses []clause) (q query.Query, positive, ok bool) {
	var must, should, mustNot []query.Query
	for _, c := range clauses {
		if !b.analysable(c.text) && !(b.spec.cpv && c.op != '-' && !c.phrase && looksLikeCPV(c.text)) {
			continue // a stop word or punctuation: it would match nothing
		}
		switch {
		case c.op == '-':
			mustNot = append(mustNot, b.clauseQuery(c, false))
		case c.op == '+' || c.phrase:
			must = append(must, b.clauseQuery(c, false))
		default:
			should = append(should, b.clauseQuery(c, true))
		}
	}
	positive = len(must) > 0 || len(should) > 0
	if !positive {
		if len(mustNot) == 0 {
			return nil, false, false
		}
		must = append(must, query.NewMatchAllQuery()) // "-diesel": everything else
	}
	return query.NewBooleanQuery(must, should, mustNot), positive, true
}

// clauseQuery matches one word or phrase in any of the kind's text fields.
func (b *queryBuilder) clauseQuery(c clause, fuzzy bool) query.Query {
	fuzzy = fuzzy && !c.phrase
	if n := utf8.RuneCountInString(c.text); n < fuzzyMinRunes || n > fuzzyMaxRunes {
		fuzzy = false
	}
	var qs []query.Query
	for _, lang := range b.langs {
		var fuzzyTerms []string
		if fuzzy {
			for _, t := range b.an.Terms(c.text, lang) {
				if utf8.RuneCountInString(t) >= fuzzyMinTerm && !slices.Contains(fuzzyTerms, t) && !b.knownIn(lang, t) {
					fuzzyTerms = append(fuzzyTerms, t)
				}
			}
		}
		for _, f := range b.spec.text {
			field := lang + "." + f.name
			if c.phrase {
				pq := query.NewMatchPhraseQuery(c.text)
				pq.SetField(field)
				pq.SetBoost(f.boost)
				qs = append(qs, pq)
				continue
			}
			mq := query.NewMatchQuery(c.text)
			mq.SetField(field)
			mq.SetBoost(f.boost)
			qs = append(qs, mq)
			for _, t := range fuzzyTerms {
				fq := query.NewFuzzyQuery(t)
				fq.SetField(field)
				fq.SetFuzziness(1)
				fq.SetBoost(f.boost * fuzzyBoost)
				qs = append(qs, fq)
			}
		}
	}
	if b.spec.cpv && !c.phrase && looksLikeCPV(c.text) {
		tq := query.NewTermQuery(c.text)
		tq.SetField(fieldCPV)
		tq.SetBoost(cpvBoost)
		qs = append(qs, tq)
	}
	d := query.NewDisjunctionQuery(qs)
	d.SetMin(1)
	return d
}

// knownIn reports whether term occurs in any of the kind's text fields in lang.
func (b *queryBuilder) knownIn(lang, term string) bool {
	if b.known == nil {
		return false
	}
	for _, f := range b.spec.text {
		if b.known(lang+"."+f.name, term) {
			return true
		}
	}
	return false
}

// analysable reports whether some language's analyzer keeps a term of text.
func (b *queryBuilder) analysable(text string) bool {
	for _, lang := range b.langs {
		if len(b.an.Terms(text, lang)) > 0 {
			return true
		}
	}
	return false
}

// looksLikeCPV is true for "72316000" or "72316000-3": worth a lookup in the CPV
// keyword field.
func looksLikeCPV(s string) bool {
	if len(s) < 8 || len(s) > 10 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c == '-' && i == 8) {
			return false
		}
	}
	return true
}
