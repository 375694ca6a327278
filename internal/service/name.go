package service

import "strings"

// sameName compares region names: case and surrounding space do not matter.
// Organisations are compared with domain.SameOrg, whose key the store and the
// search index also keep.
func sameName(a, b string) bool {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	return a != "" && strings.EqualFold(a, b)
}
