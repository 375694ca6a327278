package httpapi_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/httpapi"
	"github.com/bettermatch/bettermatch/internal/importer"
	"github.com/bettermatch/bettermatch/internal/ocds/ocdstest"
	"github.com/bettermatch/bettermatch/internal/service"
	"github.com/bettermatch/bettermatch/internal/testenv"
)

// world is a small published world: an officer's open challenge with two
// responses, a second challenge awarded to the first SME, a draft, a course.
type world struct {
	a                           *api
	admin, officer, other, sme  string
	open, awarded, draft, smeID string
	smeName                     string
	response                    string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	a := newAPI(t)
	w := &world{a: a, admin: a.admin(), smeName: "AirSense Ltd"}
	w.officer, _ = a.verified(w.admin, "olu@birmingham.example", "officer", "Birmingham City Council")
	w.other, _ = a.verified(w.admin, "ola@gavle.example", "officer", "Gävle Municipality")
	w.sme, _ = a.register("ada@example.org", "sme", "")
	sme2, _ := a.register("bo@example.org", "sme", "")
	body := smeBody(w.smeName, "We build low-cost air quality sensors.", "air quality monitoring")
	body["externalId"] = "sme-airsense"
	w.smeID = a.want(201, a.do("POST", "/api/v1/smes", w.sme, body)).str("id")
	body = smeBody("=Paperclip Co", "We print leaflets.")
	body["externalId"] = "sme-paperclip"
	a.want(201, a.do("POST", "/api/v1/smes", sme2, body))
	deadline := time.Now().Add(30 * 24 * time.Hour).UTC().Truncate(time.Second)
	mk := func(ext, title string) string {
		b := challengeBody(title, deadline)
		b["externalId"] = ext
		return a.want(201, a.do("POST", "/api/v1/challenges", w.officer, b)).str("id")
	}
	w.open, w.awarded, w.draft = mk("ch-open", "Clean air around schools"), mk("ch-award", "Sensors for bus stops"), mk("ch-draft", "A draft")
	resp := map[string]any{"proposal": "A pilot of 20 sensors around five schools with a public dashboard.", "price": 45000, "durationWeeks": 12}
	for _, id := range []string{w.open, w.awarded} {
		a.want(200, a.do("POST", "/api/v1/challenges/"+id+"/publish", w.officer, nil))
	}
	w.response = a.want(201, a.do("POST", "/api/v1/challenges/"+w.open+"/responses", w.sme, resp)).str("id")
	a.want(201, a.do("POST", "/api/v1/challenges/"+w.open+"/responses", sme2, resp))
	win := a.want(201, a.do("POST", "/api/v1/challenges/"+w.awarded+"/responses", w.sme, resp)).str("id")
	a.want(200, a.do("POST", "/api/v1/challenges/"+w.awarded+"/award", w.officer, map[string]any{"responseId": win}))
	prov, provID := a.register("pat@skills.example", "provider", "Midlands Skills Academy")
	a.want(200, a.do("POST", "/api/v1/users/"+provID+"/verify", w.admin, nil))
	a.want(201, a.do("POST", "/api/v1/courses", prov, map[string]any{"externalId": "course-dataviz",
		"title": "Data visualisation for public services", "description": "Dashboards and charts.",
		"skills": []string{"data visualisation", "D3"}, "mode": "online", "region": "West Midlands", "hours": 12, "cost": 0, "funded": true}))
	return w
}

