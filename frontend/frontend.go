// Package frontend holds the web pages' templates and static files, embedded in
// the binary so the server needs nothing beside itself. It lives at the top of
// the repository because go:embed cannot reach parent directories, and it has
// no code: internal/web parses and serves what it embeds.
package frontend

import "embed"

// FS holds templates/ (html/template files) and static/ (CSS, JS, icons).
//
//go:embed templates static
var FS embed.FS
