package search

import (
	"reflect"
	"testing"
)

func TestAnalyzerStemsEnglish(t *testing.T) {
	a := NewAnalyzer()
	got := a.Terms("Monitoring the air-quality of schools", "en")
	want := []string{"monitor", "air", "qualiti", "school"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Terms = %q, want %q", got, want)
	}
	if got := a.Terms("", "en"); got != nil {
		t.Fatalf("empty text gave %q", got)
	}
}
