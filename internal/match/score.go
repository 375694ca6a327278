package match

import "math"

// Scoring functions: pure, no I/O, no corpus access. They take features and
// weights and return numbers in [0,1], so they are unit-tested alone and tuned
// in one place.
//
// The fused score of a challenge c and an SME s is
//
//	score = (wL·lexical + wC·coverage + wR·region + wT·theme + wS·semantic) / (wL + wC + wR + wT + wS)
//
// where
//   - lexical  = BM25F(c's words in s's fields) / BM25F of a profile matching
//     every word of c at saturation, in [0,1];
//   - coverage = the mean, over c's needs (its required capabilities, skills and
//     CPV codes, grouped when the corpus shows them together), of how well s
//     shows that need (needCoverage), so a profile that covers every need beats
//     one that covers half of them twice over;
//   - region   = 1 when both are in the same region — a small bonus, since any
//     firm may answer a tender;
//   - theme    = how far s uses the words the corpus's challenges of c's theme
//     use (learned like a need's words, see assoc.go) — a hint only;
//   - semantic = max(0, cosine) of the two embeddings, and wS = 0 (mode
//     "lexical") unless both sides have one (mode "hybrid").
//
// Structured, in the explanation, is the coverage, region and theme part
// alone: (wC·coverage + wR·region + wT·theme) / (wC + wR + wT).

// Weights tune the fusion. The zero value means DefaultWeights.
type Weights struct {
	Lexical  float64
	Coverage float64
	Region   float64
	Theme    float64
	Semantic float64
}

// DefaultWeights were tuned on a development split (see eval_test.go): the
// coverage of needs carries the ranking, words break ties among profiles that
// cover as much, and the region only orders near-equals.
var DefaultWeights = Weights{Lexical: 0.25, Coverage: 0.70, Region: 0.03, Theme: 0.02, Semantic: 0.35}

// Features are what the fusion reads about one pair.
type Features struct {
	Lexical     float64
	Coverage    float64
	SameRegion  bool
	Theme       float64 // how much d's words are those of the challenge's theme
	Semantic    float64
	HasSemantic bool
}

// Fuse returns the score and its structured part, both in [0,1].
func Fuse(f Features, w Weights) (score, structured float64) {
	region := 0.0
	if f.SameRegion {
		region = 1
	}
	num := w.Lexical*clamp01(f.Lexical) + w.Coverage*clamp01(f.Coverage) + w.Region*region + w.Theme*clamp01(f.Theme)
	den := w.Lexical + w.Coverage + w.Region + w.Theme
	if f.HasSemantic {
		num += w.Semantic * clamp01(f.Semantic)
		den += w.Semantic
	}
	if sw := w.Coverage + w.Region + w.Theme; sw > 0 {
		structured = (w.Coverage*clamp01(f.Coverage) + w.Region*region + w.Theme*clamp01(f.Theme)) / sw
	}
	if den == 0 {
		return 0, structured
	}
	return num / den, structured
}

func clamp01(x float64) float64 {
	switch {
	case x < 0 || math.IsNaN(x):
		return 0
	case x > 1:
		return 1
	}
	return x
}

// BM25 parameters.
const (
	bm25K1 = 1.2
)

// idf is the BM25 inverse document frequency of a term found in df of n
// documents; always positive.
func idf(df, n int) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

// saturate is BM25's tf saturation of a field-weighted, length-normalised
// frequency, scaled to [0,1) so a query's ideal score is the sum of its terms'
// weights.
func saturate(tf float64) float64 {
	if tf <= 0 {
		return 0
	}
	return tf / (bm25K1 + tf)
}

// CPV hierarchy credit for two codes sharing a prefix of k significant digits
// (see cpv.SharedPrefix): the same code is full credit, the same category or
// class most of it, the same division almost nothing (it can be as wide as "IT
// services").
func cpvCredit(shared int, same bool) float64 {
	switch {
	case same:
		return 1
	case shared >= 5:
		return 0.7
	case shared == 4:
		return 0.5
	case shared == 3:
		return 0.25
	case shared == 2:
		return 0.05
	}
	return 0
}

// evidenceCoverage turns the learned evidence a profile shows for a need into
// a coverage in [0,1]: reaching evidenceShare of what a profile listing the
// need typically shows counts as covering it.
func evidenceCoverage(ev, typical float64) float64 {
	if ev <= 0 || typical <= 0 {
		return 0
	}
	return clamp01(ev / (evidenceShare * typical))
}

// evidenceShare is the share of the typical evidence that counts as covering a
// need: a profile writes one of several ways of saying a thing, so it shows
// only some of the words the corpus associates with it.
const evidenceShare = 0.6

// literalCoverage turns the IDF-weighted share of a need's own words found in
// a profile into a coverage. Squaring makes part of a name count for little:
// "data" and "analysis" are not "health data analysis".
func literalCoverage(share float64) float64 { return clamp01(share * share) }

// phraseOverlapCredit is the credit of a listed phrase containing a share o
// of the stems of the phrase asked for: near-identical wording ("cloud
// migration services") almost counts as the same, a partial one little, as a
// more general phrase does not show the specific need.
func phraseOverlapCredit(o float64) float64 {
	if o >= 1 {
		return 0.9
	}
	return 0.5 * o * o
}

// groupCoverage combines the coverages of the needs one group holds (needs the
// corpus shows together): half the best of them — showing one way of a need is
// showing the need — and half their mean, as showing more of its parts is
// surer evidence.
func groupCoverage(covs []float64) float64 {
	if len(covs) == 0 {
		return 0
	}
	var best, sum float64
	for _, c := range covs {
		best = math.Max(best, c)
		sum += c
	}
	return groupBest*best + (1-groupBest)*sum/float64(len(covs))
}

// groupBest is the share of a group's coverage that its best-shown need
// decides; the rest is the mean over its needs.
const groupBest = 0.5

// needsCoverage is the weighted mean of the groups' coverages.
func needsCoverage(groups, weights []float64) float64 {
	var s, w float64
	for g, c := range groups {
		s += weights[g] * c
		w += weights[g]
	}
	if w == 0 {
		return 0
	}
	return s / w
}
