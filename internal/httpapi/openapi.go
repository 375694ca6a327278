package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/ocds"
	"github.com/bettermatch/bettermatch/internal/service"
	"github.com/labstack/echo/v4"
)

// The OpenAPI 3.1 document of the API, served at /openapi.json and
// /api/v1/openapi.json. It is built from the table below and from the Go types
// handlers encode (openapi_schema.go); tests hold it to the server: every
// registered route has an operation here and every operation a route, and
// every reply of the integration tests validates against it.

func (s *Server) registerOpenAPIRoutes(e *echo.Echo, api *echo.Group) {
	e.GET("/openapi.json", s.openapi)
	api.GET("/openapi.json", s.openapi)
	e.GET("/docs", s.docs)
}

// access says who may call an operation.
type access int

const (
	public   access = iota // anyone; a token, when sent, must be valid
	signedIn               // a bearer token is required
)

// param is a query or header parameter.
type param struct {
	name, in, desc string
	schema         map[string]any
}

func q(name, desc string) param {
	return param{name: name, in: "query", desc: desc, schema: map[string]any{"type": "string"}}
}

func qint(name, desc string) param {
	return param{name: name, in: "query", desc: desc, schema: map[string]any{"type": "integer", "minimum": 0}}
}

func qenum(name, desc string, vals ...string) param {
	return param{name: name, in: "query", desc: desc, schema: map[string]any{"type": "string", "enum": vals}}
}

var (
	pLimit   = qint("limit", "Page size (default 20, at most 100).")
	pOffset  = qint("offset", "Records to skip.")
	pFormat  = qenum("format", "csv downloads the list as CSV in the import format's columns; without limit, every matching record.", "json", "csv")
	pIfMatch = param{name: "If-Match", in: "header", desc: `The ETag you read ("v3"); a stale one is 412.`, schema: map[string]any{"type": "string"}}
)

// operation is one method and path of the API.
type operation struct {
	method, path string // Echo's form: /challenges/:id
	tag, summary string
	desc         string
	access       access
	params       []param
	body         any  // a value of the request body's type; nil for none
	bodyOptional bool // the body may be left out
	status       int  // the success status
	out          any  // a value of the reply's type; nil for no content
	media        string
	csv          bool   // ?format=csv also answers text/csv
	errors       []int  // the refusals worth listing; any may also be 429 or 503
	id           string // operationId, when the path does not make a unique one
}

// Response prototypes for the generic pages.
var (
	pageSMEs          service.Page[*domain.SME]
	pageChallenges    service.Page[*domain.Challenge]
	pageCourses       service.Page[*domain.Course]
	pageResponses     service.Page[*domain.Response]
	pageUsers         service.Page[*domain.User]
	pageNotifications service.Page[*domain.Notification]
	pageSMEMatches    service.Page[service.SMEMatch]
	pageChMatches     service.Page[service.ChallengeMatch]
	pageAudit         service.Page[*domain.AuditEntry]
	status            = map[string]string{}
)

const (
	mediaJSON = "application/json"
	mediaAtom = "application/atom+xml"
	mediaHTML = "text/html"
)

