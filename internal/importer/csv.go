package importer

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// CSV files hold one kind of record each, one record per row, with the JSON
// format's field names as column headers ("budget.min" for a nested field).
// List fields are joined with "; " — an item holding a semicolon would split,
// which the JSON format has no such limit for. Export adds read-only columns
// (id, createdAt, …) that import accepts and ignores, so an exported file loads
// back as it is.
//
// Cells that a spreadsheet would run as a formula (starting with = + - @, tab
// or carriage return) are written with a leading apostrophe, the usual defence
// against CSV injection; import takes that apostrophe off again.

// ListSep joins list fields in a cell.
const ListSep = "; "

// column is one CSV column of records of type T. set is nil for read-only
// columns.
type column[T any] struct {
	name string
	get  func(T) string
	set  func(T, string) error
}

func ro[T any](name string, get func(T) string) column[T] { return column[T]{name: name, get: get} }

func str[T any](name string, p func(T) *string) column[T] {
	return column[T]{name, func(r T) string { return *p(r) }, func(r T, s string) error { *p(r) = s; return nil }}
}

func lst[T any](name string, p func(T) *[]string) column[T] {
	return column[T]{name, func(r T) string { return strings.Join(*p(r), ListSep) },
		func(r T, s string) error { *p(r) = splitList(s); return nil }}
}

func num[T any](name string, p func(T) *float64) column[T] {
	return column[T]{name, func(r T) string { return strconv.FormatFloat(*p(r), 'f', -1, 64) },
		func(r T, s string) error {
			if s == "" {
				*p(r) = 0
				return nil
			}
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return errors.New("must be a number, like 1500 or 12.5")
			}
			*p(r) = f
			return nil
		}}
}

func date[T any](name string, p func(T) *time.Time) column[T] {
	return column[T]{name, func(r T) string { return stamp(*p(r)) },
		func(r T, s string) error {
			t, err := parseDate(s)
			*p(r) = t
			return err
		}}
}

func optDate[T any](name string, p func(T) **time.Time) column[T] {
	return column[T]{name, func(r T) string {
		if t := *p(r); t != nil {
			return stamp(*t)
		}
		return ""
	}, func(r T, s string) error {
		if s == "" {
			*p(r) = nil
			return nil
		}
		t, err := parseDate(s)
		*p(r) = &t
		return err
	}}
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// parseDate reads RFC 3339, or a plain date (midnight UTC), as spreadsheets
// often write.
func parseDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	return time.Time{}, errors.New("must be a date like 2027-03-12 or 2027-03-12T17:00:00Z")
}

func splitList(s string) []string {
	out := []string{}
	for _, it := range strings.Split(s, ";") {
		if it = strings.TrimSpace(it); it != "" {
			out = append(out, it)
		}
	}
	return out
}

func meta[T domain.Record]() []column[T] {
	return []column[T]{
		ro("id", func(r T) string { return r.RecordMeta().ID }),
		ro("createdAt", func(r T) string { return stamp(r.RecordMeta().CreatedAt) }),
		ro("updatedAt", func(r T) string { return stamp(r.RecordMeta().UpdatedAt) }),
	}
}

// SMEColumns are an SME's CSV columns: its public fields (never its owner).
var smeColumns = append([]column[*domain.SME]{
	str("externalId", func(r *domain.SME) *string { return &r.ExternalID }),
	str("name", func(r *domain.SME) *string { return &r.Name }),
	str("companyNumber", func(r *domain.SME) *string { return &r.CompanyNumber }),
	str("size", func(r *domain.SME) *string { return &r.Size }),
	str("region", func(r *domain.SME) *string { return &r.Region }),
	str("website", func(r *domain.SME) *string { return &r.Website }),
	str("summary", func(r *domain.SME) *string { return &r.Summary }),
	str("description", func(r *domain.SME) *string { return &r.Description }),
	lst("capabilities", func(r *domain.SME) *[]string { return &r.Capabilities }),
	lst("skills", func(r *domain.SME) *[]string { return &r.Skills }),
	lst("cpv", func(r *domain.SME) *[]string { return &r.CPV }),
	lst("sic", func(r *domain.SME) *[]string { return &r.SIC }),
	lst("certifications", func(r *domain.SME) *[]string { return &r.Certifications }),
	str("language", func(r *domain.SME) *string { return &r.Language }),
}, meta[*domain.SME]()...)

