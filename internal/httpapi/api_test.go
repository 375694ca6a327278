package httpapi_test

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

func challengeBody(title string, deadline time.Time) map[string]any {
	return map[string]any{
		"title":                title,
		"summary":              "Measure NO2 and PM2.5 around primary schools in real time.",
		"description":          "We need a network of low-cost air quality sensors near schools, with open data dashboards for parents.",
		"theme":                "mobility",
		"requiredCapabilities": []string{"air quality monitoring", "IoT sensor networks"},
		"requiredSkills":       []string{"data visualisation"},
		"cpv":                  []string{"38432200-4", "72316000-3"},
		"region":               "West Midlands",
		"budget":               map[string]any{"min": 20000, "max": 60000, "currency": "GBP"},
		"deadline":             deadline.Format(time.RFC3339),
	}
}

func smeBody(name, summary string, caps ...string) map[string]any {
	return map[string]any{
		"name": name, "size": "small", "region": "West Midlands", "summary": summary,
		"description": summary + " We work with councils across the region.", "capabilities": caps,
		"skills": []string{"Python"}, "cpv": []string{"72316000-3"}, "website": "https://example.org",
	}
}

// TestJourneys walks every role's core journey, refusals included.
func TestJourneys(t *testing.T) {
	a := newAPI(t)
	adminTok := a.admin()
	deadline := time.Now().Add(30 * 24 * time.Hour).UTC().Truncate(time.Second)

	// --- Accounts ---
	smeTok, _ := a.register("Ada@Example.org", "sme", "")
	a.want(409, a.do("POST", "/api/v1/auth/register", "", map[string]any{
		"email": "ada@example.ORG", "password": "a-long-passphrase", "name": "Dup", "role": "sme"}))
	a.want(422, a.do("POST", "/api/v1/auth/register", "", map[string]any{
		"email": "weak@example.org", "password": "short", "name": "W", "role": "sme"}))
	r := a.want(422, a.do("POST", "/api/v1/auth/register", "", map[string]any{
		"email": "boss@example.org", "password": "a-long-passphrase", "name": "B", "role": "admin"}))
	if r.get("errors") == nil {
		t.Fatalf("validation problem without field errors: %s", r.Raw)
	}
	a.want(401, a.do("POST", "/api/v1/auth/login", "", map[string]any{"email": "ada@example.org", "password": "wrong-password!"}))
	a.want(401, a.do("POST", "/api/v1/auth/login", "", map[string]any{"email": "nobody@example.org", "password": "wrong-password!"}))
	if tok := a.login("ADA@example.org", "a-long-passphrase"); tok == "" {
		t.Fatal("login with different case failed")
	}
	me := a.want(200, a.do("GET", "/api/v1/me", smeTok, nil))
	if me.str("email") != "ada@example.org" || me.str("role") != "sme" || me.get("passwordHash") != nil {
		t.Fatalf("/me = %s", me.Raw)
	}
	a.want(401, a.do("GET", "/api/v1/me", "", nil))

	// Officers wait for verification and cannot draft before.
	offTok, offID := a.register("olu@birmingham.example", "officer", "Birmingham City Council")
	a.want(403, a.do("POST", "/api/v1/challenges", offTok, challengeBody("Clean air around schools", deadline)))
	pend := a.want(200, a.do("GET", "/api/v1/users?status=pending", adminTok, nil))
	if len(pend.items()) != 1 || pend.items()[0]["id"] != offID {
		t.Fatalf("pending = %s", pend.Raw)
	}
	a.want(403, a.do("GET", "/api/v1/users?status=pending", smeTok, nil))
	a.want(403, a.do("POST", "/api/v1/users/"+offID+"/verify", smeTok, nil))
	a.want(200, a.do("POST", "/api/v1/users/"+offID+"/verify", adminTok, nil))
	otherTok, _ := a.verified(adminTok, "ola@gavle.example", "officer", "Gävle Municipality")

	// --- SME profiles ---
	sme := a.want(201, a.do("POST", "/api/v1/smes", smeTok, smeBody("AirSense Ltd",
		"We build low-cost air quality sensors and IoT sensor networks that monitor NO2 near schools.",
		"air quality monitoring", "IoT sensor networks")))
	smeID := sme.str("id")
	if sme.Header.Get("ETag") != `"v1"` || sme.get("version") != float64(1) {
		t.Fatalf("new profile etag %q version %v", sme.Header.Get("ETag"), sme.get("version"))
	}
	a.want(409, a.do("POST", "/api/v1/smes", smeTok, smeBody("Second Ltd", "A second profile for the same account.")))
	sme2Tok, _ := a.register("bo@example.org", "sme", "")
	sme2 := a.want(201, a.do("POST", "/api/v1/smes", sme2Tok, smeBody("Paperclip Co",
		"We print leaflets and sell office stationery.")))
	a.want(403, a.do("PATCH", "/api/v1/smes/"+smeID, sme2Tok, map[string]any{"name": "Hijacked"}))
	a.want(412, a.do("PATCH", "/api/v1/smes/"+smeID, smeTok, map[string]any{"name": "AirSense"}, hdr{"If-Match": `"v7"`}))
	up := a.want(200, a.do("PATCH", "/api/v1/smes/"+smeID, smeTok, map[string]any{"summary": "We build air quality sensors and data visualisation dashboards that monitor NO2 near schools."}, hdr{"If-Match": `"v1"`}))
	if up.Header.Get("ETag") != `"v2"` || up.str("name") != "AirSense Ltd" {
		t.Fatalf("patch kept other fields? etag %q body %s", up.Header.Get("ETag"), up.Raw)
	}
	a.want(412, a.do("PATCH", "/api/v1/smes/"+smeID, smeTok, map[string]any{"name": "Stale"}, hdr{"If-Match": `"v1"`}))
	pub := a.want(200, a.do("GET", "/api/v1/smes/"+smeID, "", nil))
	if pub.get("owner") != nil {
		t.Fatalf("public profile shows its owner: %s", pub.Raw)
	}
	a.want(404, a.do("GET", "/api/v1/smes/not-an-id", "", nil))
	a.want(404, a.do("GET", "/api/v1/smes/"+strings.Repeat("0", 24), "", nil))
	found := a.want(200, a.do("GET", "/api/v1/smes?q=sensor&region=West+Midlands", "", nil))
	if found.get("total") != float64(1) || found.items()[0]["id"] != smeID || found.get("facets") == nil {
		t.Fatalf("search smes = %s", found.Raw)
	}
	// Search results come from the index's copy of the record, through the same
	// view as a read: the owner only for the owner.
	if found.items()[0]["owner"] != nil {
		t.Fatalf("public search shows the owner: %s", found.Raw)
	}
	if mine := a.want(200, a.do("GET", "/api/v1/smes?q=sensor", smeTok, nil)); mine.items()[0]["owner"] == nil {
		t.Fatalf("owner's search hides the owner: %s", mine.Raw)
	}
	// Skills and capabilities are counted only when asked for.
	facets := func(r reply) map[string]any { f, _ := r.get("facets").(map[string]any); return f }
	if f := facets(found); f["skills"] != nil || f["region"] == nil {
		t.Fatalf("default facets = %v", f)
	}
	if f := facets(a.want(200, a.do("GET", "/api/v1/smes?q=sensor&facets=skills,capabilities", "", nil))); f["skills"] == nil || f["capabilities"] == nil {
		t.Fatalf("facets=skills,capabilities: %v", f)
	}
	a.want(422, a.do("GET", "/api/v1/smes?facets=theme", "", nil))

	// --- Challenges ---
	ch := a.want(201, a.do("POST", "/api/v1/challenges", offTok, challengeBody("Clean air around schools", deadline)))
	chID := ch.str("id")
	if ch.str("status") != "draft" || ch.str("organisation") != "Birmingham City Council" {
		t.Fatalf("draft = %s", ch.Raw)
	}
	a.want(404, a.do("GET", "/api/v1/challenges/"+chID, "", nil))
	a.want(404, a.do("GET", "/api/v1/challenges/"+chID, otherTok, nil))
	a.want(404, a.do("GET", "/api/v1/challenges/"+chID, smeTok, nil))
	a.want(200, a.do("GET", "/api/v1/challenges/"+chID, offTok, nil))
	a.want(404, a.do("PATCH", "/api/v1/challenges/"+chID, otherTok, map[string]any{"title": "Mine now"}))
	a.want(403, a.do("POST", "/api/v1/challenges", smeTok, challengeBody("SMEs cannot post", deadline)))
	if r := a.want(200, a.do("GET", "/api/v1/challenges?q=air", "", nil)); r.get("total") != float64(0) {
		t.Fatalf("anonymous search shows a draft: %s", r.Raw)
	}
	if r := a.want(200, a.do("GET", "/api/v1/challenges?q=air", offTok, nil)); r.get("total") != float64(1) {
		t.Fatalf("owner's search misses its draft: %s", r.Raw)
	}
	a.want(409, a.do("POST", "/api/v1/challenges/"+chID+"/close", offTok, nil))
	a.want(403, a.do("POST", "/api/v1/challenges/"+chID+"/publish", smeTok, nil))
	published := a.want(200, a.do("POST", "/api/v1/challenges/"+chID+"/publish", offTok, nil))
	if published.str("status") != "open" || published.get("publishedAt") == nil {
		t.Fatalf("publish = %s", published.Raw)
	}
	a.want(200, a.do("GET", "/api/v1/challenges/"+chID, "", nil))
	list := a.want(200, a.do("GET", "/api/v1/challenges?q=schools&theme=mobility", "", nil))
	if list.get("total") != float64(1) {
		t.Fatalf("search challenges = %s", list.Raw)
	}
	a.want(409, a.do("DELETE", "/api/v1/challenges/"+chID, offTok, nil))

	// --- Matches ---
	m := a.want(200, a.do("GET", "/api/v1/challenges/"+chID+"/matches?limit=5", offTok, nil))
	items := m.items()
	if len(items) == 0 || items[0]["sme"].(map[string]any)["id"] != smeID {
		t.Fatalf("best match is not the air-quality SME: %s", m.Raw)
	}
	score := items[0]["score"].(float64)
	if score <= 0 || score > 1 || items[0]["explanation"] == nil {
		t.Fatalf("match score/explanation: %s", m.Raw)
	}
	if len(items) > 1 && items[1]["score"].(float64) > score {
		t.Fatalf("matches not in order: %s", m.Raw)
	}
	a.want(403, a.do("GET", "/api/v1/challenges/"+chID+"/matches", smeTok, nil))
	a.want(403, a.do("GET", "/api/v1/challenges/"+chID+"/matches", otherTok, nil))
	a.want(401, a.do("GET", "/api/v1/challenges/"+chID+"/matches", "", nil))
	sm := a.want(200, a.do("GET", "/api/v1/smes/"+smeID+"/matches", smeTok, nil))
	if len(sm.items()) == 0 || sm.items()[0]["challenge"].(map[string]any)["id"] != chID {
		t.Fatalf("sme matches = %s", sm.Raw)
	}
	a.want(403, a.do("GET", "/api/v1/smes/"+smeID+"/matches", sme2Tok, nil))
	a.want(200, a.do("GET", "/api/v1/smes/"+smeID+"/skills-gap?challenge="+chID, smeTok, nil))
	a.want(403, a.do("GET", "/api/v1/smes/"+smeID+"/skills-gap?challenge="+chID, sme2Tok, nil))

	// The well-matching SME heard about the publication.
	notes := a.want(200, a.do("GET", "/api/v1/notifications", smeTok, nil))
	if len(notes.items()) == 0 {
		t.Fatalf("no notification for the matching SME: %s", notes.Raw)
	}
	noteID := notes.items()[0]["id"].(string)
	a.want(404, a.do("POST", "/api/v1/notifications/"+noteID+"/read", sme2Tok, nil))
	if r := a.want(200, a.do("POST", "/api/v1/notifications/"+noteID+"/read", smeTok, nil)); r.get("read") != true {
		t.Fatalf("mark read = %s", r.Raw)
	}

	// --- Responses ---
	resp := map[string]any{"proposal": "A pilot of 20 sensors around five schools with a public dashboard.", "price": 45000, "durationWeeks": 12}
	a.want(403, a.do("POST", "/api/v1/challenges/"+chID+"/responses", offTok, resp))
	rr := a.want(201, a.do("POST", "/api/v1/challenges/"+chID+"/responses", smeTok, resp))
	respID := rr.str("id")
	a.want(409, a.do("POST", "/api/v1/challenges/"+chID+"/responses", smeTok, resp))
	a.want(201, a.do("POST", "/api/v1/challenges/"+chID+"/responses", sme2Tok, resp))
	all := a.want(200, a.do("GET", "/api/v1/challenges/"+chID+"/responses", offTok, nil))
	if all.get("total") != float64(2) {
		t.Fatalf("officer sees %v responses, want 2", all.get("total"))
	}
	own := a.want(200, a.do("GET", "/api/v1/challenges/"+chID+"/responses", sme2Tok, nil))
	if own.get("total") != float64(1) || own.items()[0]["smeId"] != sme2.str("id") {
		t.Fatalf("an SME must see only its own response: %s", own.Raw)
	}
	a.want(403, a.do("GET", "/api/v1/challenges/"+chID+"/responses", otherTok, nil))
	a.want(404, a.do("GET", "/api/v1/responses/"+respID, sme2Tok, nil))
	a.want(403, a.do("PATCH", "/api/v1/responses/"+respID, smeTok, map[string]any{"score": 99}))
	a.want(403, a.do("PATCH", "/api/v1/responses/"+respID, offTok, map[string]any{"price": 1}))
	a.want(404, a.do("PATCH", "/api/v1/responses/"+respID, otherTok, map[string]any{"status": "rejected"}))
	a.want(422, a.do("PATCH", "/api/v1/responses/"+respID, offTok, map[string]any{"score": 101}))
	rev := a.want(200, a.do("PATCH", "/api/v1/responses/"+respID, offTok, map[string]any{"status": "shortlisted", "score": 80, "feedback": "Strong pilot plan."}))
	if rev.str("status") != "shortlisted" || rev.get("score") != float64(80) {
		t.Fatalf("review = %s", rev.Raw)
	}
	a.want(200, a.do("PATCH", "/api/v1/responses/"+respID, smeTok, map[string]any{"price": 44000}, hdr{"If-Match": `"v2"`}))
	mine := a.want(200, a.do("GET", "/api/v1/smes/"+smeID+"/responses", smeTok, nil))
	if mine.get("total") != float64(1) {
		t.Fatalf("my responses = %s", mine.Raw)
	}

	// Withdraw, then the deadline passes: no more edits.
	wd := a.want(200, a.do("PATCH", "/api/v1/responses/"+own.items()[0]["id"].(string), sme2Tok, map[string]any{"status": "withdrawn"}))
	if wd.str("status") != "withdrawn" {
		t.Fatalf("withdraw = %s", wd.Raw)
	}
	a.env.Clock.Advance(31 * 24 * time.Hour)
	smeTok, offTok = a.login("ada@example.org", "a-long-passphrase"), a.login("olu@birmingham.example", "a-long-passphrase")
	adminTok = a.login("root@example.org", "admin-password-1")
	a.want(409, a.do("PATCH", "/api/v1/responses/"+respID, smeTok, map[string]any{"price": 1000}))
	a.want(409, a.do("POST", "/api/v1/challenges/"+chID+"/responses", smeTok, resp))

	// --- Award ---
	a.want(422, a.do("POST", "/api/v1/challenges/"+chID+"/award", offTok, map[string]any{"responseId": wd.str("id")}))
	aw := a.want(200, a.do("POST", "/api/v1/challenges/"+chID+"/award", offTok, map[string]any{"responseId": respID}))
	if aw.str("status") != "awarded" || aw.str("awardedSmeId") != smeID {
		t.Fatalf("award = %s", aw.Raw)
	}
	if r := a.want(200, a.do("GET", "/api/v1/responses/"+respID, smeTok, nil)); r.str("status") != "accepted" {
		t.Fatalf("winning response = %s", r.Raw)
	}
	a.want(409, a.do("POST", "/api/v1/challenges/"+chID+"/cancel", offTok, nil))

	// --- Courses ---
	provTok, provID := a.register("pat@skills.example", "provider", "Midlands Skills Academy")
	course := map[string]any{"title": "Data visualisation for public services", "description": "Dashboards and charts.",
		"skills": []string{"data visualisation"}, "mode": "online", "region": "West Midlands", "hours": 12, "cost": 0, "funded": true}
	a.want(403, a.do("POST", "/api/v1/courses", provTok, course))
	a.want(200, a.do("POST", "/api/v1/users/"+provID+"/verify", adminTok, nil))
	co := a.want(201, a.do("POST", "/api/v1/courses", provTok, course))
	if co.str("provider") != "Midlands Skills Academy" {
		t.Fatalf("course provider = %s", co.Raw)
	}
	a.want(403, a.do("PATCH", "/api/v1/courses/"+co.str("id"), smeTok, map[string]any{"title": "Mine"}))
	if r := a.want(200, a.do("GET", "/api/v1/courses?q=dashboards&mode=online", "", nil)); r.get("total") != float64(1) {
		t.Fatalf("course search = %s", r.Raw)
	}
	a.want(204, a.do("DELETE", "/api/v1/courses/"+co.str("id"), provTok, nil))
	a.want(404, a.do("GET", "/api/v1/courses/"+co.str("id"), "", nil))

	// --- Suspension ends access at once ---
	a.want(200, a.do("POST", "/api/v1/users/"+me.str("id")+"/suspend", adminTok, nil))
	a.want(403, a.do("GET", "/api/v1/me", smeTok, nil))
	a.want(403, a.do("POST", "/api/v1/auth/login", "", map[string]any{"email": "ada@example.org", "password": "a-long-passphrase"}))

	// Stats count what happened.
	st := a.want(200, a.do("GET", "/api/v1/stats", "", nil))
	if st.get("total", "challengesPublished") != float64(1) || st.get("total", "challengesAwarded") != float64(1) ||
		st.get("total", "responsesSubmitted") != float64(2) || st.get("total", "awardedToSameRegion") != float64(1) {
		t.Fatalf("stats = %s", st.Raw)
	}
}

