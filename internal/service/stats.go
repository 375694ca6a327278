package service

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// Stats are the innovation indicators of PRODUCT.md, overall and per semester,
// theme and region.
type Stats struct {
	GeneratedAt time.Time   `json:"generatedAt"`
	Total       Indicators  `json:"total"`
	BySemester  []Breakdown `json:"bySemester"`
	ByTheme     []Breakdown `json:"byTheme"`
	ByRegion    []Breakdown `json:"byRegion"`
}

// Indicators are the counts the service can make.
type Indicators struct {
	ChallengesPublished int `json:"challengesPublished"`
	SMEsRegistered      int `json:"smesRegistered"`
	ResponsesSubmitted  int `json:"responsesSubmitted"`
	FirstTimeResponders int `json:"firstTimeResponders"`
	ChallengesAwarded   int `json:"challengesAwarded"`
	AwardedToSameRegion int `json:"awardedToSameRegion"`
	CoursesListed       int `json:"coursesListed"`
}

// Breakdown is the indicators for one semester, theme or region.
type Breakdown struct {
	Key string `json:"key"`
	Indicators
}

type statsCache struct {
	at    time.Time
	stats *Stats
}

// Computing the indicators reads every record, too slow to do per request on
// a large database, so they are cached: for statsTTL when nothing changed,
// and after a write for at least StatsMinAge, so that a stream of writes
// costs at most one computation per StatsMinAge whatever the traffic on the
// public /stats. The ages are by the wall clock: they bound CPU, not time in
// the domain.
const (
	statsTTL = time.Minute
	// DefaultStatsMinAge is Service.StatsMinAge unless set.
	DefaultStatsMinAge = 5 * time.Second
)

// invalidateStats marks the indicators out of date. It never waits: writes
// call it, and a computation may be holding statsMu for seconds.
func (s *Service) invalidateStats() { s.statsDirty.Store(true) }

// Semester names the half-year of t, e.g. "2026-H2".
func Semester(t time.Time) string {
	h := 1
	if t.Month() > 6 {
		h = 2
	}
	return fmt.Sprintf("%d-H%d", t.Year(), h)
}

// Stats computes (or returns recently computed) indicators.
func (s *Service) Stats(ctx context.Context) (*Stats, error) {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	if c := s.statsCache; c != nil {
		age := time.Since(c.at)
		if age < statsTTL && (age < s.StatsMinAge || !s.statsDirty.Load()) {
			return c.stats, nil
		}
	}
	// Cleared before reading, so a write during the computation marks the
	// result out of date again.
	s.statsDirty.Store(false)
	st, err := s.computeStats(ctx)
	if err != nil {
		s.statsDirty.Store(true)
		return nil, err
	}
	s.statsCache = &statsCache{at: time.Now(), stats: st}
	return st, nil
}

func (s *Service) computeStats(ctx context.Context) (*Stats, error) {
	sem, theme, region := map[string]*Indicators{}, map[string]*Indicators{}, map[string]*Indicators{}
	total := &Indicators{}
	at := func(m map[string]*Indicators, k string) *Indicators {
		if m[k] == nil {
			m[k] = &Indicators{}
		}
		return m[k]
	}
	smeRegion := map[string]string{}
	err := s.store.SMEs().Each(ctx, func(x *domain.SME) error {
		smeRegion[x.ID] = x.Region
		total.SMEsRegistered++
		at(sem, Semester(x.CreatedAt)).SMEsRegistered++
		at(region, x.Region).SMEsRegistered++
		return nil
	})
	if err != nil {
		return nil, err
	}
	chs := map[string]*domain.Challenge{}
	err = s.store.Challenges().Each(ctx, func(c *domain.Challenge) error {
		if !c.Published() {
			return nil
		}
		chs[c.ID] = c
		for _, ind := range []*Indicators{total, at(sem, Semester(*c.PublishedAt)), at(theme, c.Theme), at(region, c.Region)} {
			ind.ChallengesPublished++
		}
		if c.Status == domain.ChallengeAwarded && c.AwardedAt != nil {
			same := smeRegion[c.AwardedSMEID] != "" && sameName(smeRegion[c.AwardedSMEID], c.Region)
			for _, ind := range []*Indicators{total, at(sem, Semester(*c.AwardedAt)), at(theme, c.Theme), at(region, c.Region)} {
				ind.ChallengesAwarded++
				if same {
					ind.AwardedToSameRegion++
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// First-time responders: an SME's earliest response counts once, in the
	// semester, theme and region of the challenge it answered.
	type first struct {
		at time.Time
		ch string
	}
	firsts := map[string]first{}
	err = s.store.Responses().Each(ctx, func(r *domain.Response) error {
		c := chs[r.ChallengeID]
		if c == nil {
			return nil
		}
		for _, ind := range []*Indicators{total, at(sem, Semester(r.SubmittedAt)), at(theme, c.Theme), at(region, c.Region)} {
			ind.ResponsesSubmitted++
		}
		if f, ok := firsts[r.SMEID]; !ok || r.SubmittedAt.Before(f.at) {
			firsts[r.SMEID] = first{r.SubmittedAt, r.ChallengeID}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, f := range firsts {
		c := chs[f.ch]
		for _, ind := range []*Indicators{total, at(sem, Semester(f.at)), at(theme, c.Theme), at(region, c.Region)} {
			ind.FirstTimeResponders++
		}
	}
	err = s.store.Courses().Each(ctx, func(c *domain.Course) error {
		for _, ind := range []*Indicators{total, at(sem, Semester(c.CreatedAt))} {
			ind.CoursesListed++
		}
		if c.Region != "" {
			at(region, c.Region).CoursesListed++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Stats{GeneratedAt: s.Now(), Total: *total, BySemester: breakdown(sem), ByTheme: breakdown(theme), ByRegion: breakdown(region)}, nil
}

func breakdown(m map[string]*Indicators) []Breakdown {
	out := make([]Breakdown, 0, len(m))
	for k, v := range m {
		out = append(out, Breakdown{Key: k, Indicators: *v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}