var challengeColumns = append([]column[*domain.Challenge]{
	str("externalId", func(r *domain.Challenge) *string { return &r.ExternalID }),
	str("title", func(r *domain.Challenge) *string { return &r.Title }),
	str("organisation", func(r *domain.Challenge) *string { return &r.Organisation }),
	str("region", func(r *domain.Challenge) *string { return &r.Region }),
	str("summary", func(r *domain.Challenge) *string { return &r.Summary }),
	str("description", func(r *domain.Challenge) *string { return &r.Description }),
	str("theme", func(r *domain.Challenge) *string { return &r.Theme }),
	lst("requiredCapabilities", func(r *domain.Challenge) *[]string { return &r.RequiredCapabilities }),
	lst("requiredSkills", func(r *domain.Challenge) *[]string { return &r.RequiredSkills }),
	lst("cpv", func(r *domain.Challenge) *[]string { return &r.CPV }),
	num("budget.min", func(r *domain.Challenge) *float64 { return &r.Budget.Min }),
	num("budget.max", func(r *domain.Challenge) *float64 { return &r.Budget.Max }),
	str("budget.currency", func(r *domain.Challenge) *string { return &r.Budget.Currency }),
	date("deadline", func(r *domain.Challenge) *time.Time { return &r.Deadline }),
	str("status", func(r *domain.Challenge) *string { return &r.Status }),
	str("language", func(r *domain.Challenge) *string { return &r.Language }),
	ro("publishedAt", func(r *domain.Challenge) string { return optStamp(r.PublishedAt) }),
	ro("closedAt", func(r *domain.Challenge) string { return optStamp(r.ClosedAt) }),
	ro("awardedAt", func(r *domain.Challenge) string { return optStamp(r.AwardedAt) }),
	ro("awardedSmeId", func(r *domain.Challenge) string { return r.AwardedSMEID }),
}, meta[*domain.Challenge]()...)

var courseColumns = append([]column[*domain.Course]{
	str("externalId", func(r *domain.Course) *string { return &r.ExternalID }),
	str("provider", func(r *domain.Course) *string { return &r.Provider }),
	str("title", func(r *domain.Course) *string { return &r.Title }),
	str("description", func(r *domain.Course) *string { return &r.Description }),
	lst("skills", func(r *domain.Course) *[]string { return &r.Skills }),
	str("mode", func(r *domain.Course) *string { return &r.Mode }),
	str("region", func(r *domain.Course) *string { return &r.Region }),
	optDate("startDate", func(r *domain.Course) **time.Time { return &r.StartDate }),
	num("hours", func(r *domain.Course) *float64 { return &r.Hours }),
	num("cost", func(r *domain.Course) *float64 { return &r.Cost }),
	{name: "funded", get: func(r *domain.Course) string { return strconv.FormatBool(r.Funded) },
		set: func(r *domain.Course, s string) error {
			if s == "" {
				r.Funded = false
				return nil
			}
			b, err := strconv.ParseBool(strings.ToLower(s))
			if err != nil {
				return errors.New("must be true or false")
			}
			r.Funded = b
			return nil
		}},
	str("link", func(r *domain.Course) *string { return &r.Link }),
	str("language", func(r *domain.Course) *string { return &r.Language }),
}, meta[*domain.Course]()...)

// responseColumns are export-only: responses are never imported.
var responseColumns = append([]column[*domain.Response]{
	ro("challengeId", func(r *domain.Response) string { return r.ChallengeID }),
	ro("smeId", func(r *domain.Response) string { return r.SMEID }),
	ro("smeName", func(r *domain.Response) string { return r.SMEName }),
	ro("status", func(r *domain.Response) string { return r.Status }),
	ro("proposal", func(r *domain.Response) string { return r.Proposal }),
	ro("price", func(r *domain.Response) string { return strconv.FormatFloat(r.Price, 'f', -1, 64) }),
	ro("currency", func(r *domain.Response) string { return r.Currency }),
	ro("durationWeeks", func(r *domain.Response) string { return strconv.Itoa(r.DurationWeeks) }),
	ro("score", func(r *domain.Response) string {
		if r.Score == nil {
			return ""
		}
		return strconv.Itoa(*r.Score)
	}),
	ro("feedback", func(r *domain.Response) string { return r.Feedback }),
	ro("submittedAt", func(r *domain.Response) string { return stamp(r.SubmittedAt) }),
}, meta[*domain.Response]()...)

