package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
)

// /docs is the API reference as one server-rendered page, built from the same
// OpenAPI document: no script, no CDN, readable without JavaScript and in a
// text browser. Its only style is inline, allowed by a hash in its own
// Content-Security-Policy rather than by loosening the site's.

const docsCSS = `body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem;color:#1b1b1b}
h1,h2,h3{line-height:1.25}h2{border-bottom:2px solid #1b1b1b;margin-top:2.5rem}
section.op{border-top:1px solid #bbb;padding:.5rem 0}
code,pre{font:14px/1.4 ui-monospace,monospace}pre{background:#f3f3f3;padding:.5rem;overflow:auto}
.m{display:inline-block;min-width:4.5rem;font-weight:bold}.get{color:#005a30}.post{color:#1d4e89}.patch{color:#6f3c00}.delete{color:#8b0000}
table{border-collapse:collapse;margin:.5rem 0}th,td{text-align:left;border:1px solid #bbb;padding:.25rem .5rem;vertical-align:top}
a{color:#1d4e89}nav ul{columns:2}`

var docsCSP = "default-src 'none'; style-src 'sha256-" + func() string {
	h := sha256.Sum256([]byte(docsCSS))
	return base64.StdEncoding.EncodeToString(h[:])
}() + "'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

var docsTmpl = template.Must(template.New("docs").Funcs(template.FuncMap{"lower": strings.ToLower}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>bettermatch API reference</title><style>{{.CSS}}</style></head>
<body><main>
<h1>bettermatch API reference</h1>
<p>{{.Description}}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI {{.Version}}).
Sign in with <code>POST /api/v1/auth/login</code> and send <code>Authorization: Bearer &lt;token&gt;</code>.</p>
<nav aria-label="Contents"><h2>Contents</h2><ul>{{range .Tags}}<li><a href="#tag-{{.ID}}">{{.Name}}</a></li>{{end}}<li><a href="#schemas">Schemas</a></li></ul></nav>
{{range .Tags}}<h2 id="tag-{{.ID}}">{{.Name}}</h2>
{{range .Ops}}<section class="op" id="{{.ID}}">
<h3><span class="m {{lower .Method}}">{{.Method}}</span> <code>{{.Path}}</code></h3>
<p>{{.Summary}}{{if .Desc}} {{.Desc}}{{end}}</p>
<p><strong>Who:</strong> {{.Who}}</p>
{{if .Params}}<table><caption>Parameters</caption><tr><th scope="col">Name</th><th scope="col">In</th><th scope="col">Type</th><th scope="col">Description</th></tr>
{{range .Params}}<tr><td><code>{{.Name}}</code></td><td>{{.In}}</td><td>{{.Type}}</td><td>{{.Desc}}</td></tr>{{end}}</table>{{end}}
{{if .Body}}<p><strong>Body</strong> (JSON; unknown fields are refused):</p><pre>{{.Body}}</pre>{{end}}
<table><caption>Responses</caption><tr><th scope="col">Status</th><th scope="col">Content</th></tr>
{{range .Responses}}<tr><td>{{.Status}}</td><td>{{.Content}}</td></tr>{{end}}</table>
</section>{{end}}{{end}}
<h2 id="schemas">Schemas</h2>
{{range .Schemas}}<section id="schema-{{.Name}}"><h3>{{.Name}}</h3>
<table><tr><th scope="col">Field</th><th scope="col">Type</th><th scope="col">Always present</th></tr>
{{range .Fields}}<tr><td><code>{{.Name}}</code></td><td>{{.Type}}</td><td>{{if .Required}}yes{{end}}</td></tr>{{end}}</table></section>{{end}}
</main></body></html>
`))

type docsParam struct{ Name, In, Desc, Type string }
type docsResp struct {
	Status  string
	Content template.HTML
}
type docsOp struct {
	ID, Method, Path, Summary, Desc, Who, Body string
	Params                                     []docsParam
	Responses                                  []docsResp
}
type docsTag struct {
	ID, Name string
	Ops      []docsOp
}
type docsField struct {
	Name     string
	Type     template.HTML
	Required bool
}
type docsSchema struct {
	Name   string
	Fields []docsField
}

var (
	docsOnce sync.Once
	docsPage []byte
)

func (s *Server) docs(c echo.Context) error {
	docsOnce.Do(func() { docsPage = renderDocs() })
	c.Response().Header().Set("Content-Security-Policy", docsCSP)
	return c.HTMLBlob(http.StatusOK, docsPage)
}

func renderDocs() []byte {
	OpenAPI()
	spec := specDoc
	comps := spec["components"].(map[string]any)["schemas"].(map[string]any)
	data := struct {
		CSS                  template.CSS
		Description, Version string
		Tags                 []docsTag
		Schemas              []docsSchema
	}{CSS: template.CSS(docsCSS), Description: spec["info"].(map[string]any)["description"].(string), Version: spec["openapi"].(string)}
	tagIdx := map[string]int{}
	for _, t := range spec["tags"].([]any) {
		name := t.(map[string]any)["name"].(string)
		tagIdx[name] = len(data.Tags)
		data.Tags = append(data.Tags, docsTag{ID: strings.ToLower(strings.ReplaceAll(name, " ", "-")), Name: name})
	}
	for _, op := range operations() {
		path := OpenAPIPath(op.path)
		o := spec["paths"].(map[string]any)[path].(map[string]any)[strings.ToLower(op.method)].(map[string]any)
		d := docsOp{ID: o["operationId"].(string), Method: op.method, Path: path, Summary: op.summary, Desc: op.desc,
			Who: "anyone (a token, if sent, must be valid)"}
		if op.access == signedIn {
			d.Who = "signed in with a bearer token; the summary says which role"
		}
		if ps, ok := o["parameters"].([]any); ok {
			for _, p := range ps {
				pm := p.(map[string]any)
				desc, _ := pm["description"].(string)
				d.Params = append(d.Params, docsParam{Name: pm["name"].(string), In: pm["in"].(string), Desc: desc,
					Type: string(typeText(pm["schema"].(map[string]any), false))})
			}
		}
		if rb, ok := o["requestBody"].(map[string]any); ok {
			b, _ := jsonIndent(rb["content"].(map[string]any)[mediaJSON].(map[string]any)["schema"])
			d.Body = b
		}
		resps := o["responses"].(map[string]any)
		codes := make([]string, 0, len(resps))
		for code := range resps {
			codes = append(codes, code)
		}
		sort.Strings(codes) // "default" sorts after the numbers
		for _, code := range codes {
			r := resps[code].(map[string]any)
			var parts []string
			if _, isRef := r["$ref"]; isRef {
				parts = append(parts, `problem details (<a href="#schema-Problem">Problem</a>)`)
			}
			if content, ok := r["content"].(map[string]any); ok {
				media := make([]string, 0, len(content))
				for m := range content {
					media = append(media, m)
				}
				sort.Strings(media)
				for _, m := range media {
					parts = append(parts, template.HTMLEscapeString(m)+": "+string(typeText(content[m].(map[string]any)["schema"].(map[string]any), true)))
				}
			}
			if len(parts) == 0 {
				parts = append(parts, "no content")
			}
			label := code
			if n, err := strconv.Atoi(code); err == nil {
				label = code + " " + http.StatusText(n)
			} else {
				label = "any other"
			}
			d.Responses = append(d.Responses, docsResp{Status: label, Content: template.HTML(strings.Join(parts, "<br>"))})
		}
		t := &data.Tags[tagIdx[op.tag]]
		t.Ops = append(t.Ops, d)
	}
	names := make([]string, 0, len(comps))
	for n := range comps {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		sc := comps[n].(map[string]any)
		req := map[string]bool{}
		if r, ok := sc["required"].([]string); ok {
			for _, f := range r {
				req[f] = true
			}
		}
		ds := docsSchema{Name: n}
		props, _ := sc["properties"].(map[string]any)
		fields := make([]string, 0, len(props))
		for f := range props {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		for _, f := range fields {
			ds.Fields = append(ds.Fields, docsField{Name: f, Type: typeText(props[f].(map[string]any), true), Required: req[f]})
		}
		data.Schemas = append(data.Schemas, ds)
	}
	var buf bytes.Buffer
	if err := docsTmpl.Execute(&buf, data); err != nil {
		panic("docs: " + err.Error()) // the template and its data are fixed at build time
	}
	return buf.Bytes()
}

// typeText describes a schema in words, linking named schemas when link.
func typeText(s map[string]any, link bool) template.HTML {
	if ref, ok := s["$ref"].(string); ok {
		name := ref[strings.LastIndexByte(ref, '/')+1:]
		if link {
			return template.HTML(`<a href="#schema-` + template.HTMLEscapeString(name) + `">` + template.HTMLEscapeString(name) + `</a>`)
		}
		return template.HTML(template.HTMLEscapeString(name))
	}
	if alts, ok := s["anyOf"].([]any); ok {
		var parts []string
		for _, a := range alts {
			parts = append(parts, string(typeText(a.(map[string]any), link)))
		}
		return template.HTML(strings.Join(parts, " or "))
	}
	t, _ := s["type"].(string)
	switch t {
	case "array":
		return "array of " + typeText(s["items"].(map[string]any), link)
	case "object":
		if ap, ok := s["additionalProperties"].(map[string]any); ok {
			return "map of " + typeText(ap, link)
		}
		return "object"
	case "":
		return "any"
	}
	out := template.HTMLEscapeString(t)
	if f, ok := s["format"].(string); ok {
		out += " (" + template.HTMLEscapeString(f) + ")"
	}
	if e, ok := s["enum"].([]string); ok {
		out += ": " + template.HTMLEscapeString(strings.Join(e, " | "))
	}
	return template.HTML(out)
}

func jsonIndent(v any) (string, error) {
	var buf bytes.Buffer
	enc := jsonEncoder(&buf)
	err := enc.Encode(v)
	return buf.String(), err
}
