package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// file is the JSON layout. Challenges carry their status beside the fields an
// officer writes; everything else is the API's input shape.
type file struct {
	SMEs       []domain.SMEInput    `json:"smes"`
	Challenges []challengeJSON      `json:"challenges"`
	Courses    []domain.CourseInput `json:"courses"`
}

type challengeJSON struct {
	domain.ChallengeInput
	Status string `json:"status"`
}

// Parse reads a JSON import file. Unknown fields are an error naming where they
// are ("challenges[2].budget.limit"), since a misspelt field would otherwise be
// dropped without a word. List fields are normalised (trimmed, deduplicated).
func Parse(r io.Reader) (*Dataset, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	var generic any
	if err := json.Unmarshal(data, &generic); err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	if err := checkFields(generic, reflect.TypeOf(file{}), ""); err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	var f file
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	ds := &Dataset{
		SMEs:       make([]*domain.SME, 0, len(f.SMEs)),
		Challenges: make([]*domain.Challenge, 0, len(f.Challenges)),
		Courses:    make([]*domain.Course, 0, len(f.Courses)),
	}
	for _, in := range f.SMEs {
		in.Normalize()
		ds.SMEs = append(ds.SMEs, &domain.SME{SMEInput: in})
	}
	for _, c := range f.Challenges {
		c.Normalize()
		ds.Challenges = append(ds.Challenges, &domain.Challenge{Status: c.Status, ChallengeInput: c.ChallengeInput})
	}
	for _, in := range f.Courses {
		in.Normalize()
		ds.Courses = append(ds.Courses, &domain.Course{CourseInput: in})
	}
	return ds, nil
}

// checkFields walks decoded JSON beside the Go type it will land in and reports
// the first object key the type has no field for, with its path.
func checkFields(v any, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch x := v.(type) {
	case map[string]any:
		if t.Kind() != reflect.Struct || t.PkgPath() == "time" {
			return nil // a type error, which the decoder reports itself
		}
		fields := jsonFields(t)
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys) // report the same key every time
		for _, k := range keys {
			ft, ok := fields[k]
			if !ok {
				return fmt.Errorf("%s: unknown field", join(path, k))
			}
			if err := checkFields(x[k], ft, join(path, k)); err != nil {
				return err
			}
		}
	case []any:
		if t.Kind() != reflect.Slice {
			return nil
		}
		for i, e := range x {
			if err := checkFields(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// jsonFields maps the JSON names of t's fields (embedded structs flattened, as
// encoding/json does) to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			for k, v := range jsonFields(f.Type) {
				out[k] = v
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}
