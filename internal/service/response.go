package service

import (
	"context"
	"fmt"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// Respond submits the caller's SME's response to an open challenge before its
// deadline. There is one response per SME and challenge.
func (s *Service) Respond(ctx context.Context, a *domain.User, challengeID string, in domain.ResponseInput) (*domain.Response, error) {
	if err := signedIn(a); err != nil {
		return nil, err
	}
	if a.Role != domain.RoleSME {
		return nil, forbidden("Only SMEs can respond to challenges.")
	}
	// The store's copy: whether the challenge is still open decides the write.
	ctx = domain.ForWrite(ctx)
	c, err := get(ctx, s.store.Challenges(), challengeID, "Challenge")
	if err != nil {
		return nil, err
	}
	if !canSeeChallenge(a, c) {
		return nil, domain.NotFound("Challenge")
	}
	if a.SMEID == "" {
		return nil, forbidden("Create your company profile before responding.")
	}
	if err := s.checkOpen(c); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	sme, err := get(ctx, s.store.SMEs(), a.SMEID, "SME")
	if err != nil {
		return nil, err
	}
	now := s.Now()
	r := &domain.Response{
		Meta:        domain.Meta{ID: domain.ResponseID(c.ID, sme.ID), CreatedAt: now, UpdatedAt: now},
		ChallengeID: c.ID, SMEID: sme.ID, SMEName: sme.Name, Owner: a.ID, Organisation: c.Organisation,
		Status: domain.ResponseSubmitted, SubmittedAt: now, ResponseInput: in,
	}
	if err := s.store.Responses().Create(ctx, r); err != nil {
		if domain.ErrorCode(err) == domain.ECONFLICT {
			return nil, domain.Errorf(domain.ECONFLICT, "You have already responded to this challenge; edit your response instead.")
		}
		return nil, err
	}
	if c.Owner != "" {
		s.notify(ctx, c.Owner, domain.NotifyNewResponse, fmt.Sprintf("%s responded to “%s”.", sme.Name, c.Title), "/challenges/"+c.ID)
	}
	s.invalidateStats()
	return r, nil
}

func (s *Service) checkOpen(c *domain.Challenge) error {
	if c.Status != domain.ChallengeOpen {
		return domain.Errorf(domain.ECONFLICT, "This challenge is %s and takes no responses.", c.Status)
	}
	if !s.Now().Before(c.Deadline) {
		return domain.Errorf(domain.ECONFLICT, "The deadline for this challenge has passed.")
	}
	return nil
}

// canSeeResponse: the responding SME's account, officers of the challenge's
// organisation and admins.
func canSeeResponse(a *domain.User, r *domain.Response) bool {
	if a == nil {
		return false
	}
	return isAdmin(a) || (a.Role == domain.RoleSME && r.Owner == a.ID) ||
		(a.Role == domain.RoleOfficer && a.Verified() && domain.SameOrg(a.Organisation, r.Organisation))
}

// GetResponse reads one response the caller may see.
func (s *Service) GetResponse(ctx context.Context, a *domain.User, id string) (*domain.Response, error) {
	if err := signedIn(a); err != nil {
		return nil, err
	}
	r, err := get(ctx, s.store.Responses(), id, "Response")
	if err != nil {
		return nil, err
	}
	if !canSeeResponse(a, r) {
		return nil, domain.NotFound("Response")
	}
	return r, nil
}

// ListResponses lists a challenge's responses: all of them for its officers and
// admins, only its own for an SME.
func (s *Service) ListResponses(ctx context.Context, a *domain.User, challengeID string, limit, offset int) (*Page[*domain.Response], error) {
	if err := signedIn(a); err != nil {
		return nil, err
	}
	c, err := s.GetChallenge(ctx, a, challengeID)
	if err != nil {
		return nil, err
	}
	limit, offset = ClampPage(limit, offset)
	page := &Page[*domain.Response]{Items: []*domain.Response{}, Limit: limit, Offset: offset}
	switch {
	case a.Role == domain.RoleSME:
		if a.SMEID == "" {
			return page, nil
		}
		r, err := s.store.Responses().Get(ctx, domain.ResponseID(c.ID, a.SMEID))
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return page, nil
		} else if err != nil {
			return nil, err
		}
		if offset == 0 {
			page.Items = append(page.Items, r)
		}
		page.Total = 1
		return page, nil
	case isAdmin(a) || ownsChallenge(a, c):
		items, total, err := s.store.Responses().Find(ctx, domain.Query{Where: map[string]any{"challengeId": c.ID}, Limit: limit, Offset: offset})
		if err != nil {
			return nil, err
		}
		page.Items, page.Total = items, total
		return page, nil
	default:
		return nil, forbidden("Only the challenge's officers can see its responses.")
	}
}

// MyResponses lists the responses of the caller's SME.
func (s *Service) MyResponses(ctx context.Context, a *domain.User, smeID string, limit, offset int) (*Page[*domain.Response], error) {
	sme, err := read(ctx, s, s.store.SMEs(), domain.KindSME, smeID, "SME")
	if err != nil {
		return nil, err
	}
	if err := s.allowSME(a)(sme); err != nil {
		return nil, err
	}
	limit, offset = ClampPage(limit, offset)
	items, total, err := s.store.Responses().Find(ctx, domain.Query{Where: map[string]any{"smeId": sme.ID}, Limit: limit, Offset: offset})
	if err != nil {
		return nil, err
	}
	return &Page[*domain.Response]{Items: items, Total: total, Limit: limit, Offset: offset}, nil
}