// TestTokensRefused covers tampered, foreign-algorithm and malformed tokens.
func TestTokensRefused(t *testing.T) {
	a := newAPI(t)
	tok, _ := a.register("eve@example.org", "sme", "")
	parts := strings.Split(tok, ".")
	b64 := base64.RawURLEncoding
	payload, _ := b64.DecodeString(parts[1])
	forged := strings.Replace(string(payload), `"sme"`, `"admin"`, 1)
	for name, bad := range map[string]string{
		"Tampered":  parts[0] + "." + b64.EncodeToString([]byte(forged)) + "." + parts[2],
		"AlgNone":   b64.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + b64.EncodeToString([]byte(forged)) + ".",
		"Garbage":   "not.a.token",
		"Truncated": tok[:len(tok)-5],
	} {
		t.Run(name, func(t *testing.T) {
			r := a.do("GET", "/api/v1/me", bad, nil)
			if r.Status != 401 {
				t.Fatalf("status %d, want 401", r.Status)
			}
			if !strings.Contains(r.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Fatalf("no WWW-Authenticate: %v", r.Header)
			}
		})
	}
	a.want(401, a.do("GET", "/api/v1/me", "", nil, hdr{"Authorization": "Basic Zm9vOmJhcg=="}))
	// Expired: the clock moves past the token's life.
	a.env.Clock.Advance(2 * time.Hour)
	a.want(401, a.do("GET", "/api/v1/me", tok, nil))
}

