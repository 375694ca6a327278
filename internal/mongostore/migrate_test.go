package mongostore

import (
	"context"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/bettermatch/bettermatch/internal/domain"
)

func newChallenge(org string) *domain.Challenge {
	return &domain.Challenge{Meta: domain.Meta{ID: domain.NewID()}, Status: domain.ChallengeDraft,
		ChallengeInput: domain.ChallengeInput{Title: "Cut NO2", Organisation: org, Theme: domain.ThemeMobility,
			RequiredCapabilities: []string{}, RequiredSkills: []string{}, CPV: []string{}, Region: "Liguria",
			Deadline: bsonTime(time.Now().Add(time.Hour))}}
}

// findByOrg returns the ids of the challenges Find gives for the key of org,
// newest first, failing unless the total agrees.
func findByOrg(t *testing.T, s *Store, org string) []string {
	t.Helper()
	got, total, err := s.Challenges().Find(context.Background(), domain.Query{Where: map[string]any{domain.OrgKeyField: domain.OrgKey(org)}})
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, c := range got {
		ids = append(ids, c.ID)
	}
	if total != len(ids) {
		t.Fatalf("total %d for %d challenges", total, len(ids))
	}
	return ids
}

// Challenges are found by organisation key however the organisation is
// spelt, whether created, imported or edited, and keep the name as written.
func TestChallengesByOrgKey(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	created, imported, other := newChallenge("Genoa City Council"), newChallenge(" genoa  CITY council"), newChallenge("Tartu City")
	for _, c := range []*domain.Challenge{created, other} {
		if err := s.Challenges().Create(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Challenges().Import(ctx, []*domain.Challenge{imported}); err != nil {
		t.Fatal(err)
	}
	genoa := []string{imported.ID, created.ID} // newest first
	for _, org := range []string{"Genoa City Council", "GENOA CITY COUNCIL", "genoa\u00a0city council "} {
		if got := findByOrg(t, s, org); !slices.Equal(got, genoa) {
			t.Errorf("%q: got %q, want %q", org, got, genoa)
		}
	}
	if got := findByOrg(t, s, "Genoa"); len(got) != 0 {
		t.Errorf("another organisation's key finds %q", got)
	}
	got, err := s.Challenges().Get(ctx, imported.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Organisation != " genoa  CITY council" {
		t.Errorf("organisation %q, want it as written", got.Organisation)
	}

	// An edit that moves the challenge moves its key.
	if _, err := s.Challenges().Modify(ctx, created.ID, func(c *domain.Challenge) error {
		c.Organisation = "tartu city"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got, want := findByOrg(t, s, "Tartu City"), []string{other.ID, created.ID}; !slices.Equal(got, want) {
		t.Errorf("after the edit Tartu has %q, want %q", got, want)
	}
	if got, want := findByOrg(t, s, "Genoa City Council"), []string{imported.ID}; !slices.Equal(got, want) {
		t.Errorf("after the edit Genoa has %q, want %q", got, want)
	}
}

// A database written before challenges kept their organisation key gets the
// keys when a store opens it, once: old challenges are then found by key.
func TestMigrateOrgKeys(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	old := []*domain.Challenge{newChallenge("Genoa City Council"), newChallenge("genoa  city COUNCIL "), newChallenge("Tartu City")}
	for _, c := range old {
		if err := s.Challenges().Create(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	// Make the documents and the database what the older version left.
	coll := s.challenges.coll
	beforeOrgKeys(t, s)
	if n, err := coll.CountDocuments(ctx, bson.D{{Key: "orgKey", Value: bson.D{{Key: "$exists", Value: true}}}}); err != nil || n != 0 {
		t.Fatalf("%d documents keep a key (err %v)", n, err)
	}
	if got := findByOrg(t, s, "Genoa City Council"); len(got) != 0 {
		t.Fatalf("documents without keys found by key: %q", got)
	}

	s2 := mustOpenDB(t, s.db.Name())
	if got, want := findByOrg(t, s2, "GENOA CITY COUNCIL"), []string{old[1].ID, old[0].ID}; !slices.Equal(got, want) {
		t.Errorf("Genoa: got %q, want %q", got, want)
	}
	if got, want := findByOrg(t, s2, "tartu city"), []string{old[2].ID}; !slices.Equal(got, want) {
		t.Errorf("Tartu: got %q, want %q", got, want)
	}
	// The key is derived: the records, versions included, are unchanged.
	for _, c := range old {
		got, err := s2.Challenges().Get(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != c.Version || !got.UpdatedAt.Equal(c.UpdatedAt) || got.Organisation != c.Organisation {
			t.Errorf("migration changed %s: %+v, was %+v", c.ID, got.Meta, c.Meta)
		}
	}

	// Done once: a later Open does not look for documents without keys again
	// (on FerretDB that query scans the collection).
	if _, err := coll.UpdateOne(ctx, byID(old[2].ID), bson.D{{Key: "$unset", Value: bson.D{{Key: "orgKey", Value: ""}}}}); err != nil {
		t.Fatal(err)
	}
	s3 := mustOpenDB(t, s.db.Name())
	if got := findByOrg(t, s3, "Tartu City"); len(got) != 0 {
		t.Errorf("the migration ran again at a later Open")
	}
}

// beforeOrgKeys makes s's challenges and migrations what a version before
// organisation keys left: no orgKey, no migration done.
func beforeOrgKeys(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.challenges.coll.UpdateMany(ctx, bson.D{}, bson.D{{Key: "$unset", Value: bson.D{{Key: "orgKey", Value: ""}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Collection(migrationsName).DeleteMany(ctx, bson.D{}); err != nil {
		t.Fatal(err)
	}
}
