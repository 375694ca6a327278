package search

import (
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"
)

// token is one analysed term of a text: what the index holds for it, the
// bytes [start, end) of the text it came from, and its position (1 for the
// first word; stop words are left out but counted, as in the index, so a
// phrase's words are next to each other only if they were in the text).
type token struct {
	term       string
	start, end int
	pos        int
}

// tokens analyses text as the index does in lang's fields.
func (a *Analyzer) tokens(text, lang string) []token {
	if text == "" {
		return nil
	}
	ts := a.get(lang).Analyze([]byte(text))
	return appendTokens(make([]token, 0, len(ts)), ts)
}

// appendTokens appends the analysis tokens ts to out as tokens.
func appendTokens(out []token, ts analysis.TokenStream) []token {
	for _, t := range ts {
		out = append(out, token{term: string(t.Term), start: t.Start, end: t.End, pos: t.Position})
	}
	return out
}

// tokenMemo analyses texts in one language, as Analyzer.tokens does,
// remembering the analysis of each piece of text between white space. It is
// safe for concurrent use.
//
// Highlighting analyses the text of every hit of a page again, and most of
// that time went to bleve's Unicode word segmentation (UAX #29). Prose repeats
// its words, and so do the pages of different searches, so nearly every piece
// ("the", "data,", "quality") was segmented before. The result is the same as
// analysing the whole text:
//
//   - the segmentation never joins across the white space split on here (a
//     word is never part of a space, tab or line break), so the words of a
//     text are those of its pieces (a combining mark or format character
//     after white space belongs to the space; at the start of a piece it is
//     a segment of its own; neither is a word);
//   - the tokenizer numbers the words it finds 1, 2, … (the position), and the
//     languages' token filters (lower case, elision, possessive, stop words,
//     stemming) each turn one token into at most one, on its own: so a piece's
//     tokens are the text's, shifted by the bytes and words before the piece.
//
// TestTokenMemoMatchesAnalyzer holds each language's analyzer to this, marks
// after white space included.
type tokenMemo struct {
	an analysis.Analyzer
	da *analysis.DefaultAnalyzer // nil: no piecewise analysis, always whole

	mu     sync.RWMutex
	pieces map[string]piece
}

// maxPieces bounds the pieces a tokenMemo remembers, and maxPieceLen their
// length, to a few MB: when it is full it starts again, empty. The pieces of
// a corpus of profiles number in the tens of thousands; the common ones come
// back within a few searches. A longer piece (a link, a run of characters
// without spaces) is seldom seen twice, and is analysed every time.
const (
	maxPieces   = 1 << 15
	maxPieceLen = 64
)

// piece is the analysis of one piece of text: its tokens, with offsets and
// positions within the piece, and how many words the tokenizer found in it
// (stop words included), which the positions of the next pieces start after.
type piece struct {
	tokens []token
	words  int
}

func newTokenMemo(an analysis.Analyzer) *tokenMemo {
	m := &tokenMemo{an: an, pieces: map[string]piece{}}
	if da, ok := an.(*analysis.DefaultAnalyzer); ok && len(da.CharFilters) == 0 {
		m.da = da
	}
	return m
}

// tokens analyses text, appending its tokens to out.
func (m *tokenMemo) tokens(text string, out []token) []token {
	if m.da == nil {
		return appendTokens(out, m.an.Analyze([]byte(text)))
	}
	words := 0
	for i := 0; i < len(text); {
		if isSpace(text[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(text) && !isSpace(text[j]) {
			j++
		}
		p := m.piece(text[i:j])
		for _, t := range p.tokens {
			out = append(out, token{term: t.term, start: i + t.start, end: i + t.end, pos: words + t.pos})
		}
		words += p.words
		i = j
	}
	return out
}

// piece returns the analysis of one piece, remembered or made now.
func (m *tokenMemo) piece(s string) piece {
	if len(s) > maxPieceLen {
		return m.analyse(s)
	}
	m.mu.RLock()
	p, ok := m.pieces[s]
	m.mu.RUnlock()
	if ok {
		return p
	}
	p = m.analyse(s)
	m.mu.Lock()
	if len(m.pieces) >= maxPieces {
		m.pieces = map[string]piece{}
	}
	m.pieces[strings.Clone(s)] = p // not s: it would keep the whole text
	m.mu.Unlock()
	return p
}

// analyse runs the analyzer's tokenizer and token filters on one piece.
func (m *tokenMemo) analyse(s string) piece {
	ts := m.da.Tokenizer.Tokenize([]byte(s)) // a copy: filters may rewrite terms in place
	words := len(ts)
	for _, f := range m.da.TokenFilters {
		ts = f.Filter(ts)
	}
	return piece{tokens: appendTokens(make([]token, 0, len(ts)), ts), words: words}
}

// isSpace is white space that the word segmentation always breaks at: space,
// tab, line and page breaks.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}
