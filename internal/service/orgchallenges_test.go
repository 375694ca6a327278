package service_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/service"
	"github.com/bettermatch/bettermatch/internal/testenv"
)

func officer(org string) *domain.User {
	return &domain.User{Meta: domain.Meta{ID: domain.NewID()}, Role: domain.RoleOfficer, Status: domain.StatusActive, Organisation: org}
}

func challengeIDs(p *service.Page[*domain.Challenge]) []string {
	ids := []string{}
	for _, c := range p.Items {
		ids = append(ids, c.ID)
	}
	slices.Sort(ids)
	return ids
}

func sorted(ids ...string) []string { return slices.Sorted(slices.Values(ids)) }

// An organisation's officers see all its challenges, on the dashboard
// (OrgChallenges) and in search, however the import and their accounts spell
// its name; officers of other organisations see none of its drafts.
func TestOrgChallengesAnySpelling(t *testing.T) {
	ctx := context.Background()
	env := testenv.New(t)
	deadline := time.Now().Add(30 * 24 * time.Hour)
	imported := func(ext, org, status string) *domain.Challenge {
		return &domain.Challenge{Status: status, ChallengeInput: domain.ChallengeInput{ExternalID: ext, Title: "Reuse rainwater " + ext,
			Organisation: org, Summary: "Collect rainwater.", Theme: domain.ThemeOther, Region: "Liguria", Deadline: deadline}}
	}
	chs := []*domain.Challenge{
		imported("g1", "genoa city council", domain.ChallengeDraft),
		imported("g2", "Genoa  City Council ", domain.ChallengeDraft),
		imported("g3", "GENOA CITY COUNCIL", domain.ChallengeOpen),
		imported("t1", "Tartu City", domain.ChallengeDraft),
	}
	if _, err := env.Svc.Import(ctx, nil, chs, nil, service.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	in := chs[0].ChallengeInput
	in.ExternalID = ""
	mine, err := env.Svc.CreateChallenge(ctx, officer("Genoa City Council"), in)
	if err != nil {
		t.Fatal(err)
	}
	genoa := sorted(chs[0].ID, chs[1].ID, chs[2].ID, mine.ID)
	genoaDrafts := sorted(chs[0].ID, chs[1].ID, mine.ID)

	tests := []struct {
		name, org  string
		dashboard  []string // OrgChallenges
		drafts     []string // OrgChallenges of status draft
		searchSees []string // search results of the drafts and the open one
	}{
		{"as written", "Genoa City Council", genoa, genoaDrafts, genoa},
		{"lower case", "genoa city council", genoa, genoaDrafts, genoa},
		{"extra spaces", "  Genoa\u00a0 CITY council", genoa, genoaDrafts, genoa},
		{"other organisation", "Tartu City", []string{chs[3].ID}, []string{chs[3].ID}, sorted(chs[2].ID, chs[3].ID)},
		{"organisation named like a part", "Genoa", []string{}, []string{}, []string{chs[2].ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := officer(tt.org)
			p, err := env.Svc.OrgChallenges(ctx, o, "", 50, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got := challengeIDs(p); !slices.Equal(got, tt.dashboard) || p.Total != len(tt.dashboard) {
				t.Errorf("OrgChallenges = %q (total %d), want %q", got, p.Total, tt.dashboard)
			}
			p, err = env.Svc.OrgChallenges(ctx, o, domain.ChallengeDraft, 50, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got := challengeIDs(p); !slices.Equal(got, tt.drafts) {
				t.Errorf("OrgChallenges(draft) = %q, want %q", got, tt.drafts)
			}
			p, err = env.Svc.SearchChallenges(ctx, o, service.ChallengeQuery{Q: "rainwater", Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			if got := challengeIDs(p); !slices.Equal(got, tt.searchSees) || p.Total != len(tt.searchSees) {
				t.Errorf("SearchChallenges = %q (total %d), want %q", got, p.Total, tt.searchSees)
			}
			// What the lists show, the access checks allow, and no more.
			for _, c := range append(chs, mine) {
				_, err := env.Svc.GetChallenge(ctx, o, c.ID)
				if want := slices.Contains(tt.searchSees, c.ID); (err == nil) != want {
					t.Errorf("GetChallenge %s (%q): err %v, want visible %v", c.ID, c.Organisation, err, want)
				}
			}
		})
	}

	// An officer may respell the organisation of a challenge of theirs (the
	// API decodes a whole body over it), not change it.
	o := officer("Genoa City Council")
	c, err := env.Svc.UpdateChallenge(ctx, o, chs[0].ID, chs[0].Version, func(in *domain.ChallengeInput) error {
		in.Organisation, in.Summary = o.Organisation, "Collect rainwater in schools."
		return nil
	})
	if err != nil {
		t.Fatalf("edit with the account's spelling: %v", err)
	}
	_, err = env.Svc.UpdateChallenge(ctx, o, c.ID, c.Version, func(in *domain.ChallengeInput) error {
		in.Organisation = "Tartu City"
		return nil
	})
	if domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("moving the challenge to another organisation: err %v, want EINVALID", err)
	}
}
