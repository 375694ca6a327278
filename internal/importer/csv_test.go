package importer

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

func sampleSet(t *testing.T) *Dataset {
	t.Helper()
	ds, err := Parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2027, 1, 10, 9, 0, 0, 0, time.UTC)
	ds.Courses[0].StartDate = &start
	ds.Courses[0].Link = "https://example.org/gis"
	ds.SMEs[0].SIC = []string{"62012"}
	// Cells a spreadsheet would take for formulas, and commas, quotes and
	// newlines that CSV must quote.
	ds.SMEs[0].Summary = "=HYPERLINK(\"x\") maps, \"quoted\"\nand a second line"
	ds.Challenges[0].Description = "-5 degrees; outdoors"
	return ds
}

// TestCSVRoundTrip writes each kind with its CSV writer, reads it back with
// encoding/csv and ParseCSV, and gets the same records.
func TestCSVRoundTrip(t *testing.T) {
	ds := sampleSet(t)
	var smes, chs, courses bytes.Buffer
	sw, cw, kw := NewSMEWriter(&smes), NewChallengeWriter(&chs), NewCourseWriter(&courses)
	for _, s := range ds.SMEs {
		s.ID, s.CreatedAt = "0123456789abcdef01234567", time.Now() // read-only columns are ignored on import
		sw.Write(s)
	}
	for _, c := range ds.Challenges {
		cw.Write(c)
	}
	for _, c := range ds.Courses {
		kw.Write(c)
	}
	for _, w := range []interface{ Flush() error }{sw, cw, kw} {
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	// The files are plain CSV a spreadsheet or encoding/csv reads.
	rows, err := csv.NewReader(bytes.NewReader(smes.Bytes())).ReadAll()
	if err != nil || len(rows) != 2 || rows[0][0] != "externalId" {
		t.Fatalf("sme csv: %v %q", err, rows)
	}
	if !strings.HasPrefix(rows[1][6], "'=") {
		t.Fatalf("formula cell not defused: %q", rows[1][6])
	}

	got := &Dataset{}
	for kind, buf := range map[string]*bytes.Buffer{"": &smes, domain.KindChallenge: &chs, domain.KindCourse: &courses} {
		d, err := ParseCSV(bytes.NewReader(buf.Bytes()), kind)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if len(d.Rejected) > 0 {
			t.Fatalf("%s: rejected %v", kind, d.Rejected)
		}
		got.SMEs = append(got.SMEs, d.SMEs...)
		got.Challenges = append(got.Challenges, d.Challenges...)
		got.Courses = append(got.Courses, d.Courses...)
	}
	if !reflect.DeepEqual(got.SMEs[0].SMEInput, ds.SMEs[0].SMEInput) {
		t.Errorf("sme:\n got %+v\nwant %+v", got.SMEs[0].SMEInput, ds.SMEs[0].SMEInput)
	}
	if g, w := got.Challenges[0], ds.Challenges[0]; !reflect.DeepEqual(g.ChallengeInput, w.ChallengeInput) || g.Status != w.Status {
		t.Errorf("challenge:\n got %+v\nwant %+v", g, w)
	}
	if g, w := got.Courses[0].CourseInput, ds.Courses[0].CourseInput; !g.StartDate.Equal(*w.StartDate) {
		t.Errorf("course start %v, want %v", g.StartDate, w.StartDate)
	} else {
		g.StartDate, w.StartDate = nil, nil
		if !reflect.DeepEqual(g, w) {
			t.Errorf("course:\n got %+v\nwant %+v", g, w)
		}
	}
	if len(got.Check()) != 0 {
		t.Fatalf("round-tripped records invalid: %v", got.Check())
	}
}

// TestCSVErrors: unreadable cells and invalid records are reported by row and
// column, all of them, and a bad header stops the file.
func TestCSVErrors(t *testing.T) {
	in := "externalId,title,organisation,region,summary,theme,budget.max,budget.currency,deadline\n" +
		"c1,Maps,Genoa,Liguria,Map it.,data,lots,EUR,2027-03-12\n" + // row 2: budget.max not a number
		"c2,Maps,Genoa,Liguria,Map it.,space,10,EUR,2027-03-12\n" + // row 3: theme invalid
		"c3,Maps,Genoa,Liguria,Map it.,data,10,EUR,soon\n" + // row 4: deadline unreadable
		"c4,Maps,Genoa,Liguria,Map it.,data,10,EUR,2027-03-12\n" + // row 5: fine
		",Maps,Genoa,Liguria,Map it.,data,10,EUR,2027-03-12\n" // row 6: no externalId
	ds, err := ParseCSV(strings.NewReader(in), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Challenges) != 3 || ds.Row(domain.KindChallenge, 1) != 5 {
		t.Fatalf("parsed %d challenges, rows %v", len(ds.Challenges), ds.Rows)
	}
	want := map[int]string{2: "budget.max", 3: "theme", 4: "deadline", 6: "externalId"}
	probs := ds.Check()
	if len(probs) != len(want) {
		t.Fatalf("problems %v, want rows %v", probs, want)
	}
	for _, p := range probs {
		if p.Kind != domain.KindChallenge || p.Fields[0].Field != want[p.Row] {
			t.Errorf("problem %v, want column %q on row %d", p, want[p.Row], p.Row)
		}
	}
	if s := probs[0].String(); !strings.Contains(s, "row 2 (c1): budget.max must be a number") {
		t.Errorf("report line %q", s)
	}

	for name, bad := range map[string]string{
		"UnknownColumn": "externalId,name,size,region,salary\n",
		"NoKey":         "name,size,region,summary\n",
		"Ambiguous":     "externalId,title\n",
		"Empty":         "",
	} {
		if _, err := ParseCSV(strings.NewReader(bad), ""); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}