func TestOCDS(t *testing.T) {
	w := newWorld(t)
	a := w.a
	r := a.want(200, a.do("GET", "/api/v1/ocds/releases", "", nil))
	ocdstest.ValidatePackage(t, r.Raw)
	var pkg struct {
		URI      string `json:"uri"`
		Releases []struct {
			OCID   string   `json:"ocid"`
			Tag    []string `json:"tag"`
			Tender struct {
				Status string `json:"status"`
				Value  struct {
					Amount float64 `json:"amount"`
				} `json:"value"`
				Items []struct {
					Classification struct{ Scheme, ID, Description string } `json:"classification"`
				} `json:"items"`
			} `json:"tender"`
			Awards []struct {
				Suppliers []struct{ ID, Name string } `json:"suppliers"`
			} `json:"awards"`
		} `json:"releases"`
	}
	if err := json.Unmarshal(r.Raw, &pkg); err != nil {
		t.Fatal(err)
	}
	if len(pkg.Releases) != 2 {
		t.Fatalf("%d releases, want the 2 published challenges: %s", len(pkg.Releases), r.Raw)
	}
	for _, rel := range pkg.Releases {
		switch rel.OCID {
		case "ocds-bm0001-" + w.open:
			if rel.Tag[0] != "tender" || rel.Tender.Status != "active" || rel.Tender.Value.Amount != 60000 ||
				rel.Tender.Items[0].Classification.Scheme != "CPV" || rel.Tender.Items[0].Classification.Description == "" {
				t.Errorf("open challenge release: %+v", rel)
			}
		case "ocds-bm0001-" + w.awarded:
			if rel.Tag[0] != "award" || rel.Tender.Status != "complete" || rel.Awards[0].Suppliers[0].Name != w.smeName {
				t.Errorf("awarded challenge release: %+v", rel)
			}
		default:
			t.Errorf("unexpected release %s", rel.OCID)
		}
	}
	one := a.want(200, a.do("GET", "/api/v1/challenges/"+w.awarded+"/ocds", "", nil))
	ocdstest.ValidatePackage(t, one.Raw)
	a.want(404, a.do("GET", "/api/v1/challenges/"+w.draft+"/ocds", w.officer, nil))
	a.want(404, a.do("GET", "/api/v1/challenges/not-an-id/ocds", "", nil))

	// ?since= lists only what changed: nothing after now, everything before.
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	if r := a.want(200, a.do("GET", "/api/v1/ocds/releases?since="+future, "", nil)); len(r.get("releases").([]any)) != 0 {
		t.Fatalf("since the future: %s", r.Raw)
	}
	if r := a.want(200, a.do("GET", "/api/v1/ocds/releases?since=2000-01-01T00:00:00Z", "", nil)); len(r.get("releases").([]any)) != 2 {
		t.Fatalf("since 2000: %s", r.Raw)
	}
	a.want(422, a.do("GET", "/api/v1/ocds/releases?since=yesterday", "", nil))
}

// getCSV fetches a CSV download and parses it with encoding/csv.
func getCSV(t *testing.T, a *api, path, token string) ([][]string, reply) {
	t.Helper()
	r := a.want(200, a.do("GET", path, token, nil))
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("%s: Content-Type %q", path, ct)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment; filename=") || !strings.Contains(cd, ".csv") {
		t.Fatalf("%s: Content-Disposition %q", path, cd)
	}
	rows, err := csv.NewReader(bytes.NewReader(r.Raw)).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v\n%s", path, err, r.Raw)
	}
	return rows, r
}

func column(rows [][]string, name string) []string {
	idx := -1
	for i, h := range rows[0] {
		if h == name {
			idx = i
		}
	}
	var out []string
	for _, r := range rows[1:] {
		if idx >= 0 {
			out = append(out, r[idx])
		}
	}
	return out
}

