package match_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/match"
	"github.com/bettermatch/bettermatch/internal/search"
)

// synth generates realistic-looking profiles: each firm works on a few of 80
// topics, each topic with its own words, phrases and CPV codes, written in
// sentences mixing topic words with a long tail of 30,000 other words, so the
// vocabulary and the postings lists have the skew of real text.
type synth struct {
	r      *rand.Rand
	topics []topic
	tail   []string
}

type topic struct {
	words  []string
	caps   []string
	skills []string
	cpv    []string
}

var cpvPool = []string{"72316000-3", "72212000-4", "72222300-0", "72800000-8", "90731000-0", "71354000-4",
	"33195000-3", "34144900-7", "71311200-3", "72322000-8", "48000000-8", "79311000-7", "80500000-9",
	"85323000-9", "31682210-5", "71314200-4", "79411100-9", "38430000-8", "72611000-6", "80533100-0",
	"90910000-9", "79810000-5", "60130000-8", "55520000-1", "79211000-6", "50700000-2"}

var syllables = []string{"ka", "lo", "mi", "ne", "ro", "sa", "ti", "vu", "ber", "con", "dat", "fle", "gra",
	"hub", "ion", "jet", "kin", "lum", "mod", "net", "opt", "pro", "qua", "ren", "sys", "tec", "urb", "vis"}

func newSynth(seed uint64) *synth {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	word := func() string {
		n := 2 + r.IntN(3)
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteString(syllables[r.IntN(len(syllables))])
		}
		return b.String()
	}
	s := &synth{r: r}
	for i := 0; i < 30000; i++ {
		s.tail = append(s.tail, word())
	}
	for i := 0; i < 80; i++ {
		var t topic
		for j := 0; j < 25; j++ {
			t.words = append(t.words, word())
		}
		for j := 0; j < 2; j++ {
			t.caps = append(t.caps, t.words[j]+" "+t.words[j+5])
		}
		for j := 0; j < 4; j++ {
			t.skills = append(t.skills, t.words[10+j]+" "+t.words[15+j])
		}
		t.cpv = []string{cpvPool[r.IntN(len(cpvPool))], cpvPool[r.IntN(len(cpvPool))]}
		s.topics = append(s.topics, t)
	}
	return s
}

// zipf picks from the tail with a skew: a few words are everywhere.
func (s *synth) tailWord() string {
	i := int(float64(len(s.tail)) * s.r.Float64() * s.r.Float64() * s.r.Float64())
	return s.tail[i]
}

func (s *synth) sentence(t *topic, n int) string {
	ws := make([]string, 0, n)
	for i := 0; i < n; i++ {
		if s.r.IntN(3) == 0 {
			ws = append(ws, t.words[s.r.IntN(len(t.words))])
		} else {
			ws = append(ws, s.tailWord())
		}
	}
	return strings.Join(ws, " ") + "."
}

func (s *synth) sme(i int) *domain.SME {
	k := 1 + s.r.IntN(3)
	sm := &domain.SME{Meta: domain.Meta{ID: fmt.Sprintf("sme%06d", i)}}
	sm.Name = s.tailWord() + " " + s.tailWord()
	sm.Region = fmt.Sprintf("region %d", s.r.IntN(20))
	var desc []string
	for j := 0; j < k; j++ {
		t := &s.topics[s.r.IntN(len(s.topics))]
		desc = append(desc, s.sentence(t, 8+s.r.IntN(10)), s.sentence(t, 6+s.r.IntN(8)))
		if s.r.IntN(2) == 0 {
			sm.Capabilities = append(sm.Capabilities, t.caps[s.r.IntN(len(t.caps))])
		}
		if s.r.IntN(4) == 0 {
			sm.Skills = append(sm.Skills, t.skills...)
		}
		if s.r.IntN(4) == 0 {
			sm.CPV = append(sm.CPV, t.cpv...)
		}
	}
	sm.Summary = desc[0]
	sm.Description = strings.Join(desc, " ")
	sm.Normalize()
	return sm
}

