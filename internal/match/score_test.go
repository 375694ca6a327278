package match

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestFuse(t *testing.T) {
	w := Weights{Lexical: 0.2, Coverage: 0.6, Region: 0.2, Semantic: 1}
	score, structured := Fuse(Features{Lexical: 0.5, Coverage: 1, SameRegion: true}, w)
	if !near(score, (0.1+0.6+0.2)/1.0) || !near(structured, 1) {
		t.Fatalf("lexical mode: %v %v", score, structured)
	}
	// With embeddings the semantic part joins and the weights renormalise.
	score, _ = Fuse(Features{Lexical: 0.5, Coverage: 1, SameRegion: true, HasSemantic: true, Semantic: 0.5}, w)
	if !near(score, (0.1+0.6+0.2+0.5)/2.0) {
		t.Fatalf("hybrid mode: %v", score)
	}
	// Out-of-range inputs are clamped, so the score stays in [0,1].
	score, _ = Fuse(Features{Lexical: 7, Coverage: -1, HasSemantic: true, Semantic: -0.4}, w)
	if score < 0 || score > 1 {
		t.Fatalf("score %v out of [0,1]", score)
	}
	// The theme is a hint that moves the score a little and only a little.
	withTheme, _ := Fuse(Features{Coverage: 0.5, Theme: 1}, DefaultWeights)
	without, _ := Fuse(Features{Coverage: 0.5}, DefaultWeights)
	if withTheme <= without || withTheme-without > 0.05 {
		t.Fatalf("theme: %v vs %v", withTheme, without)
	}
	if s, _ := Fuse(Features{Lexical: 1}, Weights{}); s != 0 {
		t.Fatalf("no weights: %v", s)
	}
}

func TestFuseOrdersByCoverage(t *testing.T) {
	w := DefaultWeights
	all, _ := Fuse(Features{Lexical: 0.05, Coverage: 1}, w)
	half, _ := Fuse(Features{Lexical: 0.3, Coverage: 0.5, SameRegion: true}, w)
	if all <= half {
		t.Fatalf("covering every need (%v) must beat half the needs with more words and the region (%v)", all, half)
	}
}

func TestCPVCredit(t *testing.T) {
	prev := 2.0
	for _, c := range []struct {
		shared int
		same   bool
	}{{8, true}, {5, false}, {4, false}, {3, false}, {2, false}, {0, false}} {
		got := cpvCredit(c.shared, c.same)
		if got >= prev || got < 0 || got > 1 {
			t.Fatalf("credit must fall with the shared prefix: %d → %v after %v", c.shared, got, prev)
		}
		prev = got
	}
	if cpvCredit(5, true) != 1 {
		t.Fatal("the same code is full credit")
	}
}

func TestCoverageFunctions(t *testing.T) {
	if evidenceCoverage(0, 1) != 0 || evidenceCoverage(1, 0) != 0 {
		t.Fatal("no evidence, no coverage")
	}
	if !near(evidenceCoverage(evidenceShare, 1), 1) || evidenceCoverage(5, 1) != 1 {
		t.Fatal("the typical share of evidence covers the need, and no more than fully")
	}
	if literalCoverage(1) != 1 || literalCoverage(0.5) >= 0.5 {
		t.Fatal("part of a name must count for less than its share")
	}
	if phraseOverlapCredit(1) < 0.8 || phraseOverlapCredit(2.0/3) > 0.3 {
		t.Fatal("phrase credit")
	}
	if g := groupCoverage([]float64{1, 0}); !near(g, groupBest+(1-groupBest)*0.5) {
		t.Fatalf("group coverage %v", g)
	}
	if !near(needsCoverage([]float64{1, 0}, []float64{1, 0.5}), 1/1.5) {
		t.Fatal("weighted mean of groups")
	}
	if needsCoverage(nil, nil) != 0 {
		t.Fatal("no needs")
	}
}

func TestBM25Parts(t *testing.T) {
	if idf(1, 100) <= idf(50, 100) || idf(100, 100) <= 0 {
		t.Fatal("idf must fall with df and stay positive")
	}
	if saturate(0) != 0 || saturate(1) >= saturate(5) || saturate(1e9) > 1 {
		t.Fatal("saturation")
	}
}

func TestTopK(t *testing.T) {
	k := newTopK(3)
	for i, s := range []float64{0.1, 0.9, 0.5, 0.9, 0.2, 0.7} {
		k.push(uint32(i), s)
	}
	got := k.sorted()
	want := []uint32{1, 3, 5} // ties keep the lower slot first
	for i := range want {
		if got[i].slot != want[i] {
			t.Fatalf("got %+v", got)
		}
	}
}

func TestNormPhrase(t *testing.T) {
	if normPhrase("  E-Procurement &  Payments ") != "e procurement payments" {
		t.Fatalf("got %q", normPhrase("  E-Procurement &  Payments "))
	}
}
