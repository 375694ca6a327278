package domain

import "context"

// Match is one ranked record with the reasons for its place.
type Match struct {
	Kind        string      `json:"-"`
	ID          string      `json:"-"`
	Score       float64     `json:"score"`
	Explanation Explanation `json:"explanation"`
}

// Explanation says why a record matched, in parts a person can check.
type Explanation struct {
	MatchedTerms       []string `json:"matchedTerms"`
	SharedCapabilities []string `json:"sharedCapabilities"`
	SharedSkills       []string `json:"sharedSkills"`
	SharedCPV          []string `json:"sharedCpv"`
	SameRegion         bool     `json:"sameRegion"`
	// The parts of Score, each in [0,1], and how they were fused.
	Lexical    float64 `json:"lexical"`
	Structured float64 `json:"structured"`
	Semantic   float64 `json:"semantic"`
	// Mode is "lexical" or "hybrid" (lexical and semantic).
	Mode    string   `json:"mode"`
	Reasons []string `json:"reasons"`
}

// Gap is what an SME lacks for a challenge and the courses that close it.
type Gap struct {
	MissingSkills       []string      `json:"missingSkills"`
	MissingCapabilities []string      `json:"missingCapabilities"`
	Covered             []string      `json:"covered"`
	Courses             []CourseMatch `json:"-"`
}

// CourseMatch is a course ranked for a gap.
type CourseMatch struct {
	ID       string   `json:"-"`
	Score    float64  `json:"score"`
	Closes   []string `json:"closes"`
	Coverage float64  `json:"coverage"`
}

// Matcher ranks SMEs for challenges, challenges for SMEs and courses for skills
// gaps. It keeps its own in-memory corpus, fed from the store at start-up and on
// every write, so ranking never scans the database.
type Matcher interface {
	// Put adds or replaces records (*SME, *Challenge, *Course).
	Put(recs ...Record)
	// Remove drops a record.
	Remove(kind, id string)
	// SMEsFor ranks SMEs for a challenge.
	SMEsFor(ctx context.Context, c *Challenge, limit int) ([]Match, error)
	// ChallengesFor ranks open challenges for an SME.
	ChallengesFor(ctx context.Context, s *SME, limit int) ([]Match, error)
	// SkillsGap finds what s lacks for c and ranks courses that teach it.
	SkillsGap(ctx context.Context, s *SME, c *Challenge, limit int) (*Gap, error)
	// SetVector records a record's embedding (nil removes it).
	SetVector(kind, id string, v []float32)
}

// TextAnalyzer splits text into index terms (lower-cased, stop words dropped,
// stemmed per language). The search package provides it so that matching and
// search agree on what a word is.
type TextAnalyzer interface {
	Terms(text, lang string) []string
}
