package web_test

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
)

func TestStatsPageAndCSV(t *testing.T) {
	s := newSite(t)
	v := s.visitor()
	p := v.get("/stats")
	if p.Status != http.StatusOK {
		t.Fatalf("status %d", p.Status)
	}
	mustContain(t, p, "Innovation indicators", `href="/stats.csv"`, "Activity per semester", "Activity per theme")

	p = v.get("/stats.csv")
	if p.Status != http.StatusOK || !strings.HasPrefix(p.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", p.Status, p.Header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(p.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rows[0][0] != "dimension" || rows[1][0] != "total" || len(rows[0]) != 9 {
		t.Fatalf("csv rows: %v", rows)
	}
}
