package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/bettermatch/bettermatch/internal/httpapi"
	"github.com/bettermatch/bettermatch/internal/web"
)

// The browser tests drive headless Chromium through each role's main journey
// against the whole server (JSON API and pages, real store on the embedded
// database), screenshot each main page and run axe-core on it. They need
// Debian's chromium and `npm ci --prefix frontend/test` for axe-core; without
// them they skip, saying which is missing.

func chromiumPath() string {
	if p := os.Getenv("BETTERMATCH_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

func axeSource(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(file), "..", "..", "frontend", "test", "node_modules", "axe-core", "axe.min.js")
	b, err := os.ReadFile(path)
	if err != nil {
		skipOrFail(t, fmt.Sprintf("axe-core is not installed (%v): run `npm ci --prefix frontend/test`", err))
	}
	return string(b)
}

// skipOrFail skips a browser test that lacks its tools, unless
// BETTERMATCH_REQUIRE_BROWSER is set (as CI does once it installs them), so a
// missing install step cannot pass unnoticed there.
func skipOrFail(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("BETTERMATCH_REQUIRE_BROWSER") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// artifactsDir is where screenshots go: $BETTERMATCH_ARTIFACTS, or a fixed
// directory under the system temp dir so they can be looked at afterwards.
func artifactsDir(t *testing.T) string {
	dir := os.Getenv("BETTERMATCH_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "bettermatch-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

type browserRun struct {
	t       *testing.T
	base    string
	axe     string
	dir     string
	browser context.Context
	// axeCount is how many pages axe-core checked.
	axeCount int
}

func startBrowserRun(t *testing.T) *browserRun {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests are skipped with -short")
	}
	chrome := chromiumPath()
	if chrome == "" {
		skipOrFail(t, "Chromium is not installed: `apt-get install -y chromium` (or set BETTERMATCH_CHROMIUM)")
	}
	axe := axeSource(t)
	s := newSite(t)
	srv := httpapi.New(s.env.Svc, httpapi.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Pages: web.New(s.env.Svc, web.Options{})})
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	go srv.Serve()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	// These flags keep Chromium from reaching out to the network, which is
	// closed here and would stall start-up.
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chrome),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	b := &browserRun{t: t, base: "http://" + srv.Addr(), axe: axe, dir: artifactsDir(t), browser: browser}
	s.adminUser()
	t.Logf("screenshots in %s", b.dir)
	return b
}

// tab is one person's browser: its own cookie jar (a browser context).
type tab struct {
	b   *browserRun
	t   *testing.T
	ctx context.Context
}

// tab opens a tab in a browser context of its own, so each person has their
// own cookies, in the one Chromium the run started.
func (b *browserRun) tab(t *testing.T) *tab {
	ctx, cancel := chromedp.NewContext(b.browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	ctx, cancel2 := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(cancel2)
	if err := chromedp.Do(ctx); err != nil { // start the browser
		t.Fatalf("start Chromium: %v", err)
	}
	return &tab{b: b, t: t, ctx: ctx}
}

func (tb *tab) run(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, actions...); err != nil {
		loc, _ := chromedp.Run(tb.ctx, chromedp.Location())
		tb.shot("failure-" + strings.ReplaceAll(tb.t.Name(), "/", "-"))
		tb.t.Fatalf("at %s: %v", loc, err)
	}
}

func (tb *tab) open(path string) {
	tb.t.Helper()
	tb.run(chromedp.Navigate(tb.b.base+path), chromedp.WaitReady(chromedp.CSS("body")))
}

// fill sets the fields (by id) to the values.
func (tb *tab) fill(fields map[string]string) {
	tb.t.Helper()
	for id, v := range fields {
		tb.run(chromedp.SetValue(chromedp.ID(id), v))
	}
}

// click clicks what an XPath finds, and waits for the page it leads to: it
// marks the current document first and waits until a document without the
// mark is fully loaded, so the next step never acts on the page being left
// (a fixed sleep did, on a busy machine).
func (tb *tab) click(xpath string) {
	tb.t.Helper()
	tb.run(chromedp.Evaluate[chromedp.Void](`window.__bmLeaving = true`), chromedp.Click(chromedp.Search(xpath)))
	deadline := time.Now().Add(30 * time.Second)
	for {
		loaded, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](`window.__bmLeaving !== true && document.readyState === "complete"`))
		if err == nil && loaded {
			return
		}
		if time.Now().After(deadline) {
			tb.shot("failure-" + strings.ReplaceAll(tb.t.Name(), "/", "-"))
			tb.t.Fatalf("clicking %s led to no new page within 30s (last error %v)", xpath, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (tb *tab) choose(id string) {
	tb.t.Helper()
	tb.run(chromedp.Click(chromedp.ID(id)))
}

func (tb *tab) text() string {
	tb.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		tb.t.Fatal(err)
	}
	return s
}

func (tb *tab) see(parts ...string) {
	tb.t.Helper()
	txt := tb.text()
	for _, p := range parts {
		if !strings.Contains(txt, p) {
			loc, _ := chromedp.Run(tb.ctx, chromedp.Location())
			tb.shot("failure-" + strings.ReplaceAll(tb.t.Name(), "/", "-"))
			tb.t.Fatalf("%s does not show %q:\n%s", loc, p, txt)
		}
	}
}

func (tb *tab) shot(name string) {
	buf, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Logf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(tb.b.dir, name+".png"), buf, 0o644); err != nil {
		tb.t.Fatal(err)
	}
}

type axeResult struct {
	Violations []struct {
		ID     string `json:"id"`
		Impact string `json:"impact"`
		Help   string `json:"help"`
		Nodes  []struct {
			Target []any  `json:"target"`
			HTML   string `json:"html"`
		} `json:"nodes"`
	} `json:"violations"`
}

// check screenshots the page and runs axe-core on it (WCAG 2.1 A and AA
// rules plus best practices), failing on serious or critical violations.
func (tb *tab) check(name string) {
	tb.t.Helper()
	tb.shot(name)
	script := tb.b.axe + `;axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}, resultTypes: ["violations"]}).then(r => JSON.stringify({violations: r.violations}))`
	out, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](script, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("axe on %s: %v", name, err)
	}
	var res axeResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		tb.t.Fatalf("axe result: %v", err)
	}
	for _, v := range res.Violations {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, fmt.Sprint(n.Target)+" "+n.HTML)
		}
		msg := fmt.Sprintf("axe %s on %s: %s (%s)\n  %s", v.Impact, name, v.ID, v.Help, strings.Join(where, "\n  "))
		if v.Impact == "serious" || v.Impact == "critical" {
			tb.t.Error(msg)
		} else {
			tb.t.Log(msg)
		}
	}
	tb.b.axeCount++
}

