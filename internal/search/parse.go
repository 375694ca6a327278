package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// Limits on the query text. They bound the work one request can ask for (each
// word becomes a clause per field and language) and are reported as EINVALID.
const (
	maxQueryBytes = 1000
	maxClauses    = 32
)

// clause is one piece of the user's query.
type clause struct {
	text   string
	phrase bool // quoted: the words in this order
	op     byte // 0 (should), '+' (must) or '-' (must not)
}

// parseQuery splits the user's text into words and quoted phrases, each
// optionally prefixed with + or -. It is a tokenizer, not a query language:
// nothing the user types is ever handed to bleve's query-string syntax, so there
// is nothing to inject. An unclosed quote runs to the end of the text.
func parseQuery(q string) ([]clause, error) {
	if len(q) > maxQueryBytes {
		return nil, invalidQuery("must be at most %d bytes", maxQueryBytes)
	}
	q = strings.ToValidUTF8(q, " ")
	var out []clause
	for i := 0; i < len(q); {
		r, n := utf8.DecodeRuneInString(q[i:])
		if unicode.IsSpace(r) {
			i += n
			continue
		}
		var c clause
		if (r == '+' || r == '-') && i+1 < len(q) {
			if next, _ := utf8.DecodeRuneInString(q[i+1:]); !unicode.IsSpace(next) {
				c.op = byte(r)
				i++
			}
		}
		if q[i] == '"' {
			end := strings.IndexByte(q[i+1:], '"')
			if end < 0 {
				end = len(q) - i - 1
			}
			c.text, c.phrase = q[i+1:i+1+end], true
			i += end + 2 // past the closing quote (or beyond the end)
		} else {
			end := strings.IndexFunc(q[i:], unicode.IsSpace)
			if end < 0 {
				end = len(q) - i
			}
			c.text = q[i : i+end]
			i += end
		}
		if strings.TrimSpace(c.text) == "" {
			continue
		}
		if len(out) == maxClauses {
			return nil, invalidQuery("must have at most %d words and phrases", maxClauses)
		}
		out = append(out, c)
	}
	return out, nil
}

func invalidQuery(format string, args ...any) error {
	v := domain.Validation{}
	v.Add("q", format, args...)
	return &domain.Error{Code: domain.EINVALID, Message: "The search is too long.", Fields: v.Fields}
}
