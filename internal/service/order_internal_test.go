package service

import (
	"testing"
	"time"
)

func TestApplyOrder(t *testing.T) {
	var o applyOrder
	var got []string
	write := func(id string, created time.Time, v int64, name string) {
		o.write("sme", id, created, v, func() { got = append(got, name) })
	}
	c1 := time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC)
	write("a", c1, 1, "a1")
	write("a", c1, 3, "a3")
	write("a", c1, 2, "a2 (late: skipped)")
	write("a", c1, 3, "a3 again (skipped)")
	write("a", c1, 4, "a4")
	write("b", c1, 5, "b5 (another record)")
	o.remove("sme", "a", c1.Add(time.Minute), func() { got = append(got, "a removed") })
	write("a", c1, 5, "a5 (raced with the delete: skipped)")
	write("a", c1.Add(2*time.Minute), 1, "a1 created again")
	write("a", c1.Add(2*time.Minute), 2, "a2 of the new record")
	want := []string{"a1", "a3", "a4", "b5 (another record)", "a removed", "a1 created again", "a2 of the new record"}
	if len(got) != len(want) {
		t.Fatalf("applied %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("applied %q, want %q", got, want)
		}
	}
}
