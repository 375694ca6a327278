package cpv

import (
	"reflect"
	"testing"
)

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"72316000-3": "72316000", "72316000": "72316000", " 72316000-9 ": "72316000",
		"7231600": "", "72316000-": "", "7231600a-3": "", "72316000-33": "",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLabelAndFull(t *testing.T) {
	if got := Label("72316000"); got != "Data analysis services" {
		t.Fatalf("Label = %q", got)
	}
	if got := Full("72316000"); got != "72316000-3" {
		t.Fatalf("Full = %q", got)
	}
	if Label("99999999") != "" || Known("99999999") || !Known("72316000-3") {
		t.Fatal("unknown codes must have no label")
	}
}

func TestParents(t *testing.T) {
	want := []string{"72310000", "72300000", "72000000"}
	if got := Parents("72316000-3"); !reflect.DeepEqual(got, want) {
		t.Fatalf("Parents = %v, want %v", got, want)
	}
	if got := Parents("72000000-5"); len(got) != 0 {
		t.Fatalf("a division has no parents, got %v", got)
	}
}

func TestSharedPrefix(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"72316000-3", "72316000", 5},
		{"72316000", "72310000", 4},
		{"72316000", "72212000", 2},
		{"72000000", "72300000", 2},
		{"72316000", "48000000", 0},
		{"72316000", "bad", 0},
	}
	for _, tt := range tests {
		if got := SharedPrefix(tt.a, tt.b); got != tt.want {
			t.Errorf("SharedPrefix(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
