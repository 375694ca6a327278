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
	// known reports whether a term is in a field's dictionary (see
	// Index.dictionaries); nil takes every term as known. Fuzzy
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
// punctuation): the caller returns no hits rather than everything. hl is what
// the must and should clauses look for, in each language's terms: what
// highlighting marks (must-not clauses never match a hit). It is nil when the
// text only excludes: nothing to highlight.
func (b *queryBuilder) textQuery(clauses []clause) (q query.Query, hl sought, ok bool) {
	var must, should, mustNot []query.Query
	hl = sought{}
	for _, c := range clauses {
		if !b.analysable(c.text) && !(b.spec.cpv && c.op != '-' && !c.phrase && looksLikeCPV(c.text)) {
			continue // a stop word or punctuation: it would match nothing
		}
		switch {
		case c.op == '-':
			mustNot = append(mustNot, b.clauseQuery(c, false, nil))
		case c.op == '+' || c.phrase:
			must = append(must, b.clauseQuery(c, false, hl))
		default:
			should = append(should, b.clauseQuery(c, true, hl))
		}
	}
	if len(must) == 0 && len(should) == 0 {
		if len(mustNot) == 0 {
			return nil, nil, false
		}
		must = append(must, query.NewMatchAllQuery()) // "-diesel": everything else
		return query.NewBooleanQuery(must, should, mustNot), nil, true
	}
	return query.NewBooleanQuery(must, should, mustNot), hl, true
}

// clauseQuery matches one word or phrase in any of the kind's text fields.
//
// It asks only the fields that can match: a field whose dictionary lacks a
// term of a phrase, or every term of a word, is left out. A query searches
// every language present, so without this a word was looked for in each
// field of each language (25 term searches for one English word, most of
// them empty); the disjunction over them was a third of a search's time.
//
// Fuzzy alternatives are for words the index does not know in any language
// (a typo), not for a word merely missing from some language's fields: an
// English word is not Hungarian, and looking for its near misses in the
// Hungarian text found nothing but cost the most of all.
//
// hl, unless nil, gets what the clause looks for in each language. Leaving
// out fields that lack the terms changes nothing there: a field without them
// has nothing to mark.
func (b *queryBuilder) clauseQuery(c clause, fuzzy bool, hl sought) query.Query {
	fuzzy = fuzzy && !c.phrase
	if n := utf8.RuneCountInString(c.text); n < fuzzyMinRunes || n > fuzzyMaxRunes {
		fuzzy = false
	}
	type langTerms struct {
		lang  string
		toks  []token
		terms []string
	}
	var analysed []langTerms
	for _, lang := range b.langs {
		if toks := b.an.tokens(c.text, lang); len(toks) > 0 {
			terms := make([]string, len(toks))
			for i, t := range toks {
				terms[i] = t.term
			}
			analysed = append(analysed, langTerms{lang, toks, terms})
		}
	}
	if fuzzy {
		for _, lt := range analysed {
			if b.knownAll(lt.lang, lt.terms) {
				fuzzy = false // a real word somewhere: no typo to forgive
				break
			}
		}
	}
	var qs []query.Query
	for _, lt := range analysed {
		var fuzzyTerms []string
		if fuzzy {
			for _, t := range lt.terms {
				if utf8.RuneCountInString(t) >= fuzzyMinTerm && !slices.Contains(fuzzyTerms, t) {
					fuzzyTerms = append(fuzzyTerms, t)
				}
			}
		}
		if hl != nil {
			if c.phrase {
				hl.addPhrase(lt.lang, lt.toks)
			} else {
				hl.addWord(lt.lang, lt.terms, fuzzyTerms)
			}
		}
		for _, f := range b.spec.text {
			field := lt.lang + "." + f.name
			for _, t := range fuzzyTerms {
				fq := query.NewFuzzyQuery(t)
				fq.SetField(field)
				fq.SetFuzziness(1)
				fq.SetBoost(f.boost * fuzzyBoost)
				qs = append(qs, fq)
			}
			if c.phrase {
				if !b.knownIn(field, lt.terms, true) {
					continue
				}
				qs = append(qs, newPhraseQuery(c.text, field, f.boost))
				continue
			}
			if !b.knownIn(field, lt.terms, false) {
				continue
			}
			qs = append(qs, newWordQuery(c.text, field, f.boost))
		}
	}
	if b.spec.cpv && !c.phrase && looksLikeCPV(c.text) {
		tq := query.NewTermQuery(c.text)
		tq.SetField(fieldCPV)
		tq.SetBoost(cpvBoost)
		qs = append(qs, tq)
	}
	if len(qs) == 0 {
		return query.NewMatchNoneQuery() // no field holds it
	}
	d := query.NewDisjunctionQuery(qs)
	d.SetMin(1)
	return d
}

// knownIn reports whether field's dictionary holds all of terms, or any of
// them. Without a dictionary to ask, every term is taken as known.
func (b *queryBuilder) knownIn(field string, terms []string, all bool) bool {
	if b.known == nil {
		return true
	}
	for _, t := range terms {
		if b.known(field, t) != all {
			return !all
		}
	}
	return all
}

// knownAll reports whether each of terms is in some text field of lang.
func (b *queryBuilder) knownAll(lang string, terms []string) bool {
	if b.known == nil {
		return false
	}
	for _, t := range terms {
		found := false
		for _, f := range b.spec.text {
			if b.known(lang+"."+f.name, t) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
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
