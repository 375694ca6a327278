package demo

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/importer"
)

var (
	cpvRe      = regexp.MustCompile(`^\d{8}-\d$`)
	currencyRe = regexp.MustCompile(`^(GBP|EUR|SEK|HUF)$`)
	regions    = map[string]bool{"Liguria": true, "West Midlands": true, "Észak-Alföld": true, "Gävleborg": true, "Tartu County": true}
	themes     = map[string]bool{"health": true, "data": true, "mobility": true, "sme-digital": true, "other": true}
	sizes      = map[string]bool{"micro": true, "small": true, "medium": true}
	modes      = map[string]bool{"online": true, "in-person": true, "blended": true}
)

// load reads demo.json with the importer the demo loader uses, which refuses
// unknown fields, so a misspelt field fails here instead of being dropped.
func load(t *testing.T) *importer.Dataset {
	t.Helper()
	ds, err := importer.Parse(bytes.NewReader(JSON))
	if err != nil {
		t.Fatalf("demo.json: %v", err)
	}
	return ds
}

func TestCounts(t *testing.T) {
	ds := load(t)
	if n := len(ds.SMEs); n < 30 || n > 40 {
		t.Errorf("%d SMEs, want about 36", n)
	}
	if n := len(ds.Challenges); n < 12 || n > 16 {
		t.Errorf("%d challenges, want about 14", n)
	}
	if n := len(ds.Courses); n < 20 || n > 28 {
		t.Errorf("%d courses, want about 24", n)
	}
}

func TestExternalIDsUnique(t *testing.T) {
	ds := load(t)
	seen := map[string]bool{}
	check := func(prefix, id string) {
		if !strings.HasPrefix(id, prefix) {
			t.Errorf("externalId %q should start with %q", id, prefix)
		}
		if seen[id] {
			t.Errorf("externalId %q is used twice", id)
		}
		seen[id] = true
	}
	for _, s := range ds.SMEs {
		check("demo-sme-", s.ExternalID)
	}
	for _, c := range ds.Challenges {
		check("demo-ch-", c.ExternalID)
	}
	for _, c := range ds.Courses {
		check("demo-co-", c.ExternalID)
	}
}

func TestCPVCodes(t *testing.T) {
	ds := load(t)
	check := func(id string, codes []string) {
		for _, c := range codes {
			if !cpvRe.MatchString(c) {
				t.Errorf("%s: CPV code %q is not like 72316000-3", id, c)
			}
		}
	}
	for _, s := range ds.SMEs {
		check(s.ExternalID, s.CPV)
	}
	for _, c := range ds.Challenges {
		check(c.ExternalID, c.CPV)
		if len(c.CPV) == 0 {
			t.Errorf("%s: no CPV codes", c.ExternalID)
		}
	}
}

func TestSMEs(t *testing.T) {
	ds := load(t)
	thin := 0
	for _, s := range ds.SMEs {
		if !sizes[s.Size] {
			t.Errorf("%s: size %q", s.ExternalID, s.Size)
		}
		if !regions[s.Region] {
			t.Errorf("%s: region %q is not a BETTER partner region", s.ExternalID, s.Region)
		}
		if s.Name == "" || s.Description == "" {
			t.Errorf("%s: needs a name and a description", s.ExternalID)
		}
		if len(s.Capabilities) == 0 && len(s.Skills) == 0 {
			thin++
		}
	}
	if thin == 0 {
		t.Error("no thin profiles (prose only); real data has some")
	}
}

func TestChallenges(t *testing.T) {
	ds := load(t)
	known := map[string]bool{}
	for _, o := range Organisations {
		known[o] = true
	}
	for _, a := range Accounts {
		if a.Role == "officer" {
			known[a.Organisation] = true
		}
	}
	after := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	drafts, officerOwns := 0, 0
	for _, c := range ds.Challenges {
		if !known[c.Organisation] {
			t.Errorf("%s: organisation %q is not a known demo organisation", c.ExternalID, c.Organisation)
		}
		if c.Organisation == officer().Organisation {
			officerOwns++
		}
		if !regions[c.Region] {
			t.Errorf("%s: region %q", c.ExternalID, c.Region)
		}
		if !themes[c.Theme] {
			t.Errorf("%s: theme %q", c.ExternalID, c.Theme)
		}
		switch d := c.Deadline; {
		case !d.After(after):
			t.Errorf("%s: deadline %s is not after %s", c.ExternalID, d, after)
		case d.Location() != time.UTC:
			t.Errorf("%s: deadline %s should be UTC", c.ExternalID, c.Deadline)
		}
		switch c.Status {
		case "open":
		case "draft":
			drafts++
		default:
			t.Errorf("%s: status %q, want open or draft", c.ExternalID, c.Status)
		}
		if !currencyRe.MatchString(c.Budget.Currency) || c.Budget.Min <= 0 || c.Budget.Min > c.Budget.Max {
			t.Errorf("%s: budget %+v", c.ExternalID, c.Budget)
		}
		if len(c.RequiredCapabilities) == 0 || len(c.RequiredSkills) == 0 {
			t.Errorf("%s: needs required capabilities and skills", c.ExternalID)
		}
	}
	if drafts != 1 {
		t.Errorf("%d drafts, want 1", drafts)
	}
	if officerOwns == 0 {
		t.Error("the demo officer's organisation has no challenges")
	}
}