func TestBrowserJourneys(t *testing.T) {
	b := startBrowserRun(t)
	deadline := time.Now().AddDate(0, 2, 0).Format("2006-01-02")

	// Anonymous visitor: home, search, a 404.
	anon := b.tab(t)
	anon.open("/")
	anon.see("Public challenges for local innovators", "0 challenges")
	anon.check("home-empty")
	anon.open("/register")
	anon.check("register")
	anon.click(`//button[normalize-space()="Create account"]`)
	anon.see("There is a problem", "Your name is required")
	anon.check("register-errors")
	anon.open("/nope")
	anon.see("Page not found")
	anon.check("404")

	// Officer registers and waits for verification.
	officer := b.tab(t)
	officer.open("/register?role=officer")
	officer.fill(map[string]string{"f-name": "Olga Officer", "f-organisation": "Gävle Municipality",
		"f-email": "olga@example.org", "f-password": "correct horse battery"})
	officer.click(`//button[normalize-space()="Create account"]`)
	officer.open("/officer")
	officer.see("Your account is being checked")

	// Admin verifies the officer.
	admin := b.tab(t)
	admin.open("/signin")
	admin.fill(map[string]string{"f-email": adminEmail, "f-password": adminPassword})
	admin.click(`//button[normalize-space()="Sign in"]`)
	admin.see("Accounts", "olga@example.org")
	admin.check("admin-queue")
	admin.click(`//button[contains(., "Verify") and contains(., "Olga Officer")]`)
	admin.see("is verified")

	// Officer drafts (with a mistake first), publishes.
	officer.open("/officer")
	officer.see("Your organisation's challenges")
	officer.click(`//a[normalize-space()="Draft a new challenge"]`)
	officer.check("challenge-form")
	officer.fill(map[string]string{"f-title": "Cut NO2 near schools", "f-budget-min": "lots"})
	officer.click(`//button[normalize-space()="Save draft"]`)
	officer.see("There is a problem", "Lowest budget must be a number")
	officer.check("challenge-form-errors")
	officer.fill(map[string]string{"f-budget-min": "20000", "f-budget-max": "60000", "f-region": "Gävleborg",
		"f-summary":              "Measure and reduce nitrogen dioxide around primary schools with low-cost sensors.",
		"f-requiredCapabilities": "air quality sensor networks\ndata dashboards", "f-requiredSkills": "Python\nIoT\nLoRaWAN",
		"f-deadline": deadline})
	officer.choose("f-theme-mobility")
	officer.click(`//button[normalize-space()="Save draft"]`)
	officer.see("Draft saved")

	// SME registers and builds its profile (after a mistake).
	sme := b.tab(t)
	sme.open("/register")
	sme.fill(map[string]string{"f-name": "Sam SME", "f-email": "sam@example.org", "f-password": "correct horse battery"})
	sme.click(`//button[normalize-space()="Create account"]`)
	sme.see("Create your company profile")
	sme.check("sme-profile-new")
	sme.fill(map[string]string{"f-region": "Gävleborg"})
	sme.click(`//button[normalize-space()="Create profile"]`)
	sme.see("There is a problem", "Company name is required")
	sme.check("sme-profile-errors")
	sme.fill(map[string]string{"f-name": "Airsense AB", "f-summary": "Low-cost air quality sensors and dashboards for cities.",
		"f-capabilities": "air quality sensor networks\ndata dashboards", "f-skills": "Python\nIoT"})
	sme.choose("f-size-small")
	sme.click(`//button[normalize-space()="Create profile"]`)
	sme.see("Your dashboard")

	// Officer publishes and sees the SME ranked with reasons.
	officer.click(`//button[normalize-space()="Publish"]`)
	officer.see("Published.", "Airsense AB", "Why this match")
	officer.check("officer-challenge")

	// SME: opportunities, detail, respond.
	sme.open("/sme")
	sme.see("Opportunities ranked for you", "Cut NO2 near schools")
	sme.check("sme-dashboard")
	sme.click(`//a[normalize-space()="Cut NO2 near schools"]`)
	sme.see("Respond to this challenge")
	sme.fill(map[string]string{"f-proposal": "We would deploy 40 LoRaWAN sensors around six schools and publish a live dashboard.",
		"f-price": "40000", "f-durationWeeks": "12"})
	sme.click(`//button[normalize-space()="Send response"]`)
	sme.see("Your response has been sent", "Withdraw response")
	sme.check("challenge-responded")
	sme.open("/sme/gap")
	sme.check("sme-gap-choose")

	// Officer shortlists the response.
	officer.open("/officer")
	officer.check("officer-dashboard")
	officer.click(`//a[normalize-space()="Cut NO2 near schools"]`)
	officer.run(chromedp.SetValue(chromedp.CSS(`select[name="status"]`), "shortlisted"),
		chromedp.SetValue(chromedp.CSS(`input[name="score"]`), "85"))
	officer.click(`//button[contains(., "Save review")]`)
	officer.see("has been saved", "Shortlisted")
	sme.open("/sme")
	sme.see("Shortlisted")

	// Provider registers, gets verified, adds a course.
	provider := b.tab(t)
	provider.open("/register?role=provider")
	provider.fill(map[string]string{"f-name": "Pat Provider", "f-organisation": "Tartu College",
		"f-email": "pat@example.org", "f-password": "correct horse battery"})
	provider.click(`//button[normalize-space()="Create account"]`)
	admin.open("/admin")
	admin.click(`//button[contains(., "Verify") and contains(., "Pat Provider")]`)
	provider.open("/provider")
	provider.click(`//a[normalize-space()="Add a course"]`)
	provider.check("course-form")
	provider.fill(map[string]string{"f-title": "Air quality modelling", "f-skills": "air quality modelling\nLoRaWAN", "f-hours": "24"})
	provider.choose("f-mode")
	provider.click(`//button[normalize-space()="Add course"]`)
	provider.see("is listed", "Air quality modelling")
	provider.check("provider-dashboard")

	// The SME's skills gap now offers the course.
	sme.open("/sme")
	sme.click(`//a[starts-with(normalize-space(), "Skills gap")]`)
	sme.see("Skills you lack", "Courses that close the gap")
	sme.check("sme-gap")
	sme.open("/notifications")
	sme.check("notifications")

	// Public pages with data.
	anon.open("/")
	anon.see("Cut NO2 near schools")
	anon.check("home")
	anon.open("/challenges?q=sensors&theme=mobility")
	anon.see("Cut NO2 near schools")
	anon.check("search")
	anon.click(`//a[normalize-space()="Cut NO2 near schools"]`)
	anon.check("challenge")
	anon.open("/courses")
	anon.check("courses")
	anon.open("/smes")
	anon.click(`//a[normalize-space()="Airsense AB"]`)
	anon.check("sme-public")
	anon.open("/stats")
	anon.see("Innovation indicators", "Activity per semester")
	anon.check("stats")

	// Phone-sized screenshots of two busy pages.
	phone := b.tab(t)
	phone.run(chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))
	phone.open("/")
	phone.shot("phone-home")
	phone.open("/stats")
	phone.shot("phone-stats")

	if b.axeCount == 0 {
		t.Fatal("axe ran on no page")
	}
	t.Logf("axe-core ran on %d pages", b.axeCount)
}
