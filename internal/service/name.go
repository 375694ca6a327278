package service

import "strings"

// sameName compares names people type (organisations, regions): case and
// surrounding space do not matter.
func sameName(a, b string) bool {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	return a != "" && strings.EqualFold(a, b)
}
