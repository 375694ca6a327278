package service_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/embedder"
	"github.com/bettermatch/bettermatch/internal/embedder/embeddertest"
	"github.com/bettermatch/bettermatch/internal/service"
	"github.com/bettermatch/bettermatch/internal/testenv"
)

const testModel = "test-embedding-model"

var admin = &domain.User{Meta: domain.Meta{ID: domain.NewID()}, Role: domain.RoleAdmin, Status: domain.StatusActive}

// embedEnv is a service wired to the in-test endpoint with its embedding
// worker running (stopped at cleanup, before the database closes). database
// shares another env's database, as a restarted or second process would.
func embedEnv(t *testing.T, srv *embeddertest.Server, database string) (*testenv.Env, func()) {
	t.Helper()
	emb := embedder.New(embedder.Config{APIKey: "test-key", BaseURL: srv.BaseURL, Model: testModel, Timeout: 300 * time.Millisecond})
	env := testenv.New(t, testenv.Options{Embedder: emb, Database: database})
	env.Svc.Embed = service.EmbedOptions{RetryMin: 20 * time.Millisecond, RetryMax: 200 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		env.Svc.RunEmbeddings(ctx)
	}()
	var once sync.Once
	stop := func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return env, stop
}

// seed writes three SMEs, a challenge and a course through the service.
func seed(t *testing.T, svc *service.Service) (smes []*domain.SME, c *domain.Challenge, course *domain.Course) {
	t.Helper()
	ctx := context.Background()
	for _, in := range []domain.SMEInput{
		{Name: "Emajõe Sensors", Summary: "River level sensors and flood warning for towns.", Capabilities: []string{"flood monitoring", "IoT sensors"}},
		{Name: "Toome Clinics Software", Summary: "Appointment scheduling for health clinics and river towns.", Capabilities: []string{"scheduling"}},
		{Name: "Raekoja Routes", Summary: "Bus route planning with river crossing data.", Capabilities: []string{"route planning"}},
	} {
		in.Size, in.Region = domain.SizeSmall, "Tartu County"
		s, err := svc.CreateSME(ctx, admin, in)
		if err != nil {
			t.Fatal(err)
		}
		smes = append(smes, s)
	}
	c, err := svc.CreateChallenge(ctx, admin, domain.ChallengeInput{
		Title: "Warn towns before the river floods", Organisation: "Tartu City", Theme: domain.ThemeData,
		Summary: "Sensors on the river that warn towns of a flood.", RequiredCapabilities: []string{"flood monitoring"},
		Region: "Tartu County", Deadline: time.Now().Add(30 * 24 * time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	course, err = svc.CreateCourse(ctx, admin, domain.CourseInput{
		Provider: "Tartu College", Title: "IoT sensors for flood monitoring", Skills: []string{"IoT sensors"}, Mode: domain.ModeOnline,
	})
	if err != nil {
		t.Fatal(err)
	}
	return smes, c, course
}

// waitEmbeddings waits until the worker is ready, idle and holds n vectors.
func waitEmbeddings(t *testing.T, svc *service.Service, n int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		st := svc.EmbeddingStats()
		if st.Ready && st.Queue == 0 && st.Vectors == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("embeddings did not settle: %+v, want %d vectors", st, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func matchSMEs(t *testing.T, svc *service.Service, challengeID string) *service.Page[service.SMEMatch] {
	t.Helper()
	p, err := svc.MatchSMEs(context.Background(), admin, challengeID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Items) == 0 {
		t.Fatal("no matches")
	}
	return p
}

// wantMode checks the page's mode and every match's.
func wantMode(t *testing.T, p *service.Page[service.SMEMatch], mode string) {
	t.Helper()
	if p.Mode != mode {
		t.Errorf("page mode %q, want %q", p.Mode, mode)
	}
	for _, m := range p.Items {
		if m.Explanation.Mode != mode {
			t.Errorf("%s: mode %q, want %q", m.SME.Name, m.Explanation.Mode, mode)
		}
		if mode == "lexical" && m.Explanation.Semantic != 0 {
			t.Errorf("%s: semantic part %v in lexical mode", m.SME.Name, m.Explanation.Semantic)
		}
	}
}

func storedEmbeddings(t *testing.T, env *testenv.Env) map[string]*domain.Embedding {
	t.Helper()
	out := map[string]*domain.Embedding{}
	err := env.Store.Embeddings().Each(context.Background(), func(e *domain.Embedding) error {
		out[e.Kind+"/"+e.RecordID] = e
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func hashOf(r domain.Record) string {
	h := sha256.Sum256([]byte(service.EmbeddingText(r)))
	return hex.EncodeToString(h[:])
}

// TestEmbeddingsStoredOnce: records written through the service are embedded
// in the background and stored with model and hash; a restart reuses them
// without calling the endpoint, an edit that leaves the text alone costs no
// call, a changed text is embedded again, and a deleted record's vector goes.
func TestEmbeddingsStoredOnce(t *testing.T) {
	ctx := context.Background()
	srv := embeddertest.NewServer(t)
	a, stopA := embedEnv(t, srv, "")
	smes, c, course := seed(t, a.Svc)
	waitEmbeddings(t, a.Svc, 5)
	if got := srv.Texts(); got != 5 {
		t.Fatalf("%d texts embedded for 5 records", got)
	}

	stored := storedEmbeddings(t, a)
	recs := map[string]domain.Record{"challenge/" + c.ID: c, "course/" + course.ID: course}
	for _, s := range smes {
		recs["sme/"+s.ID] = s
	}
	if len(stored) != len(recs) {
		t.Fatalf("%d stored embeddings, want %d", len(stored), len(recs))
	}
	for key, r := range recs {
		e := stored[key]
		if e == nil {
			t.Fatalf("no stored embedding for %s", key)
		}
		if e.Model != testModel || e.Hash != hashOf(r) || len(e.Vector) != embeddertest.Dim {
			t.Errorf("%s: model %q, hash %q, %d dims; want %q, %q, %d", key, e.Model, e.Hash, len(e.Vector), testModel, hashOf(r), embeddertest.Dim)
		}
		if want := domain.KeyID("embedding", key+"/"+testModel); e.ID != want {
			t.Errorf("%s: id %s, want %s", key, e.ID, want)
		}
	}
	wantMode(t, matchSMEs(t, a.Svc, c.ID), "hybrid")

	// A change outside the embedded text (the website) is no work at all.
	if _, err := a.Svc.UpdateSME(ctx, admin, smes[0].ID, 0, func(in *domain.SMEInput) error {
		in.Website = "https://sensors.example"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if q := a.Svc.EmbeddingQueue(); q != 0 {
		t.Errorf("an edit outside the text queued %d records", q)
	}

	// A restart (a new process on the same database) loads the vectors and
	// calls the endpoint for nothing.
	stopA()
	b, _ := embedEnv(t, srv, a.Database)
	waitEmbeddings(t, b.Svc, 5)
	if got := srv.Texts(); got != 5 {
		t.Errorf("the restart embedded %d texts again", got-5)
	}
	wantMode(t, matchSMEs(t, b.Svc, c.ID), "hybrid")

	// A changed text is embedded again, once.
	upd, err := b.Svc.UpdateSME(ctx, admin, smes[1].ID, 0, func(in *domain.SMEInput) error {
		in.Summary = "Flood insurance analytics for river towns."
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	waitEmbeddings(t, b.Svc, 5)
	if got := srv.Texts(); got != 6 {
		t.Errorf("after one edit %d texts were embedded, want 6", got)
	}
	if n := srv.Embedded("Flood insurance analytics"); n != 1 {
		t.Errorf("the new text was embedded %d times", n)
	}
	if e := storedEmbeddings(t, b)["sme/"+upd.ID]; e == nil || e.Hash != hashOf(upd) {
		t.Errorf("the stored embedding does not follow the edit")
	}

	// A deleted record's vector goes from the store too.
	if err := b.Svc.DeleteSME(ctx, admin, smes[2].ID, 0); err != nil {
		t.Fatal(err)
	}
	waitEmbeddings(t, b.Svc, 4)
	if _, ok := storedEmbeddings(t, b)["sme/"+smes[2].ID]; ok {
		t.Error("the deleted SME's embedding is still stored")
	}
}

// TestEmbeddingsEndpointDown: while the endpoint fails or hangs, writes and
// matches answer at once and rank lexically; the worker retries with backoff
// and catches up when the endpoint recovers, and matches become hybrid.
func TestEmbeddingsEndpointDown(t *testing.T) {
	for _, tc := range []struct {
		name     string
		down, up func(*embeddertest.Server)
	}{
		{"Failing", func(s *embeddertest.Server) { s.Fail(http.StatusInternalServerError) }, func(s *embeddertest.Server) { s.Fail(0) }},
		{"Hanging", func(s *embeddertest.Server) { s.Hang(true) }, func(s *embeddertest.Server) { s.Hang(false) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := embeddertest.NewServer(t)
			tc.down(srv)
			env, _ := embedEnv(t, srv, "")
			start := time.Now()
			_, c, _ := seed(t, env.Svc)
			p := matchSMEs(t, env.Svc, c.ID)
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("five writes and a match took %v with the endpoint down", d)
			}
			wantMode(t, p, "lexical")

			deadline := time.Now().Add(10 * time.Second)
			for env.Svc.EmbeddingStats().Failures < 3 {
				if time.Now().After(deadline) {
					t.Fatalf("the worker did not retry: %+v", env.Svc.EmbeddingStats())
				}
				time.Sleep(10 * time.Millisecond)
			}
			if st := env.Svc.EmbeddingStats(); st.Vectors != 0 || st.Queue != 5 {
				t.Errorf("while down: %+v, want no vectors and 5 queued", st)
			}
			wantMode(t, matchSMEs(t, env.Svc, c.ID), "lexical")

			tc.up(srv)
			waitEmbeddings(t, env.Svc, 5)
			wantMode(t, matchSMEs(t, env.Svc, c.ID), "hybrid")

			// A record written while the endpoint is down again ranks
			// lexically beside the others, which keep their vectors.
			tc.down(srv)
			late, err := env.Svc.CreateSME(context.Background(), admin, domain.SMEInput{
				Name: "Anne Canal Flood Sensors", Size: domain.SizeMicro, Region: "Tartu County",
				Summary: "Flood monitoring sensors that warn towns on the river.", Capabilities: []string{"flood monitoring"},
			})
			if err != nil {
				t.Fatal(err)
			}
			modes := map[string]string{}
			for _, m := range matchSMEs(t, env.Svc, c.ID).Items {
				modes[m.SME.ID] = m.Explanation.Mode
			}
			if modes[late.ID] != "lexical" {
				t.Errorf("the SME without a vector ranks %q, want lexical", modes[late.ID])
			}
			for id, m := range modes {
				if id != late.ID && m != "hybrid" {
					t.Errorf("SME %s with a vector ranks %q, want hybrid", id, m)
				}
			}
			tc.up(srv)
			waitEmbeddings(t, env.Svc, 6)
		})
	}
}

// TestEmbeddingsOff: without an endpoint the worker does nothing and ranking
// says it is lexical.
func TestEmbeddingsOff(t *testing.T) {
	env := testenv.New(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		env.Svc.RunEmbeddings(context.Background())
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("RunEmbeddings did not return without an embedder")
	}
	_, c, _ := seed(t, env.Svc)
	if q := env.Svc.EmbeddingQueue(); q != 0 {
		t.Errorf("queue %d without an embedder", q)
	}
	wantMode(t, matchSMEs(t, env.Svc, c.ID), "lexical")
}

func TestEmbeddingText(t *testing.T) {
	s := &domain.SME{SMEInput: domain.SMEInput{
		Name: "  Emajõe   Sensors ", Summary: "River\n\nsensors.", Capabilities: []string{"flood monitoring", "IoT"},
		Description: "", CPV: []string{"38000000"},
	}}
	if got, want := service.EmbeddingText(s), "Emajõe Sensors\nRiver sensors.\nCapabilities: flood monitoring, IoT."; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	c := &domain.Challenge{ChallengeInput: domain.ChallengeInput{Title: "T", Organisation: "Org", Description: "D", RequiredSkills: []string{"GIS"}}}
	if got, want := service.EmbeddingText(c), "T\nRequired skills: GIS.\nD"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	long := &domain.Course{CourseInput: domain.CourseInput{Title: "Course", Description: strings.Repeat("õ", 10000)}}
	got := service.EmbeddingText(long)
	if len(got) > 8000 || !strings.HasPrefix(got, "Course\nõ") || strings.ToValidUTF8(got, "?") != got {
		t.Errorf("long text cut to %d bytes, valid UTF-8 %v", len(got), strings.ToValidUTF8(got, "?") == got)
	}
	if service.EmbeddingText(&domain.User{}) != "" {
		t.Error("a user has no embedding text")
	}
}
