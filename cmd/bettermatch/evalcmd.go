package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/bettermatch/bettermatch/internal/auth"
	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/embedded"
	"github.com/bettermatch/bettermatch/internal/eval"
	"github.com/bettermatch/bettermatch/internal/match"
	"github.com/bettermatch/bettermatch/internal/mongostore"
	"github.com/bettermatch/bettermatch/internal/search"
	"github.com/bettermatch/bettermatch/internal/service"
)

// evalCmd imports a labelled set into a throwaway embedded database and prints
// nDCG@10 of challenge → SME ranking and precision@3 of skills-gap courses, per
// challenge and on average. It goes through the same service calls as the API.
func evalCmd(ctx context.Context, cfg *config, args []string) error {
	if len(args) != 2 {
		return errors.New("usage: bettermatch eval FILE QRELS")
	}
	ds, err := parseFile(args[0], "")
	if err != nil {
		return err
	}
	qf, err := os.Open(args[1])
	if err != nil {
		return err
	}
	qrels, err := eval.ReadQrels(qf)
	qf.Close()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "bettermatch-eval-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	edb, err := embedded.Start(ctx, dir, "", nil)
	if err != nil {
		return err
	}
	defer edb.Close()
	st, err := mongostore.Open(ctx, edb.URI(), "eval", edb)
	if err != nil {
		return err
	}
	defer st.Close(context.Background())
	idx, err := search.OpenMem()
	if err != nil {
		return err
	}
	defer idx.Close()
	tokens, err := auth.NewTokens([]byte(domain.NewID()+domain.NewID()), time.Hour, time.Now)
	if err != nil {
		return err
	}
	svc := service.New(service.Deps{Store: st, Index: idx, Matcher: match.New(search.NewAnalyzer(), match.Options{Now: time.Now}),
		Tokens: tokens, Hasher: auth.NewHasher(auth.TestParams), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err := svc.Start(ctx, false, nil); err != nil {
		return err
	}
	start := time.Now()
	if _, err := svc.Import(ctx, ds.SMEs, ds.Challenges, ds.Courses, service.ImportOptions{}); err != nil {
		return err
	}
	fmt.Printf("imported %d SMEs, %d challenges, %d courses in %.1fs\n\n", len(ds.SMEs), len(ds.Challenges), len(ds.Courses), time.Since(start).Seconds())
	admin := &domain.User{Meta: domain.Meta{ID: domain.NewID()}, Role: domain.RoleAdmin, Status: domain.StatusActive}

	ids := make([]string, 0, len(qrels.ChallengeSMEs))
	for id := range qrels.ChallengeSMEs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var ndcgs []float64
	mode := ""
	fmt.Println("challenge → SMEs            nDCG@10")
	for _, ext := range ids {
		page, err := svc.MatchSMEs(ctx, admin, domain.KeyID(domain.KindChallenge, ext), 10)
		if err != nil {
			return fmt.Errorf("%s: %w", ext, err)
		}
		mode = page.Mode
		ranked := make([]string, len(page.Items))
		for i, m := range page.Items {
			ranked[i] = m.SME.ExternalID
		}
		n := eval.NDCG(ranked, qrels.ChallengeSMEs[ext], 10)
		ndcgs = append(ndcgs, n)
		fmt.Printf("  %-26s %.3f\n", ext, n)
	}
	fmt.Printf("  %-26s %.3f  (%d challenges, %s ranking)\n\n", "mean", eval.Mean(ndcgs), len(ndcgs), mode)

	var precs, recalls []float64
	fmt.Println("skills gap (SME, challenge)          P@3   missing-skill recall")
	for _, g := range qrels.SkillsGap {
		gap, err := svc.SkillsGap(ctx, admin, domain.KeyID(domain.KindSME, g.SME), domain.KeyID(domain.KindChallenge, g.Challenge), 3)
		if err != nil {
			return fmt.Errorf("%s/%s: %w", g.SME, g.Challenge, err)
		}
		var courses []string
		for _, c := range gap.Courses {
			courses = append(courses, c.Course.ExternalID)
		}
		relevant := map[string]bool{}
		for _, c := range g.RelevantCourses {
			relevant[c] = true
		}
		p := eval.PrecisionAt(courses, relevant, 3)
		r := eval.Recall(lower(append(gap.MissingSkills, gap.MissingCapabilities...)), lower(g.MissingSkills))
		precs, recalls = append(precs, p), append(recalls, r)
		fmt.Printf("  %-36s %.3f %.3f\n", g.SME+" "+g.Challenge, p, r)
	}
	fmt.Printf("  %-36s %.3f %.3f  (%d pairs)\n", "mean", eval.Mean(precs), eval.Mean(recalls), len(precs))
	return nil
}

func lower(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = strings.ToLower(strings.TrimSpace(x))
	}
	return out
}
