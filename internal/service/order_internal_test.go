package service

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

func TestApplyOrder(t *testing.T) {
	var o applyOrder
	var got []string
	write := func(id string, created time.Time, v int64, name string) {
		_ = o.write("sme", id, created, v, func() error { got = append(got, name); return nil })
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

// TestApplyOrderSync covers the sync's turns: a read of the store that is
// older than a write applied meanwhile is skipped, alone or in a batch, and
// a record not found is only removed when nothing was applied since the read
// began.
func TestApplyOrderSync(t *testing.T) {
	var o applyOrder
	var got []string
	note := func(s string) func() error { return func() error { got = append(got, s); return nil } }
	c1 := time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC)
	sme := func(id string, v int64) domain.Record {
		return &domain.SME{Meta: domain.Meta{ID: id, CreatedAt: c1, Version: v}}
	}

	// The sync read a@3 while this process applied a@4: the read is skipped.
	readAt := time.Now()
	_ = o.write("sme", "a", c1, 4, note("a4"))
	_ = o.write("sme", "a", c1, 3, note("a3 read by the sync (skipped)"))
	// A batch applies only its records nothing newer was applied for.
	err := o.batch("sme", []domain.Record{sme("a", 3), sme("b", 2), sme("b", 2)}, func(fresh []domain.Record) error {
		for _, r := range fresh {
			got = append(got, "batch "+r.RecordMeta().ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = o.write("sme", "b", c1, 2, note("b2 again (skipped: the batch applied it)"))

	// a was written after the read that did not find it began: kept.
	_ = o.absent("sme", "a", readAt, note("a absent (skipped)"))
	// A read that began later finds it absent: removed.
	_ = o.absent("sme", "a", time.Now(), note("a absent"))
	// Absent leaves no tombstone: a create noted before it still lands.
	_ = o.write("sme", "c", c1, 1, note("c1"))

	want := []string{"a4", "batch b", "a absent", "c1"}
	if !slices.Equal(got, want) {
		t.Fatalf("applied %q, want %q", got, want)
	}

	// A write that failed to apply is not taken as applied: its retry runs.
	if err := o.write("sme", "d", c1, 1, func() error { return errors.New("index down") }); err == nil {
		t.Fatal("the failure was not returned")
	}
	got = nil
	_ = o.write("sme", "d", c1, 1, note("d1 retried"))
	if err := o.batch("sme", []domain.Record{sme("e", 1)}, func([]domain.Record) error { return errors.New("index down") }); err == nil {
		t.Fatal("the batch's failure was not returned")
	}
	_ = o.batch("sme", []domain.Record{sme("e", 1)}, func([]domain.Record) error { got = append(got, "e1 retried"); return nil })
	if want := []string{"d1 retried", "e1 retried"}; !slices.Equal(got, want) {
		t.Fatalf("applied %q, want %q", got, want)
	}
}
