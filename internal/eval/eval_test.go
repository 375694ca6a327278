package eval

import (
	"math"
	"strings"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestNDCG(t *testing.T) {
	grades := map[string]int{"a": 2, "b": 1, "c": 1}
	if got := NDCG([]string{"a", "b", "c"}, grades, 10); !near(got, 1) {
		t.Fatalf("ideal order: %v", got)
	}
	// c, x, a: gains 1, 0, 3 at ranks 1..3.
	want := (1/math.Log2(2) + 3/math.Log2(4)) / (3/math.Log2(2) + 1/math.Log2(3) + 1/math.Log2(4))
	if got := NDCG([]string{"c", "x", "a"}, grades, 10); !near(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if got := NDCG([]string{"x", "a"}, grades, 1); got != 0 {
		t.Fatalf("cut-off ignored: %v", got)
	}
	if got := NDCG([]string{"a"}, map[string]int{}, 10); got != 0 {
		t.Fatalf("no relevant: %v", got)
	}
}

func TestPrecisionRecall(t *testing.T) {
	rel := map[string]bool{"a": true, "b": true, "c": true, "d": true}
	if got := PrecisionAt([]string{"a", "x", "b", "c"}, rel, 3); !near(got, 2.0/3) {
		t.Fatalf("P@3 = %v", got)
	}
	if got := PrecisionAt([]string{"a"}, rel, 3); !near(got, 1.0/3) {
		t.Fatalf("short list must not look precise: %v", got)
	}
	if got := PrecisionAt([]string{"a", "b"}, map[string]bool{"a": true, "b": true}, 3); !near(got, 1) {
		t.Fatalf("fewer relevant than k: %v", got)
	}
	if got := Recall([]string{"x", "a"}, []string{"a", "b"}); !near(got, 0.5) {
		t.Fatalf("recall = %v", got)
	}
	if Mean(nil) != 0 || !near(Mean([]float64{1, 2}), 1.5) {
		t.Fatal("mean")
	}
}

func TestReadQrels(t *testing.T) {
	q, err := ReadQrels(strings.NewReader(`{"challengeSmes":{"c1":{"s1":2}},
		"skillsGap":[{"sme":"s1","challenge":"c1","missingSkills":["x"],"relevantCourses":["k"]}]}`))
	if err != nil || q.ChallengeSMEs["c1"]["s1"] != 2 || q.SkillsGap[0].RelevantCourses[0] != "k" {
		t.Fatalf("got %+v, %v", q, err)
	}
	if _, err := ReadQrels(strings.NewReader(`{"other":1}`)); err == nil {
		t.Fatal("unknown field must fail")
	}
}
