package match

import (
	"sort"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// dict gives every stem and concept a dense id, so documents and postings hold
// uint32s rather than strings. Ids are never reused; the dictionary only grows,
// which is fine for a vocabulary.
type dict struct {
	ids   map[string]uint32
	names []string
}

func newDict() *dict { return &dict{ids: map[string]uint32{}} }

func (d *dict) id(s string) uint32 {
	if id, ok := d.ids[s]; ok {
		return id
	}
	id := uint32(len(d.names))
	d.ids[s] = id
	d.names = append(d.names, s)
	return id
}

// lookup returns the id of s without adding it.
func (d *dict) lookup(s string) (uint32, bool) {
	id, ok := d.ids[s]
	return id, ok
}

// posting is one document's frequencies of a term.
type posting struct {
	slot uint32
	tf   [nFields]uint8
}

// side is the corpus of one kind of record: documents by slot, an inverted
// index over their terms and concepts, and the statistics BM25 needs. A
// replaced or removed document leaves a dead slot whose postings are skipped
// until the next compaction.
type side struct {
	byID     map[string]*doc
	docs     []*doc // by slot; nil when dead
	postings [][]posting
	concepts [][]uint32 // concept id → slots listing it
	df       []int32    // live documents containing each term
	cdf      []int32    // live documents listing each concept
	live     int
	dead     int
	sumLen   [nFields]float64
	// fnorm holds, by slot, each field's BM25F factor weight/(1−b+b·len/avg),
	// dense so that scoring a posting does not chase a pointer to its doc. The
	// averages drift as records come and go; the factors are recomputed when
	// they have moved by more than normDrift (see refreshNorms).
	fnorm   [][nFields]float32
	normAvg [nFields]float64
}

const normDrift = 0.05

func newSide() *side { return &side{byID: map[string]*doc{}} }

func grow[T any](s [][]T, n int) [][]T {
	for len(s) <= n {
		s = append(s, nil)
	}
	return s
}

func growInt(s []int32, n int) []int32 {
	for len(s) <= n {
		s = append(s, 0)
	}
	return s
}

// put adds d, replacing any document with the same id.
func (s *side) put(d *doc) {
	s.remove(d.id)
	d.slot = uint32(len(s.docs))
	s.docs = append(s.docs, d)
	s.byID[d.id] = d
	s.index(d)
}

// norm computes d's BM25F field factors with the averages in force.
func (s *side) norm(d *doc) [nFields]float32 {
	var n [nFields]float32
	for f := 0; f < nFields; f++ {
		avg := s.normAvg[f]
		if avg <= 0 {
			avg = 1
		}
		n[f] = float32(docFieldWeight[f] / (1 - docFieldB[f] + docFieldB[f]*float64(d.flen[f])/avg))
	}
	return n
}

// refreshNorms recomputes every factor when the average lengths have drifted;
// called after each batch of writes.
func (s *side) refreshNorms() {
	avg := s.avgLen()
	drift := false
	for f := range avg {
		if d := avg[f] - s.normAvg[f]; d > normDrift*s.normAvg[f] || -d > normDrift*s.normAvg[f] {
			drift = true
		}
	}
	if !drift {
		return
	}
	s.normAvg = avg
	for _, d := range s.docs {
		if d != nil {
			d.norm = s.norm(d)
			s.fnorm[d.slot] = d.norm
		}
	}
}

func (s *side) index(d *doc) {
	d.norm = s.norm(d)
	for len(s.fnorm) <= int(d.slot) {
		s.fnorm = append(s.fnorm, [nFields]float32{})
	}
	s.fnorm[d.slot] = d.norm
	for _, t := range d.terms {
		s.postings = grow(s.postings, int(t.term))
		s.postings[t.term] = append(s.postings[t.term], posting{slot: d.slot, tf: t.tf})
		s.df = growInt(s.df, int(t.term))
		s.df[t.term]++
	}
	for _, c := range d.concepts {
		s.concepts = grow(s.concepts, int(c))
		s.concepts[c] = append(s.concepts[c], d.slot)
		s.cdf = growInt(s.cdf, int(c))
		s.cdf[c]++
	}
	for f := 0; f < nFields; f++ {
		s.sumLen[f] += float64(d.flen[f])
	}
	s.live++
}

// remove drops the document with id, if any.
func (s *side) remove(id string) bool {
	d, ok := s.byID[id]
	if !ok {
		return false
	}
	delete(s.byID, id)
	s.docs[d.slot] = nil
	s.fnorm[d.slot] = [nFields]float32{}
	for _, t := range d.terms {
		s.df[t.term]--
	}
	for _, c := range d.concepts {
		s.cdf[c]--
	}
	for f := 0; f < nFields; f++ {
		s.sumLen[f] -= float64(d.flen[f])
	}
	s.live--
	s.dead++
	// Dead postings cost time on every query; rebuild once they are a fair
	// share of the index. Writes are rare, so the occasional rebuild is cheap.
	if s.dead > 64 && s.dead > s.live/4 {
		s.compact()
	}
	return true
}

func (s *side) compact() {
	docs := make([]*doc, 0, s.live)
	for _, d := range s.docs {
		if d != nil {
			d.slot = uint32(len(docs))
			docs = append(docs, d)
		}
	}
	*s = side{byID: s.byID, normAvg: s.normAvg}
	for _, d := range docs {
		s.docs = append(s.docs, d)
		s.index(d)
	}
}

// avgLen is the mean length of each field over live documents.
func (s *side) avgLen() [nFields]float64 {
	var a [nFields]float64
	for f := range a {
		a[f] = 1
		if s.live > 0 && s.sumLen[f] > 0 {
			a[f] = s.sumLen[f] / float64(s.live)
		}
	}
	return a
}

func (s *side) dfOf(t uint32) int32 {
	if int(t) < len(s.df) {
		return s.df[t]
	}
	return 0
}

// idFunc gives a string its id; ok is false when it has none (a read-only
// lookup for records that are only queried, never stored).
type idFunc func(string) (uint32, bool)

func (d *dict) add(s string) (uint32, bool) { return d.id(s), true }

// build turns an analysed text into a doc, giving its terms and concepts ids.
// With the dictionaries' add it needs the write lock; with lookup only the read
// lock, and words the corpus has never seen are left out (they cannot match).
func build(a *analysed, termID, conceptID idFunc) *doc {
	d := &doc{kind: a.kind, id: a.id, lang: a.lang, region: foldRegion(a.region), cpv: a.cpv,
		nameIsProse: a.kind != domain.KindSME}
	byTerm := map[uint32]*[nFields]uint8{}
	prose := map[uint32]bool{}
	for f := 0; f < nFields; f++ {
		n := len(a.fieldTerms[f])
		if n > 65535 {
			n = 65535
		}
		d.flen[f] = uint16(n)
		for _, w := range a.fieldTerms[f] {
			id, ok := termID(w)
			if !ok {
				continue
			}
			tf := byTerm[id]
			if tf == nil {
				tf = new([nFields]uint8)
				byTerm[id] = tf
			}
			if tf[f] < 255 {
				tf[f]++
			}
			if f == fSummary || f == fDesc || f == fName && d.nameIsProse {
				prose[id] = true
			}
		}
	}
	d.terms = make([]termTF, 0, len(byTerm))
	for id, tf := range byTerm {
		d.terms = append(d.terms, termTF{term: id, tf: *tf})
	}
	sort.Slice(d.terms, func(i, j int) bool { return d.terms[i].term < d.terms[j].term })
	d.prose = make([]uint32, 0, len(prose))
	for id := range prose {
		d.prose = append(d.prose, id)
	}
	sort.Slice(d.prose, func(i, j int) bool { return d.prose[i] < d.prose[j] })

	seen := map[uint32]bool{}
	addPhrase := func(raw string, stems []string, skill bool) {
		p := phrase{text: raw, norm: normPhrase(raw), skill: skill}
		for _, w := range stems {
			if id, ok := termID(w); ok {
				p.terms = append(p.terms, id)
			}
		}
		d.phrases = append(d.phrases, p)
		if c, ok := conceptID(phraseKey(p.norm, skill)); ok && !seen[c] {
			seen[c] = true
			d.concepts = append(d.concepts, c)
			d.conceptText = append(d.conceptText, raw)
		}
	}
	for i, c := range a.caps {
		addPhrase(a.text.caps[i], c, false)
	}
	for i, s := range a.skills {
		addPhrase(a.text.skills[i], s, true)
	}
	// A challenge's theme is a concept too: the words of a theme's challenges
	// are learned like those of a capability, so a profile can be judged
	// close to a theme it never names.
	if a.theme != "" {
		if c, ok := conceptID(themeKey(a.theme)); ok && !seen[c] {
			seen[c] = true
			d.concepts = append(d.concepts, c)
			d.conceptText = append(d.conceptText, a.theme)
		}
	}
	for _, code := range a.cpv {
		for _, k := range cpvConcepts(code) {
			if c, ok := conceptID(k); ok && !seen[c] {
				seen[c] = true
				d.concepts = append(d.concepts, c)
				d.conceptText = append(d.conceptText, code)
			}
		}
	}
	return d
}

// phraseKey is the concept key of a listed phrase. Capabilities and skills are
// kept apart: "machine learning" sold as a service and "machine learning" as
// one skill among a chatbot team's are not the same claim, and the words
// learned for each differ.
func phraseKey(norm string, skill bool) string {
	if skill {
		return "ps:" + norm
	}
	return "pc:" + norm
}

func themeKey(theme string) string { return "t:" + theme }

// cpvConcepts are the concept keys a CPV code is listed under: the code itself
// and its class (four digits), so that candidate generation finds profiles with
// a sibling code.
func cpvConcepts(code string) []string {
	return []string{"c:" + code, "k:" + code[:4]}
}

// kindOf names a record's kind.
func kindOf(r domain.Record) string {
	switch r.(type) {
	case *domain.SME:
		return domain.KindSME
	case *domain.Challenge:
		return domain.KindChallenge
	case *domain.Course:
		return domain.KindCourse
	}
	return ""
}
