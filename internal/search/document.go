package search

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// docID is the bleve id of a record: kind and id, so ids of different kinds can
// never collide and Remove needs no lookup.
func docID(kind, id string) string { return kind + "/" + id }

// recordID strips the kind from a bleve id.
func recordID(docID string) string {
	_, id, _ := strings.Cut(docID, "/")
	return id
}

// recordLang is the record's language, English when unset or unknown.
func recordLang(lang string) string {
	if slices.Contains(languages, lang) {
		return lang
	}
	return "en"
}

// toDoc turns a record into the document bleve indexes. Only what a search
// filters, facets, sorts or matches on is indexed; empty values are left out so
// they show up neither as terms nor as facet values. The whole record goes in
// as JSON too (fieldSource, stored only), to be returned with the hits.
func toDoc(rec domain.Record) (kind, id, lang string, doc map[string]any, err error) {
	d := docFields{}
	switch r := rec.(type) {
	case *domain.SME:
		kind, id = domain.KindSME, r.ID
		d.str("region", r.Region)
		d.str("size", r.Size)
		d.list("skills", r.Skills)
		d.list("capabilities", r.Capabilities)
		d.list(fieldCPV, cpvTerms(r.CPV))
		d.newest(r.CreatedAt, r.ID)
	case *domain.Challenge:
		kind, id = domain.KindChallenge, r.ID
		d.str("theme", r.Theme)
		d.str("status", r.Status)
		d.str("region", r.Region)
		d.str("organisation", r.Organisation)
		d.str(fieldOrgKey, domain.OrgKey(r.Organisation))
		d.str(fieldPublic, strconv.FormatBool(r.Published()))
		d.list(fieldCPV, cpvTerms(r.CPV))
		// Newest by publication: a draft published today is news even if it was
		// created weeks ago.
		newest := r.CreatedAt
		if r.PublishedAt != nil {
			newest = *r.PublishedAt
		}
		d.newest(newest, r.ID)
		d.date(fieldDeadline, r.Deadline)
	case *domain.Course:
		kind, id = domain.KindCourse, r.ID
		d.str("mode", r.Mode)
		d.str("region", r.Region)
		d.list("skills", r.Skills)
		d.str("funded", strconv.FormatBool(r.Funded))
		d.newest(r.CreatedAt, r.ID)
		// A course's "deadline" is its start: sort=deadline lists the soonest first.
		if r.StartDate != nil {
			d.date(fieldDeadline, *r.StartDate)
		}
	default:
		return "", "", "", nil, fmt.Errorf("search: cannot index %T", rec)
	}
	if id == "" {
		return "", "", "", nil, fmt.Errorf("search: %s without an id", kind)
	}
	d.keys(kinds[kind])
	src, err := json.Marshal(rec)
	if err != nil {
		return "", "", "", nil, fmt.Errorf("search: encode %s %s: %w", kind, id, err)
	}
	lang, text := recordText(rec)
	d[fieldSource] = string(src)
	d[fieldKind] = kind
	d[fieldLang] = lang
	d[lang] = map[string]any(text)
	return kind, id, lang, d, nil
}

// recordText is the record's language and its analysed text fields (the
// kind's spec.text): what toDoc indexes under the language, and what
// highlighting marks, so the two always see the same text. Each value is a
// string or, for a list, a []string.
func recordText(rec domain.Record) (lang string, text docFields) {
	text = docFields{}
	switch r := rec.(type) {
	case *domain.SME:
		lang = recordLang(r.Language)
		text.str("name", r.Name)
		text.list("capabilities", r.Capabilities)
		text.list("skills", r.Skills)
		text.str("summary", r.Summary)
		text.str("description", r.Description)
	case *domain.Challenge:
		lang = recordLang(r.Language)
		text.str("title", r.Title)
		text.list("requiredCapabilities", r.RequiredCapabilities)
		text.list("requiredSkills", r.RequiredSkills)
		text.str("summary", r.Summary)
		text.str("description", r.Description)
	case *domain.Course:
		lang = recordLang(r.Language)
		text.str("title", r.Title)
		text.list("skills", r.Skills)
		text.str("description", r.Description)
	}
	return lang, text
}

