package httpapi

import (
	"testing"

	"github.com/bettermatch/bettermatch/internal/domain"
)

func TestDecodeBytes(t *testing.T) {
	type target struct {
		Name string   `json:"name"`
		Tags []string `json:"tags"`
		N    int      `json:"n"`
	}
	tests := []struct {
		name, body string
		code       string // "" = ok
	}{
		{"OK", `{"name":"a","tags":["x"],"n":2}`, ""},
		{"Empty", ``, domain.EBADREQUEST},
		{"Syntax", `{"name":`, domain.EBADREQUEST},
		{"UnknownField", `{"nam":"a"}`, domain.EBADREQUEST},
		{"OperatorValue", `{"name":{"$ne":null}}`, domain.EBADREQUEST},
		{"OperatorNested", `{"tags":[{"$gt":""}]}`, domain.EBADREQUEST},
		{"OperatorTopLevel", `{"$where":"1"}`, domain.EBADREQUEST},
		{"DollarInValueIsFine", `{"name":"$ne"}`, ""},
		{"DollarValueInArrayIsFine", `{"tags":["$gt","$lt"]}`, ""},
		{"WrongType", `{"n":"two"}`, domain.EBADREQUEST},
		{"Array", `[1,2]`, domain.EBADREQUEST},
		{"Trailing", `{"name":"a"} {"name":"b"}`, domain.EBADREQUEST},
		{"TrailingGarbage", `{"name":"a"} x`, domain.EBADREQUEST},
		{"Deep", `{"tags":` + repeat("[", 40) + repeat("]", 40) + `}`, domain.EBADREQUEST},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v target
			err := decodeBytes([]byte(tt.body), &v)
			if got := domain.ErrorCode(err); got != tt.code {
				t.Fatalf("code = %q (%v), want %q", got, err, tt.code)
			}
		})
	}
}

func TestDecodeMergesOntoCurrentValues(t *testing.T) {
	v := domain.SMEInput{Name: "Old", Region: "Liguria", Skills: []string{"GIS"}}
	if err := decodeBytes([]byte(`{"name":"New"}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.Name != "New" || v.Region != "Liguria" || len(v.Skills) != 1 {
		t.Fatalf("merge patch lost fields: %+v", v)
	}
}

func repeat(s string, n int) string {
	out := ""
	for i := 0; i < n; i++ {
		out += s
	}
	return out
}

// FuzzDecode feeds arbitrary bodies to the strict decoder: it must never panic
// and must only ever answer with a client error, never an internal one.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{}`, `{"name":"x"}`, `{"$ne":1}`, `[`, `{"skills":["a"]}`, `{"budget":{"min":1}}`, "\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in domain.ChallengeInput
		err := decodeBytes(body, &in)
		if code := domain.ErrorCode(err); code != "" && code != domain.EBADREQUEST {
			t.Fatalf("code %q for %q: %v", code, body, err)
		}
	})
}
