package service

import (
	"context"
	"fmt"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// SeedAccount is an account created by the operator (demo data, fixtures),
// active at once, optionally owning imported records.
type SeedAccount struct {
	domain.Registration
	// SMEExternalID names the imported profile an sme account owns.
	SMEExternalID string
	// CoursesOf: a provider account owns the imported courses whose provider
	// field equals this.
	CoursesOf string
}

// Empty reports whether the database holds no SMEs, challenges or courses.
func (s *Service) Empty(ctx context.Context) (bool, error) {
	for _, kind := range Kinds {
		n, err := s.count(ctx, kind)
		if err != nil || n > 0 {
			return false, err
		}
	}
	return true, nil
}

// Seed creates active accounts and links them to records already imported.
// Accounts that exist already are left alone, so seeding twice is harmless.
func (s *Service) Seed(ctx context.Context, accounts []SeedAccount) error {
	for _, acc := range accounts {
		if _, err := s.store.EmailOwner(ctx, domain.NormalizeEmail(acc.Email)); err == nil {
			continue
		} else if domain.ErrorCode(err) != domain.ENOTFOUND {
			return err
		}
		if acc.Role != domain.RoleAdmin {
			if err := acc.Registration.Validate(); err != nil {
				return fmt.Errorf("%s: %w", acc.Email, err)
			}
		}
		u, err := s.createUser(ctx, acc.Registration, domain.StatusActive)
		if err != nil {
			return fmt.Errorf("%s: %w", acc.Email, err)
		}
		if acc.SMEExternalID != "" {
			if err := s.linkSME(ctx, u, domain.KeyID(domain.KindSME, acc.SMEExternalID)); err != nil {
				return fmt.Errorf("%s: %w", acc.Email, err)
			}
		}
		if acc.CoursesOf != "" {
			if err := s.linkCourses(ctx, u, acc.CoursesOf); err != nil {
				return fmt.Errorf("%s: %w", acc.Email, err)
			}
		}
	}
	return nil
}

func (s *Service) linkSME(ctx context.Context, u *domain.User, smeID string) error {
	sme, err := s.store.SMEs().Get(ctx, smeID)
	if err != nil {
		return err
	}
	sme.Owner = u.ID
	if err := s.store.SMEs().Update(ctx, sme); err != nil {
		return err
	}
	u.SMEID = sme.ID
	if err := s.users.Update(ctx, u); err != nil {
		return err
	}
	s.afterWrite(ctx, domain.KindSME, sme)
	return nil
}

func (s *Service) linkCourses(ctx context.Context, u *domain.User, provider string) error {
	return s.store.Courses().Each(ctx, func(c *domain.Course) error {
		if c.Provider != provider || c.Owner != "" {
			return nil
		}
		c.Owner = u.ID
		if err := s.store.Courses().Update(ctx, c); err != nil {
			return err
		}
		s.afterWrite(ctx, domain.KindCourse, c)
		return nil
	})
}
