package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// TestJourneysWithoutJavaScript walks every role's main journey with plain
// HTTP form posts, as a browser with JavaScript off would.
func TestJourneysWithoutJavaScript(t *testing.T) {
	s := newSite(t)
	deadline := time.Now().AddDate(0, 2, 0).Format("2006-01-02")

	// An officer registers and waits; the admin verifies the account.
	officer := s.visitor()
	officer.register("Olga Officer", "olga@example.org", "officer", "Gävle Municipality")
	admin := s.admin()
	p := admin.get("/admin")
	m := regexp.MustCompile(`action="/admin/users/([0-9a-f]{24})/status"`).FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no verify form in the queue:\n%s", p.Body)
	}
	p = admin.post("/admin/users/"+m[1]+"/status", url.Values{"status": {"active"}, "from": {"pending"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("verify: %d", p.Status)
	}
	mustContain(t, admin.follow(p.Location), "is verified", "No account is waiting")

	// The officer drafts a challenge: first with mistakes, kept on the page.
	p = officer.post("/officer/challenges/new", url.Values{"title": {"Cut NO2 near schools"}, "theme": {"mobility"},
		"budget.min": {"lots"}, "deadline": {deadline}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad draft: %d", p.Status)
	}
	mustContain(t, p, `value="Cut NO2 near schools"`, `href="#f-budget-min"`, "Lowest budget must be a number", `href="#f-region"`)
	p = officer.post("/officer/challenges/new", url.Values{"title": {"Cut NO2 near schools"}, "theme": {"mobility"},
		"summary": {"Measure and reduce nitrogen dioxide around primary schools with low-cost sensors."},
		"region":  {"Gävleborg"}, "requiredCapabilities": {"air quality sensor networks"},
		"requiredSkills": {"Python\nIoT"}, "budget.min": {"20000"}, "budget.max": {"60,000"}, "budget.currency": {"SEK"},
		"deadline": {deadline}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("draft: %d\n%s", p.Status, p.Body)
	}
	manage := p.Location
	cid := strings.TrimPrefix(manage, "/officer/challenges/")
	mustContain(t, officer.follow(manage), "Draft saved", "Publish")
	// Drafts are the organisation's own.
	if p := s.visitor().get("/challenges/" + cid); p.Status != http.StatusNotFound {
		t.Fatalf("a draft must be hidden from the public, got %d", p.Status)
	}
	mustContain(t, officer.get("/officer"), "Cut NO2 near schools")

	// An SME registers, builds its profile (after one mistake) and sees it.
	sme := s.visitor()
	p = sme.register("Sam", "sam@example.org", "sme", "")
	if p.Location != "/sme/profile" {
		t.Fatalf("a new SME goes to its profile, not %s", p.Location)
	}
	p = sme.post("/sme/profile", url.Values{"name": {""}, "region": {"Gävleborg"}, "capabilities": {"air quality sensor networks"}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad profile: %d", p.Status)
	}
	mustContain(t, p, "Company name is required", `href="#f-size"`, "air quality sensor networks")
	p = sme.post("/sme/profile", url.Values{"name": {"Airsense AB"}, "size": {"small"}, "region": {"Gävleborg"},
		"summary":      {"Low-cost air quality sensors and dashboards for cities."},
		"capabilities": {"air quality sensor networks, data dashboards"}, "skills": {"Python\nIoT\nLoRaWAN"}})
	if p.Status != http.StatusSeeOther || p.Location != "/sme" {
		t.Fatalf("profile: %d %s\n%s", p.Status, p.Location, p.Body)
	}

	// Publishing makes it public and ranks the SME for it.
	p = officer.post(manage+"/move", url.Values{"action": {"publish"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("publish: %d", p.Status)
	}
	p = officer.follow(manage)
	mustContain(t, p, "Published.", "Airsense AB", "Why this match", "Close to responses")

	// The SME sees it among its opportunities, and a notification.
	p = sme.get("/sme")
	mustContain(t, p, "Cut NO2 near schools", "Why this match", "New for you")
	mustContain(t, sme.get("/"), "Cut NO2 near schools")

	// It responds: a too-short proposal first, kept; then a good one.
	p = sme.post("/challenges/"+cid+"/respond", url.Values{"proposal": {"Too short"}, "price": {"£40k"}, "durationWeeks": {"12"}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad response: %d", p.Status)
	}
	mustContain(t, p, "Your proposal must be at least 20 characters", "Price must be a number", `value="12"`, ">Too short</textarea>")
	p = sme.post("/challenges/"+cid+"/respond", url.Values{"proposal": {"We would deploy 40 LoRaWAN sensors around six schools and publish a live dashboard."},
		"price": {"40000"}, "currency": {"SEK"}, "durationWeeks": {"12"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("respond: %d\n%s", p.Status, p.Body)
	}
	mustContain(t, sme.follow(p.Location), "Your response has been sent", "Withdraw response")
	mustContain(t, sme.get("/sme"), "Your responses", "Submitted")

	// The officer shortlists and scores it; the SME sees the new status.
	p = officer.get(manage)
	rid := domain.ResponseID(cid, regexp.MustCompile(`href="/smes/([0-9a-f]{24})"`).FindStringSubmatch(p.Body)[1])
	mustContain(t, p, "Responses (1)", "We would deploy 40 LoRaWAN sensors")
	p = officer.post("/officer/responses/"+rid, url.Values{"status": {"shortlisted"}, "score": {"101"}})
	mustContain(t, officer.follow(p.Location), "<strong>Not done:</strong> Score must be between 0 and 100")
	p = officer.post("/officer/responses/"+rid, url.Values{"status": {"shortlisted"}, "score": {"85"}, "feedback": {"Strong plan."}})
	mustContain(t, officer.follow(p.Location), "has been saved", `<span class="status status-shortlisted">Shortlisted</span>`)
	mustContain(t, sme.get("/challenges/"+cid), "Shortlisted", "85 out of 100", "Strong plan.")

	// The skills gap compares the profile with the challenge.
	mustContain(t, sme.get("/sme/gap?challenge="+cid), "Skills you lack", "Courses that close the gap")

	// Award, then the public page names the winner.
	p = officer.post(manage+"/move", url.Values{"action": {"award"}, "responseId": {rid}})
	mustContain(t, officer.follow(p.Location), "Awarded.")
	mustContain(t, s.visitor().get("/challenges/"+cid), "Awarded to", "Airsense AB")

	// A provider registers, is verified and lists a course.
	provider := s.visitor()
	provider.register("Pat", "pat@example.org", "provider", "Tartu College")
	s.verify("pat@example.org")
	p = provider.post("/provider/courses/new", url.Values{"title": {"Air quality modelling"}, "provider": {"Tartu College"}, "mode": {"online"}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad course: %d", p.Status)
	}
	mustContain(t, p, "Skills taught", "List at least one skill the course teaches", `value="Air quality modelling"`)
	p = provider.post("/provider/courses/new", url.Values{"title": {"Air quality modelling"}, "provider": {"Tartu College"},
		"mode": {"online"}, "skills": {"air quality modelling\nPython"}, "hours": {"24"}, "funded": {"on"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("course: %d\n%s", p.Status, p.Body)
	}
	mustContain(t, provider.follow(p.Location), "is listed", "Air quality modelling")
	// The skills facet, which searches count only when asked, is listed.
	mustContain(t, s.visitor().get("/courses"), "Air quality modelling", `<h3 class="facet-title">Skill</h3>`)

	// The indicators count it all.
	st, err := s.env.Svc.Stats(context.Background())
	if err != nil || st.Total.ResponsesSubmitted != 1 {
		t.Fatalf("stats: %+v %v", st, err)
	}
}
