package httpapi_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bettermatch/bettermatch/internal/httpapi"
	"github.com/bettermatch/bettermatch/internal/testenv"
)

// FuzzListQuery sends arbitrary query strings to every public list and search
// route through the whole stack (middleware, service, search index and the
// real embedded database): whatever the query — filters, paging, search
// syntax, bad escapes — the answer is a success or a client error in problem
// details, never a 5xx.
func FuzzListQuery(f *testing.F) {
	for _, s := range []string{"", "q=air+quality&region=Liguria&size=small", "limit=-1", "offset=1e9", "q=%zz",
		"theme[$ne]=x", "q=\"unclosed&status=draft", "sort=deadline&limit=100", "format=csv", "q=" + strings.Repeat("a+", 40),
		"skill=GIS&mode=online", "since=2020-01-01T00:00:00Z", "status=open&status=draft", "q=%00%ff"} {
		f.Add(uint8(0), s)
	}
	env := testenv.New(f)
	hs := httpapi.New(env.Svc, httpapi.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Pages: http.NotFoundHandler()})
	paths := []string{"/api/v1/smes", "/api/v1/challenges", "/api/v1/courses", "/api/v1/stats", "/feeds/challenges.atom", "/api/v1/ocds/releases"}
	f.Fuzz(func(t *testing.T, which uint8, raw string) {
		path := paths[int(which)%len(paths)]
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.URL.Path, req.URL.RawQuery = path, raw
		rec := httptest.NewRecorder()
		hs.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("GET %s?%s: %d %s", path, raw, rec.Code, rec.Body)
		}
		if rec.Code >= 400 && !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/problem+json") {
			t.Fatalf("GET %s?%s: %d with Content-Type %q", path, raw, rec.Code, rec.Header().Get("Content-Type"))
		}
	})
}
