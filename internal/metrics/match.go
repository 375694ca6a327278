package metrics

import (
	"context"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// Matcher wraps m so that its three rankings are timed. Embedding the
// interface passes every other method through unchanged, including any the
// interface gains later.
func (r *Registry) Matcher(m domain.Matcher) domain.Matcher {
	return &timedMatcher{Matcher: m, r: r}
}

type timedMatcher struct {
	domain.Matcher
	r *Registry
}

func (t *timedMatcher) observe(op string, start time.Time) {
	t.r.match.WithLabelValues(op).Observe(time.Since(start).Seconds())
}

func (t *timedMatcher) SMEsFor(ctx context.Context, c *domain.Challenge, limit int) ([]domain.Match, error) {
	defer t.observe("smes_for_challenge", time.Now())
	return t.Matcher.SMEsFor(ctx, c, limit)
}

func (t *timedMatcher) ChallengesFor(ctx context.Context, s *domain.SME, limit int) ([]domain.Match, error) {
	defer t.observe("challenges_for_sme", time.Now())
	return t.Matcher.ChallengesFor(ctx, s, limit)
}

func (t *timedMatcher) SkillsGap(ctx context.Context, s *domain.SME, c *domain.Challenge, limit int) (*domain.Gap, error) {
	defer t.observe("skills_gap", time.Now())
	return t.Matcher.SkillsGap(ctx, s, c, limit)
}