// Every skill a challenge asks for is taught by some course, so the skills
// gap always has something to suggest; and every challenge has SMEs that
// show at least half of what it asks for.
func TestSkillsCoveredAndMatches(t *testing.T) {
	ds := load(t)
	taught := map[string]bool{}
	for _, c := range ds.Courses {
		for _, s := range c.Skills {
			taught[strings.ToLower(s)] = true
		}
	}
	for _, c := range ds.Challenges {
		for _, s := range c.RequiredSkills {
			if !taught[strings.ToLower(s)] {
				t.Errorf("%s: no course teaches %q", c.ExternalID, s)
			}
		}
		need := map[string]bool{}
		for _, s := range append(append([]string{}, c.RequiredCapabilities...), c.RequiredSkills...) {
			need[strings.ToLower(s)] = true
		}
		good := 0
		for _, s := range ds.SMEs {
			n := 0
			for _, h := range append(append([]string{}, s.Capabilities...), s.Skills...) {
				if need[strings.ToLower(h)] {
					n++
				}
			}
			if 2*n >= len(need) {
				good++
			}
		}
		if good < 2 {
			t.Errorf("%s: only %d SMEs show half of what it needs", c.ExternalID, good)
		}
	}
}

func TestCourses(t *testing.T) {
	ds := load(t)
	owned := 0
	for _, c := range ds.Courses {
		if !modes[c.Mode] {
			t.Errorf("%s: mode %q", c.ExternalID, c.Mode)
		}
		if c.Region != "" && !regions[c.Region] {
			t.Errorf("%s: region %q", c.ExternalID, c.Region)
		}
		if len(c.Skills) == 0 || c.Hours <= 0 || c.Cost < 0 {
			t.Errorf("%s: skills %v, hours %v, cost %v", c.ExternalID, c.Skills, c.Hours, c.Cost)
		}
		for _, a := range Accounts {
			if a.Role == "provider" && a.Organisation == c.Provider {
				owned++
			}
		}
	}
	if owned == 0 {
		t.Error("the demo provider owns no courses")
	}
}

func officer() Account {
	for _, a := range Accounts {
		if a.Role == "officer" {
			return a
		}
	}
	return Account{}
}

func TestAccounts(t *testing.T) {
	ds := load(t)
	smes := map[string]string{}
	for _, s := range ds.SMEs {
		smes[s.ExternalID] = s.Name
	}
	roles := map[string]int{}
	emails := map[string]bool{}
	for _, a := range Accounts {
		roles[a.Role]++
		if emails[strings.ToLower(a.Email)] {
			t.Errorf("%s is listed twice", a.Email)
		}
		emails[strings.ToLower(a.Email)] = true
		if len(a.Password) < 10 {
			t.Errorf("%s: password shorter than 10 characters", a.Email)
		}
		if !strings.HasSuffix(a.Email, "@demo.bettermatch.test") {
			t.Errorf("%s: demo accounts use @demo.bettermatch.test", a.Email)
		}
		switch a.Role {
		case domain.RoleSME:
			name, ok := smes[a.SME]
			if !ok {
				t.Errorf("%s: owns SME %q, which is not in demo.json", a.Email, a.SME)
			} else if name != a.Organisation {
				t.Errorf("%s: organisation %q, but the profile is %q", a.Email, a.Organisation, name)
			}
		case domain.RoleAdmin:
		default:
			if a.SME != "" {
				t.Errorf("%s: only sme accounts own a profile", a.Email)
			}
		}
		if a.Role != domain.RoleAdmin {
			r := domain.Registration{Email: a.Email, Password: a.Password, Name: a.Name, Role: a.Role, Organisation: a.Organisation}
			if err := r.Validate(); err != nil {
				t.Errorf("%s: %v", a.Email, err)
			}
		}
	}
	for _, r := range []string{domain.RoleSME, domain.RoleOfficer, domain.RoleProvider, domain.RoleAdmin} {
		if roles[r] != 1 {
			t.Errorf("%d %s accounts, want 1", roles[r], r)
		}
	}
}

// The records pass the domain's own validation, as the importer will apply it.
func TestDomainValidation(t *testing.T) {
	var raw struct {
		SMEs       []json.RawMessage `json:"smes"`
		Challenges []json.RawMessage `json:"challenges"`
		Courses    []json.RawMessage `json:"courses"`
	}
	if err := json.Unmarshal(JSON, &raw); err != nil {
		t.Fatal(err)
	}
	for _, m := range raw.SMEs {
		var in domain.SMEInput
		if err := json.Unmarshal(m, &in); err != nil {
			t.Fatal(err)
		}
		in.Normalize()
		if err := in.Validate(); err != nil {
			t.Errorf("%s: %v", in.ExternalID, err)
		}
	}
	for _, m := range raw.Challenges {
		var in domain.ChallengeInput
		if err := json.Unmarshal(m, &in); err != nil {
			t.Fatal(err)
		}
		in.Normalize()
		if err := in.Validate(); err != nil {
			t.Errorf("%s: %v", in.ExternalID, err)
		}
	}
	for _, m := range raw.Courses {
		var in domain.CourseInput
		if err := json.Unmarshal(m, &in); err != nil {
			t.Fatal(err)
		}
		in.Normalize()
		if err := in.Validate(); err != nil {
			t.Errorf("%s: %v", in.ExternalID, err)
		}
	}
}
