package service

import (
	"context"
	"fmt"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// SMEMatch is an SME ranked for a challenge.
type SMEMatch struct {
	SME *domain.SME `json:"sme"`
	domain.Match
}

// ChallengeMatch is a challenge ranked for an SME.
type ChallengeMatch struct {
	Challenge *domain.Challenge `json:"challenge"`
	domain.Match
}

// CourseMatch is a course ranked for a skills gap.
type CourseMatch struct {
	Course *domain.Course `json:"course"`
	domain.CourseMatch
}

// SkillsGap is what an SME lacks for a challenge, with courses that close it.
type SkillsGap struct {
	SMEID       string `json:"smeId"`
	ChallengeID string `json:"challengeId"`
	domain.Gap
	Courses []CourseMatch `json:"courses"`
}

func mode(ms []domain.Match) string {
	for _, m := range ms {
		if m.Explanation.Mode != "" {
			return m.Explanation.Mode
		}
	}
	return "lexical"
}

// MatchSMEs ranks SMEs for a challenge, for its officers and admins.
func (s *Service) MatchSMEs(ctx context.Context, a *domain.User, challengeID string, limit int) (*Page[SMEMatch], error) {
	if err := signedIn(a); err != nil {
		return nil, err
	}
	c, err := s.GetChallenge(ctx, a, challengeID)
	if err != nil {
		return nil, err
	}
	if !CanManageChallenge(a, c) {
		return nil, forbidden("Only the challenge's officers can see its matches.")
	}
	limit, _ = ClampPage(limit, 0)
	ms, err := compute(ctx, s, func() ([]domain.Match, error) { return s.matcher.SMEsFor(ctx, c, limit) })
	if err != nil {
		return nil, err
	}
	smes, found, err := indexed(ctx, s, domain.KindSME, s.store.SMEs(), matchIDs(ms))
	if err != nil {
		return nil, err
	}
	p := &Page[SMEMatch]{Items: []SMEMatch{}, Limit: limit, Mode: mode(ms)}
	for i, m := range ms {
		if found[i] {
			p.Items = append(p.Items, SMEMatch{SME: s.smeView(a, smes[i]), Match: m})
		}
	}
	p.Total = len(p.Items)
	return p, nil
}

// MatchChallenges ranks open challenges for an SME, for its owner and admins.
func (s *Service) MatchChallenges(ctx context.Context, a *domain.User, smeID string, limit int) (*Page[ChallengeMatch], error) {
	sme, err := read(ctx, s, s.store.SMEs(), domain.KindSME, smeID, "SME")
	if err != nil {
		return nil, err
	}
	if err := s.allowSME(a)(sme); err != nil {
		return nil, err
	}
	limit, _ = ClampPage(limit, 0)
	ms, err := compute(ctx, s, func() ([]domain.Match, error) { return s.matcher.ChallengesFor(ctx, sme, limit) })
	if err != nil {
		return nil, err
	}
	chs, found, err := indexed(ctx, s, domain.KindChallenge, s.store.Challenges(), matchIDs(ms))
	if err != nil {
		return nil, err
	}
	p := &Page[ChallengeMatch]{Items: []ChallengeMatch{}, Limit: limit, Mode: mode(ms)}
	for i, m := range ms {
		// The matcher's corpus may lag a status change by a moment; the
		// store has the last word on what is open.
		if found[i] && chs[i].Status == domain.ChallengeOpen {
			p.Items = append(p.Items, ChallengeMatch{Challenge: chs[i], Match: m})
		}
	}
	p.Total = len(p.Items)
	return p, nil
}

// SkillsGap finds what an SME lacks for a challenge and the courses that teach it.
func (s *Service) SkillsGap(ctx context.Context, a *domain.User, smeID, challengeID string, limit int) (*SkillsGap, error) {
	sme, err := read(ctx, s, s.store.SMEs(), domain.KindSME, smeID, "SME")
	if err != nil {
		return nil, err
	}
	if err := s.allowSME(a)(sme); err != nil {
		return nil, err
	}
	if challengeID == "" {
		return nil, invalid("challenge", "name the challenge to compare with")
	}
	c, err := s.GetChallenge(ctx, a, challengeID)
	if err != nil {
		return nil, err
	}
	limit, _ = ClampPage(limit, 0)
	g, err := compute(ctx, s, func() (*domain.Gap, error) { return s.matcher.SkillsGap(ctx, sme, c, limit) })
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(g.Courses))
	for i, cm := range g.Courses {
		ids[i] = cm.ID
	}
	courses, found, err := indexed(ctx, s, domain.KindCourse, s.store.Courses(), ids)
	if err != nil {
		return nil, err
	}
	out := &SkillsGap{SMEID: sme.ID, ChallengeID: c.ID, Gap: *g, Courses: []CourseMatch{}}
	for i, cm := range g.Courses {
		if found[i] {
			out.Courses = append(out.Courses, CourseMatch{Course: courses[i], CourseMatch: cm})
		}
	}
	return out, nil
}

// indexed fills in ranked records from the search index's stored JSON, reading
// from the store only those the index lacks: a page of matches is then one
// index lookup instead of twenty database reads. The index is as fresh as for
// search results. The challenge status check in MatchChallenges still sees
// the indexed status, which lags another process's change by seconds at most.
func indexed[T domain.Record](ctx context.Context, s *Service, kind string, c domain.Collection[T], ids []string) ([]T, []bool, error) {
	hits, err := s.index.Sources(ctx, kind, ids)
	if err != nil {
		return nil, nil, err
	}
	return hitRecords(ctx, c, hits)
}

func matchIDs(ms []domain.Match) []string {
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	return ids
}

// notifyMatches tells the owners of the best-matching SMEs about a newly
// published challenge. It never fails the publish: the challenge is already out.
func (s *Service) notifyMatches(ctx context.Context, c *domain.Challenge) {
	ms, err := s.matcher.SMEsFor(ctx, c, s.NotifyTop)
	if err != nil {
		s.log.ErrorContext(ctx, "match for notifications", "challenge", c.ID, "err", err)
		return
	}
	smes, found, err := indexed(ctx, s, domain.KindSME, s.store.SMEs(), matchIDs(ms))
	if err != nil {
		s.log.ErrorContext(ctx, "load matches for notifications", "challenge", c.ID, "err", err)
		return
	}
	for i, m := range ms {
		if !found[i] || smes[i].Owner == "" || m.Score < s.NotifyMinScore {
			continue
		}
		msg := fmt.Sprintf("New challenge that fits your profile: “%s” (%s), match %d%%.", c.Title, c.Organisation, int(m.Score*100+0.5))
		s.notify(ctx, smes[i].Owner, domain.NotifyNewMatch, msg, "/challenges/"+c.ID)
	}
}
