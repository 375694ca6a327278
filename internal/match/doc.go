// Package match is bettermatch's matching engine: it ranks SMEs for a
// challenge, open challenges for an SME, and courses for an SME's skills gap,
// with an explanation a person can check.
//
// It keeps its own in-memory corpus (fed through Put and Remove) and imports
// only the standard library, the domain package and the embedded CPV
// vocabulary (internal/cpv, itself standard library only): text analysis (stemming,
// stop words) comes in through a domain.TextAnalyzer, so the search index and
// the matcher agree on what a word is without this package depending on bleve.
//
// Ranking has two stages. Candidates come from an inverted index (term →
// postings) scored BM25F-style, with the challenge's words widened by the
// words the corpus itself uses for each of its needs (see assoc.go). The
// candidates are then scored on features — lexical similarity, how many of the
// challenge's needs the profile covers, shared CPV codes with their hierarchy,
// region and, when both sides have embeddings, semantic similarity — fused by
// the pure functions of score.go.
package match

import (
	"sort"
	"strings"
	"unicode"

	"github.com/bettermatch/bettermatch/internal/cpv"
	"github.com/bettermatch/bettermatch/internal/domain"
)

// Fields of a profile, for BM25F. SMEs and challenges use the same slots so one
// scoring function serves both directions: a challenge's title sits where an
// SME's name does.
const (
	fName = iota
	fCaps
	fSkills
	fSummary
	fDesc
	fCPV // labels of the record's CPV codes and of their parents
	nFields
)

// termTF is one term of a document with its frequency per field (saturated at
// 255, far beyond where BM25 stops caring).
type termTF struct {
	term uint32
	tf   [nFields]uint8
}

// phrase is a capability or skill as written, and its analysed form.
type phrase struct {
	text  string   // as written
	norm  string   // lower-cased, single-spaced: what phrase equality compares
	terms []uint32 // stems, in order
	skill bool
}

// doc is the analysed form of an SME, challenge or course.
type doc struct {
	kind   string
	id     string
	slot   uint32
	region string // folded, for equality
	lang   string
	terms  []termTF // sorted by term: the forward index
	flen   [nFields]uint16
	// nameIsProse: a challenge's or course's title describes it; a firm's
	// name ("Harbour Tech 12") does not, and its words must not be learned as
	// the meaning of what the firm lists.
	nameIsProse bool
	norm        [nFields]float32 // BM25F field factors (see side.fnorm)
	// phrases are the listed capabilities and skills (course skills too).
	phrases []phrase
	cpv     []string // eight-digit codes
	// prose is the set of stems of the free text (summary, description, name),
	// sorted: what the learned associations read.
	prose []uint32
	// concepts are the ids of the listed phrases and CPV codes (see assoc.go).
	concepts    []uint32
	conceptText []string // each concept as the record writes it

	sme       *domain.SME
	challenge *domain.Challenge
	course    *domain.Course
}

// tf returns the term's frequencies in d, or nil.
func (d *doc) tf(t uint32) *[nFields]uint8 {
	i := sort.Search(len(d.terms), func(i int) bool { return d.terms[i].term >= t })
	if i < len(d.terms) && d.terms[i].term == t {
		return &d.terms[i].tf
	}
	return nil
}

// has reports whether d contains term t in any field.
func (d *doc) has(t uint32) bool { return d.tf(t) != nil }

// hasProse reports whether t occurs in d's free text.
func (d *doc) hasProse(t uint32) bool {
	i := sort.Search(len(d.prose), func(i int) bool { return d.prose[i] >= t })
	return i < len(d.prose) && d.prose[i] == t
}

// text is the raw material of a doc before analysis.
type text struct {
	kind, id, lang, region string
	theme                  string
	fields                 [nFields]string
	caps, skills, cpv      []string
}

func smeText(s *domain.SME) text {
	t := text{kind: domain.KindSME, id: s.ID, lang: s.Language, region: s.Region,
		caps: s.Capabilities, skills: s.Skills, cpv: s.CPV}
	t.fields[fName] = s.Name
	t.fields[fSummary] = s.Summary
	t.fields[fDesc] = s.Description
	return t
}

func challengeText(c *domain.Challenge) text {
	t := text{kind: domain.KindChallenge, id: c.ID, lang: c.Language, region: c.Region,
		caps: c.RequiredCapabilities, skills: c.RequiredSkills, cpv: c.CPV, theme: c.Theme}
	t.fields[fName] = c.Title
	t.fields[fSummary] = c.Summary
	// Challenges often open the description with the summary; counting it twice
	// would double its weight for no reason.
	t.fields[fDesc] = strings.TrimPrefix(strings.TrimSpace(c.Description), strings.TrimSpace(c.Summary))
	return t
}

func courseText(c *domain.Course) text {
	t := text{kind: domain.KindCourse, id: c.ID, lang: c.Language, region: c.Region, skills: c.Skills}
	t.fields[fName] = c.Title
	t.fields[fDesc] = c.Description
	return t
}

// analysed is a text run through the analyzer, before its terms get ids.
type analysed struct {
	text
	fieldTerms [nFields][]string
	caps       [][]string
	skills     [][]string
	cpv        []string
}

// analyse runs the analyzer; it needs no lock, so it happens before the engine
// takes one.
func (e *Engine) analyse(t text) *analysed {
	an := e.an
	a := &analysed{text: t}
	for f := 0; f < nFields; f++ {
		if f != fCPV && f != fCaps && f != fSkills {
			a.fieldTerms[f] = an.Terms(t.fields[f], t.lang)
		}
	}
	for _, c := range t.caps {
		ts := an.Terms(c, t.lang)
		a.caps = append(a.caps, ts)
		a.fieldTerms[fCaps] = append(a.fieldTerms[fCaps], ts...)
	}
	for _, s := range t.skills {
		ts := an.Terms(s, t.lang)
		a.skills = append(a.skills, ts)
		a.fieldTerms[fSkills] = append(a.fieldTerms[fSkills], ts...)
	}
	// CPV labels are English; the code's own label counts fully, its parents'
	// once each however many codes share them, so a profile listing ten IT codes
	// is not ten times about "IT services".
	seenParent := map[string]bool{}
	for _, raw := range t.cpv {
		code := cpv.Normalize(raw)
		if code == "" {
			continue
		}
		a.cpv = append(a.cpv, code)
		a.fieldTerms[fCPV] = append(a.fieldTerms[fCPV], e.labelTerms(code)...)
		for _, p := range cpv.Parents(code) {
			if !seenParent[p] {
				seenParent[p] = true
				a.fieldTerms[fCPV] = append(a.fieldTerms[fCPV], e.labelTerms(p)...)
			}
		}
	}
	return a
}

// labelTerms returns the analysed words of a CPV code's label, cached: a
// vocabulary of 9,454 labels is analysed at most once each.
func (e *Engine) labelTerms(code string) []string {
	if ts, ok := e.labels.Load(code); ok {
		return ts.([]string)
	}
	ts := e.an.Terms(cpv.Label(code), "en")
	e.labels.Store(code, ts)
	return ts
}

// normPhrase is the form phrases are compared in: lower case, letters and
// digits only, single spaces ("E-procurement" and "e procurement" are equal).
func normPhrase(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		} else {
			space = true
		}
	}
	return b.String()
}

func foldRegion(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
