package service

import (
	"context"

	"github.com/bettermatch/bettermatch/internal/domain"
)

func ownsCourse(a *domain.User, c *domain.Course) bool {
	return a != nil && a.Role == domain.RoleProvider && c.Owner == a.ID
}

func (s *Service) allowCourse(a *domain.User) func(*domain.Course) error {
	return func(c *domain.Course) error {
		if err := requireRole(a, domain.RoleProvider); err != nil {
			return err
		}
		if !ownsCourse(a, c) && !isAdmin(a) {
			return forbidden("Only the provider who listed this course can change it.")
		}
		return nil
	}
}

// CreateCourse lists a course for a verified provider.
func (s *Service) CreateCourse(ctx context.Context, a *domain.User, in domain.CourseInput) (*domain.Course, error) {
	if err := requireRole(a, domain.RoleProvider); err != nil {
		return nil, err
	}
	if a.Role == domain.RoleProvider && in.Provider == "" {
		in.Provider = a.Organisation
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		return nil, err
	}
	now := s.Now()
	c := &domain.Course{Meta: domain.Meta{ID: newID(domain.KindCourse, in.ExternalID), CreatedAt: now, UpdatedAt: now}, CourseInput: in}
	if a.Role == domain.RoleProvider {
		c.Owner = a.ID
	}
	if err := s.store.Courses().Create(ctx, c); err != nil {
		if domain.ErrorCode(err) == domain.ECONFLICT {
			return nil, domain.Errorf(domain.ECONFLICT, "A course with this externalId already exists.")
		}
		return nil, err
	}
	s.afterWrite(ctx, domain.KindCourse, c)
	return c, nil
}

// GetCourse reads a course; courses are public.
func (s *Service) GetCourse(ctx context.Context, id string) (*domain.Course, error) {
	return read(ctx, s, s.store.Courses(), domain.KindCourse, id, "Course")
}

// UpdateCourse edits the provider's own course.
func (s *Service) UpdateCourse(ctx context.Context, a *domain.User, id string, ifMatch int64, edit func(*domain.CourseInput) error) (*domain.Course, error) {
	c, err := update(ctx, s.store.Courses(), id, change[*domain.Course]{
		kind: "Course", ifMatch: ifMatch, allow: s.allowCourse(a),
		apply: func(c *domain.Course) error {
			in := c.CourseInput
			if err := edit(&in); err != nil {
				return err
			}
			if in.ExternalID != c.ExternalID {
				return invalid("externalId", "cannot change once set")
			}
			in.Normalize()
			if err := in.Validate(); err != nil {
				return err
			}
			c.CourseInput = in
			return nil
		},
	})
	if err != nil {
		return nil, err
	}
	s.afterWrite(ctx, domain.KindCourse, c)
	return c, nil
}

// DeleteCourse removes the provider's own course.
func (s *Service) DeleteCourse(ctx context.Context, a *domain.User, id string, ifMatch int64) error {
	c, err := get(ctx, s.store.Courses(), id, "Course")
	if err != nil {
		return err
	}
	if err := s.allowCourse(a)(c); err != nil {
		return err
	}
	if err := checkVersion(ifMatch, &c.Meta); err != nil {
		return err
	}
	if err := s.store.Courses().Delete(ctx, id); err != nil {
		return notFoundAs(err, "Course")
	}
	s.afterDelete(ctx, domain.KindCourse, id)
	return nil
}

// CourseQuery is a search over courses.
type CourseQuery struct {
	Q, Skill, Mode, Region string
	Limit, Offset          int
	// Facets asks for facets beyond the default ones (see domain.SearchRequest.Facets).
	Facets []string
}

// SearchCourses lists courses matching q.
func (s *Service) SearchCourses(ctx context.Context, q CourseQuery) (*Page[*domain.Course], error) {
	req := domain.SearchRequest{Kind: domain.KindCourse, Q: q.Q, Limit: q.Limit, Offset: q.Offset, Facets: q.Facets,
		Filters: filters("skills", q.Skill, "mode", q.Mode, "region", q.Region)}
	return search(ctx, s, req, s.store.Courses(), func(c *domain.Course) (*domain.Course, bool) { return c, true })
}
