package service

import (
	"context"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// CreateSME creates the caller's company profile (one per sme account). An admin
// may create profiles that no account owns, e.g. for imported companies.
func (s *Service) CreateSME(ctx context.Context, a *domain.User, in domain.SMEInput) (*domain.SME, error) {
	if err := requireRole(a, domain.RoleSME); err != nil {
		return nil, err
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if a.Role == domain.RoleSME && a.SMEID != "" {
		return nil, domain.Errorf(domain.ECONFLICT, "You already have a company profile; edit it instead.")
	}
	now := s.Now()
	sme := &domain.SME{Meta: domain.Meta{ID: newID(domain.KindSME, in.ExternalID), CreatedAt: now, UpdatedAt: now}, SMEInput: in}
	if a.Role == domain.RoleSME {
		sme.Owner = a.ID
	}
	if err := s.store.SMEs().Create(ctx, sme); err != nil {
		if domain.ErrorCode(err) == domain.ECONFLICT {
			return nil, domain.Errorf(domain.ECONFLICT, "A profile with this externalId already exists.")
		}
		return nil, err
	}
	if a.Role == domain.RoleSME {
		// Link the profile to its owner. The user's version guards against two
		// profiles created at once: the loser's profile is removed again.
		a.SMEID = sme.ID
		if err := s.users.Update(ctx, a); err != nil {
			a.SMEID = ""
			if derr := s.store.SMEs().Delete(context.WithoutCancel(ctx), sme.ID); derr != nil {
				s.log.ErrorContext(ctx, "remove unlinked profile", "sme", sme.ID, "err", derr)
			}
			if domain.ErrorCode(err) == domain.EPRECONDITION {
				return nil, domain.Errorf(domain.ECONFLICT, "You already have a company profile; edit it instead.")
			}
			return nil, err
		}
	}
	s.afterWrite(ctx, domain.KindSME, sme)
	return sme, nil
}

// GetSME reads a profile. Profiles are public; who owns one is shown only to
// its owner and admins.
func (s *Service) GetSME(ctx context.Context, a *domain.User, id string) (*domain.SME, error) {
	sme, err := read(ctx, s, s.store.SMEs(), domain.KindSME, id, "SME")
	if err != nil {
		return nil, err
	}
	return s.smeView(a, sme), nil
}

func (s *Service) smeView(a *domain.User, sme *domain.SME) *domain.SME {
	if ownsSME(a, sme) || isAdmin(a) {
		return sme
	}
	cp := *sme
	cp.Owner = ""
	return &cp
}

func ownsSME(a *domain.User, sme *domain.SME) bool {
	return a != nil && sme.Owner != "" && sme.Owner == a.ID && a.Role == domain.RoleSME
}

func (s *Service) allowSME(a *domain.User) func(*domain.SME) error {
	return func(sme *domain.SME) error {
		if err := signedIn(a); err != nil {
			return err
		}
		if !ownsSME(a, sme) && !isAdmin(a) {
			return forbidden("Only the company's own account can change this profile.")
		}
		return nil
	}
}

// UpdateSME applies edit to the owner's profile. edit writes onto the current
// values (a merge patch); ifMatch is the version the caller read, 0 if none.
func (s *Service) UpdateSME(ctx context.Context, a *domain.User, id string, ifMatch int64, edit func(*domain.SMEInput) error) (*domain.SME, error) {
	sme, err := update(ctx, s.store.SMEs(), id, change[*domain.SME]{
		kind: "SME", ifMatch: ifMatch, allow: s.allowSME(a),
		apply: func(sme *domain.SME) error {
			in := sme.SMEInput
			if err := edit(&in); err != nil {
				return err
			}
			if in.ExternalID != sme.ExternalID {
				return &domain.Error{Code: domain.EINVALID, Message: "The externalId cannot change.", Fields: []domain.FieldError{{Field: "externalId", Message: "cannot change once set"}}}
			}
			in.Normalize()
			if err := in.Validate(); err != nil {
				return err
			}
			sme.SMEInput = in
			return nil
		},
	})
	if err != nil {
		return nil, err
	}
	s.afterWrite(ctx, domain.KindSME, sme)
	return sme, nil
}

// DeleteSME removes a profile; its owner may then create a new one.
func (s *Service) DeleteSME(ctx context.Context, a *domain.User, id string, ifMatch int64) error {
	sme, err := get(ctx, s.store.SMEs(), id, "SME")
	if err != nil {
		return err
	}
	if err := s.allowSME(a)(sme); err != nil {
		return err
	}
	if err := checkVersion(ifMatch, &sme.Meta); err != nil {
		return err
	}
	// Unlink the owner first, then delete: a process killed in between leaves
	// a profile its owner no longer points at (they can edit or delete it, or
	// create a new one), never an owner pointing at no profile, who could
	// neither create one nor reach the old.
	var owner *domain.User
	if sme.Owner != "" {
		if u, err := s.users.Get(ctx, sme.Owner); err == nil && u.SMEID == id {
			u.SMEID = ""
			if err := s.users.Update(ctx, u); err != nil {
				return err
			}
			owner = u
		}
	}
	if err := s.store.SMEs().Delete(ctx, id); err != nil {
		if owner != nil && domain.ErrorCode(err) != domain.ENOTFOUND { // the profile stays: link it again
			owner.SMEID = id
			if lerr := s.users.Update(context.WithoutCancel(ctx), owner); lerr != nil {
				s.log.ErrorContext(ctx, "relink profile not deleted", "user", owner.ID, "err", lerr)
			}
		}
		return notFoundAs(err, "SME")
	}
	if owner != nil && a.ID == owner.ID {
		a.SMEID = ""
	}
	s.afterDelete(ctx, domain.KindSME, id)
	return nil
}

// MySME returns the caller's own profile, ENOTFOUND if it has none.
func (s *Service) MySME(ctx context.Context, a *domain.User) (*domain.SME, error) {
	if err := signedIn(a); err != nil {
		return nil, err
	}
	if a.SMEID == "" {
		return nil, domain.Errorf(domain.ENOTFOUND, "You have no company profile yet.")
	}
	return read(ctx, s, s.store.SMEs(), domain.KindSME, a.SMEID, "SME")
}

// SMEQuery is a search over public profiles.
type SMEQuery struct {
	Q, Region, Size string
	Limit, Offset   int
	// Facets asks for facets beyond the default ones (see domain.SearchRequest.Facets).
	Facets []string
}

// SearchSMEs lists public profiles matching q.
func (s *Service) SearchSMEs(ctx context.Context, a *domain.User, q SMEQuery) (*Page[*domain.SME], error) {
	req := domain.SearchRequest{Kind: domain.KindSME, Q: q.Q, Limit: q.Limit, Offset: q.Offset, Facets: q.Facets,
		Filters: filters("region", q.Region, "size", q.Size)}
	return search(ctx, s, req, s.store.SMEs(), func(sme *domain.SME) (*domain.SME, bool) {
		return s.smeView(a, sme), true
	})
}
