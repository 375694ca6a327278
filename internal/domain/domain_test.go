package domain

import (
	"strings"
	"testing"
	"time"
)

func TestRegistrationValidate(t *testing.T) {
	ok := Registration{Email: "a@example.org", Password: "correct-horse-battery", Name: "A", Role: RoleSME}
	tests := []struct {
		name  string
		edit  func(*Registration)
		field string // "" = valid
	}{
		{"OK", func(*Registration) {}, ""},
		{"BadEmail", func(r *Registration) { r.Email = "not-an-email" }, "email"},
		{"EmailWithName", func(r *Registration) { r.Email = "A <a@example.org>" }, "email"},
		{"ShortPassword", func(r *Registration) { r.Password = "short1234" }, "password"},
		{"RepetitivePassword", func(r *Registration) { r.Password = "aaaaaaaaaaaa" }, "password"},
		{"LongPassword", func(r *Registration) { r.Password = strings.Repeat("ab1", 30) }, "password"},
		{"AdminRole", func(r *Registration) { r.Role = RoleAdmin }, "role"},
		{"OfficerNeedsOrg", func(r *Registration) { r.Role = RoleOfficer }, "organisation"},
		{"NoName", func(r *Registration) { r.Name = " " }, "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ok
			tt.edit(&r)
			assertField(t, r.Validate(), tt.field)
		})
	}
}

func TestChallengeInputValidate(t *testing.T) {
	ok := ChallengeInput{Title: "Cut NO2 near schools", Organisation: "Gävle Municipality", Summary: "s",
		Theme: ThemeMobility, Region: "Gävleborg", CPV: []string{"90731000-0"}, Deadline: time.Now().Add(time.Hour),
		Budget: Budget{Min: 1, Max: 2, Currency: "SEK"}}
	tests := []struct {
		name  string
		edit  func(*ChallengeInput)
		field string
	}{
		{"OK", func(*ChallengeInput) {}, ""},
		{"Theme", func(c *ChallengeInput) { c.Theme = "space" }, "theme"},
		{"CPV", func(c *ChallengeInput) { c.CPV = []string{"7231"} }, "cpv"},
		{"Budget", func(c *ChallengeInput) { c.Budget.Min = 5 }, "budget.min"},
		{"Negative", func(c *ChallengeInput) { c.Budget.Max = -1 }, "budget"},
		{"Currency", func(c *ChallengeInput) { c.Budget.Currency = "pounds" }, "budget.currency"},
		{"Deadline", func(c *ChallengeInput) { c.Deadline = time.Time{} }, "deadline"},
		{"NUL", func(c *ChallengeInput) { c.Title = "a\x00bc" }, "title"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.edit(&c)
			assertField(t, c.Validate(), tt.field)
		})
	}
}

func assertField(t *testing.T, err error, field string) {
	t.Helper()
	if field == "" {
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		return
	}
	e, ok := err.(*Error)
	if !ok || e.Code != EINVALID {
		t.Fatalf("want EINVALID on %s, got %v", field, err)
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return
		}
	}
	t.Fatalf("want a problem with %s, got %+v", field, e.Fields)
}

func TestIDs(t *testing.T) {
	if !ValidID(NewID()) || ValidID("x") || ValidID(strings.Repeat("g", 24)) || ValidID(strings.Repeat("A", 24)) {
		t.Fatal("ValidID misjudges")
	}
	if KeyID("sme", "a") != KeyID("sme", "a") || KeyID("sme", "a") == KeyID("course", "a") || !ValidID(KeyID("sme", "a")) {
		t.Fatal("KeyID must be stable, kind-specific and well-formed")
	}
	if CleanList([]string{" a", "A", "", "b"})[1] != "b" {
		t.Fatal("CleanList must drop blanks and case-insensitive repeats")
	}
}