func TestCSVExports(t *testing.T) {
	w := newWorld(t)
	a := w.a
	rows, _ := getCSV(t, a, "/api/v1/challenges?format=csv", "")
	if len(rows) != 3 || rows[0][0] != "externalId" {
		t.Fatalf("anonymous challenges csv: %q", rows)
	}
	if rows, _ := getCSV(t, a, "/api/v1/challenges?format=csv", w.admin); len(rows) != 4 {
		t.Fatalf("admin sees drafts too: %d rows", len(rows))
	}
	if rows, r := getCSV(t, a, "/api/v1/challenges?format=csv&limit=1", ""); len(rows) != 2 || r.Header.Get("X-Total-Count") != "2" {
		t.Fatalf("one page: %d rows, total %q", len(rows), r.Header.Get("X-Total-Count"))
	}
	smes, _ := getCSV(t, a, "/api/v1/smes?format=csv", "")
	if len(smes) != 3 || column(smes, "owner") != nil {
		t.Fatalf("smes csv must hold public fields only: %q", smes[0])
	}
	if names := column(smes, "name"); !(names[0] == "'=Paperclip Co" || names[1] == "'=Paperclip Co") {
		t.Fatalf("formula-like name not defused: %q", names)
	}
	if caps := column(smes, "capabilities"); caps[0] == "" && caps[1] == "" {
		t.Fatalf("list cells empty: %q", caps)
	}
	if rows, _ := getCSV(t, a, "/api/v1/courses?format=csv", ""); len(rows) != 2 || column(rows, "skills")[0] != "data visualisation; D3" {
		t.Fatalf("courses csv: %q", rows)
	}

	// Responses: the same access rules as the JSON list.
	resp, _ := getCSV(t, a, "/api/v1/challenges/"+w.open+"/responses?format=csv", w.officer)
	if len(resp) != 3 || column(resp, "proposal")[0] == "" {
		t.Fatalf("officer's responses csv: %q", resp)
	}
	if own, _ := getCSV(t, a, "/api/v1/challenges/"+w.open+"/responses?format=csv", w.sme); len(own) != 2 || column(own, "smeId")[0] != w.smeID {
		t.Fatalf("an SME gets only its own response: %q", own)
	}
	a.want(403, a.do("GET", "/api/v1/challenges/"+w.open+"/responses?format=csv", w.other, nil))
	a.want(401, a.do("GET", "/api/v1/challenges/"+w.open+"/responses?format=csv", "", nil))

	st, _ := getCSV(t, a, "/api/v1/stats?format=csv", "")
	if st[0][0] != "dimension" || st[1][0] != "total" || st[1][2] != "2" {
		t.Fatalf("stats csv: %q", st)
	}
	dims := map[string]bool{}
	for _, r := range st[1:] {
		dims[r[0]] = true
	}
	if !dims["semester"] || !dims["theme"] || !dims["region"] {
		t.Fatalf("stats csv lacks a dimension: %q", st)
	}
	a.want(422, a.do("GET", "/api/v1/challenges?format=xml", "", nil))
}

// TestCSVRoundTrip exports every kind as CSV, imports the files into a fresh
// instance through the import path the command uses, exports again and gets
// the same rows (read-only columns aside).
func TestCSVRoundTrip(t *testing.T) {
	w := newWorld(t)
	env2 := testenv.New(t)
	srv2 := httptest.NewServer(httpapi.New(env2.Svc, httpapi.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	t.Cleanup(srv2.Close)
	b := &api{t: t, url: srv2.URL, env: env2}
	bAdmin := b.admin()

	readOnly := map[string]bool{"id": true, "createdAt": true, "updatedAt": true, "publishedAt": true, "closedAt": true, "awardedAt": true, "awardedSmeId": true}
	strip := func(rows [][]string) map[string][]string {
		out := map[string][]string{}
		for _, r := range rows[1:] {
			var keep []string
			for i, h := range rows[0] {
				if !readOnly[h] {
					keep = append(keep, h+"="+r[i])
				}
			}
			out[r[0]] = keep
		}
		return out
	}
	for _, kind := range []string{"smes", "challenges", "courses"} {
		before, _ := getCSV(t, w.a, "/api/v1/"+kind+"?format=csv", w.admin)
		_, r := getCSV(t, w.a, "/api/v1/"+kind+"?format=csv", w.admin)
		ds, err := importer.ParseCSV(bytes.NewReader(r.Raw), "")
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if probs := ds.Check(); len(probs) > 0 {
			t.Fatalf("%s: exported file does not import: %v", kind, probs)
		}
		rep, err := env2.Svc.Import(context.Background(), ds.SMEs, ds.Challenges, ds.Courses, service.ImportOptions{})
		if err != nil {
			t.Fatalf("%s: import: %v %+v", kind, err, rep)
		}
		after, _ := getCSV(t, b, "/api/v1/"+kind+"?format=csv", bAdmin)
		if len(after) != len(before) {
			t.Fatalf("%s: %d rows after the round trip, want %d", kind, len(after), len(before))
		}
		want, got := strip(before), strip(after)
		for key, row := range want {
			if strings.Join(got[key], "|") != strings.Join(row, "|") {
				t.Errorf("%s %s:\n got %q\nwant %q", kind, key, got[key], row)
			}
		}
	}
}
