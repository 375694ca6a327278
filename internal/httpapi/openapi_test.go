package httpapi_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/bettermatch/bettermatch/internal/httpapi"
)

// The OpenAPI document is held to the server two ways: TestOpenAPIRoutes
// compares its operations with the routes Echo registers, and checkSpec (called
// by the test client on every reply of every test in this package) validates
// each reply — status, content type, headers and body — with kin-openapi.

var (
	specOnce   sync.Once
	specRouter routers.Router
	specDoc    *openapi3.T
	specErr    error
)

func loadSpec() (*openapi3.T, routers.Router, error) {
	specOnce.Do(func() {
		// Non-JSON replies are checked for status and content type; their
		// bodies are plain strings to the document.
		for _, ct := range []string{"application/atom+xml", "text/html"} {
			openapi3filter.RegisterBodyDecoder(ct, openapi3filter.PlainBodyDecoder)
		}
		loader := openapi3.NewLoader()
		specDoc, specErr = loader.LoadFromData(httpapi.OpenAPI())
		if specErr != nil {
			return
		}
		if specErr = specDoc.Validate(context.Background()); specErr != nil {
			return
		}
		// The document's server is "/"; paths are matched as they stand.
		doc := *specDoc
		doc.Servers = nil
		specRouter, specErr = legacy.NewRouter(&doc)
	})
	return specDoc, specRouter, specErr
}

// checkSpec validates one reply against the document.
func (a *api) checkSpec(req *http.Request, status int, header http.Header, body []byte) {
	a.t.Helper()
	_, router, err := loadSpec()
	if err != nil {
		a.t.Fatalf("OpenAPI document: %v", err)
	}
	route, params, err := router.FindRoute(req)
	if err != nil {
		// Unknown paths and methods are refused with problem details, which
		// the client checks; anything else must be documented.
		if status == http.StatusNotFound || status == http.StatusMethodNotAllowed {
			return
		}
		a.t.Errorf("%s %s answered %d but the OpenAPI document has no such operation: %v", req.Method, req.URL.Path, status, err)
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
		Status:  status,
		Header:  header,
		Body:    io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		var me openapi3.MultiError
		if errors.As(err, &me) {
			err = errors.Join(me...)
		}
		a.t.Errorf("%s %s: reply %d does not match the OpenAPI document: %v\n%.2000s", req.Method, req.URL.RequestURI(), status, err, body)
	}
}

// TestOpenAPIRoutes: every route the server registers under /api is
// described, and every described operation is a registered route. Routes
// outside /api (health, feeds, docs) are described too; others added there,
// like the operator's /metrics, need not be.
func TestOpenAPIRoutes(t *testing.T) {
	a := newAPI(t)
	doc, _, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q, want 3.1.0", doc.OpenAPI)
	}
	described := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			described[method+" "+path] = true
		}
	}
	registered := map[string]bool{}
	for _, rt := range a.server.Routes() {
		if rt[1] == "/*" {
			continue // the web pages' catch-all
		}
		key := rt[0] + " " + httpapi.OpenAPIPath(rt[1])
		registered[key] = true
		if strings.HasPrefix(rt[1], "/api/") && !described[key] {
			t.Errorf("route %s is not in the OpenAPI document", key)
		}
	}
	var extra []string
	for key := range described {
		if !registered[key] {
			extra = append(extra, key)
		}
	}
	sort.Strings(extra)
	for _, key := range extra {
		t.Errorf("the OpenAPI document describes %s, which the server does not register", key)
	}

	// Both addresses serve the same document, and it validates itself.
	one := a.want(200, a.do("GET", "/openapi.json", "", nil))
	two := a.want(200, a.do("GET", "/api/v1/openapi.json", "", nil))
	if !bytes.Equal(one.Raw, two.Raw) || one.str("openapi") != "3.1.0" {
		t.Fatal("/openapi.json and /api/v1/openapi.json differ")
	}
	if _, ok := doc.Components.Schemas["Problem"]; !ok {
		t.Fatal("no Problem schema")
	}
}

// TestDocs: the reference page is self-contained HTML naming every operation.
func TestDocs(t *testing.T) {
	a := newAPI(t)
	r := a.want(200, a.do("GET", "/docs", "", nil))
	page := string(r.Raw)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || !strings.Contains(page, "<h1>bettermatch API reference</h1>") {
		t.Fatalf("docs page: %s %.300s", r.Header.Get("Content-Type"), page)
	}
	for _, bad := range []string{"<script", "http://", "https://"} {
		if strings.Contains(page, bad) {
			t.Errorf("docs page holds %q: it must load nothing from elsewhere", bad)
		}
	}
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "style-src 'sha256-") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("docs CSP = %q", csp)
	}
	doc, _, _ := loadSpec()
	for path := range doc.Paths.Map() {
		if !strings.Contains(page, "<code>"+path+"</code>") {
			t.Errorf("docs page does not list %s", path)
		}
	}
}