// decodeRecord decodes a hit's stored record JSON (fieldSource) as kind's type.
func decodeRecord(kind string, src []byte) (domain.Record, error) {
	var rec domain.Record
	switch kind {
	case domain.KindSME:
		rec = &domain.SME{}
	case domain.KindChallenge:
		rec = &domain.Challenge{}
	case domain.KindCourse:
		rec = &domain.Course{}
	default:
		return nil, unknownKind(kind)
	}
	if err := json.Unmarshal(src, rec); err != nil {
		return nil, fmt.Errorf("search: decode %s: %w", kind, err)
	}
	return rec, nil
}

// docFields is a document under construction.
type docFields map[string]any

func (d docFields) str(k, v string) {
	if v != "" {
		d[k] = v
	}
}

func (d docFields) list(k string, vs []string) {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		if v != "" {
			out = append(out, v)
		}
	}
	if len(out) > 0 {
		d[k] = out
	}
}

// date indexes t as a sort key: one keyword term whose text order is time
// order. bleve's date fields index each time as several prefix-coded terms
// (for range queries, which nothing here runs), and sorting on one decoded
// all of them for every hit: a third of a relevance search's time.
func (d docFields) date(k string, t time.Time) {
	if !t.IsZero() {
		d[k] = timeKey(t)
	}
}

// newest is the "newest first" sort key: the time, then the id, so it is
// unique and no sort needs bleve's document id (which it reads from stored
// fields for every hit) to make pages that never overlap. A sort reads it
// for every hit, so it is kept short. It goes in fieldKeys (see keys).
func (d docFields) newest(t time.Time, id string) {
	d[fieldKeys] = []string{newestPrefix + timeKey(t) + sortable(id)}
}

// keys adds the values of the kind's default facets to fieldKeys, after the
// newest key, each behind its facet's prefix.
func (d docFields) keys(k *kindSpec) {
	keys, _ := d[fieldKeys].([]string)
	for i, f := range k.facets {
		switch v := d[f].(type) {
		case string:
			keys = append(keys, facetPrefix(i)+v)
		case []string:
			for _, s := range v {
				keys = append(keys, facetPrefix(i)+s)
			}
		}
	}
	if len(keys) > 0 {
		d[fieldKeys] = keys
	}
}

// sortDigits are 64 ASCII characters in ASCII order, so that fixed-width
// numbers written with them sort as text as they do as numbers.
const sortDigits = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"

// minMilli is the earliest time a key holds (time.Time's zero, year 1).
var minMilli = time.Time{}.UnixMilli()

// timeKey is t to the millisecond as 9 sortDigits (54 bits: from year 1 to
// beyond 9999), so text order is time order.
func timeKey(t time.Time) string {
	var b [9]byte
	n := uint64(max(t.UnixMilli()-minMilli, 0))
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = sortDigits[n&63]
		n >>= 6
	}
	return string(b[:])
}

// sortable shortens a hex id (every id here: 24 hex digits) to sortDigits,
// three hex digits to two, keeping its order; anything else is kept as is.
func sortable(id string) string {
	if len(id)%3 != 0 {
		return id
	}
	out := make([]byte, 0, len(id)/3*2)
	for i := 0; i < len(id); i += 3 {
		v, err := strconv.ParseUint(id[i:i+3], 16, 16)
		if err != nil || strings.ToLower(id[i:i+3]) != id[i:i+3] {
			return id
		}
		out = append(out, sortDigits[v>>6], sortDigits[v&63])
	}
	return string(out)
}

// cpvTerms indexes each CPV code both whole ("72316000-3") and without its
// check digit ("72316000"), so a search for either finds it.
func cpvTerms(codes []string) []string {
	out := make([]string, 0, 2*len(codes))
	for _, c := range codes {
		out = append(out, c)
		if head, _, ok := strings.Cut(c, "-"); ok && head != "" {
			out = append(out, head)
		}
	}
	return out
}
