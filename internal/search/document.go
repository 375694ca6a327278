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
	text := docFields{}
	switch r := rec.(type) {
	case *domain.SME:
		kind, id, lang = domain.KindSME, r.ID, recordLang(r.Language)
		d.str("region", r.Region)
		d.str("size", r.Size)
		d.list("skills", r.Skills)
		d.list("capabilities", r.Capabilities)
		d.list(fieldCPV, cpvTerms(r.CPV))
		d.date(fieldNewest, r.CreatedAt)
		text.str("name", r.Name)
		text.list("capabilities", r.Capabilities)
		text.list("skills", r.Skills)
		text.str("summary", r.Summary)
		text.str("description", r.Description)
	case *domain.Challenge:
		kind, id, lang = domain.KindChallenge, r.ID, recordLang(r.Language)
		d.str("theme", r.Theme)
		d.str("status", r.Status)
		d.str("region", r.Region)
		d.str("organisation", r.Organisation)
		d.str(fieldPublic, strconv.FormatBool(r.Published()))
		d.list(fieldCPV, cpvTerms(r.CPV))
		// Newest by publication: a draft published today is news even if it was
		// created weeks ago.
		newest := r.CreatedAt
		if r.PublishedAt != nil {
			newest = *r.PublishedAt
		}
		d.date(fieldNewest, newest)
		d.date(fieldDeadline, r.Deadline)
		text.str("title", r.Title)
		text.list("requiredCapabilities", r.RequiredCapabilities)
		text.list("requiredSkills", r.RequiredSkills)
		text.str("summary", r.Summary)
		text.str("description", r.Description)
	case *domain.Course:
		kind, id, lang = domain.KindCourse, r.ID, recordLang(r.Language)
		d.str("mode", r.Mode)
		d.str("region", r.Region)
		d.list("skills", r.Skills)
		d.str("funded", strconv.FormatBool(r.Funded))
		d.date(fieldNewest, r.CreatedAt)
		// A course's "deadline" is its start: sort=deadline lists the soonest first.
		if r.StartDate != nil {
			d.date(fieldDeadline, *r.StartDate)
		}
		text.str("title", r.Title)
		text.list("skills", r.Skills)
		text.str("description", r.Description)
	default:
		return "", "", "", nil, fmt.Errorf("search: cannot index %T", rec)
	}
	if id == "" {
		return "", "", "", nil, fmt.Errorf("search: %s without an id", kind)
	}
	src, err := json.Marshal(rec)
	if err != nil {
		return "", "", "", nil, fmt.Errorf("search: encode %s %s: %w", kind, id, err)
	}
	d[fieldSource] = string(src)
	d[fieldKind] = kind
	d[fieldLang] = lang
	d[lang] = map[string]any(text)
	return kind, id, lang, d, nil
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

func (d docFields) date(k string, t time.Time) {
	if !t.IsZero() {
		d[k] = t.UTC()
	}
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
