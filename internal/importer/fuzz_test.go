package importer

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// FuzzParse feeds arbitrary bytes to the JSON import: it must never panic,
// whatever it reads must survive validation without panicking, and the SMEs
// it reads must come back the same when written out and read again (Parse
// normalises, so a second pass must change nothing).
func FuzzParse(f *testing.F) {
	f.Add([]byte(sample))
	for _, s := range []string{`{}`, `{"smes":[{}]}`, `{"smes":[{"name":"A","skills":[" x ","X",""]}]}`, `{"smes":null}`,
		`{"challenges":[{"deadline":"2027-01-01T00:00:00Z","budget":{"min":-1}}]}`, `{"courses":[{"startDate":"x"}]}`,
		`[`, `{"smes":[{"nope":1}]}`, "\x00", `{"smes":[{"capabilities":["\u0000","a\u2028b"]}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ds, err := Parse(bytes.NewReader(data))
		if err != nil {
			return
		}
		_ = ds.Check()
		ins := make([]domain.SMEInput, len(ds.SMEs))
		for i, s := range ds.SMEs {
			ins[i] = s.SMEInput
		}
		out, err := json.Marshal(map[string]any{"smes": ins})
		if err != nil {
			t.Fatalf("marshal what Parse read: %v", err)
		}
		again, err := Parse(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("Parse of its own output %s: %v", out, err)
		}
		for i, s := range again.SMEs {
			if !reflect.DeepEqual(s.SMEInput, ins[i]) {
				t.Fatalf("SME %d changed on a second pass:\n got %+v\nwant %+v", i, s.SMEInput, ins[i])
			}
		}
	})
}

// FuzzParseCSV feeds arbitrary text to the CSV import: it must never panic,
// validation of what it read must not panic, and every row is either a record
// or a reported problem with a row number inside the file.
func FuzzParseCSV(f *testing.F) {
	ds, err := Parse(strings.NewReader(sample))
	if err != nil {
		f.Fatal(err)
	}
	var smes, chs bytes.Buffer
	sw, cw := NewSMEWriter(&smes), NewChallengeWriter(&chs)
	for _, s := range ds.SMEs {
		sw.Write(s)
	}
	for _, c := range ds.Challenges {
		cw.Write(c)
	}
	sw.Flush()
	cw.Flush()
	f.Add(smes.String(), "")
	f.Add(chs.String(), "")
	f.Add(chs.String(), domain.KindSME)
	f.Add("externalId,name\n\"unclosed", "")
	f.Add("\ufeffname,price\n'=1+1,abc\n", domain.KindCourse)
	f.Add("", "")
	f.Fuzz(func(t *testing.T, data, kind string) {
		switch kind {
		case "", domain.KindSME, domain.KindChallenge, domain.KindCourse:
		default:
			kind = ""
		}
		ds, err := ParseCSV(strings.NewReader(data), kind)
		if err != nil {
			return
		}
		_ = ds.Check()
		rows := strings.Count(data, "\n") + 1
		for _, p := range ds.Rejected {
			if p.Row < 1 || p.Row > rows+1 {
				t.Fatalf("problem at row %d of a %d-line file: %v", p.Row, rows, p)
			}
		}
	})
}
