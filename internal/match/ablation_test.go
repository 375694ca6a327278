package match_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/eval"
)

// TestAblation measures the dev split with parts of the records taken away
// (BETTERMATCH_ABLATION=1), to see how much ranking leans on each: profiles
// with prose only, challenges without spelt-out needs.
func TestAblation(t *testing.T) {
	if os.Getenv("BETTERMATCH_ABLATION") == "" {
		t.Skip("set BETTERMATCH_ABLATION=1")
	}
	for _, mode := range []string{"full", "sme-prose-only", "challenge-cpv-only", "both"} {
		ds, qrels := loadSplit(t, evalDir(), "dev")
		for _, s := range ds.SMEs {
			if mode == "sme-prose-only" || mode == "both" {
				s.Capabilities, s.Skills, s.CPV = nil, nil, nil
			}
		}
		for _, c := range ds.Challenges {
			if mode == "challenge-cpv-only" || mode == "both" {
				c.RequiredCapabilities, c.RequiredSkills = nil, nil
			}
		}
		e := load(ds, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		var xs []float64
		for _, c := range ds.Challenges {
			ms, _ := e.SMEsFor(context.Background(), c, 10)
			xs = append(xs, eval.NDCG(ids(ms), qrels.ChallengeSMEs[c.ExternalID], 10))
		}
		t.Logf("%-20s nDCG@10 %.3f", mode, eval.Mean(xs))
	}
}
