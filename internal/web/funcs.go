package web

import (
	"html"
	"html/template"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bettermatch/bettermatch/internal/domain"
)

var funcs = template.FuncMap{
	"field":       newField,
	"themeLabel":  themeLabel,
	"roleLabel":   roleLabel,
	"statusLabel": statusLabel,
	"sizeLabel":   sizeLabel,
	"modeLabel":   modeLabel,
	"date":        formatDate,
	"dateTime":    formatDateTime,
	"money":       money,
	"budget":      budget,
	"pct":         func(f float64) int { return int(math.Round(f * 100)) },
	"join":        strings.Join,
	"highlight":   highlight,
	"add":         func(a, b int) int { return a + b },
	"sub":         func(a, b int) int { return a - b },
	"themeOptions": func() []Option {
		out := make([]Option, len(domain.Themes))
		for i, t := range domain.Themes {
			out[i] = Option{Value: t, Label: themeLabel(t)}
		}
		return out
	},
	"deref": func(p *int) int {
		if p == nil {
			return 0
		}
		return *p
	},
	"firstErr": func(f *form) string {
		if f == nil || len(f.Summary) == 0 {
			return ""
		}
		return f.Summary[0].Message
	},
	"withParam":  withParam,
	"lower":      strings.ToLower,
	"paragraphs": paragraphs,
	"add0":       func(a, b float64) float64 { return a + b },
	"sub0":       func(a, b float64) float64 { return a - b },
	"chartBlock": func(c chart, rows []statRow, series []chartSeries, keyLabel string) map[string]any {
		return map[string]any{"Chart": c, "Rows": rows, "Series": series, "KeyLabel": keyLabel}
	},
	"list": func(v ...string) []string { return v },
	"facetGroup": func(title string, items []facet) map[string]any {
		return map[string]any{"Title": title, "Items": items}
	},
	// bucket is a score in tenths, for the bar's width class (no inline
	// styles: the Content-Security-Policy forbids them).
	"bucket":  func(f float64) int { return int(math.Round(math.Max(0, math.Min(1, f)) * 10)) },
	"excerpt": excerpt,
}

// excerptRunes is how much of a text a card shows when the search marked
// nothing in it: about what a highlight fragment shows.
const excerptRunes = 200

// excerpt is the start of s, cut at a space before excerptRunes runes with
// "…" when there is more. Search fragments carry their own ellipses; this is
// for the cards that have no fragment.
func excerpt(s string) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= excerptRunes {
		return s
	}
	cut, n := 0, 0
	for i := range s {
		if n == excerptRunes {
			cut = i
			break
		}
		n++
	}
	if sp := strings.LastIndexAny(s[:cut], " \t\n"); sp > cut/2 {
		cut = sp
	}
	return strings.TrimRight(s[:cut], " \t\n,;:.") + "…"
}

var themeLabels = map[string]string{
	domain.ThemeHealth: "City health", domain.ThemeData: "Data platforms",
	domain.ThemeMobility: "Air quality and transport", domain.ThemeSMEDigital: "SME digital innovation",
	domain.ThemeOther: "Other",
}

func themeLabel(t string) string { return labelOr(themeLabels, t) }

var roleLabels = map[string]string{
	domain.RoleSME: "SME", domain.RoleOfficer: "Public-sector officer",
	domain.RoleProvider: "Training provider", domain.RoleAdmin: "Administrator",
}

func roleLabel(r string) string { return labelOr(roleLabels, r) }

func statusLabel(s string) string {
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

var sizeLabels = map[string]string{
	domain.SizeMicro: "Micro (under 10 staff)", domain.SizeSmall: "Small (10 to 49 staff)", domain.SizeMedium: "Medium (50 to 249 staff)",
}

func sizeLabel(s string) string { return labelOr(sizeLabels, s) }

var modeLabels = map[string]string{domain.ModeOnline: "Online", domain.ModeInPerson: "In person", domain.ModeBlended: "Blended"}

func modeLabel(m string) string { return labelOr(modeLabels, m) }

func labelOr(m map[string]string, k string) string {
	if l, ok := m[k]; ok {
		return l
	}
	return k
}

// formatDate accepts time.Time or *time.Time, so templates need no nil checks.
func formatDate(v any) string {
	switch t := v.(type) {
	case time.Time:
		if t.IsZero() {
			return ""
		}
		return t.Format("2 January 2006")
	case *time.Time:
		if t == nil {
			return ""
		}
		return formatDate(*t)
	}
	return ""
}

func formatDateTime(t time.Time) string { return t.Format("2 Jan 2006, 15:04 MST") }

func money(amount float64, currency string) string {
	if currency == "" {
		currency = "GBP"
	}
	sym := map[string]string{"GBP": "£", "EUR": "€", "USD": "$"}[currency]
	n := strconv.FormatFloat(math.Round(amount), 'f', 0, 64)
	// Thousands separators make amounts readable at a glance.
	for i := len(n) - 3; i > 0; i -= 3 {
		n = n[:i] + "," + n[i:]
	}
	if sym != "" {
		return sym + n
	}
	return n + " " + currency
}

func budget(b domain.Budget) string {
	switch {
	case b.Min > 0 && b.Max > 0 && b.Min != b.Max:
		return money(b.Min, b.Currency) + " to " + money(b.Max, b.Currency)
	case b.Max > 0:
		return "up to " + money(b.Max, b.Currency)
	case b.Min > 0:
		return "from " + money(b.Min, b.Currency)
	}
	return "Not stated"
}

// highlight renders a search fragment whose only markup is <mark>: the text
// between the marks is escaped here, whatever the index did to it, so nothing
// but <mark> can reach the page.
func highlight(frag string) template.HTML {
	frag = html.UnescapeString(frag)
	var b strings.Builder
	for {
		i := strings.Index(frag, "<mark>")
		if i < 0 {
			break
		}
		j := strings.Index(frag[i:], "</mark>")
		if j < 0 {
			break
		}
		b.WriteString(template.HTMLEscapeString(frag[:i]))
		b.WriteString("<mark>")
		b.WriteString(template.HTMLEscapeString(frag[i+6 : i+j]))
		b.WriteString("</mark>")
		frag = frag[i+j+7:]
	}
	b.WriteString(template.HTMLEscapeString(frag))
	return template.HTML(b.String())
}

// withParam returns the query q with key set to value (removed when value is
// ""), for filter and pagination links that keep the rest of the search.
func withParam(q url.Values, kv ...string) string {
	c := url.Values{}
	for k, v := range q {
		c[k] = append([]string(nil), v...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			c.Del(kv[i])
		} else {
			c.Set(kv[i], kv[i+1])
		}
	}
	if len(c) == 0 {
		return "?"
	}
	return "?" + c.Encode()
}

// paragraphs turns plain text with blank lines into escaped <p> elements.
func paragraphs(s string) template.HTML {
	var b strings.Builder
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			b.WriteString("<p>")
			b.WriteString(strings.ReplaceAll(template.HTMLEscapeString(p), "\n", "<br>"))
			b.WriteString("</p>")
		}
	}
	return template.HTML(b.String())
}