func operations() []operation {
	const v1 = "/api/v1"
	searchQ := q("q", `Search text: "quoted phrases", +required and -excluded words; stemmed, with a little fuzziness.`)
	return []operation{
		{method: "GET", path: "/healthz", tag: "Operations", summary: "Liveness", status: 200, out: status},
		{method: "GET", path: "/readyz", tag: "Operations", summary: "Readiness: the database answers", status: 200, out: status, errors: []int{503}},
		{method: "GET", path: "/openapi.json", tag: "Operations", summary: "This OpenAPI document", status: 200, out: map[string]any{}},
		{method: "GET", path: v1 + "/openapi.json", tag: "Operations", summary: "This OpenAPI document (under the API prefix)", status: 200, out: map[string]any{}, id: "getApiOpenapiJson"},
		{method: "GET", path: "/docs", tag: "Operations", summary: "The API reference as a web page", status: 200, media: mediaHTML},
		{method: "GET", path: "/feeds/challenges.atom", tag: "Open data", summary: "Atom feed of open challenges, newest first",
			params: []param{qenum("theme", "Only this theme.", domain.Themes...), q("region", "Only this region.")}, status: 200, media: mediaAtom, errors: []int{422}},

		{method: "POST", path: v1 + "/auth/register", tag: "Accounts", summary: "Sign up", desc: "SMEs are active at once; officers and providers wait for an administrator.",
			body: domain.Registration{}, status: 201, out: service.Session{}, errors: []int{400, 409, 422}},
		{method: "POST", path: v1 + "/auth/login", tag: "Accounts", summary: "Sign in for a bearer token", body: loginRequest{}, status: 200, out: service.Session{}, errors: []int{400, 401, 403, 429}},
		{method: "POST", path: v1 + "/auth/refresh", tag: "Accounts", summary: "Exchange a refresh token for new tokens",
			desc: "The refresh token is single-use: the answer holds its successor. Presenting a used one again revokes the session (someone else has a copy); within a few seconds of its use it is 409 instead (a concurrent refresh won).",
			body: refreshRequest{}, status: 200, out: service.Session{}, errors: []int{400, 401, 409}},
		{method: "POST", path: v1 + "/auth/logout", tag: "Accounts", summary: "Sign out: end this session",
			desc: "Ends the session of the bearer token, or of the refresh token in the optional body.", body: refreshRequest{}, bodyOptional: true, status: 204, errors: []int{400, 401}},
		{method: "POST", path: v1 + "/auth/password", tag: "Accounts", summary: "Change your password",
			desc:   "Ends every session of the account, on every device; the answer is a new session for the caller.",
			access: signedIn, body: passwordRequest{}, status: 200, out: service.Session{}, errors: []int{400, 401, 403, 422, 429}},
		{method: "GET", path: v1 + "/audit", tag: "Accounts", summary: "The audit log of admin actions and status changes, newest first (admin)",
			access: signedIn, params: []param{pLimit, pOffset}, status: 200, out: pageAudit, errors: []int{401, 403}},
		{method: "GET", path: v1 + "/me", tag: "Accounts", summary: "The signed-in user", access: signedIn, status: 200, out: domain.User{}, errors: []int{401, 403}},
		{method: "GET", path: v1 + "/users", tag: "Accounts", summary: "List accounts (admin)", access: signedIn,
			params: []param{qenum("status", "Only this status.", "active", "pending", "suspended"), qenum("role", "Only this role.", "sme", "officer", "provider", "admin"), pLimit, pOffset},
			status: 200, out: pageUsers, errors: []int{401, 403}},
		{method: "POST", path: v1 + "/users/:id/verify", tag: "Accounts", summary: "Verify an account (admin)", access: signedIn, status: 200, out: domain.User{}, errors: []int{401, 403, 404}},
		{method: "POST", path: v1 + "/users/:id/suspend", tag: "Accounts", summary: "Suspend an account (admin)", access: signedIn, status: 200, out: domain.User{}, errors: []int{401, 403, 404}},

		{method: "GET", path: v1 + "/smes", tag: "SMEs", summary: "Search public SME profiles, with facets",
			params: []param{searchQ, q("region", "Only this region (comma-separate several)."), qenum("size", "Only this size.", "micro", "small", "medium"), pLimit, pOffset, pFormat,
				q("facets", "Facets to count besides region and size, comma-separated: skills, capabilities.")},
			status: 200, out: pageSMEs, csv: true, errors: []int{422}},
		{method: "POST", path: v1 + "/smes", tag: "SMEs", summary: "Create your company profile", access: signedIn, body: domain.SMEInput{}, status: 201, out: domain.SME{}, errors: []int{400, 401, 403, 409, 413, 422}},
		{method: "GET", path: v1 + "/smes/:id", tag: "SMEs", summary: "Read a profile", status: 200, out: domain.SME{}, errors: []int{404}},
		{method: "PATCH", path: v1 + "/smes/:id", tag: "SMEs", summary: "Change your profile (merge patch)", access: signedIn, params: []param{pIfMatch},
			body: domain.SMEInput{}, status: 200, out: domain.SME{}, errors: []int{400, 401, 403, 404, 412, 422}},
		{method: "DELETE", path: v1 + "/smes/:id", tag: "SMEs", summary: "Delete your profile", access: signedIn, params: []param{pIfMatch}, status: 204, errors: []int{401, 403, 404, 412}},
		{method: "GET", path: v1 + "/smes/:id/matches", tag: "Matching", summary: "Open challenges ranked for an SME, with reasons", access: signedIn,
			params: []param{pLimit}, status: 200, out: pageChMatches, errors: []int{401, 403, 404}},
		{method: "GET", path: v1 + "/smes/:id/skills-gap", tag: "Matching", summary: "What an SME lacks for a challenge, and courses that close it", access: signedIn,
			params: []param{q("challenge", "The challenge's id."), pLimit}, status: 200, out: service.SkillsGap{}, errors: []int{401, 403, 404, 422}},
		{method: "GET", path: v1 + "/smes/:id/responses", tag: "Responses", summary: "An SME's own responses", access: signedIn,
			params: []param{pLimit, pOffset}, status: 200, out: pageResponses, errors: []int{401, 403, 404}},

		{method: "GET", path: v1 + "/challenges", tag: "Challenges", summary: "Search challenges, with facets", desc: "Anyone sees published challenges; officers also their organisation's drafts.",
			params: []param{searchQ, qenum("theme", "Only this theme.", domain.Themes...), qenum("status", "Only this status.", "draft", "open", "closed", "awarded", "cancelled"),
				q("region", "Only this region."), qenum("sort", "Order: relevance (default), newest, or soonest deadline.", "newest", "deadline"), pLimit, pOffset, pFormat,
				q("facets", "Facets to count besides theme, status and region: organisation.")},
			status: 200, out: pageChallenges, csv: true, errors: []int{422}},
		{method: "POST", path: v1 + "/challenges", tag: "Challenges", summary: "Draft a challenge (verified officer)", access: signedIn, body: domain.ChallengeInput{}, status: 201, out: domain.Challenge{}, errors: []int{400, 401, 403, 409, 413, 422}},
		{method: "GET", path: v1 + "/challenges/:id", tag: "Challenges", summary: "Read a challenge", status: 200, out: domain.Challenge{}, errors: []int{404}},
		{method: "PATCH", path: v1 + "/challenges/:id", tag: "Challenges", summary: "Change a draft or open challenge (merge patch)", access: signedIn, params: []param{pIfMatch},
			body: domain.ChallengeInput{}, status: 200, out: domain.Challenge{}, errors: []int{400, 401, 403, 404, 409, 412, 422}},
		{method: "DELETE", path: v1 + "/challenges/:id", tag: "Challenges", summary: "Delete a draft", access: signedIn, params: []param{pIfMatch}, status: 204, errors: []int{401, 403, 404, 409, 412}},
		{method: "POST", path: v1 + "/challenges/:id/publish", tag: "Challenges", summary: "Publish a draft", access: signedIn, params: []param{pIfMatch}, status: 200, out: domain.Challenge{}, errors: []int{401, 403, 404, 409, 412, 422}},
		{method: "POST", path: v1 + "/challenges/:id/close", tag: "Challenges", summary: "Stop taking responses", access: signedIn, params: []param{pIfMatch}, status: 200, out: domain.Challenge{}, errors: []int{401, 403, 404, 409, 412}},
		{method: "POST", path: v1 + "/challenges/:id/award", tag: "Challenges", summary: "Award to a response (which is accepted)", access: signedIn, params: []param{pIfMatch},
			body: awardRequest{}, status: 200, out: domain.Challenge{}, errors: []int{400, 401, 403, 404, 409, 412, 422}},
		{method: "POST", path: v1 + "/challenges/:id/cancel", tag: "Challenges", summary: "Cancel", access: signedIn, params: []param{pIfMatch}, status: 200, out: domain.Challenge{}, errors: []int{401, 403, 404, 409, 412}},
		{method: "GET", path: v1 + "/challenges/:id/matches", tag: "Matching", summary: "SMEs ranked for a challenge, with reasons", access: signedIn,
			params: []param{pLimit}, status: 200, out: pageSMEMatches, errors: []int{401, 403, 404}},
		{method: "POST", path: v1 + "/challenges/:id/responses", tag: "Responses", summary: "Respond to an open challenge (SME)", access: signedIn,
			body: domain.ResponseInput{}, status: 201, out: domain.Response{}, errors: []int{400, 401, 403, 404, 409, 422}},
		{method: "GET", path: v1 + "/challenges/:id/responses", tag: "Responses", summary: "A challenge's responses", desc: "All of them for the challenge's officers and admins; an SME gets only its own.",
			access: signedIn, params: []param{pLimit, pOffset, pFormat}, status: 200, out: pageResponses, csv: true, errors: []int{401, 403, 404}},
		{method: "GET", path: v1 + "/challenges/:id/ocds", tag: "Open data", summary: "A published challenge as an OCDS 1.1.5 release package",
			status: 200, out: ocds.Package{}, errors: []int{404}},
		{method: "GET", path: v1 + "/ocds/releases", tag: "Open data", summary: "Every published challenge as an OCDS 1.1.5 release package",
			params: []param{{name: "since", in: "query", desc: "Only challenges changed at or after this time (RFC 3339).", schema: map[string]any{"type": "string", "format": "date-time"}}},
			status: 200, out: ocds.Package{}, errors: []int{422}},

		{method: "GET", path: v1 + "/responses/:id", tag: "Responses", summary: "Read a response", access: signedIn, status: 200, out: domain.Response{}, errors: []int{401, 404}},
		{method: "PATCH", path: v1 + "/responses/:id", tag: "Responses", summary: "Edit or withdraw (SME), or review (officer)", access: signedIn, params: []param{pIfMatch},
			body: domain.ResponseUpdate{}, status: 200, out: domain.Response{}, errors: []int{400, 401, 403, 404, 409, 412, 422}},

		{method: "GET", path: v1 + "/courses", tag: "Courses", summary: "Search courses, with facets",
			params: []param{searchQ, q("skill", "Only courses teaching this skill."), qenum("mode", "Only this mode.", "online", "in-person", "blended"), q("region", "Only this region."), pLimit, pOffset, pFormat,
				q("facets", "Facets to count besides mode, region and funded: skills.")},
			status: 200, out: pageCourses, csv: true, errors: []int{422}},
		{method: "POST", path: v1 + "/courses", tag: "Courses", summary: "List a course (verified provider)", access: signedIn, body: domain.CourseInput{}, status: 201, out: domain.Course{}, errors: []int{400, 401, 403, 413, 422}},
		{method: "GET", path: v1 + "/courses/:id", tag: "Courses", summary: "Read a course", status: 200, out: domain.Course{}, errors: []int{404}},
		{method: "PATCH", path: v1 + "/courses/:id", tag: "Courses", summary: "Change a course (merge patch)", access: signedIn, params: []param{pIfMatch},
			body: domain.CourseInput{}, status: 200, out: domain.Course{}, errors: []int{400, 401, 403, 404, 412, 422}},
		{method: "DELETE", path: v1 + "/courses/:id", tag: "Courses", summary: "Delete a course", access: signedIn, params: []param{pIfMatch}, status: 204, errors: []int{401, 403, 404, 412}},

		{method: "GET", path: v1 + "/notifications", tag: "Notifications", summary: "Your notifications, newest first", access: signedIn,
			params: []param{qenum("unread", "true lists only unread ones.", "true", "false"), pLimit, pOffset}, status: 200, out: pageNotifications, errors: []int{401}},
		{method: "POST", path: v1 + "/notifications/:id/read", tag: "Notifications", summary: "Mark one read", access: signedIn, status: 200, out: domain.Notification{}, errors: []int{401, 404}},

		{method: "GET", path: v1 + "/stats", tag: "Open data", summary: "Innovation indicators, overall and per semester, theme and region",
			params: []param{pFormat}, status: 200, out: service.Stats{}, csv: true, errors: []int{422}},
	}
}