func optStamp(t *time.Time) string {
	if t == nil {
		return ""
	}
	return stamp(*t)
}

// defuse stops a spreadsheet from running a cell as a formula.
func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// SafeCell is a cell as the CSV writers write it: a leading apostrophe keeps
// a spreadsheet from running it as a formula.
func SafeCell(s string) string { return defuse(s) }

// undefuse reverses defuse.
func undefuse(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(s[1])) {
		return s[1:]
	}
	return s
}

// CSVWriter writes records of one kind as CSV, header first.
type CSVWriter[T any] struct {
	w    *csv.Writer
	cols []column[T]
	head bool
	row  []string
}

func newWriter[T any](w io.Writer, cols []column[T]) *CSVWriter[T] {
	return &CSVWriter[T]{w: csv.NewWriter(w), cols: cols, row: make([]string, len(cols))}
}

// NewSMEWriter writes SMEs' public fields.
func NewSMEWriter(w io.Writer) *CSVWriter[*domain.SME] { return newWriter(w, smeColumns) }

// NewChallengeWriter writes challenges.
func NewChallengeWriter(w io.Writer) *CSVWriter[*domain.Challenge] {
	return newWriter(w, challengeColumns)
}

// NewCourseWriter writes courses.
func NewCourseWriter(w io.Writer) *CSVWriter[*domain.Course] { return newWriter(w, courseColumns) }

// NewResponseWriter writes responses (export only).
func NewResponseWriter(w io.Writer) *CSVWriter[*domain.Response] {
	return newWriter(w, responseColumns)
}

// Header writes the header row (Write does it before the first record; call
// Header for a file with no records).
func (cw *CSVWriter[T]) Header() error {
	if cw.head {
		return nil
	}
	cw.head = true
	for i, c := range cw.cols {
		cw.row[i] = c.name
	}
	return cw.w.Write(cw.row)
}

// Write writes one record.
func (cw *CSVWriter[T]) Write(rec T) error {
	if err := cw.Header(); err != nil {
		return err
	}
	for i, c := range cw.cols {
		cw.row[i] = defuse(c.get(rec))
	}
	return cw.w.Write(cw.row)
}

// Flush writes out what is buffered and reports any write error.
func (cw *CSVWriter[T]) Flush() error {
	cw.w.Flush()
	return cw.w.Error()
}

// Problem is a record of an import file that cannot be loaded: its kind, its
// row (in a CSV file the spreadsheet row, header = 1; in JSON its position
// among records of its kind, from 1), its externalId when known, and what is
// wrong with which field or column.
type Problem struct {
	Kind   string              `json:"kind"`
	Row    int                 `json:"row"`
	Key    string              `json:"externalId,omitempty"`
	Fields []domain.FieldError `json:"errors"`
}

func (p Problem) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "row %d", p.Row)
	if p.Key != "" {
		fmt.Fprintf(&b, " (%s)", p.Key)
	}
	for i, f := range p.Fields {
		sep := ", "
		if i == 0 {
			sep = ": "
		}
		if f.Field != "" {
			fmt.Fprintf(&b, "%s%s %s", sep, f.Field, f.Message)
		} else {
			fmt.Fprintf(&b, "%s%s", sep, f.Message)
		}
	}
	return b.String()
}

