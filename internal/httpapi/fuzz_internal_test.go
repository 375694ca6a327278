package httpapi

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// FuzzIfMatch feeds arbitrary If-Match headers to the parser: it must never
// panic, refuse only with 412 (EPRECONDITION), never accept a version below 1,
// and read back every ETag this service writes.
func FuzzIfMatch(f *testing.F) {
	for _, s := range []string{"", "*", `"v3"`, `W/"v3"`, "3", "v0", `"v-1"`, `"v99999999999999999999"`, `"v1", "v2"`, "W/", `""`, "\x00"} {
		f.Add(s, int64(3))
	}
	e := echo.New()
	f.Fuzz(func(t *testing.T, h string, version int64) {
		req := httptest.NewRequest(http.MethodPatch, "/", nil)
		req.Header["If-Match"] = []string{h}
		n, err := ifMatch(e.NewContext(req, httptest.NewRecorder()))
		if err != nil {
			if code := domain.ErrorCode(err); code != domain.EPRECONDITION {
				t.Fatalf("If-Match %q: code %q (%v)", h, code, err)
			}
		} else if n < 0 {
			t.Fatalf("If-Match %q: version %d", h, n)
		}
		if version < 1 {
			return
		}
		tag := etag(&domain.Meta{Version: version})
		for _, form := range []string{tag, "W/" + tag} {
			req.Header.Set("If-Match", form)
			got, err := ifMatch(e.NewContext(req, httptest.NewRecorder()))
			if err != nil || got != version {
				t.Fatalf("ETag %s read back as %d, %v", form, got, err)
			}
		}
	})
}

// FuzzPaging feeds arbitrary query strings to the paging parser: a client
// error (EINVALID, 422) or a limit and offset in range, never a panic.
func FuzzPaging(f *testing.F) {
	for _, s := range []string{"", "limit=10&offset=20", "limit=-1", "limit=1e3", "offset=99999999999999999999",
		"limit=%zz", "limit=1&limit=2", "limit=+5", "limit= 5", "limit=0x10", "limit=１"} {
		f.Add(s)
	}
	e := echo.New()
	f.Fuzz(func(t *testing.T, raw string) {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.URL.RawQuery = raw
		limit, offset, err := paging(e.NewContext(req, httptest.NewRecorder()))
		if err != nil {
			if code := domain.ErrorCode(err); code != domain.EINVALID {
				t.Fatalf("%q: code %q (%v)", raw, code, err)
			}
			return
		}
		if limit < 0 || offset < 0 || limit > 1_000_000 || offset > 1_000_000 {
			t.Fatalf("%q: limit %d offset %d", raw, limit, offset)
		}
		// What was accepted is what the query said.
		q, _ := url.ParseQuery(raw)
		if v := q.Get("limit"); v == "" && limit != 0 {
			t.Fatalf("%q: limit %d without a limit", raw, limit)
		}
	})
}
