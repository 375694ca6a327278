package domain

import "context"

// SearchRequest asks the search index for one kind of record.
type SearchRequest struct {
	Kind string // KindSME, KindChallenge or KindCourse
	// Q is the user's query text. Quoted phrases, +required and -excluded words
	// are honoured; everything else is matched with stemming and a little
	// fuzziness. Empty Q lists everything that passes the filters.
	Q string
	// Filters are exact values per facet field (e.g. "region", "size", "theme",
	// "status", "mode", "skills"); several values of one field are ORed.
	Filters map[string][]string
	// Visible limits challenges: drafts only of this organisation (compared
	// by OrgKey, so any spelling of it), or all when AllDrafts (admin).
	// Ignored for other kinds.
	DraftsOf  string
	AllDrafts bool
	Limit     int
	Offset    int
	// Sort is "" (relevance, then newest) or "newest" or "deadline".
	Sort string
	// Facets names facet fields to count besides the kind's default ones
	// (SMEs: region, size; challenges: theme, status, region; courses: mode,
	// region, funded). The others — SMEs' skills and capabilities,
	// challenges' organisation, courses' skills — have many distinct values
	// and cost more than the rest of a search, so they are counted only when
	// asked for.
	Facets []string
}

// SearchResult is one page of hits.
type SearchResult struct {
	Hits   []SearchHit             `json:"-"`
	Total  int                     `json:"total"`
	Facets map[string][]FacetCount `json:"facets"`
}

// SearchHit is one matching record.
type SearchHit struct {
	ID         string
	Score      float64
	Highlights map[string][]string
	// Source is the record's JSON as it was indexed (the domain record, as the
	// API serves it), so a search page needs no database reads. Nil when the
	// index does not have it.
	Source []byte
	// Record is Source decoded (*SME, *Challenge or *Course) when the index
	// decoded it, to highlight the hits of a text search, so the caller need
	// not decode it again; nil otherwise. Each search decodes its own, so the
	// caller may change it.
	Record Record
}

// FacetCount is how many hits have one value of a facet field.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// SearchIndex is the full-text index over SMEs, challenges and courses.
type SearchIndex interface {
	// Index adds or replaces records (*SME, *Challenge, *Course) in one batch.
	Index(ctx context.Context, recs ...Record) error
	// Remove deletes a record of kind from the index.
	Remove(ctx context.Context, kind, id string) error
	Search(ctx context.Context, req SearchRequest) (*SearchResult, error)
	// Sources returns, in order, a hit with each record's stored JSON (empty
	// when the index lacks the record), to fill in ranked records without a
	// database read each.
	Sources(ctx context.Context, kind string, ids []string) ([]SearchHit, error)
	// Count is how many records of kind the index holds.
	Count(kind string) (int, error)
	// IDs lists the ids of the records of kind the index holds.
	IDs(ctx context.Context, kind string) ([]string, error)
	// Stamp and SetStamp read and write a marker kept inside the index (the
	// store's change sequence at the last sync), used at start-up to tell
	// whether the index is out of date.
	Stamp() (string, error)
	SetStamp(v string) error
	Close() error
}
