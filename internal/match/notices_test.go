package match_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/match"
	"github.com/bettermatch/bettermatch/internal/search"
)

// TestNotices is a sanity check on real wording (BETTERMATCH_NOTICES=1): each
// supplier of the Lancashire award notices gets a profile made of its awards
// before 2024; each later notice won by a supplier with a profile is a
// challenge, and we count how often the actual winner ranks in the top 10.
// Repeat buying makes this easy in part (see ../shared/notices/README.md), so
// it is a check, not a target.
func TestNotices(t *testing.T) {
	if os.Getenv("BETTERMATCH_NOTICES") == "" {
		t.Skip("set BETTERMATCH_NOTICES=1")
	}
	files, _ := filepath.Glob(filepath.Join(evalDir(), "..", "notices", "lancashire", "*.json"))
	if len(files) == 0 {
		t.Skip("no notices")
	}
	type notice struct {
		Title, Description, Organisation string
		Awarded                          string `json:"awarded_date"`
		Supplier                         string `json:"awarded_supplier"`
		CPV                              string `json:"cpv_codes"`
	}
	var all []notice
	for _, f := range files {
		b, _ := os.ReadFile(f)
		var doc struct{ Contracts []notice }
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		all = append(all, doc.Contracts...)
	}
	key := func(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
	profiles := map[string]*domain.SME{}
	var later []notice
	for _, n := range all {
		if n.Supplier == "" || n.Awarded == "" {
			continue
		}
		if n.Awarded >= "2024" {
			later = append(later, n)
			continue
		}
		s := profiles[key(n.Supplier)]
		if s == nil {
			s = &domain.SME{Meta: domain.Meta{ID: key(n.Supplier)}}
			s.Name, s.Region = n.Supplier, "Lancashire"
			profiles[key(n.Supplier)] = s
		}
		s.Description += n.Title + ". " + n.Description + " "
		for _, c := range strings.Fields(strings.ReplaceAll(n.CPV, ",", " ")) {
			s.CPV = append(s.CPV, c)
		}
	}
	e := match.New(search.NewAnalyzer(), match.Options{Relearn: -1})
	var recs []domain.Record
	for _, s := range profiles {
		s.Normalize()
		recs = append(recs, s)
	}
	e.Put(recs...)
	var ranks []int
	for _, n := range later {
		if profiles[key(n.Supplier)] == nil {
			continue
		}
		c := &domain.Challenge{Status: domain.ChallengeOpen}
		c.Title, c.Description, c.Deadline = n.Title, n.Description, time.Now()
		c.CPV = strings.Fields(strings.ReplaceAll(n.CPV, ",", " "))
		ms, _ := e.SMEsFor(context.Background(), c, 10)
		r := 11
		for i, m := range ms {
			if m.ID == key(n.Supplier) {
				r = i + 1
			}
		}
		ranks = append(ranks, r)
	}
	sort.Ints(ranks)
	top1, top10 := 0, 0
	for _, r := range ranks {
		if r == 1 {
			top1++
		}
		if r <= 10 {
			top10++
		}
	}
	t.Logf("%d profiles; %d later notices won by a profiled supplier: winner first %d, in top 10 %d",
		len(profiles), len(ranks), top1, top10)
}