func (s *synth) challenge(i int) *domain.Challenge {
	c := &domain.Challenge{Meta: domain.Meta{ID: fmt.Sprintf("ch%04d", i)}, Status: domain.ChallengeOpen}
	c.Deadline = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	c.Region = fmt.Sprintf("region %d", s.r.IntN(20))
	var desc []string
	for j := 0; j < 2; j++ {
		t := &s.topics[s.r.IntN(len(s.topics))]
		c.Title += t.words[0] + " " + t.words[5] + " "
		desc = append(desc, s.sentence(t, 12), s.sentence(t, 10))
		c.RequiredCapabilities = append(c.RequiredCapabilities, t.caps[0])
		c.RequiredSkills = append(c.RequiredSkills, t.skills[:2]...)
		c.CPV = append(c.CPV, t.cpv[0])
	}
	c.Summary = desc[0]
	c.Description = strings.Join(desc, " ")
	c.Normalize()
	return c
}

var (
	bench100k     *match.Engine
	bench100kCh   []*domain.Challenge
	bench100kOnce sync.Once
)

func engine100k(b *testing.B) (*match.Engine, []*domain.Challenge) {
	bench100kOnce.Do(func() {
		s := newSynth(42)
		e := match.New(search.NewAnalyzer(), match.Options{})
		start := time.Now()
		batch := make([]domain.Record, 0, 1000)
		for i := 0; i < 100_000; i++ {
			batch = append(batch, s.sme(i))
			if len(batch) == cap(batch) {
				e.Put(batch...)
				batch = batch[:0]
			}
		}
		var chs []*domain.Challenge
		for i := 0; i < 50; i++ {
			chs = append(chs, s.challenge(i))
		}
		b.Logf("indexed 100,000 profiles in %v", time.Since(start).Round(time.Millisecond))
		start = time.Now()
		e.Warm()
		b.Logf("learning the word associations %v", time.Since(start).Round(time.Millisecond))
		bench100k, bench100kCh = e, chs
	})
	return bench100k, bench100kCh
}

// BenchmarkSMEsFor100k is one top-10 query over 100,000 profiles, on one
// goroutine (run with -cpu 1 for one core).
func BenchmarkSMEsFor100k(b *testing.B) {
	e, chs := engine100k(b)
	ctx := context.Background()
	defer lockThread()()
	b.ReportAllocs()
	b.ResetTimer()
	cpu := threadCPU()
	took := make([]time.Duration, b.N)
	for i := 0; i < b.N; i++ {
		start := time.Now()
		ms, err := e.SMEsFor(ctx, chs[i%len(chs)], 10)
		took[i] = time.Since(start)
		if err != nil || len(ms) != 10 {
			b.Fatalf("got %d matches, %v", len(ms), err)
		}
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Nanoseconds()), "p50-ns")
	// The thread's own CPU time per query: on a busy machine wall time counts
	// other processes' turns too.
	if c := threadCPU() - cpu; c > 0 {
		b.ReportMetric(float64(c.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkChallengesFor is one SME's ranking of 50 open challenges.
func BenchmarkChallengesFor(b *testing.B) {
	e, chs := engine100k(b)
	recs := make([]domain.Record, len(chs))
	for i, c := range chs {
		recs[i] = c
	}
	e.Put(recs...)
	s := newSynth(7).sme(0)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.ChallengesFor(ctx, s, 10); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCandidateRecall checks that the first stage loses (almost) nothing: the
// top 10 with the default number of candidates against an exhaustive second
// stage, on 20,000 synthetic profiles (BETTERMATCH_SLOW=1).
func TestCandidateRecall(t *testing.T) {
	if os.Getenv("BETTERMATCH_SLOW") == "" {
		t.Skip("set BETTERMATCH_SLOW=1")
	}
	s := newSynth(3)
	var recs []domain.Record
	for i := 0; i < 20_000; i++ {
		recs = append(recs, s.sme(i))
	}
	fast := match.New(search.NewAnalyzer(), match.Options{})
	full := match.New(search.NewAnalyzer(), match.Options{Candidates: 20_000})
	fast.Put(recs...)
	full.Put(recs...)
	same, total := 0, 0
	for i := 0; i < 30; i++ {
		c := s.challenge(i)
		a, _ := fast.SMEsFor(context.Background(), c, 10)
		b, _ := full.SMEsFor(context.Background(), c, 10)
		want := map[string]bool{}
		for _, m := range b {
			want[m.ID] = true
		}
		for _, m := range a {
			if want[m.ID] {
				same++
			}
		}
		total += len(b)
	}
	t.Logf("first-stage recall of the exhaustive top 10: %d/%d", same, total)
	if float64(same) < 0.95*float64(total) {
		t.Errorf("the first stage loses too much: %d/%d", same, total)
	}
}
