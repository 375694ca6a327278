package httpapi

import (
	"reflect"
	"strings"
	"time"
)

// The OpenAPI schemas are generated from the Go types the handlers encode, by
// the rules encoding/json follows (json tags, omitempty, embedded structs
// flattened, "-" skipped), so a field added to a type is documented the moment
// it is served. Tests then validate every reply of the integration tests
// against the document, which catches what reflection cannot know (a nil
// slice sent as null, a status not listed).

// schemaGen builds JSON Schema 2020-12 (OpenAPI 3.1) schemas and collects
// named types as components.
type schemaGen struct {
	components map[string]any
	names      map[reflect.Type]string
}

func newSchemaGen() *schemaGen {
	return &schemaGen{components: map[string]any{}, names: map[reflect.Type]string{}}
}

var timeType = reflect.TypeOf(time.Time{})

// enums lists the closed sets of values of string fields, by the declaring
// type and JSON name, for clients that generate enums.
var enums = map[string][]string{
	"ChallengeInput.theme":  {"health", "data", "mobility", "sme-digital", "other"},
	"Challenge.status":      {"draft", "open", "closed", "awarded", "cancelled"},
	"SMEInput.size":         {"micro", "small", "medium"},
	"CourseInput.mode":      {"online", "in-person", "blended"},
	"User.role":             {"sme", "officer", "provider", "admin"},
	"User.status":           {"active", "pending", "suspended"},
	"Registration.role":     {"sme", "officer", "provider"},
	"Response.status":       {"submitted", "withdrawn", "shortlisted", "accepted", "rejected"},
	"ResponseUpdate.status": {"submitted", "withdrawn", "shortlisted", "accepted", "rejected"},
	"Explanation.mode":      {"lexical", "hybrid"},
}

// componentName names a type for #/components/schemas: its Go name, with a
// generic's argument in front ("Page[*domain.SME]" → "SMEPage").
func componentName(t reflect.Type) string {
	name := t.Name()
	if i := strings.IndexByte(name, '['); i >= 0 {
		arg := strings.TrimSuffix(name[i+1:], "]")
		arg = arg[strings.LastIndexAny(arg, "./*")+1:]
		name = arg + name[:i]
	}
	return name
}

// ref returns a schema for t, as a $ref to a component for named structs.
// input marks a request body: nothing is required (a PATCH sends only what
// changes; validation says what is missing) and nested types are inlined, so
// output components keep their required lists.
func (g *schemaGen) ref(t reflect.Type, input bool) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Struct && t != timeType && t.Name() != "" && !input {
		name, ok := g.names[t]
		if !ok {
			name = componentName(t)
			g.names[t] = name
			g.components[name] = map[string]any{} // placeholder against recursion
			g.components[name] = g.schema(t, false)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return g.schema(t, input)
}

func (g *schemaGen) schema(t reflect.Type, input bool) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t.Kind() == reflect.String:
		return map[string]any{"type": "string"}
	case t.Kind() == reflect.Bool:
		return map[string]any{"type": "boolean"}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		return map[string]any{"type": "integer"}
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		return map[string]any{"type": "number"}
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		return map[string]any{"type": "array", "items": g.ref(t.Elem(), input)}
	case t.Kind() == reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.ref(t.Elem(), input)}
	case t.Kind() == reflect.Struct:
		props, required := map[string]any{}, []string{}
		g.fields(t, input, props, &required)
		s := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
		if len(required) > 0 {
			s["required"] = required
		}
		return s
	}
	return map[string]any{} // interface{}: anything
}

// fields adds t's JSON fields: its own first, then those of embedded structs
// that no shallower field shadows, as encoding/json resolves them.
func (g *schemaGen) fields(t reflect.Type, input bool, props map[string]any, required *[]string) {
	var embedded []reflect.Type
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			embedded = append(embedded, ft)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if _, taken := props[name]; taken {
			continue
		}
		omit := strings.Contains(opts, "omitempty")
		s := g.ref(f.Type, input)
		if vals, ok := enums[t.Name()+"."+name]; ok {
			s = map[string]any{"type": "string", "enum": vals}
		}
		// A pointer without omitempty is sent as null when unset.
		if f.Type.Kind() == reflect.Pointer && !omit {
			s = map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
		}
		props[name] = s
		if !omit && !input {
			*required = append(*required, name)
		}
	}
	for _, et := range embedded {
		g.fields(et, input, props, required)
	}
}
