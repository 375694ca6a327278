package domain

import (
	"testing"
	"unicode"
)

func TestOrgKey(t *testing.T) {
	tests := []struct{ name, want string }{
		{"Genoa City Council", "genoa city council"},
		{"  genoa   CITY\tcouncil\n", "genoa city council"},
		{"Genoa\u00a0City Council", "genoa city council"}, // no-break space
		{"ΟΔΟΣ", "οδοσ"},
		{"οδος", "οδοσ"},                 // final sigma
		{"\u212a\u00e4rnten", "kärnten"}, // Kelvin sign
		{"Stadt Gießen", "stadt giessen"},
		{"STADT GIESSEN", "stadt giessen"},
		{"İzmir", "izmir"},
		{"ızmir", "izmir"},
		{"O\ufb03ce of Data", "office of data"},
		{"Gävle Municipality", "gävle municipality"},
		{"", ""},
		{" \t ", ""},
	}
	for _, tt := range tests {
		if got := OrgKey(tt.name); got != tt.want {
			t.Errorf("OrgKey(%q) = %q, want %q", tt.name, got, tt.want)
		}
		if got := OrgKey(OrgKey(tt.name)); got != tt.want {
			t.Errorf("OrgKey is not idempotent on %q: %q", tt.name, got)
		}
	}
}

// Names strings.EqualFold calls equal (what the access checks used before)
// keep the same key, so no officer loses a challenge to the key.
func TestOrgKeyCoversEqualFold(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		for o := unicode.SimpleFold(r); o != r; o = unicode.SimpleFold(o) {
			if a, b := OrgKey(string(r)), OrgKey(string(o)); a != b {
				t.Fatalf("OrgKey(%q) = %q but OrgKey(%q) = %q", r, a, o, b)
			}
		}
	}
}

func TestSameOrg(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"Genoa City Council", "genoa city council", true},
		{"Genoa City Council", "Genoa  City Council ", true},
		{"Genoa City Council", "Genoa Council", false},
		{"Genoa City Council", "GenoaCity Council", false},
		{"", "", false},
		{"  ", " ", false},
		{"", "Genoa", false},
	}
	for _, tt := range tests {
		if got := SameOrg(tt.a, tt.b); got != tt.want {
			t.Errorf("SameOrg(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := SameOrg(tt.b, tt.a); got != tt.want {
			t.Errorf("SameOrg(%q, %q) = %v, want %v", tt.b, tt.a, got, tt.want)
		}
	}
}
