package importer

import (
	"os"
	"strings"
	"testing"
)

const sample = `{
 "smes": [{"externalId": "s1", "name": "Acme", "size": "micro", "region": "Liguria",
   "summary": "We map things.", "description": "", "capabilities": [" GIS ", "gis"],
   "skills": [], "cpv": ["71354000-4"], "website": "https://example.org"}],
 "challenges": [{"externalId": "c1", "title": "Maps", "organisation": "Genoa", "region": "Liguria",
   "summary": "Map it.", "description": "", "theme": "data", "requiredCapabilities": [],
   "requiredSkills": ["GIS"], "cpv": ["71354000-4"], "budget": {"min": 1, "max": 2, "currency": "EUR"},
   "deadline": "2027-03-12T17:00:00Z", "status": "open"}],
 "courses": [{"externalId": "k1", "provider": "P", "title": "GIS basics", "description": "d",
   "skills": ["GIS"], "mode": "online", "region": "Liguria", "hours": 6, "cost": 0, "funded": true}]
}`

func TestParse(t *testing.T) {
	ds, err := Parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.SMEs) != 1 || len(ds.Challenges) != 1 || len(ds.Courses) != 1 {
		t.Fatalf("got %d/%d/%d records", len(ds.SMEs), len(ds.Challenges), len(ds.Courses))
	}
	s, c := ds.SMEs[0], ds.Challenges[0]
	if s.ExternalID != "s1" || s.ID != "" || len(s.Capabilities) != 1 || s.Capabilities[0] != "GIS" {
		t.Fatalf("sme = %+v", s)
	}
	if c.Status != "open" || c.Budget.Currency != "EUR" || c.Deadline.Year() != 2027 {
		t.Fatalf("challenge = %+v", c)
	}
	if err := ds.Validate(); err != nil {
		t.Fatalf("valid sample: %v", err)
	}
}

func TestParseUnknownField(t *testing.T) {
	for in, path := range map[string]string{
		`{"smes": [], "extra": 1}`: "extra",
		strings.Replace(sample, `"currency": "EUR"`, `"currency": "EUR", "cap": 3`, 1): "challenges[0].budget.cap",
		strings.Replace(sample, `"hours": 6`, `"hour": 6`, 1):                          "courses[0].hour",
	} {
		_, err := Parse(strings.NewReader(in))
		if err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("want an error naming %s, got %v", path, err)
		}
	}
}

func TestParseBadJSON(t *testing.T) {
	if _, err := Parse(strings.NewReader(`{"smes": [`)); err == nil {
		t.Fatal("want an error")
	}
	if _, err := Parse(strings.NewReader(`{"smes": [{"name": 3}]}`)); err == nil {
		t.Fatal("want a type error")
	}
}

func TestValidatePaths(t *testing.T) {
	ds, _ := Parse(strings.NewReader(strings.Replace(sample, `"theme": "data"`, `"theme": "space"`, 1)))
	err := ds.Validate()
	if err == nil || !strings.Contains(err.Error(), "challenges[0].theme") {
		t.Fatalf("got %v", err)
	}
}

// The development split, when present beside the repository, must parse and
// validate: it is the reference for the format.
func TestParseDev(t *testing.T) {
	f, err := os.Open("../../../shared/eval/dev.json")
	if err != nil {
		t.Skip("../shared/eval not present:", err)
	}
	defer f.Close()
	ds, err := Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := ds.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(ds.SMEs) == 0 || len(ds.Challenges) == 0 || len(ds.Courses) == 0 {
		t.Fatal("empty dataset")
	}
}