// DetectKind names the kind a CSV header describes (domain.KindSME,
// KindChallenge or KindCourse), or "" when it cannot tell.
func DetectKind(header []string) string {
	has := map[string]bool{}
	for _, h := range header {
		has[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = true
	}
	var kinds []string
	if has["provider"] || has["mode"] {
		kinds = append(kinds, domain.KindCourse)
	}
	if has["organisation"] || has["theme"] || has["deadline"] {
		kinds = append(kinds, domain.KindChallenge)
	}
	if has["size"] || has["name"] || has["companyNumber"] {
		kinds = append(kinds, domain.KindSME)
	}
	if len(kinds) != 1 {
		return ""
	}
	return kinds[0]
}

// ParseCSV reads a CSV file of one kind of record (kind "" detects it from the
// header). A header it cannot use is an error; rows with cells it cannot read
// (a price that is not a number) become Problems in the Dataset, and every
// record's row is kept so that later validation errors name it too.
func ParseCSV(r io.Reader, kind string) (*Dataset, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // short rows are reported per row, not as a file error
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("import: the CSV file is empty")
	} else if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff") // a byte-order mark from a spreadsheet
	}
	if kind == "" {
		if kind = DetectKind(header); kind == "" {
			return nil, errors.New("import: cannot tell from the CSV header whether it holds SMEs, challenges or courses; name the kind")
		}
	}
	ds := &Dataset{SMEs: []*domain.SME{}, Challenges: []*domain.Challenge{}, Courses: []*domain.Course{}, Rows: map[string][]int{}}
	switch kind {
	case domain.KindSME:
		ds.SMEs, err = parseRows(cr, header, kind, smeColumns, ds, func() *domain.SME { return &domain.SME{} })
	case domain.KindChallenge:
		ds.Challenges, err = parseRows(cr, header, kind, challengeColumns, ds, func() *domain.Challenge { return &domain.Challenge{} })
	case domain.KindCourse:
		ds.Courses, err = parseRows(cr, header, kind, courseColumns, ds, func() *domain.Course { return &domain.Course{} })
	default:
		return nil, fmt.Errorf("import: unknown kind %q: want sme, challenge or course", kind)
	}
	if err != nil {
		return nil, err
	}
	return ds, nil
}

func parseRows[T domain.Record](cr *csv.Reader, header []string, kind string, cols []column[T], ds *Dataset, fresh func() T) ([]T, error) {
	byName := map[string]column[T]{}
	for _, c := range cols {
		byName[c.name] = c
	}
	use := make([]column[T], len(header))
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		c, ok := byName[h]
		if !ok {
			return nil, fmt.Errorf("import: column %d %q is not a %s field", i+1, h, kind)
		}
		if seen[h] {
			return nil, fmt.Errorf("import: column %q appears twice", h)
		}
		seen[h] = true
		use[i] = c
	}
	if !seen["externalId"] {
		return nil, errors.New(`import: the CSV file needs an "externalId" column, the key imports are idempotent on`)
	}
	out := []T{}
	for row := 2; ; row++ {
		cells, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			// A broken quote cannot be resynchronised: the rest of the file is unreadable.
			return nil, fmt.Errorf("import: row %d (line %d): %v", row, pe.Line, pe.Err)
		} else if err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
		if len(cells) == 1 && strings.TrimSpace(cells[0]) == "" {
			continue // a blank line
		}
		rec := fresh()
		var fields []domain.FieldError
		if len(cells) != len(header) {
			fields = append(fields, domain.FieldError{Message: fmt.Sprintf("has %d cells, the header %d", len(cells), len(header))})
		}
		key := ""
		for i, cell := range cells {
			if i >= len(use) {
				break
			}
			c := use[i]
			cell = undefuse(strings.TrimSpace(cell))
			if c.name == "externalId" {
				key = cell
			}
			if c.set == nil {
				continue
			}
			if err := c.set(rec, cell); err != nil {
				fields = append(fields, domain.FieldError{Field: c.name, Message: err.Error()})
			}
		}
		if len(fields) > 0 {
			ds.Rejected = append(ds.Rejected, Problem{Kind: kind, Row: row, Key: key, Fields: fields})
			continue
		}
		normalize(rec)
		out = append(out, rec)
		ds.Rows[kind] = append(ds.Rows[kind], row)
	}
}

func normalize(rec domain.Record) {
	switch r := rec.(type) {
	case *domain.SME:
		r.Normalize()
	case *domain.Challenge:
		r.Normalize()
	case *domain.Course:
		r.Normalize()
	}
}
