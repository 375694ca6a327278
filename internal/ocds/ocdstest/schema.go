// Package ocdstest validates documents against the official OCDS 1.1.5 schemas
// kept in ../shared/ocds beside the repository. Only tests import it, so the
// JSON Schema validator never reaches the binary.
package ocdstest

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The schemas' own ids; the package schema refers to the release schema by its
// id, which is mapped to the local file instead of being fetched.
const (
	packageID = "https://standard.open-contracting.org/schema/1__1__5/release-package-schema.json"
	releaseID = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
)

// Dir is ../shared/ocds relative to the repository root.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	// internal/ocds/ocdstest/schema.go → repository root is three levels up.
	root := filepath.Join(filepath.Dir(file), "..", "..", "..")
	return filepath.Join(root, "..", "shared", "ocds")
}

// PackageSchema compiles the release package schema, skipping the test when
// the shared schemas are absent (a clone has no ../shared).
func PackageSchema(t testing.TB) *jsonschema.Schema {
	t.Helper()
	dir := Dir()
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	c.AssertFormat()
	for id, name := range map[string]string{packageID: "release-package-schema.json", releaseID: "release-schema.json"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if os.IsNotExist(err) {
			t.Skipf("OCDS schemas not found in %s (they live in ../shared beside the repository): %v", dir, err)
		}
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := c.AddResource(id, doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	sch, err := c.Compile(packageID)
	if err != nil {
		t.Fatalf("compile OCDS schema: %v", err)
	}
	return sch
}

// Check returns why a release package's JSON does not validate, or nil.
func Check(t testing.TB, body []byte) error {
	t.Helper()
	sch := PackageSchema(t)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}

// ValidatePackage fails the test when a release package's JSON does not
// validate against the official schema.
func ValidatePackage(t testing.TB, body []byte) {
	t.Helper()
	if err := Check(t, body); err != nil {
		t.Fatalf("package does not validate against the OCDS 1.1.5 schema: %v\n%s", err, body)
	}
}
