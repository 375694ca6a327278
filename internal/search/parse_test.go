package search

import (
	"reflect"
	"strings"
	"testing"

	"github.com/bettermatch/bettermatch/internal/domain"
)

func TestParseQuery(t *testing.T) {
	tests := []struct {
		q    string
		want []clause
	}{
		{"", nil},
		{"  air   quality ", []clause{{text: "air"}, {text: "quality"}}},
		{`"air quality" schools`, []clause{{text: "air quality", phrase: true}, {text: "schools"}}},
		{`+sensor -diesel -"bus lanes"`, []clause{{text: "sensor", op: '+'}, {text: "diesel", op: '-'}, {text: "bus lanes", phrase: true, op: '-'}}},
		{`e-mail co-op`, []clause{{text: "e-mail"}, {text: "co-op"}}},
		{`- + "" "  "`, []clause{{text: "-"}, {text: "+"}}},
		{`"unclosed phrase`, []clause{{text: "unclosed phrase", phrase: true}}},
		{`a"b`, []clause{{text: `a"b`}}},
		{`title:x AND (y OR z*)`, []clause{{text: "title:x"}, {text: "AND"}, {text: "(y"}, {text: "OR"}, {text: "z*)"}}},
		{"bad\xffutf8", []clause{{text: "bad"}, {text: "utf8"}}},
	}
	for _, tt := range tests {
		got, err := parseQuery(tt.q)
		if err != nil {
			t.Errorf("parseQuery(%q): %v", tt.q, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseQuery(%q) = %+v, want %+v", tt.q, got, tt.want)
		}
	}
}

func TestParseQueryLimits(t *testing.T) {
	for _, q := range []string{strings.Repeat("a", maxQueryBytes+1), strings.Repeat("w ", maxClauses+1)} {
		if _, err := parseQuery(q); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("parseQuery(%.20q…) = %v, want EINVALID", q, err)
		}
	}
}
