package match_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/match"
	"github.com/bettermatch/bettermatch/internal/search"
)

var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func newEngine() *match.Engine {
	return match.New(search.NewAnalyzer(), match.Options{Now: func() time.Time { return now }, Relearn: -1})
}

func sme(id, region, desc string, caps, skills, cpv []string) *domain.SME {
	s := &domain.SME{Meta: domain.Meta{ID: id}}
	s.Name, s.Region, s.Summary, s.Description = "Firm "+id, region, "", desc
	s.Capabilities, s.Skills, s.CPV = caps, skills, cpv
	s.Normalize()
	return s
}

func challenge(id, status string, deadline time.Time, title, desc string, caps, skills, cpv []string) *domain.Challenge {
	c := &domain.Challenge{Meta: domain.Meta{ID: id}, Status: status}
	c.Title, c.Summary, c.Region, c.Deadline, c.Theme = title, desc, "West Midlands", deadline, domain.ThemeData
	c.RequiredCapabilities, c.RequiredSkills, c.CPV = caps, skills, cpv
	c.Normalize()
	return c
}

// corpus is a small region: air-quality firms, data firms, and others; the
// words for air quality vary between firms, as in real profiles.
func corpus() []domain.Record {
	recs := []domain.Record{
		sme("air1", "West Midlands", "We deploy low-cost air quality sensors measuring NO2 at street level.", []string{"air quality monitoring"}, nil, []string{"90731000-0"}),
		sme("air2", "Liguria", "Our sensors report nitrogen dioxide and particulate readings every minute.", []string{"air quality monitoring"}, nil, nil),
		sme("air3", "Tartu County", "We calibrate air pollution monitors and report nitrogen dioxide levels.", nil, nil, nil),
		sme("air4", "West Midlands", "Our nitrogen dioxide sensors report particulate readings to councils.", nil, nil, nil),
		sme("data1", "West Midlands", "We build open data platforms that publish council datasets through APIs.", []string{"open data platform"}, []string{"API design"}, []string{"72322000-8"}),
		sme("data2", "Gävleborg", "We publish open datasets with APIs and metadata catalogues.", []string{"open data platform"}, nil, nil),
		sme("both", "Liguria", "Our air quality sensors feed an open data platform that publishes datasets through APIs.", nil, nil, nil),
		sme("clean", "West Midlands", "We clean offices, schools and leisure centres.", []string{"cleaning"}, nil, []string{"90910000-9"}),
		sme("taxi", "West Midlands", "We run taxis and minibuses for school transport.", nil, nil, nil),
	}
	for i := 0; i < 6; i++ {
		recs = append(recs, sme(fmt.Sprintf("other%d", i), "Liguria", fmt.Sprintf("We print leaflets and posters, job %d, for charities.", i), nil, nil, nil))
	}
	return recs
}

