package match_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/eval"
	"github.com/bettermatch/bettermatch/internal/importer"
	"github.com/bettermatch/bettermatch/internal/match"
	"github.com/bettermatch/bettermatch/internal/search"
)

// evalDir is ../shared/eval beside the repository (three levels up from this
// package); BETTERMATCH_EVAL_DIR points elsewhere, e.g. at a held-out split.
func evalDir() string {
	if d := os.Getenv("BETTERMATCH_EVAL_DIR"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "shared", "eval")
}

// loadSplit reads <dir>/<name>.json and <dir>/<name>-qrels.json.
func loadSplit(t *testing.T, dir, name string) (*importer.Dataset, *eval.Qrels) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, name+".json"))
	if err != nil {
		t.Skipf("no evaluation data (%v): it lives in ../shared/eval beside the repository", err)
	}
	defer f.Close()
	ds, err := importer.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	qf, err := os.Open(filepath.Join(dir, name+"-qrels.json"))
	if err != nil {
		t.Skipf("no judgments: %v", err)
	}
	defer qf.Close()
	q, err := eval.ReadQrels(qf)
	if err != nil {
		t.Fatal(err)
	}
	return ds, q
}

// load puts a dataset in a fresh engine, with externalIds as ids.
func load(ds *importer.Dataset, now time.Time) *match.Engine {
	e := match.New(search.NewAnalyzer(), match.Options{Now: func() time.Time { return now }, Relearn: -1})
	var recs []domain.Record
	for _, s := range ds.SMEs {
		s.ID = s.ExternalID
		recs = append(recs, s)
	}
	for _, c := range ds.Challenges {
		c.ID = c.ExternalID
		recs = append(recs, c)
	}
	for _, c := range ds.Courses {
		c.ID = c.ExternalID
		recs = append(recs, c)
	}
	e.Put(recs...)
	return e
}

// TestEvalDev measures ranking quality on every split found in the evaluation
// directory (dev, and any other <name>.json with <name>-qrels.json) and holds
// the dev split to the targets: nDCG@10 ≥ 0.92 for challenge → SMEs and
// precision@3 ≥ 0.8 for skills-gap courses.
func TestEvalDev(t *testing.T) {
	dir := evalDir()
	names, _ := filepath.Glob(filepath.Join(dir, "*-qrels.json"))
	if len(names) == 0 {
		t.Skipf("no evaluation data in %s: it lives in ../shared/eval beside the repository", dir)
	}
	for _, qn := range names {
		name := strings.TrimSuffix(filepath.Base(qn), "-qrels.json")
		t.Run(name, func(t *testing.T) {
			ndcg, p3, rec := evalSplit(t, dir, name)
			if name == "dev" {
				if ndcg < 0.92 {
					t.Errorf("nDCG@10 = %.3f, target 0.92", ndcg)
				}
				if p3 < 0.8 {
					t.Errorf("P@3 = %.3f, target 0.8", p3)
				}
				if rec < 0.8 {
					t.Errorf("missing-skill recall = %.3f, want 0.8", rec)
				}
			}
		})
	}
}

func evalSplit(t *testing.T, dir, name string) (ndcg, p3, recall float64) {
	ds, qrels := loadSplit(t, dir, name)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	e := load(ds, now)
	ctx := context.Background()
	byID := map[string]*domain.Challenge{}
	for _, c := range ds.Challenges {
		byID[c.ID] = c
	}
	smes := map[string]*domain.SME{}
	for _, s := range ds.SMEs {
		smes[s.ID] = s
	}

	var ndcgs []float64
	for _, c := range ds.Challenges {
		grades, ok := qrels.ChallengeSMEs[c.ExternalID]
		if !ok {
			continue
		}
		ms, err := e.SMEsFor(ctx, c, 10)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, m := range ms {
			ids = append(ids, m.ID)
		}
		v := eval.NDCG(ids, grades, 10)
		ndcgs = append(ndcgs, v)
		if testing.Verbose() {
			t.Logf("%s nDCG@10 %.3f  %s", c.ExternalID, v, gradeString(ids, grades))
		}
	}

	var ps, rs []float64
	for _, g := range qrels.SkillsGap {
		gap, err := e.SkillsGap(ctx, smes[g.SME], byID[g.Challenge], 10)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, c := range gap.Courses {
			ids = append(ids, c.ID)
		}
		rel := map[string]bool{}
		for _, id := range g.RelevantCourses {
			rel[id] = true
		}
		missing := append(append([]string{}, gap.MissingSkills...), gap.MissingCapabilities...)
		p, r := eval.PrecisionAt(ids, rel, 3), eval.Recall(lower(missing), lower(g.MissingSkills))
		ps, rs = append(ps, p), append(rs, r)
		if testing.Verbose() {
			t.Logf("%s/%s P@3 %.2f recall %.2f missing %v want %v courses %v want %v",
				g.SME, g.Challenge, p, r, missing, g.MissingSkills, ids[:min(3, len(ids))], g.RelevantCourses)
		}
	}
	ndcg, p3, recall = eval.Mean(ndcgs), eval.Mean(ps), eval.Mean(rs)
	t.Logf("%s: nDCG@10 %.3f over %d challenges; skills gap P@3 %.3f, missing-skill recall %.3f over %d pairs",
		name, ndcg, len(ndcgs), p3, recall, len(ps))
	return ndcg, p3, recall
}

func gradeString(ids []string, grades map[string]int) string {
	var b strings.Builder
	for _, id := range ids {
		b.WriteByte("012"[min(grades[id], 2)])
	}
	return b.String()
}

func lower(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = strings.ToLower(x)
	}
	return out
}
