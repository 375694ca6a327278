package service

import (
	"context"
	"fmt"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// ownsChallenge reports whether a is a verified officer of c's organisation.
func ownsChallenge(a *domain.User, c *domain.Challenge) bool {
	return a != nil && a.Role == domain.RoleOfficer && a.Verified() &&
		domain.SameOrg(a.Organisation, c.Organisation)
}

// CanManageChallenge reports whether a may edit c and move it through its
// statuses: a verified officer of its organisation, or an admin. The web
// pages ask it to decide what to offer; the service checks it again.
func CanManageChallenge(a *domain.User, c *domain.Challenge) bool {
	return ownsChallenge(a, c) || isAdmin(a)
}

// canSeeChallenge: published challenges are public; drafts only to their
// organisation's officers and admins.
func canSeeChallenge(a *domain.User, c *domain.Challenge) bool {
	return c.Published() || ownsChallenge(a, c) || isAdmin(a)
}

func (s *Service) allowChallenge(a *domain.User) func(*domain.Challenge) error {
	return func(c *domain.Challenge) error {
		if err := requireRole(a, domain.RoleOfficer); err != nil {
			return err
		}
		if !canSeeChallenge(a, c) {
			return domain.NotFound("Challenge")
		}
		if !CanManageChallenge(a, c) {
			return forbidden("Only officers of the challenge's organisation can change it.")
		}
		return nil
	}
}

// CreateChallenge drafts a challenge for the officer's organisation.
func (s *Service) CreateChallenge(ctx context.Context, a *domain.User, in domain.ChallengeInput) (*domain.Challenge, error) {
	if err := requireRole(a, domain.RoleOfficer); err != nil {
		return nil, err
	}
	if a.Role == domain.RoleOfficer {
		in.Organisation = a.Organisation
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		return nil, err
	}
	now := s.Now()
	c := &domain.Challenge{
		Meta:  domain.Meta{ID: newID(domain.KindChallenge, in.ExternalID), CreatedAt: now, UpdatedAt: now},
		Owner: a.ID, Status: domain.ChallengeDraft, ChallengeInput: in,
	}
	if err := s.store.Challenges().Create(ctx, c); err != nil {
		if domain.ErrorCode(err) == domain.ECONFLICT {
			return nil, domain.Errorf(domain.ECONFLICT, "A challenge with this externalId already exists.")
		}
		return nil, err
	}
	s.afterWrite(ctx, domain.KindChallenge, c)
	return c, nil
}

// GetChallenge reads a challenge the caller may see (from the index's copy:
// see read).
func (s *Service) GetChallenge(ctx context.Context, a *domain.User, id string) (*domain.Challenge, error) {
	c, err := read(ctx, s, s.store.Challenges(), domain.KindChallenge, id, "Challenge")
	if err != nil {
		return nil, err
	}
	if !canSeeChallenge(a, c) {
		return nil, domain.NotFound("Challenge")
	}
	return c, nil
}

// UpdateChallenge edits a draft or open challenge.
func (s *Service) UpdateChallenge(ctx context.Context, a *domain.User, id string, ifMatch int64, edit func(*domain.ChallengeInput) error) (*domain.Challenge, error) {
	c, err := update(ctx, s.store.Challenges(), id, change[*domain.Challenge]{
		kind: "Challenge", ifMatch: ifMatch, allow: s.allowChallenge(a),
		apply: func(c *domain.Challenge) error {
			if c.Status != domain.ChallengeDraft && c.Status != domain.ChallengeOpen {
				return domain.Errorf(domain.ECONFLICT, "A %s challenge cannot be edited.", c.Status)
			}
			in := c.ChallengeInput
			if err := edit(&in); err != nil {
				return err
			}
			if in.ExternalID != c.ExternalID {
				return &domain.Error{Code: domain.EINVALID, Message: "The externalId cannot change.", Fields: []domain.FieldError{{Field: "externalId", Message: "cannot change once set"}}}
			}
			// An officer may respell the organisation ("genoa city council"
			// imported, "Genoa City Council" on their account), not change it.
			if !domain.SameOrg(in.Organisation, c.Organisation) && !isAdmin(a) {
				return &domain.Error{Code: domain.EINVALID, Message: "The organisation cannot change.", Fields: []domain.FieldError{{Field: "organisation", Message: "is your own organisation"}}}
			}
			in.Normalize()
			if err := in.Validate(); err != nil {
				return err
			}
			if c.Status == domain.ChallengeOpen && !in.Deadline.After(s.Now()) {
				return &domain.Error{Code: domain.EINVALID, Message: "An open challenge needs a deadline in the future.", Fields: []domain.FieldError{{Field: "deadline", Message: "must be in the future"}}}
			}
			c.ChallengeInput = in
			return nil
		},
	})
	if err != nil {
		return nil, err
	}
	s.afterWrite(ctx, domain.KindChallenge, c)
	return c, nil
}

// DeleteChallenge removes a draft; published challenges are cancelled instead,
// so their history stays.
func (s *Service) DeleteChallenge(ctx context.Context, a *domain.User, id string, ifMatch int64) error {
	c, err := get(ctx, s.store.Challenges(), id, "Challenge")
	if err != nil {
		return err
	}
	if err := s.allowChallenge(a)(c); err != nil {
		return err
	}
	if err := checkVersion(ifMatch, &c.Meta); err != nil {
		return err
	}
	if c.Status != domain.ChallengeDraft {
		return domain.Errorf(domain.ECONFLICT, "Only drafts can be deleted; cancel a published challenge instead.")
	}
	if err := s.store.Challenges().Delete(ctx, id); err != nil {
		return notFoundAs(err, "Challenge")
	}
	s.audit(ctx, a, domain.AuditChallengeDelete, domain.KindChallenge, id, c.Status, "", c.Title)
	s.afterDelete(ctx, domain.KindChallenge, id)
	return nil
}

// Transition names a lifecycle step.
type Transition string

// Lifecycle steps.
const (
	Publish Transition = "publish"
	Close   Transition = "close"
	Award   Transition = "award"
	Cancel  Transition = "cancel"
)

// from lists the statuses each step may start from.
var from = map[Transition][]string{
	Publish: {domain.ChallengeDraft},
	Close:   {domain.ChallengeOpen},
	Award:   {domain.ChallengeOpen, domain.ChallengeClosed},
	Cancel:  {domain.ChallengeDraft, domain.ChallengeOpen, domain.ChallengeClosed},
}

var to = map[Transition]string{
	Publish: domain.ChallengeOpen, Close: domain.ChallengeClosed,
	Award: domain.ChallengeAwarded, Cancel: domain.ChallengeCancelled,
}

// Move takes a challenge one step through its lifecycle. Award needs the id of a
// response to the challenge; that response is accepted.
func (s *Service) Move(ctx context.Context, a *domain.User, id string, t Transition, ifMatch int64, responseID string) (*domain.Challenge, error) {
	var awarded *domain.Response
	var was string
	c, err := update(ctx, s.store.Challenges(), id, change[*domain.Challenge]{
		kind: "Challenge", ifMatch: ifMatch, allow: s.allowChallenge(a),
		apply: func(c *domain.Challenge) error {
			ok := false
			for _, st := range from[t] {
				ok = ok || c.Status == st
			}
			if !ok {
				return domain.Errorf(domain.ECONFLICT, "A %s challenge cannot be moved to %s.", c.Status, to[t])
			}
			was = c.Status
			now := s.Now()
			switch t {
			case Publish:
				if !c.Deadline.After(now) {
					return &domain.Error{Code: domain.EINVALID, Message: "Set a deadline in the future before publishing.", Fields: []domain.FieldError{{Field: "deadline", Message: "must be in the future"}}}
				}
				c.PublishedAt = &now
			case Close:
				c.ClosedAt = &now
			case Award:
				r, err := s.awardable(ctx, c, responseID)
				if err != nil {
					return err
				}
				awarded = r
				c.AwardedAt, c.AwardedResponseID, c.AwardedSMEID = &now, r.ID, r.SMEID
				if c.ClosedAt == nil {
					c.ClosedAt = &now
				}
			}
			c.Status = to[t]
			return nil
		},
	})
	if err != nil {
		return nil, err
	}
	detail := ""
	if awarded != nil {
		detail = "response " + awarded.ID
	}
	s.audit(ctx, a, domain.AuditChallengeStatus, domain.KindChallenge, c.ID, was, c.Status, detail)
	s.afterWrite(ctx, domain.KindChallenge, c)
	switch t {
	case Publish:
		s.notifyMatches(ctx, c)
	case Award:
		s.acceptAward(ctx, c, awarded)
	}
	return c, nil
}

func (s *Service) awardable(ctx context.Context, c *domain.Challenge, responseID string) (*domain.Response, error) {
	bad := func(msg string) error {
		return &domain.Error{Code: domain.EINVALID, Message: msg, Fields: []domain.FieldError{{Field: "responseId", Message: msg}}}
	}
	if responseID == "" {
		return nil, bad("name the response that wins the award")
	}
	r, err := get(ctx, s.store.Responses(), responseID, "Response")
	if err != nil || r.ChallengeID != c.ID {
		return nil, bad("is not a response to this challenge")
	}
	if r.Status == domain.ResponseWithdrawn || r.Status == domain.ResponseRejected {
		return nil, bad(fmt.Sprintf("is %s and cannot win", r.Status))
	}
	return r, nil
}

// acceptAward marks the winning response accepted and tells its SME.
func (s *Service) acceptAward(ctx context.Context, c *domain.Challenge, r *domain.Response) {
	if r == nil {
		return
	}
	r.Status = domain.ResponseAccepted
	if err := s.store.Responses().Update(ctx, r); err != nil {
		s.log.ErrorContext(ctx, "accept awarded response", "response", r.ID, "err", err)
	}
	if r.Owner != "" {
		s.notify(ctx, r.Owner, domain.NotifyChallengeAward, fmt.Sprintf("You won “%s”.", c.Title), "/challenges/"+c.ID)
	}
}

// ChallengeQuery is a search over challenges.
type ChallengeQuery struct {
	Q                     string
	Theme, Status, Region string
	Sort                  string
	Limit, Offset         int
	// Facets asks for facets beyond the default ones (see domain.SearchRequest.Facets).
	Facets []string
}

// SearchChallenges lists the challenges the caller may see that match q.
func (s *Service) SearchChallenges(ctx context.Context, a *domain.User, q ChallengeQuery) (*Page[*domain.Challenge], error) {
	req := domain.SearchRequest{Kind: domain.KindChallenge, Q: q.Q, Limit: q.Limit, Offset: q.Offset, Sort: q.Sort, Facets: q.Facets,
		Filters: filters("theme", q.Theme, "status", q.Status, "region", q.Region)}
	if isAdmin(a) {
		req.AllDrafts = true
	} else if a != nil && a.Role == domain.RoleOfficer && a.Verified() {
		req.DraftsOf = a.Organisation
	}
	return search(ctx, s, req, s.store.Challenges(), func(c *domain.Challenge) (*domain.Challenge, bool) {
		return c, canSeeChallenge(a, c)
	})
}
