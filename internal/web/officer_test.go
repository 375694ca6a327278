package web_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/service"
)

// A challenge imported with its organisation spelt otherwise than on an
// officer's account is on that officer's dashboard and theirs to manage;
// an officer of another organisation sees neither.
func TestOfficerOrganisationAnySpelling(t *testing.T) {
	s := newSite(t)
	c := &domain.Challenge{Status: domain.ChallengeDraft, ChallengeInput: domain.ChallengeInput{ExternalID: "imp-1",
		Title: "Reuse rainwater in schools", Organisation: " gävle  MUNICIPALITY", Summary: "Collect rainwater.",
		Theme: domain.ThemeOther, Region: "Gävleborg", Deadline: time.Now().AddDate(0, 2, 0)}}
	if _, err := s.env.Svc.Import(context.Background(), nil, []*domain.Challenge{c}, nil, service.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	officer := s.visitor()
	officer.register("Olga", "olga@example.org", "officer", "Gävle Municipality")
	s.verify("olga@example.org")
	stranger := s.visitor()
	stranger.register("Toomas", "toomas@example.org", "officer", "Tartu City")
	s.verify("toomas@example.org")

	mustContain(t, officer.get("/officer"), "Reuse rainwater in schools")
	mustContain(t, officer.get("/challenges/"+c.ID), "Manage this challenge")
	if p := officer.get("/officer/challenges/" + c.ID); p.Status != http.StatusOK {
		t.Fatalf("the officer's manage page: %d", p.Status)
	}

	mustNotContain(t, stranger.get("/officer"), "Reuse rainwater in schools")
	for _, path := range []string{"/challenges/" + c.ID, "/officer/challenges/" + c.ID} {
		if p := stranger.get(path); p.Status != http.StatusNotFound {
			t.Errorf("another organisation's officer gets %s: %d, want 404", path, p.Status)
		}
	}
}
