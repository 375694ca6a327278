package metrics_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/httpapi"
	"github.com/bettermatch/bettermatch/internal/metrics"
	"github.com/bettermatch/bettermatch/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// call sends a request and returns the status and decoded JSON body.
func call(t *testing.T, method, url, token string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// scrape reads /metrics with the Prometheus text-format parser.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %s, %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return fams
}

// series finds the metric of family name whose labels include want.
func series(t *testing.T, fams map[string]*dto.MetricFamily, name string, want map[string]string) *dto.Metric {
	t.Helper()
	f := fams[name]
	if f == nil {
		t.Fatalf("no metric family %s", name)
	}
	for _, m := range f.GetMetric() {
		ok := true
		for k, v := range want {
			found := false
			for _, l := range m.GetLabel() {
				if l.GetName() == k && l.GetValue() == v {
					found = true
				}
			}
			ok = ok && found
		}
		if ok {
			return m
		}
	}
	var have []string
	for _, m := range f.GetMetric() {
		have = append(have, m.String())
	}
	t.Fatalf("%s has no series with %v; have:\n%s", name, want, strings.Join(have, "\n"))
	return nil
}

func TestMetrics(t *testing.T) {
	ctx := context.Background()
	reg := metrics.New()
	env := testenv.New(t, testenv.Options{WrapMatcher: reg.Matcher})
	queue := 3
	reg.Watch(metrics.Gauges{
		IndexDocuments: env.Svc.IndexCounts,
		IndexSeq:       env.Svc.IndexSeq,
		EmbeddingQueue: func() int { return queue },
		OutboxDepth:    env.Svc.OutboxDepth,
	})
	srv := httptest.NewServer(httpapi.New(env.Svc, httpapi.Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Pages: http.NotFoundHandler(),
		Observer: reg, Metrics: reg.Handler(),
	}))
	t.Cleanup(srv.Close)

	// An admin drafts a challenge and ranks SMEs for it.
	if _, err := env.Svc.EnsureAdmin(ctx, "root@example.org", "admin-password-1", "Admin"); err != nil {
		t.Fatal(err)
	}
	_, login := call(t, "POST", srv.URL+"/api/v1/auth/login", "", map[string]any{"email": "root@example.org", "password": "admin-password-1"})
	tok, _ := login["token"].(string)
	status, ch := call(t, "POST", srv.URL+"/api/v1/challenges", tok, map[string]any{
		"title": "Clean air around schools", "organisation": "Birmingham City Council",
		"summary":     "Measure NO2 near primary schools.",
		"description": "A network of low-cost air quality sensors near schools, with open dashboards.",
		"theme":       "mobility", "requiredCapabilities": []string{"air quality monitoring"}, "region": "West Midlands",
		"deadline": time.Now().Add(30 * 24 * time.Hour).UTC().Format(time.RFC3339),
	})
	chID, _ := ch["id"].(string)
	if status != 201 || chID == "" {
		t.Fatalf("create challenge: %d %v", status, ch)
	}
	if status, body := call(t, "GET", srv.URL+"/api/v1/challenges/"+chID+"/matches", tok, nil); status != 200 {
		t.Fatalf("matches: %d %v", status, body)
	}
	// Two different unknown ids must land in one series, under the route.
	missing := []string{strings.Repeat("a", 24), strings.Repeat("b", 24)}
	for _, id := range missing {
		if status, _ := call(t, "GET", srv.URL+"/api/v1/smes/"+id, "", nil); status != 404 {
			t.Fatalf("GET missing SME: %d", status)
		}
	}
	call(t, "BREW", srv.URL+"/api/v1/smes/"+missing[0], "", nil)
	// The index applies this process's writes at once but moves its synced
	// sequence at the next sync (every couple of seconds in serve).
	if err := env.Svc.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	fams := scrape(t, srv.URL)

	m := series(t, fams, "bettermatch_http_requests_total", map[string]string{"route": "/api/v1/smes/:id", "method": "GET", "status": "404"})
	if v := m.GetCounter().GetValue(); v != 2 {
		t.Errorf("requests for /api/v1/smes/:id 404 = %v, want 2", v)
	}
	h := series(t, fams, "bettermatch_http_request_duration_seconds", map[string]string{"route": "/api/v1/smes/:id", "method": "GET", "status": "404"})
	if h.GetHistogram().GetSampleCount() != 2 || len(h.GetHistogram().GetBucket()) == 0 {
		t.Errorf("latency histogram = %v", h.GetHistogram())
	}
	series(t, fams, "bettermatch_http_requests_total", map[string]string{"route": "/api/v1/challenges", "method": "POST", "status": "201"})
	series(t, fams, "bettermatch_http_requests_total", map[string]string{"route": "/api/v1/challenges/:id/matches", "method": "GET", "status": "200"})
	series(t, fams, "bettermatch_http_requests_total", map[string]string{"method": "OTHER"})
	for _, f := range fams {
		for _, s := range f.GetMetric() {
			for _, l := range s.GetLabel() {
				if strings.Contains(l.GetValue(), missing[0]) || strings.Contains(l.GetValue(), chID) {
					t.Errorf("%s has a raw id in label %s=%q", f.GetName(), l.GetName(), l.GetValue())
				}
			}
		}
	}

	if n := series(t, fams, "bettermatch_match_duration_seconds", map[string]string{"op": "smes_for_challenge"}).GetHistogram().GetSampleCount(); n < 1 {
		t.Errorf("match latency samples = %d", n)
	}
	if v := series(t, fams, "bettermatch_index_documents", map[string]string{"kind": "challenge"}).GetGauge().GetValue(); v != 1 {
		t.Errorf("indexed challenges = %v, want 1", v)
	}
	series(t, fams, "bettermatch_index_documents", map[string]string{"kind": "sme"})
	if v := series(t, fams, "bettermatch_index_lag_changes", nil).GetGauge().GetValue(); v != 0 {
		t.Errorf("index lag = %v, want 0", v)
	}
	if v := series(t, fams, "bettermatch_embedding_queue_depth", nil).GetGauge().GetValue(); v != 3 {
		t.Errorf("embedding queue = %v, want 3", v)
	}
	if v := series(t, fams, "bettermatch_outbox_depth", nil).GetGauge().GetValue(); v != 0 {
		t.Errorf("outbox depth = %v, want 0", v)
	}
	series(t, fams, "go_goroutines", nil)

	// A write by "another process" (a change the index has not applied) shows as lag.
	if err := env.Store.RecordChange(ctx, domain.KindSME, strings.Repeat("c", 24)); err != nil {
		t.Fatal(err)
	}
	fams = scrape(t, srv.URL)
	if v := series(t, fams, "bettermatch_index_lag_changes", nil).GetGauge().GetValue(); v != 1 {
		t.Errorf("index lag after an unapplied change = %v, want 1", v)
	}
	if err := env.Svc.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	fams = scrape(t, srv.URL)
	if v := series(t, fams, "bettermatch_index_lag_changes", nil).GetGauge().GetValue(); v != 0 {
		t.Errorf("index lag after a sync = %v, want 0", v)
	}
}

// Gauges whose source fails are left out of the scrape, which still succeeds.
func TestGaugeErrors(t *testing.T) {
	reg := metrics.New()
	reg.Watch(metrics.Gauges{
		IndexDocuments: func() (map[string]int, error) { return nil, domain.Errorf(domain.EUNAVAILABLE, "down") },
		OutboxDepth:    func(context.Context) (int, error) { return 0, domain.Errorf(domain.EUNAVAILABLE, "down") },
	})
	srv := httptest.NewServer(reg.Handler())
	t.Cleanup(srv.Close)
	fams := scrape(t, srv.URL)
	if fams["bettermatch_outbox_depth"] != nil || fams["bettermatch_index_documents"] != nil {
		t.Fatal("a failing gauge was reported")
	}
	if fams["go_goroutines"] == nil {
		t.Fatal("runtime metrics missing")
	}
}
