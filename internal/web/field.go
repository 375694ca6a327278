package web

import (
	"fmt"
	"strings"
)

// Field is what the input partials need to draw one labelled control with its
// hint and error; templates build it with {{field .Form "name" "Label" ...}}.
type Field struct {
	Name, Label, Hint, Type, Value, Error string
	Autocomplete, Inputmode, Width        string
	Rows                                  int
	Required                              bool
	Options                               []Option
}

// Option is one choice of a select or radio group.
type Option struct {
	Value, Label, Hint string
}

// ID is the control's id, which the error summary links to.
func (f *Field) ID() string { return fieldID(f.Name) }

// HintID and ErrorID name the elements aria-describedby points at.
func (f *Field) HintID() string  { return f.ID() + "-hint" }
func (f *Field) ErrorID() string { return f.ID() + "-error" }

// DescribedBy lists the hint and error ids for aria-describedby.
func (f *Field) DescribedBy() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, f.HintID())
	}
	if f.Error != "" {
		ids = append(ids, f.ErrorID())
	}
	return strings.Join(ids, " ")
}

// newField reads name's value and error from fm and applies options given as
// key/value pairs: type, hint, autocomplete, inputmode, width, rows, required
// and options (a []Option).
func newField(fm *form, name, label string, kv ...any) (*Field, error) {
	f := &Field{Name: name, Label: label, Type: "text"}
	if fm != nil {
		f.Value = fm.Get(name)
		f.Error = fm.Errors[name]
	}
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("field %s: options must be key/value pairs", name)
	}
	for i := 0; i < len(kv); i += 2 {
		k, _ := kv[i].(string)
		switch v := kv[i+1].(type) {
		case string:
			switch k {
			case "type":
				f.Type = v
			case "hint":
				f.Hint = v
			case "autocomplete":
				f.Autocomplete = v
			case "inputmode":
				f.Inputmode = v
			case "width":
				f.Width = v
			default:
				return nil, fmt.Errorf("field %s: unknown option %q", name, k)
			}
		case int:
			f.Rows = v
		case bool:
			f.Required = v
		case []Option:
			f.Options = v
		default:
			return nil, fmt.Errorf("field %s: bad value for %q", name, k)
		}
	}
	return f, nil
}