// OpenAPIPath turns Echo's ":id" into OpenAPI's "{id}".
func OpenAPIPath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") {
			parts[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

var (
	specOnce sync.Once
	specJSON []byte
	specDoc  map[string]any
)

// OpenAPI returns the document as JSON.
func OpenAPI() []byte {
	specOnce.Do(func() {
		specDoc = buildSpec()
		var err error
		if specJSON, err = json.MarshalIndent(specDoc, "", "  "); err != nil {
			panic("openapi: " + err.Error()) // maps of plain values always marshal
		}
	})
	return specJSON
}

func problemRef() map[string]any { return map[string]any{"$ref": "#/components/responses/Problem"} }

func buildSpec() map[string]any {
	g := newSchemaGen()
	problem := g.ref(reflect.TypeOf(Problem{}), false)
	paths := map[string]any{}
	for _, op := range operations() {
		path := OpenAPIPath(op.path)
		item, _ := paths[path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[path] = item
		}
		o := map[string]any{
			"tags":        []string{op.tag},
			"summary":     op.summary,
			"operationId": operationID(op),
		}
		if op.desc != "" {
			o["description"] = op.desc
		}
		if op.access == signedIn {
			o["security"] = []any{map[string]any{"bearerAuth": []string{}}}
		} else {
			// Public: no token needed, but one that is sent must be valid.
			o["security"] = []any{map[string]any{}, map[string]any{"bearerAuth": []string{}}}
		}
		var params []any
		for _, seg := range strings.Split(op.path, "/") {
			if strings.HasPrefix(seg, ":") {
				params = append(params, map[string]any{"name": seg[1:], "in": "path", "required": true,
					"description": "An opaque id; one that is not well-formed is 404.", "schema": map[string]any{"type": "string"}})
			}
		}
		for _, p := range op.params {
			params = append(params, map[string]any{"name": p.name, "in": p.in, "description": p.desc, "schema": p.schema})
		}
		if len(params) > 0 {
			o["parameters"] = params
		}
		if op.body != nil {
			o["requestBody"] = map[string]any{
				"required": !op.bodyOptional,
				"content":  map[string]any{mediaJSON: map[string]any{"schema": g.schema(reflect.TypeOf(op.body), true)}},
			}
		}
		responses := map[string]any{"default": problemRef()}
		ok := map[string]any{"description": http.StatusText(op.status)}
		content := map[string]any{}
		switch {
		case op.media != "":
			content[op.media] = map[string]any{"schema": map[string]any{"type": "string"}}
		case op.out != nil:
			content[mediaJSON] = map[string]any{"schema": g.ref(reflect.TypeOf(op.out), false)}
		}
		if op.csv {
			content["text/csv"] = map[string]any{"schema": map[string]any{"type": "string"}}
		}
		if len(content) > 0 {
			ok["content"] = content
		}
		responses[strconv.Itoa(op.status)] = ok
		for _, code := range op.errors {
			responses[strconv.Itoa(code)] = problemRef()
		}
		o["responses"] = responses
		item[strings.ToLower(op.method)] = o
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "bettermatch API",
			"version": "1",
			"summary": "Match public-sector challenges with the SMEs that can solve them.",
			"description": "JSON over HTTP under /api/v1. Lists are {items, total, limit, offset}; search lists add facets. " +
				"Records carry a version, sent as an ETag; send it back in If-Match to update, and a stale one is 412. " +
				"Every error is RFC 9457 problem details (application/problem+json).",
			"license": map[string]any{"name": "Open source"},
		},
		"servers": []any{map[string]any{"url": "/", "description": "This server"}},
		"tags": []any{
			map[string]any{"name": "Accounts"}, map[string]any{"name": "SMEs"}, map[string]any{"name": "Challenges"},
			map[string]any{"name": "Responses"}, map[string]any{"name": "Matching"}, map[string]any{"name": "Courses"},
			map[string]any{"name": "Notifications"}, map[string]any{"name": "Open data"}, map[string]any{"name": "Operations"},
		},
		"paths": paths,
		"components": map[string]any{
			"schemas": g.components,
			"responses": map[string]any{"Problem": map[string]any{
				"description": "RFC 9457 problem details",
				"content":     map[string]any{"application/problem+json": map[string]any{"schema": problem}},
			}},
			"securitySchemes": map[string]any{"bearerAuth": map[string]any{
				"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
				"description": "The token from /auth/login or /auth/register, HS256, short-lived.",
			}},
		},
	}
}

// operationID is a stable name for generated clients: method and path words,
// e.g. getChallengesIdMatches.
func operationID(op operation) string {
	if op.id != "" {
		return op.id
	}
	var b strings.Builder
	b.WriteString(strings.ToLower(op.method))
	for _, seg := range strings.FieldsFunc(strings.TrimPrefix(op.path, "/api/v1"), func(r rune) bool { return r == '/' || r == '-' || r == '.' || r == ':' }) {
		b.WriteString(strings.ToUpper(seg[:1]) + seg[1:])
	}
	return b.String()
}

func (s *Server) openapi(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSONCharsetUTF8, OpenAPI())
}

func jsonEncoder(w *bytes.Buffer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc
}
