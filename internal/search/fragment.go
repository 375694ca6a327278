package search

import (
	"html"
	"slices"
	"strings"
	"unicode/utf8"
)

// Fragments are cut and chosen as bleve's "html" highlighter did when it
// highlighted the hits (its simple fragmenter, fragment scorer and html
// formatter, one fragment per field), so the pages and the API see the
// snippets they always did: about fragmentSize characters around the matches
// (the first stretch showing the most different terms), "…" where the text
// goes on, the matched words in <mark>.
const (
	fragmentSize = 200 // runes: the simple fragmenter's default
	ellipsis     = "…"
	markOpen     = "<mark>"
	markClose    = "</mark>"
)

// match is a marked word of a text: its bytes [start, end) and its term.
type match struct {
	start, end int
	term       string
}

// fragment is a stretch [start, end) of a text and how many different terms
// it shows matches of.
type fragment struct {
	start, end int
	score      int
}

// pickFragment returns the best fragment of a field's values, given the
// matches in each, formatted; false if there are none. Of equally good
// fragments it is the first, as with bleve's highlighter (whose queue of
// fragments gives the first of the highest score); so once a fragment shows
// every term its value has, the value's later fragments need no scoring.
func pickFragment(values []string, matches [][]match) (string, bool) {
	best, bestValue := fragment{}, -1
	for i, v := range values {
		ms := matches[i]
		if len(ms) == 0 {
			continue
		}
		most := score(fragment{0, len(v), 0}, ms) // the most a fragment of v can score
		if bestValue >= 0 && most <= best.score {
			continue
		}
		for k := range ms {
			f := fragmentAt(v, ms, k)
			if f.score = score(f, ms); bestValue < 0 || f.score > best.score {
				best, bestValue = f, i
			}
			if f.score == most {
				break
			}
		}
	}
	if bestValue < 0 {
		return "", false
	}
	return formatFragment(values[bestValue], best, matches[bestValue]), true
}

// fragmentAt is the fragment bleve's simple fragmenter cuts for the k-th
// match: from its start, fragmentSize runes on; if the text ends first,
// reaching back before it (not over the previous match); and then shifted
// back by half the room on its smaller side, to centre the matches.
func fragmentAt(text string, matches []match, k int) fragment {
	maxBegin := 0
	if k > 0 {
		maxBegin = matches[k-1].end
	}
	start, end, used := matches[k].start, matches[k].start, 0
	for end < len(text) && used < fragmentSize {
		_, n := utf8.DecodeRuneInString(text[end:])
		end += n
		used++
	}
	for start > 0 && used < fragmentSize {
		_, n := utf8.DecodeLastRuneInString(text[:start])
		if start-n < maxBegin {
			break
		}
		start -= n
		used++
	}
	minEnd := end // the end of the last match in the fragment
	for _, m := range matches[k:] {
		if m.end > end {
			break
		}
		minEnd = m.end
	}
	room := 0
	if start >= maxBegin {
		room = min(utf8.RuneCountInString(text[minEnd:end]), utf8.RuneCountInString(text[maxBegin:start]))
	}
	for range room / 2 {
		_, n := utf8.DecodeLastRuneInString(text[:start])
		start -= n
		_, n = utf8.DecodeLastRuneInString(text[:end])
		end -= n
	}
	return fragment{start: start, end: end}
}

// score is how many different terms have a match inside f.
func score(f fragment, matches []match) int {
	var terms []string
	for _, m := range matches {
		if m.start >= f.start && m.end <= f.end && !slices.Contains(terms, m.term) {
			terms = append(terms, m.term)
		}
	}
	return len(terms)
}

// formatFragment is f's text, HTML-escaped, with its matches in <mark> and
// "…" on either side the text goes on.
func formatFragment(text string, f fragment, matches []match) string {
	var b strings.Builder
	if f.start != 0 {
		b.WriteString(ellipsis)
	}
	at := f.start
	for _, m := range matches {
		if m.start < at {
			continue
		}
		if m.end > f.end {
			break
		}
		b.WriteString(html.EscapeString(text[at:m.start]))
		b.WriteString(markOpen)
		b.WriteString(html.EscapeString(text[m.start:m.end]))
		b.WriteString(markClose)
		at = m.end
	}
	b.WriteString(html.EscapeString(text[at:f.end]))
	if f.end != len(text) {
		b.WriteString(ellipsis)
	}
	return b.String()
}
