package search

import (
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/standard"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/hu"
	"github.com/blevesearch/bleve/v2/analysis/lang/it"
	"github.com/blevesearch/bleve/v2/analysis/lang/sv"
	"github.com/blevesearch/bleve/v2/registry"
)

// analyzerFor names the bleve analyzer for a record language. Estonian has no
// bleve analyzer, so it gets the standard one (lower-casing, stop words, no stemming).
func analyzerFor(lang string) string {
	switch lang {
	case "it":
		return it.AnalyzerName
	case "hu":
		return hu.AnalyzerName
	case "sv":
		return sv.AnalyzerName
	case "et":
		return standard.Name
	default:
		return en.AnalyzerName
	}
}

// Analyzer turns text into the terms the index uses: the same tokenising,
// stop words and stemming as the bleve index, so the matcher and the search agree
// on what a word is.
type Analyzer struct {
	mu     sync.Mutex
	cache  *registry.Cache
	byLang map[string]analysis.Analyzer
	memos  map[string]*tokenMemo // for highlighting, made on first use
}

// NewAnalyzer returns an analyzer for every supported language.
func NewAnalyzer() *Analyzer {
	return &Analyzer{cache: registry.NewCache(), byLang: map[string]analysis.Analyzer{}, memos: map[string]*tokenMemo{}}
}

// memo returns lang's tokenMemo, shared by every search.
func (a *Analyzer) memo(lang string) *tokenMemo {
	an := a.get(lang)
	a.mu.Lock()
	defer a.mu.Unlock()
	m := a.memos[lang]
	if m == nil {
		m = newTokenMemo(an)
		a.memos[lang] = m
	}
	return m
}

func (a *Analyzer) get(lang string) analysis.Analyzer {
	a.mu.Lock()
	defer a.mu.Unlock()
	if an, ok := a.byLang[lang]; ok {
		return an
	}
	an, err := a.cache.AnalyzerNamed(analyzerFor(lang))
	if err != nil {
		panic("search: analyzer " + lang + ": " + err.Error()) // registered at init; cannot fail
	}
	a.byLang[lang] = an
	return an
}

// Terms returns the analysed terms of text in order (with repeats).
func (a *Analyzer) Terms(text, lang string) []string {
	if text == "" {
		return nil
	}
	ts := a.get(lang).Analyze([]byte(text))
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		out = append(out, string(t.Term))
	}
	return out
}
