package service

import (
	"context"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// Exports (the OCDS feed, the export command) walk whole collections. They are
// not on a hot path, and they stream: the store's Each hands over one record
// at a time in id order, so memory stays flat however many records there are,
// and a record written meanwhile is either seen once or not at all.

// EachPublishedChallenge calls fn for every published challenge (any status but
// draft) changed at or after since; a zero since means all of them.
func (s *Service) EachPublishedChallenge(ctx context.Context, since time.Time, fn func(*domain.Challenge) error) error {
	return s.store.Challenges().Each(ctx, func(c *domain.Challenge) error {
		if !c.Published() || (!since.IsZero() && c.UpdatedAt.Before(since)) {
			return nil
		}
		return fn(c)
	})
}

// PublishedChallenge reads a challenge the public may see: ENOTFOUND for a
// draft, whoever asks, since a draft is not yet a contracting process.
func (s *Service) PublishedChallenge(ctx context.Context, id string) (*domain.Challenge, error) {
	return s.GetChallenge(ctx, nil, id)
}

// SMEName is the name of an SME, "" when it no longer exists. Awarded
// challenges name their supplier with it; a profile's name is public.
func (s *Service) SMEName(ctx context.Context, id string) (string, error) {
	if id == "" {
		return "", nil
	}
	sme, err := s.store.SMEs().Get(ctx, id)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return "", nil
	} else if err != nil {
		return "", err
	}
	return sme.Name, nil
}

// EachChallenge, EachSME and EachCourse stream every record of their kind,
// drafts and owners included: they serve the operator's export command, which
// runs with the database's own authority, never a request.
func (s *Service) EachChallenge(ctx context.Context, fn func(*domain.Challenge) error) error {
	return s.store.Challenges().Each(ctx, fn)
}

// EachSME streams every SME profile; see EachChallenge.
func (s *Service) EachSME(ctx context.Context, fn func(*domain.SME) error) error {
	return s.store.SMEs().Each(ctx, fn)
}

// EachCourse streams every course; see EachChallenge.
func (s *Service) EachCourse(ctx context.Context, fn func(*domain.Course) error) error {
	return s.store.Courses().Each(ctx, fn)
}
