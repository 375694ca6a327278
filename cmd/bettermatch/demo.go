package main

import (
	"bytes"
	"context"
	"log/slog"

	"github.com/bettermatch/bettermatch/internal/demo"
	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/importer"
	"github.com/bettermatch/bettermatch/internal/service"
)

// loadDemo fills an empty database with the project's demo data and accounts,
// so a first `make run` has something to click through. A database with any
// data is left alone.
func loadDemo(ctx context.Context, a *app, log *slog.Logger) error {
	empty, err := a.svc.Empty(ctx)
	if err != nil || !empty {
		return err
	}
	ds, err := importer.Parse(bytes.NewReader(demo.JSON))
	if err != nil {
		return err
	}
	if _, err := a.svc.Import(ctx, ds.SMEs, ds.Challenges, ds.Courses, service.ImportOptions{}); err != nil {
		return err
	}
	var accounts []service.SeedAccount
	for _, acc := range demo.Accounts {
		sa := service.SeedAccount{Registration: domain.Registration{
			Email: acc.Email, Password: acc.Password, Name: acc.Name, Role: acc.Role, Organisation: acc.Organisation}}
		switch acc.Role {
		case domain.RoleSME:
			sa.SMEExternalID = acc.SME
		case domain.RoleProvider:
			sa.CoursesOf = acc.Organisation
		}
		accounts = append(accounts, sa)
	}
	if err := a.svc.Seed(ctx, accounts); err != nil {
		return err
	}
	log.Info("demo data loaded", "smes", len(ds.SMEs), "challenges", len(ds.Challenges), "courses", len(ds.Courses), "accounts", len(accounts))
	return nil
}