// UpdateResponse applies an SME's edit (proposal, price, duration, withdraw or
// resubmit, before the deadline) or an officer's review (status, score, feedback).
func (s *Service) UpdateResponse(ctx context.Context, a *domain.User, id string, ifMatch int64, u domain.ResponseUpdate) (*domain.Response, error) {
	if err := signedIn(a); err != nil {
		return nil, err
	}
	// The challenge is read under the response's lock, for the edit.
	ctx = domain.ForWrite(ctx)
	var c *domain.Challenge
	var statusChanged bool
	var was string
	r, err := update(ctx, s.store.Responses(), id, change[*domain.Response]{
		kind: "Response", ifMatch: ifMatch,
		allow: func(r *domain.Response) error {
			if !canSeeResponse(a, r) {
				return domain.NotFound("Response")
			}
			var err error
			c, err = get(ctx, s.store.Challenges(), r.ChallengeID, "Challenge")
			return err
		},
		apply: func(r *domain.Response) error {
			old := r.Status
			was = old
			var err error
			if a.Role == domain.RoleSME {
				err = s.smeEdit(r, c, u)
			} else {
				err = officerReview(r, c, u)
			}
			statusChanged = r.Status != old
			return err
		},
	})
	if err != nil {
		return nil, err
	}
	if statusChanged {
		s.audit(ctx, a, domain.AuditResponseStatus, "response", r.ID, was, r.Status, "challenge "+r.ChallengeID)
	}
	if statusChanged && a.Role != domain.RoleSME && r.Owner != "" {
		s.notify(ctx, r.Owner, domain.NotifyResponseStatus, fmt.Sprintf("Your response to “%s” is now %s.", c.Title, r.Status), "/challenges/"+c.ID)
	}
	return r, nil
}

func invalid(field, msg string) error {
	return &domain.Error{Code: domain.EINVALID, Message: "The request has invalid fields.", Fields: []domain.FieldError{{Field: field, Message: msg}}}
}

func (s *Service) smeEdit(r *domain.Response, c *domain.Challenge, u domain.ResponseUpdate) error {
	if u.Score != nil || u.Feedback != nil {
		return forbidden("Only the challenge's officers can score a response.")
	}
	if err := s.checkOpen(c); err != nil {
		return err
	}
	// Until the deadline the SME may improve its response, even once
	// shortlisted; an accepted or rejected one is settled.
	if r.Status == domain.ResponseAccepted || r.Status == domain.ResponseRejected {
		return domain.Errorf(domain.ECONFLICT, "A %s response can no longer be changed.", r.Status)
	}
	in := r.ResponseInput
	if u.Proposal != nil {
		in.Proposal = *u.Proposal
	}
	if u.Price != nil {
		in.Price = *u.Price
	}
	if u.Currency != nil {
		in.Currency = *u.Currency
	}
	if u.DurationWeeks != nil {
		in.DurationWeeks = *u.DurationWeeks
	}
	if err := in.Validate(); err != nil {
		return err
	}
	r.ResponseInput = in
	if u.Status != nil {
		switch *u.Status {
		case domain.ResponseWithdrawn, domain.ResponseSubmitted:
			// Resubmitting a shortlisted response keeps it shortlisted.
			if !(*u.Status == domain.ResponseSubmitted && r.Status == domain.ResponseShortlisted) {
				r.Status = *u.Status
			}
		default:
			return invalid("status", "an SME can set withdrawn or submitted")
		}
	}
	return nil
}

func officerReview(r *domain.Response, c *domain.Challenge, u domain.ResponseUpdate) error {
	if u.Proposal != nil || u.Price != nil || u.Currency != nil || u.DurationWeeks != nil {
		return forbidden("Only the responding SME can change its proposal.")
	}
	if r.Status == domain.ResponseWithdrawn {
		return domain.Errorf(domain.ECONFLICT, "This response was withdrawn.")
	}
	if c.Status == domain.ChallengeAwarded || c.Status == domain.ChallengeCancelled {
		return domain.Errorf(domain.ECONFLICT, "The challenge is %s; its responses are final.", c.Status)
	}
	if u.Status != nil {
		switch *u.Status {
		case domain.ResponseSubmitted, domain.ResponseShortlisted, domain.ResponseAccepted, domain.ResponseRejected:
			r.Status = *u.Status
		default:
			return invalid("status", "must be submitted, shortlisted, accepted or rejected")
		}
	}
	if u.Score != nil {
		if *u.Score < 0 || *u.Score > 100 {
			return invalid("score", "must be between 0 and 100")
		}
		sc := *u.Score
		r.Score = &sc
	}
	if u.Feedback != nil {
		if len(*u.Feedback) > 5000 {
			return invalid("feedback", "must be at most 5000 characters")
		}
		r.Feedback = *u.Feedback
	}
	return nil
}
