package domain

import (
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Field limits keep records a sensible size (the body limit is 1 MiB anyway).
const (
	maxShort = 200
	maxProse = 20000
	maxList  = 50
	maxItem  = 120
)

func text(v *Validation, field, s string, min, max int) {
	n := utf8.RuneCountInString(strings.TrimSpace(s))
	switch {
	case min > 0 && n == 0:
		v.Add(field, "is required")
	case n < min:
		v.Add(field, "must be at least %d characters", min)
	case utf8.RuneCountInString(s) > max:
		v.Add(field, "must be at most %d characters", max)
	case strings.ContainsRune(s, 0):
		v.Add(field, "must not contain NUL characters")
	}
}

func list(v *Validation, field string, items []string) {
	if len(items) > maxList {
		v.Add(field, "must have at most %d items", maxList)
		return
	}
	for _, it := range items {
		if strings.TrimSpace(it) == "" || utf8.RuneCountInString(it) > maxItem || strings.ContainsRune(it, 0) {
			v.Add(field, "items must be non-empty and at most %d characters", maxItem)
			return
		}
	}
}

func oneOf(v *Validation, field, s string, allowed ...string) {
	for _, a := range allowed {
		if s == a {
			return
		}
	}
	v.Add(field, "must be one of %s", strings.Join(allowed, ", "))
}

var cpvRe = regexp.MustCompile(`^[0-9]{8}(-[0-9])?$`)

// ValidCPV reports whether s looks like a CPV code ("72316000-3" or "72316000").
func ValidCPV(s string) bool { return cpvRe.MatchString(s) }

func cpvList(v *Validation, field string, codes []string) {
	if len(codes) > maxList {
		v.Add(field, "must have at most %d items", maxList)
		return
	}
	for _, c := range codes {
		if !ValidCPV(c) {
			v.Add(field, "%q is not a CPV code like 72316000-3", c)
			return
		}
	}
}

func link(v *Validation, field, s string) {
	if s == "" {
		return
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(s) > 500 {
		v.Add(field, "must be an http or https address")
	}
}

func externalID(v *Validation, s string) {
	if s == "" {
		return
	}
	text(v, "externalId", s, 1, maxShort)
}

// CleanList trims items, drops empty ones and duplicates (case-insensitively),
// keeping the first spelling.
func CleanList(items []string) []string {
	if items == nil {
		return []string{}
	}
	out := make([]string, 0, len(items))
	seen := map[string]bool{}
	for _, it := range items {
		it = strings.TrimSpace(it)
		k := strings.ToLower(it)
		if it == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, it)
	}
	return out
}

// Languages that records may be written in; they pick the text analyser.
var Languages = []string{"en", "it", "hu", "sv", "et"}

func language(v *Validation, s string) {
	if s != "" {
		oneOf(v, "language", s, Languages...)
	}
}