func ids(ms []domain.Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

func TestSMEsFor(t *testing.T) {
	e := newEngine()
	e.Put(corpus()...)
	c := challenge("c1", domain.ChallengeOpen, now.Add(time.Hour), "Air quality and open data",
		"We need to measure air pollution near schools and publish the readings as open data.",
		[]string{"air quality monitoring", "open data platform"}, nil, []string{"90731000-0"})
	ms, err := e.SMEsFor(context.Background(), c, 5)
	if err != nil {
		t.Fatal(err)
	}
	got := ids(ms)
	if len(got) != 5 || got[0] != "both" {
		t.Fatalf("the firm covering both needs must come first: %v", got)
	}
	for _, id := range got {
		if id == "clean" || id == "taxi" || strings.HasPrefix(id, "other") {
			t.Fatalf("an unrelated firm ranked: %v", got)
		}
	}
	for i, m := range ms {
		x := m.Explanation
		if m.Score < 0 || m.Score > 1 || (i > 0 && m.Score > ms[i-1].Score) {
			t.Fatalf("scores must be in [0,1] and descending: %+v", ms)
		}
		if x.Mode != "lexical" || len(x.Reasons) == 0 {
			t.Fatalf("explanation: %+v", x)
		}
	}
	// air1 lists the capability and the CPV code and is in the same region.
	for _, m := range ms {
		if m.ID == "air1" {
			x := m.Explanation
			if len(x.SharedCapabilities) != 1 || len(x.SharedCPV) != 1 || x.SharedCPV[0] != "90731000-0" || !x.SameRegion {
				t.Fatalf("air1 explanation: %+v", x)
			}
		}
	}
	// Matched terms are words as written (in the challenge or the profile),
	// not stems.
	texts := strings.ToLower(c.Title + " " + c.Summary + " " + strings.Join(c.RequiredCapabilities, " "))
	for _, r := range corpus() {
		if r.(*domain.SME).ID == ms[0].ID {
			texts += " " + strings.ToLower(r.(*domain.SME).Description)
		}
	}
	if len(ms[0].Explanation.MatchedTerms) == 0 {
		t.Fatal("no matched terms")
	}
	for _, w := range ms[0].Explanation.MatchedTerms {
		if !strings.Contains(texts, strings.ToLower(w)) {
			t.Fatalf("%q is not a word of either record: %v", w, ms[0].Explanation.MatchedTerms)
		}
	}
}

func TestPutRemove(t *testing.T) {
	e := newEngine()
	e.Put(corpus()...)
	c := challenge("c1", domain.ChallengeOpen, now.Add(time.Hour), "Cleaning", "Clean our offices and schools.", []string{"cleaning"}, nil, nil)
	ms, _ := e.SMEsFor(context.Background(), c, 3)
	if len(ms) == 0 || ms[0].ID != "clean" {
		t.Fatalf("got %v", ids(ms))
	}
	e.Remove(domain.KindSME, "clean")
	ms, _ = e.SMEsFor(context.Background(), c, 3)
	for _, m := range ms {
		if m.ID == "clean" {
			t.Fatal("a removed firm is still ranked")
		}
	}
	// Replacing a record re-indexes it.
	e.Put(sme("taxi", "West Midlands", "We now clean offices, schools and leisure centres.", []string{"cleaning"}, nil, nil))
	ms, _ = e.SMEsFor(context.Background(), c, 3)
	if len(ms) == 0 || ms[0].ID != "taxi" {
		t.Fatalf("the replaced profile must match its new text: %v", ids(ms))
	}
}

func TestChallengesFor(t *testing.T) {
	e := newEngine()
	e.Put(corpus()...)
	later := now.Add(24 * time.Hour)
	e.Put(
		challenge("open", domain.ChallengeOpen, later, "Air quality", "Measure nitrogen dioxide near schools.", []string{"air quality monitoring"}, nil, nil),
		challenge("past", domain.ChallengeOpen, now.Add(-time.Hour), "Air quality", "Measure nitrogen dioxide near schools.", []string{"air quality monitoring"}, nil, nil),
		challenge("draft", domain.ChallengeDraft, later, "Air quality", "Measure nitrogen dioxide near schools.", []string{"air quality monitoring"}, nil, nil),
		challenge("closed", domain.ChallengeClosed, later, "Air quality", "Measure nitrogen dioxide near schools.", []string{"air quality monitoring"}, nil, nil),
		challenge("data", domain.ChallengeOpen, later, "Open data", "Publish our datasets through APIs.", []string{"open data platform"}, nil, nil),
	)
	s := sme("air2", "Liguria", "Our sensors report nitrogen dioxide and particulate readings every minute.", []string{"air quality monitoring"}, nil, nil)
	ms, err := e.ChallengesFor(context.Background(), s, 10)
	if err != nil {
		t.Fatal(err)
	}
	got := ids(ms)
	if len(got) != 2 || got[0] != "open" || got[1] != "data" {
		t.Fatalf("only open challenges before their deadline, best first: %v", got)
	}
	// The same pair scores the same both ways.
	c := challenge("open", domain.ChallengeOpen, later, "Air quality", "Measure nitrogen dioxide near schools.", []string{"air quality monitoring"}, nil, nil)
	back, _ := e.SMEsFor(context.Background(), c, 20)
	for _, m := range back {
		if m.ID == "air2" && m.Score != ms[0].Score {
			t.Fatalf("asymmetric: %v vs %v", m.Score, ms[0].Score)
		}
	}
}

func TestHybrid(t *testing.T) {
	e := newEngine()
	e.Put(corpus()...)
	c := challenge("c1", domain.ChallengeOpen, now.Add(time.Hour), "Taxis", "School transport by minibus.", nil, nil, nil)
	e.SetVector(domain.KindChallenge, "c1", []float32{1, 0, 0})
	e.SetVector(domain.KindSME, "taxi", []float32{2, 0, 0.1})
	e.SetVector(domain.KindSME, "clean", []float32{0, 1, 0})
	ms, _ := e.SMEsFor(context.Background(), c, 3)
	if len(ms) == 0 || ms[0].ID != "taxi" || ms[0].Explanation.Mode != "hybrid" || ms[0].Explanation.Semantic < 0.9 {
		t.Fatalf("got %+v", ms)
	}
	// A profile sharing no word with the challenge is still found by meaning.
	e.SetVector(domain.KindSME, "other3", []float32{1, 0.05, 0})
	ms, _ = e.SMEsFor(context.Background(), c, 15)
	found := false
	for _, m := range ms {
		found = found || m.ID == "other3"
	}
	if !found {
		t.Fatalf("semantic candidates missing: %v", ids(ms))
	}
	e.SetVector(domain.KindChallenge, "c1", nil)
	ms, _ = e.SMEsFor(context.Background(), c, 3)
	if ms[0].Explanation.Mode != "lexical" {
		t.Fatal("without the challenge's vector, ranking is lexical and says so")
	}
}

func TestSkillsGap(t *testing.T) {
	e := newEngine()
	e.Put(corpus()...)
	course := func(id, title, mode, region string, cost float64, funded bool, skills ...string) *domain.Course {
		c := &domain.Course{Meta: domain.Meta{ID: id}}
		c.Title, c.Description, c.Mode, c.Region, c.Cost, c.Funded, c.Skills = title, "A practical course on "+strings.Join(skills, ", ")+".", mode, region, cost, funded, skills
		return c
	}
	e.Put(
		course("k-both", "APIs and metadata", domain.ModeInPerson, "Liguria", 400, false, "API design", "metadata standards"),
		course("k-api-online", "API design online", domain.ModeOnline, "Tartu County", 100, false, "API design"),
		course("k-api-funded", "API design, funded", domain.ModeOnline, "Tartu County", 0, true, "API design"),
		course("k-clean", "Cleaning", domain.ModeOnline, "Liguria", 0, true, "cleaning"),
	)
	s := sme("air2", "Liguria", "Our sensors report nitrogen dioxide and particulate readings every minute.", []string{"air quality monitoring"}, nil, nil)
	c := challenge("c1", domain.ChallengeOpen, now.Add(time.Hour), "Air quality open data", "Measure air pollution and publish it.",
		[]string{"air quality monitoring"}, []string{"API design", "metadata standards"}, []string{"90731000-0"})
	gap, err := e.SkillsGap(context.Background(), s, c, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(gap.MissingSkills) != 2 || len(gap.MissingCapabilities) != 0 || len(gap.Covered) != 1 {
		t.Fatalf("gap: %+v", gap)
	}
	var got []string
	for _, cm := range gap.Courses {
		got = append(got, cm.ID)
	}
	want := []string{"k-both", "k-api-funded", "k-api-online"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("courses %v, want %v (coverage, then mode, then funded and cost)", got, want)
	}
	if gap.Courses[0].Coverage != 1 || len(gap.Courses[0].Closes) != 2 {
		t.Fatalf("first course: %+v", gap.Courses[0])
	}
}

// Readers and writers at once, for the race detector.
func TestConcurrent(t *testing.T) {
	e := newEngine()
	e.Put(corpus()...)
	c := challenge("c1", domain.ChallengeOpen, now.Add(time.Hour), "Air quality", "Measure nitrogen dioxide.", []string{"air quality monitoring"}, nil, nil)
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(2)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				if _, err := e.SMEsFor(context.Background(), c, 5); err != nil {
					t.Error(err)
				}
			}
		}(i)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				e.Put(sme(fmt.Sprintf("n%d-%d", i, j), "Liguria", "We measure nitrogen dioxide.", nil, nil, nil))
				e.Remove(domain.KindSME, fmt.Sprintf("n%d-%d", i, j-1))
			}
		}(i)
	}
	wg.Wait()
}
