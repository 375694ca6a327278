package web

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// form is a submitted (or prefilled) form: its values, kept as typed so a page
// with errors shows the input again, and its problems, shown both next to the
// fields and in a summary at the top (the GOV.UK error summary pattern).
type form struct {
	Values url.Values
	// Errors maps a field name to its message.
	Errors map[string]string
	// Summary lists the problems in field order, each linking to its field.
	Summary []problem
	labels  map[string]string
	order   []string
}

type problem struct {
	Field, Message string
}

// Href is the summary link target: the field's input, or the form when the
// problem belongs to no field on it.
func (p problem) Href() string {
	if p.Field == "" {
		return "#main"
	}
	return "#" + fieldID(p.Field)
}

// newForm makes a form over values; labels names the fields it shows (in page
// order), so messages read "Title is required" and unknown fields still appear
// in the summary.
func newForm(values url.Values, labels ...string) *form {
	if values == nil {
		values = url.Values{}
	}
	f := &form{Values: values, Errors: map[string]string{}, labels: map[string]string{}}
	for i := 0; i+1 < len(labels); i += 2 {
		f.labels[labels[i]] = labels[i+1]
		f.order = append(f.order, labels[i])
	}
	return f
}

// Get is a field's value.
func (f *form) Get(name string) string { return f.Values.Get(name) }

// Has reports whether a field has any problem.
func (f *form) Has(name string) bool { _, ok := f.Errors[name]; return ok }

// Valid reports whether the form has no problems.
func (f *form) Valid() bool { return len(f.Summary) == 0 }

// Add records a problem with field ("" for the whole form).
func (f *form) Add(field, msg string) {
	if field != "" {
		if _, dup := f.Errors[field]; dup {
			return
		}
		label := f.labels[field]
		if label == "" {
			label = field
		}
		msg = sentence(label, msg)
		f.Errors[field] = msg
	}
	f.Summary = append(f.Summary, problem{Field: field, Message: msg})
	f.sort()
}

// sentence joins a label and a domain message ("is required") into one, and
// leaves messages that already stand alone as they are.
func sentence(label, msg string) string {
	if msg == "" {
		return label + " is not right"
	}
	first := msg[0]
	if first >= 'A' && first <= 'Z' {
		return msg
	}
	if strings.HasPrefix(msg, "must") || strings.HasPrefix(msg, "is ") || strings.HasPrefix(msg, "items") ||
		strings.HasPrefix(msg, "amounts") || strings.HasPrefix(msg, "cannot") || strings.HasPrefix(msg, "\"") {
		return label + " " + msg
	}
	return strings.ToUpper(msg[:1]) + msg[1:]
}

// sort keeps the summary in the order the fields appear on the page.
func (f *form) sort() {
	pos := func(field string) int {
		for i, n := range f.order {
			if n == field {
				return i
			}
		}
		return len(f.order)
	}
	for i := 1; i < len(f.Summary); i++ {
		for j := i; j > 0 && pos(f.Summary[j].Field) < pos(f.Summary[j-1].Field); j-- {
			f.Summary[j], f.Summary[j-1] = f.Summary[j-1], f.Summary[j]
		}
	}
}

// SetError records what the service said: field problems next to their
// fields, anything else as a message at the top. It returns false for errors
// that are not the user's to fix (internal, database down), which the caller
// turns into an error page instead.
func (f *form) SetError(err error, aliases ...string) bool {
	var e *domain.Error
	if !errors.As(err, &e) || e.Code == domain.EINTERNAL || e.Code == domain.EUNAVAILABLE {
		return false
	}
	alias := map[string]string{}
	for i := 0; i+1 < len(aliases); i += 2 {
		alias[aliases[i]] = aliases[i+1]
	}
	if len(e.Fields) == 0 {
		f.Add("", e.Message)
		return true
	}
	for _, fe := range e.Fields {
		name := fe.Field
		if a, ok := alias[name]; ok {
			name = a
		}
		if _, shown := f.labels[name]; !shown {
			f.Add("", sentence(name, fe.Message))
			continue
		}
		f.Add(name, fe.Message)
	}
	return true
}

// Parsing helpers: each records a problem for input that cannot be read, so
// every problem is reported at once rather than one per submission.

func (f *form) text(name string) string { return strings.TrimSpace(f.Values.Get(name)) }

// list splits a textarea of items, one per line or separated by commas.
func (f *form) list(name string) []string {
	raw := strings.FieldsFunc(f.Values.Get(name), func(r rune) bool { return r == '\n' || r == ',' || r == ';' })
	return domain.CleanList(raw)
}

func (f *form) float(name string) float64 {
	s := strings.ReplaceAll(f.text(name), ",", "")
	if s == "" {
		return 0
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		f.Add(name, "must be a number, like 25000")
		return 0
	}
	return v
}

func (f *form) int(name string) int {
	s := f.text(name)
	if s == "" {
		return 0
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		f.Add(name, "must be a whole number")
		return 0
	}
	return v
}

// date reads a yyyy-mm-dd date input as the end of that day in UTC, which is
// what a deadline on that date means to the person typing it.
func (f *form) date(name string, endOfDay bool) *time.Time {
	s := f.text(name)
	if s == "" {
		return nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		f.Add(name, "must be a date like 2026-03-31")
		return nil
	}
	if endOfDay {
		t = t.Add(24*time.Hour - time.Second)
	}
	return &t
}

func (f *form) version() int64 {
	v, _ := strconv.ParseInt(f.Values.Get("version"), 10, 64)
	return v
}

func joinLines(items []string) string { return strings.Join(items, "\n") }

func formatFloat(v float64) string {
	if v == 0 {
		return ""
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func fieldID(name string) string {
	return "f-" + strings.NewReplacer(".", "-", "_", "-").Replace(name)
}
