// Package cpv is the EU Common Procurement Vocabulary (CPV 2008) with its English
// labels, embedded in the binary so that matching can read a code's meaning and
// its place in the hierarchy without any network or database.
//
// A code has eight digits and a check digit ("72316000-3"). The digits before
// the trailing zeros name the division (2 digits), group (3), class (4) and
// category (5 to 8): 72316000 (data analysis services) sits under 72300000 (data
// services) under 72000000 (IT services). Codes are keyed here by their eight
// digits, so "72316000", "72316000-3" and even a wrong check digit all mean the
// same thing.
package cpv

import (
	_ "embed"
	"encoding/json"
	"strings"
	"sync"
)

//go:embed cpv-2008-en.json
var raw []byte

type entry struct {
	full  string // with check digit, as published
	label string
}

var (
	once  sync.Once
	codes map[string]entry // by eight digits
)

// load parses the embedded list on first use, so programs that never match pay
// nothing at start-up.
func load() {
	once.Do(func() {
		var m map[string]string
		if err := json.Unmarshal(raw, &m); err != nil {
			panic("cpv: embedded list: " + err.Error()) // shipped file; cannot fail
		}
		codes = make(map[string]entry, len(m))
		for full, label := range m {
			codes[full[:8]] = entry{full: full, label: label}
		}
	})
}

// Normalize returns the eight digits of a code written with or without its
// check digit ("72316000-3" → "72316000"), or "" when s is not a CPV code.
func Normalize(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '-'); i >= 0 {
		if i != 8 || len(s) != 10 || !isDigits(s[9:]) {
			return ""
		}
		s = s[:8]
	}
	if len(s) != 8 || !isDigits(s) {
		return ""
	}
	return s
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// Known reports whether the code is in the vocabulary.
func Known(code string) bool {
	load()
	_, ok := codes[Normalize(code)]
	return ok
}

// Full returns the code with its published check digit ("72316000" →
// "72316000-3"), or the normalised input when the code is unknown.
func Full(code string) string {
	load()
	n := Normalize(code)
	if e, ok := codes[n]; ok {
		return e.full
	}
	return n
}

// Label returns the English label of a code, or "" when unknown.
func Label(code string) string {
	load()
	return codes[Normalize(code)].label
}

// Len is the number of significant digits of a normalised code: the digits
// before its trailing zeros, never fewer than 2 (a division).
func Len(code string) int {
	n := Normalize(code)
	if n == "" {
		return 0
	}
	k := len(strings.TrimRight(n, "0"))
	if k < 2 {
		k = 2
	}
	return k
}

// Parents returns the known ancestors of a code, nearest first, as eight-digit
// codes: for 72316000 that is 72310000, 72300000, 72000000. Levels missing from
// the vocabulary are skipped.
func Parents(code string) []string {
	load()
	n := Normalize(code)
	if n == "" {
		return nil
	}
	var out []string
	for k := Len(n) - 1; k >= 2; k-- {
		p := n[:k] + strings.Repeat("0", 8-k)
		if _, ok := codes[p]; ok && p != n {
			out = append(out, p)
		}
	}
	return out
}

// SharedPrefix is the number of significant digits two codes share, counting
// only whole levels of the hierarchy: 72316000 and 72310000 share 4 (the class
// 7231), 72316000 and 72212000 share 2 (the division 72), codes of different
// divisions share 0. Equal codes share their own length.
func SharedPrefix(a, b string) int {
	a, b = Normalize(a), Normalize(b)
	if a == "" || b == "" {
		return 0
	}
	if a == b {
		return Len(a)
	}
	la, lb := Len(a), Len(b)
	k := 0
	for k < 8 && a[k] == b[k] {
		k++
	}
	// A prefix counts only as far as both codes are specific: 72000000 and
	// 72300000 share the division (2), not the "72" followed by a zero.
	if k > la {
		k = la
	}
	if k > lb {
		k = lb
	}
	if k < 2 {
		return 0
	}
	return k
}