// TestBadInput covers malformed and hostile bodies: each is refused with a
// clear problem and changes nothing.
func TestBadInput(t *testing.T) {
	a := newAPI(t)
	tok, _ := a.register("mal@example.org", "sme", "")
	for name, tc := range map[string]struct {
		body   string
		status int
	}{
		"Malformed":    {`{"name": "x",`, 400},
		"UnknownField": {`{"name":"x","size":"small","region":"r","summary":"s","isAdmin":true}`, 400},
		"Operator":     {`{"name":{"$ne":""},"size":"small","region":"r","summary":"s"}`, 400},
		"WrongType":    {`{"name":42}`, 400},
		"NotObject":    {`"hello"`, 400},
		"Invalid":      {`{"name":"","size":"giant","region":"","summary":""}`, 422},
		"Oversized":    {`{"name":"` + strings.Repeat("x", 1<<20+10) + `"}`, 413},
	} {
		t.Run(name, func(t *testing.T) {
			a.want(tc.status, a.do("POST", "/api/v1/smes", tok, tc.body))
		})
	}
	if r := a.want(200, a.do("GET", "/api/v1/smes", "", nil)); r.get("total") != float64(0) {
		t.Fatalf("a refused body left a record: %s", r.Raw)
	}
	a.want(404, a.do("GET", "/api/v1/nothing-here", "", nil))
	a.want(405, a.do("PUT", "/api/v1/me", tok, nil))
	a.want(422, a.do("GET", "/api/v1/challenges?limit=-1", "", nil))
	a.want(200, a.do("GET", "/api/v1/challenges?q="+strings.Repeat("%22", 3)+"(*:*)+OR+1%3D1", "", nil))
	a.want(404, a.do("GET", "/api/v1/challenges/"+"..%2F..%2Fetc", "", nil))
	a.want(404, a.do("GET", fmt.Sprintf("/api/v1/challenges/%s/matches", url.PathEscape(`{"$gt":""}`)), tok, nil))
}

func TestHealth(t *testing.T) {
	a := newAPI(t)
	a.want(200, a.do("GET", "/healthz", "", nil))
	a.want(200, a.do("GET", "/readyz", "", nil))
}
