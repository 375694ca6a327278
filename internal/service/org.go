package service

import "strings"

// sameOrg compares organisation names as people type them: case and
// surrounding space do not matter.
func sameOrg(a, b string) bool {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	return a != "" && strings.EqualFold(a, b)
}
