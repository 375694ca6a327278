package service

import (
	"context"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// The web dashboards list "my organisation's challenges" and "my courses",
// which the search index cannot filter by (it has no owner or organisation
// facet). These are small, per-account lists, so a store query serves them.

// OrgChallenges lists the challenges of the officer's organisation, drafts
// included, newest first, optionally of one status; an admin gets them all.
// The organisation is matched by its key (domain.OrgKey), as the access
// checks match it: an officer of "Genoa City Council" lists the challenges
// imported for "genoa city council" too.
func (s *Service) OrgChallenges(ctx context.Context, a *domain.User, status string, limit, offset int) (*Page[*domain.Challenge], error) {
	if err := signedIn(a); err != nil {
		return nil, err
	}
	where := map[string]any{}
	switch {
	case isAdmin(a):
	case a.Role == domain.RoleOfficer && a.Verified():
		key := domain.OrgKey(a.Organisation)
		if key == "" { // no organisation has no challenges (domain.SameOrg)
			limit, offset = ClampPage(limit, offset)
			return &Page[*domain.Challenge]{Items: []*domain.Challenge{}, Limit: limit, Offset: offset}, nil
		}
		where[domain.OrgKeyField] = key
	case a.Role == domain.RoleOfficer:
		return nil, forbidden("Your account is waiting to be verified by an administrator.")
	default:
		return nil, forbidden("Only officers have an organisation's challenges.")
	}
	if status != "" {
		where["status"] = status
	}
	limit, offset = ClampPage(limit, offset)
	items, total, err := s.store.Challenges().Find(ctx, domain.Query{Where: where, Limit: limit, Offset: offset})
	if err != nil {
		return nil, err
	}
	return &Page[*domain.Challenge]{Items: items, Total: total, Limit: limit, Offset: offset}, nil
}

// MyCourses lists the courses the provider listed, newest first; an admin gets
// them all.
func (s *Service) MyCourses(ctx context.Context, a *domain.User, limit, offset int) (*Page[*domain.Course], error) {
	if err := signedIn(a); err != nil {
		return nil, err
	}
	where := map[string]any{}
	if !isAdmin(a) {
		if a.Role != domain.RoleProvider {
			return nil, forbidden("Only training providers list courses.")
		}
		where["owner"] = a.ID
	}
	limit, offset = ClampPage(limit, offset)
	items, total, err := s.store.Courses().Find(ctx, domain.Query{Where: where, Limit: limit, Offset: offset})
	if err != nil {
		return nil, err
	}
	return &Page[*domain.Course]{Items: items, Total: total, Limit: limit, Offset: offset}, nil
}
