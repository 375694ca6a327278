package search

import (
	"slices"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// mappingVersion is kept in the index's internal storage. Bump it whenever the
// mapping or the documents built by toDoc change: Open then throws the old index
// away and reports Fresh, so the caller rebuilds it from the store.
//
// 2: records carry their JSON in fieldSource, and search hits return it.
// 3: newest and deadline are keyword sort keys, not date fields.
// 4: challenges carry their organisation's key (fieldOrgKey) for draft visibility.
// 5: the newest sort key and the default facets' values share one doc-value
// field (fieldKeys).
// 6: doc values are stored uncompressed (rawDocValues).
// 7: text fields are no longer stored (highlighting reads fieldSource).
const mappingVersion = "7"

// One index holds all three kinds rather than three indexes: one directory to
// open, recover and stamp, one batch for a mixed rebuild, and the kinds share
// most field names (region, skills, the text fields). Each document carries its
// kind in the "kind" field, which is also the mapping's type field, so every
// kind gets its own document mapping; every search filters on kind.
const (
	fieldKind     = "kind"
	fieldLang     = "lang"
	fieldPublic   = "public"   // challenges: "true" when the public may see it
	fieldDeadline = "deadline" // time key (docFields.date) for "soonest first"
	fieldCPV      = "cpv"
	// fieldOrgKey is a challenge's domain.OrgKey(organisation): drafts are
	// shown to the officers of their organisation however either spells it,
	// as the access checks decide. The "organisation" facet keeps the name as
	// written.
	fieldOrgKey = "orgKey"
	// fieldKeys holds what every search reads for every hit: the "newest
	// first" sort key (docFields.newest) and the values of the kind's default
	// facets, each behind a one-byte prefix (newestPrefix, facetPrefix). They
	// were three or four doc-value fields, and bleve visits each field's doc
	// values separately for every hit (finding the document in the field's
	// chunk, decompressing the chunk): counting the default facets doubled the
	// time of a search that matched most profiles (BenchmarkSearch10k, 1word:
	// 13 ms with them, 6.4 ms without). One field is one visit per hit.
	fieldKeys = "keys"
	// fieldSource is the record's JSON, stored but not indexed: search results
	// are filled in from it instead of reading every hit from the database.
	fieldSource = "_source"
)

// Language sub-documents. bleve picks one analyzer per field path, not per
// document, so each record's text goes under a sub-document named by its
// language ("en.title", "it.title", …) whose fields use that language's
// analyzer; a query searches the same field in every language present.
var languages = domain.Languages

// textField is an analysed, highlighted field with its query-time boost.
type textField struct {
	name  string // the domain's JSON name, also the highlight key
	boost float64
}

// Boosts: a title or name match is worth most, then the capability and skill
// lists (short, deliberate phrases), then the summary, then the long description.
const (
	boostTitle   = 4
	boostList    = 3
	boostSummary = 2
	boostProse   = 1
)

// kindSpec is what the index knows about one kind of record.
type kindSpec struct {
	text []textField
	// facets are counted on every search, in display order: few distinct
	// values each, so cheap to count.
	facets []string
	// extraFacets are counted only when a SearchRequest asks for them. They are
	// free-text lists or names with thousands of distinct values: counting them
	// visits much more doc-value data per hit and sorts a map of every value,
	// which was the larger part of a search's time (see BenchmarkSearch10k).
	extraFacets []string
	filter      map[string]bool // fields a SearchRequest may filter on
	cpv         bool            // records carry CPV codes
}

var kinds = map[string]*kindSpec{
	domain.KindSME: newKindSpec(
		[]textField{{"name", boostTitle}, {"capabilities", boostList}, {"skills", boostList}, {"summary", boostSummary}, {"description", boostProse}},
		[]string{"region", "size"}, []string{"skills", "capabilities"}, true),
	domain.KindChallenge: newKindSpec(
		[]textField{{"title", boostTitle}, {"requiredCapabilities", boostList}, {"requiredSkills", boostList}, {"summary", boostSummary}, {"description", boostProse}},
		[]string{"theme", "status", "region"}, []string{"organisation"}, true),
	domain.KindCourse: newKindSpec(
		[]textField{{"title", boostTitle}, {"skills", boostList}, {"description", boostProse}},
		[]string{"mode", "region", "funded"}, []string{"skills"}, false),
}

func newKindSpec(text []textField, facets, extraFacets []string, cpv bool) *kindSpec {
	k := &kindSpec{text: text, facets: facets, extraFacets: extraFacets, filter: map[string]bool{}, cpv: cpv}
	for _, f := range k.allFacets() {
		k.filter[f] = true
	}
	if cpv {
		k.filter[fieldCPV] = true
	}
	return k
}

// Prefixes of the terms in fieldKeys. A document's doc values list its terms
// in byte order, and a sort on a field with several terms takes the first, so
// the newest key's prefix sorts before every facet prefix.
const newestPrefix = "!"

// facetPrefix is the prefix in fieldKeys of the values of the kind's i-th
// default facet.
func facetPrefix(i int) string { return string(rune('a' + i)) }

// defaultFacet is the position of f among the kind's default facets, or -1.
func (k *kindSpec) defaultFacet(f string) int { return slices.Index(k.facets, f) }

// allFacets is every facet field of the kind, counted by default or not.
func (k *kindSpec) allFacets() []string {
	return append(append([]string(nil), k.facets...), k.extraFacets...)
}

// newMapping builds the index mapping. Nothing is dynamic: a field is indexed
// only if it is named here. Stored is the record's JSON (fieldSource), from
// which search results are filled in and highlighted (and the text fields:
// see textFieldMapping).
func newMapping() *mapping.IndexMappingImpl { return newMappingStoring(false) }

// newMappingStoring is newMapping with the text fields stored or not: the
// tests that compare highlighting with bleve's own highlighter, which reads
// stored fields, need them stored.
func newMappingStoring(storeText bool) *mapping.IndexMappingImpl {
	m := bleve.NewIndexMapping()
	m.TypeField = fieldKind
	m.DefaultAnalyzer = en.AnalyzerName
	m.IndexDynamic, m.StoreDynamic, m.DocValuesDynamic = false, false, false
	m.DefaultMapping = bleve.NewDocumentDisabledMapping()
	for name, k := range kinds {
		d := k.documentMapping(storeText)
		if name == domain.KindChallenge {
			d.AddFieldMappingsAt(fieldOrgKey, keywordField(false))
		}
		m.AddDocumentMapping(name, d)
	}
	return m
}

func (k *kindSpec) documentMapping(storeText bool) *mapping.DocumentMapping {
	d := bleve.NewDocumentStaticMapping()
	d.AddFieldMappingsAt(fieldKind, keywordField(false))
	d.AddFieldMappingsAt(fieldLang, keywordField(false))
	d.AddFieldMappingsAt(fieldKeys, keywordField(true))
	d.AddFieldMappingsAt(fieldDeadline, keywordField(true)) // a sort key: see docFields.date
	d.AddFieldMappingsAt(fieldPublic, keywordField(false))
	if k.cpv {
		d.AddFieldMappingsAt(fieldCPV, keywordField(false))
	}
	// The default facets are counted from fieldKeys: their own fields are
	// for filters and need no doc values.
	for _, f := range k.facets {
		d.AddFieldMappingsAt(f, keywordField(false))
	}
	for _, f := range k.extraFacets {
		d.AddFieldMappingsAt(f, keywordField(true)) // counted from their doc values
	}
	d.AddFieldMappingsAt(fieldSource, sourceField())
	for _, lang := range languages {
		sub := bleve.NewDocumentStaticMapping()
		for _, f := range k.text {
			sub.AddFieldMappingsAt(f.name, textFieldMapping(analyzerFor(lang), storeText))
		}
		d.AddSubDocumentMapping(lang, sub)
	}
	return d
}

// textFieldMapping is analysed and keeps term vectors: phrase queries need the
// words' positions. It is not stored: highlighting reads the record's text
// from fieldSource (highlight.go), and a stored copy doubled the bytes every
// hit's document load decompressed, and every persist and merge wrote.
func textFieldMapping(analyzer string, store bool) *mapping.FieldMapping {
	f := bleve.NewTextFieldMapping()
	f.Analyzer = analyzer
	f.Store = store
	f.IncludeTermVectors = true
	f.IncludeInAll = false
	f.DocValues = false
	return f
}

// keywordField is one exact term per value; docValues only where facets need them.
func keywordField(docValues bool) *mapping.FieldMapping {
	f := bleve.NewKeywordFieldMapping()
	f.Analyzer = keyword.Name
	f.Store = false
	f.IncludeTermVectors = false
	f.IncludeInAll = false
	f.DocValues = docValues
	return f
}

// sourceField is stored only: never searched, sorted or faceted on, so it costs
// no analysis, no terms and no doc values, just its bytes in the segment's
// stored section (compressed), read for the hits of the page.
func sourceField() *mapping.FieldMapping {
	f := bleve.NewTextFieldMapping()
	f.Analyzer = keyword.Name
	f.Index = false
	f.Store = true
	f.IncludeTermVectors = false
	f.IncludeInAll = false
	f.DocValues = false
	return f
}
