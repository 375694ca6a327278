package ocds_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/ocds"
	"github.com/bettermatch/bettermatch/internal/ocds/ocdstest"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func challenge(id, status string) *domain.Challenge {
	pub := t0
	c := &domain.Challenge{
		Meta:   domain.Meta{ID: id, CreatedAt: t0, UpdatedAt: t0.Add(time.Hour), Version: 3},
		Status: status, PublishedAt: &pub,
		ChallengeInput: domain.ChallengeInput{
			Title: "Cut NO2 near schools", Organisation: "Birmingham City Council",
			Summary: "Sensors near schools.", Description: "A network of low-cost sensors.",
			Theme: domain.ThemeMobility, CPV: []string{"72316000-3", "38432200"}, Region: "West Midlands",
			Budget: domain.Budget{Min: 20000, Max: 60000, Currency: "GBP"}, Deadline: t0.AddDate(0, 1, 0),
		},
	}
	switch status {
	case domain.ChallengeAwarded:
		at := t0.AddDate(0, 2, 0)
		c.ClosedAt, c.AwardedAt, c.AwardedSMEID, c.AwardedResponseID = &at, &at, "aaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbb"
	case domain.ChallengeClosed:
		at := t0.AddDate(0, 1, 1)
		c.ClosedAt = &at
	}
	return c
}

func TestRelease(t *testing.T) {
	r := ocds.NewRelease(challenge("0123456789abcdef01234567", domain.ChallengeOpen), "", ocds.Options{BaseURL: "https://match.example.org/"})
	if r.OCID != "ocds-bm0001-0123456789abcdef01234567" || r.InitiationType != "tender" || r.Tag[0] != "tender" {
		t.Fatalf("release head = %+v", r)
	}
	if r.Buyer.Name != "Birmingham City Council" || r.Parties[0].ID != r.Buyer.ID || r.Tender.Status != "active" {
		t.Fatalf("buyer/status = %+v", r)
	}
	if r.Tender.Value.Amount != 60000 || r.Tender.MinValue.Amount != 20000 || r.Tender.TenderPeriod.EndDate != "2026-04-02T09:00:00Z" {
		t.Fatalf("value/period = %+v", r.Tender)
	}
	it := r.Tender.Items[0].Classification
	if it.Scheme != "CPV" || it.ID != "72316000" || it.Description == "" {
		t.Fatalf("classification = %+v", it)
	}
	if r.Tender.Documents[0].URL != "https://match.example.org/challenges/0123456789abcdef01234567" {
		t.Fatalf("documents = %+v", r.Tender.Documents)
	}
}

func TestTenderStatus(t *testing.T) {
	cancelledLate := challenge("x", domain.ChallengeClosed)
	cancelledLate.Status = domain.ChallengeCancelled
	for _, tt := range []struct {
		c    *domain.Challenge
		want string
	}{
		{challenge("x", domain.ChallengeOpen), "active"},
		{challenge("x", domain.ChallengeClosed), "active"},
		{challenge("x", domain.ChallengeAwarded), "complete"},
		{challenge("x", domain.ChallengeCancelled), "cancelled"},
		{cancelledLate, "unsuccessful"},
	} {
		if got := ocds.TenderStatus(tt.c); got != tt.want {
			t.Errorf("%s (closed %v): %s, want %s", tt.c.Status, tt.c.ClosedAt != nil, got, tt.want)
		}
	}
}

func TestAward(t *testing.T) {
	r := ocds.NewRelease(challenge("0123456789abcdef01234567", domain.ChallengeAwarded), "AirSense Ltd", ocds.Options{})
	if r.Tag[0] != "award" || len(r.Awards) != 1 || r.Awards[0].Suppliers[0].Name != "AirSense Ltd" {
		t.Fatalf("award = %+v", r.Awards)
	}
	if len(r.Parties) != 2 || r.Parties[1].ID != r.Awards[0].Suppliers[0].ID {
		t.Fatalf("supplier party = %+v", r.Parties)
	}
}

// TestSchema streams a package of every kind of release and validates it with
// the official OCDS 1.1.5 schema.
func TestSchema(t *testing.T) {
	var buf bytes.Buffer
	pw := ocds.NewPackageWriter(&buf, "https://match.example.org/api/v1/ocds/releases", ocds.Publisher{Name: "bettermatch"})
	for i, st := range []string{domain.ChallengeOpen, domain.ChallengeClosed, domain.ChallengeAwarded, domain.ChallengeCancelled} {
		c := challenge("0123456789abcdef0123456"+string(rune('0'+i)), st)
		if st == domain.ChallengeCancelled {
			c.Budget = domain.Budget{} // no value at all must still validate
			c.CPV = nil
		}
		if err := pw.Add(ocds.NewRelease(c, "AirSense Ltd", ocds.Options{BaseURL: "https://match.example.org"})); err != nil {
			t.Fatal(err)
		}
	}
	if err := pw.Close(time.Now()); err != nil {
		t.Fatal(err)
	}
	ocdstest.ValidatePackage(t, buf.Bytes())
	var p ocds.Package
	if err := json.Unmarshal(buf.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Releases) != 4 || p.PublishedDate != "2026-03-02T10:00:00Z" {
		t.Fatalf("package = %d releases, published %s", len(p.Releases), p.PublishedDate)
	}

	one, _ := json.Marshal(ocds.NewPackage("https://match.example.org/x", ocds.Publisher{Name: "bettermatch"}, time.Now(),
		ocds.NewRelease(challenge("0123456789abcdef01234567", domain.ChallengeOpen), "", ocds.Options{})))
	ocdstest.ValidatePackage(t, one)

	// The validator is live: a status outside the closed codelist fails.
	bad := bytes.Replace(one, []byte(`"status":"active"`), []byte(`"status":"open"`), 1)
	if ocdstest.Check(t, bad) == nil {
		t.Fatal("a tender status of \"open\" passed the schema")
	}
}
