package httpapi_test

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"
)

// atom is what a feed reader needs from RFC 4287, read with encoding/xml.
type atom struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Author  []struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Links []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"link"`
	Entries []struct {
		ID        string `xml:"id"`
		Title     string `xml:"title"`
		Updated   string `xml:"updated"`
		Published string `xml:"published"`
		Summary   string `xml:"summary"`
		Author    []struct {
			Name string `xml:"name"`
		} `xml:"author"`
		Links []struct {
			Rel  string `xml:"rel,attr"`
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Categories []struct {
			Term string `xml:"term,attr"`
		} `xml:"category"`
	} `xml:"entry"`
}

func readFeed(t *testing.T, a *api, path string) atom {
	t.Helper()
	r := a.want(200, a.do("GET", path, "", nil))
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/atom+xml") {
		t.Fatalf("Content-Type %q", ct)
	}
	var f atom
	if err := xml.Unmarshal(r.Raw, &f); err != nil {
		t.Fatalf("not Atom XML: %v\n%s", err, r.Raw)
	}
	// RFC 4287 §4.1.1: a feed has exactly one id, title and updated, and an
	// author unless every entry has one; §4.1.2: each entry has id, title,
	// updated, and a link when it has no content.
	if f.ID == "" || f.Title == "" || len(f.Author) != 1 || f.Author[0].Name == "" {
		t.Fatalf("feed head incomplete: %+v", f)
	}
	if _, err := time.Parse(time.RFC3339, f.Updated); err != nil {
		t.Fatalf("feed updated %q: %v", f.Updated, err)
	}
	self := false
	for _, l := range f.Links {
		self = self || l.Rel == "self"
	}
	if !self {
		t.Fatal("feed without a self link")
	}
	ids := map[string]bool{}
	for _, e := range f.Entries {
		if e.ID == "" || e.Title == "" || len(e.Links) == 0 || e.Links[0].Rel != "alternate" || e.Summary == "" ||
			len(e.Author) != 1 || e.Author[0].Name == "" || len(e.Categories) == 0 {
			t.Fatalf("entry incomplete: %+v", e)
		}
		for _, ts := range []string{e.Updated, e.Published} {
			if _, err := time.Parse(time.RFC3339, ts); err != nil {
				t.Fatalf("entry date %q: %v", ts, err)
			}
		}
		if ids[e.ID] {
			t.Fatalf("entry id %s twice", e.ID)
		}
		ids[e.ID] = true
	}
	return f
}

func TestAtomFeed(t *testing.T) {
	a := newAPI(t)
	admin := a.admin()
	off, _ := a.verified(admin, "olu@birmingham.example", "officer", "Birmingham City Council")
	deadline := time.Now().Add(30 * 24 * time.Hour)
	publish := func(title, theme, region string) string {
		b := challengeBody(title, deadline)
		b["theme"], b["region"] = theme, region
		id := a.want(201, a.do("POST", "/api/v1/challenges", off, b)).str("id")
		a.want(200, a.do("POST", "/api/v1/challenges/"+id+"/publish", off, nil))
		a.env.Clock.Advance(time.Minute) // distinct publication times
		return id
	}
	first := publish("Clean air around schools", "mobility", "West Midlands")
	second := publish("Predict hospital admissions", "health", "West Midlands")
	third := publish("Join up open data <&> more", "data", "Liguria")
	a.want(201, a.do("POST", "/api/v1/challenges", off, challengeBody("A draft stays out", deadline)))

	f := readFeed(t, a, "/feeds/challenges.atom")
	if len(f.Entries) != 3 {
		t.Fatalf("%d entries, want the 3 open challenges", len(f.Entries))
	}
	for i, id := range []string{third, second, first} { // newest first
		if !strings.HasSuffix(f.Entries[i].ID, "/challenges/"+id) {
			t.Fatalf("entry %d is %s, want %s", i, f.Entries[i].ID, id)
		}
	}
	if f.Entries[0].Title != "Join up open data <&> more" || f.Entries[0].Author[0].Name != "Birmingham City Council" {
		t.Fatalf("entry = %+v", f.Entries[0])
	}
	if f := readFeed(t, a, "/feeds/challenges.atom?theme=health"); len(f.Entries) != 1 || !strings.HasSuffix(f.Entries[0].ID, second) {
		t.Fatalf("theme filter: %+v", f.Entries)
	}
	if f := readFeed(t, a, "/feeds/challenges.atom?region=West+Midlands"); len(f.Entries) != 2 {
		t.Fatalf("region filter: %d entries", len(f.Entries))
	}
	if f := readFeed(t, a, "/feeds/challenges.atom?theme=data&region=West+Midlands"); len(f.Entries) != 0 {
		t.Fatalf("both filters: %d entries", len(f.Entries))
	}
	a.want(422, a.do("GET", "/feeds/challenges.atom?theme=space", "", nil))

	// A closed challenge is no longer an opportunity.
	a.want(200, a.do("POST", "/api/v1/challenges/"+first+"/close", off, nil))
	if f := readFeed(t, a, "/feeds/challenges.atom"); len(f.Entries) != 2 {
		t.Fatalf("after closing one: %d entries", len(f.Entries))
	}
}
