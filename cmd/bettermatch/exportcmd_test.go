package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bettermatch/bettermatch/internal/ocds/ocdstest"
)

// TestImportExportCSV runs the commands as a user would: a CSV file with an
// invalid row loads nothing; fixed, it loads; export gives the same rows back
// and an OCDS package that validates against the official schema.
func TestImportExportCSV(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("BETTERMATCH_DATA_DIR", dir)
	t.Setenv("BETTERMATCH_LOG_LEVEL", "error")
	ctx := context.Background()
	header := "externalId,title,organisation,region,summary,theme,cpv,budget.min,budget.max,budget.currency,deadline,status\n"
	good := "c1,Clean air near schools,Birmingham City Council,West Midlands,Sensors near schools.,mobility,38432200-4; 72316000-3,20000,60000,GBP,2030-03-12T17:00:00Z,open\n"
	bad := "c2,Predict admissions,Genoa,Liguria,Forecasts.,health,,lots,10,EUR,2030-03-12T17:00:00Z,open\n"
	in := filepath.Join(dir, "challenges.csv")
	if err := os.WriteFile(in, []byte(header+good+bad), 0o600); err != nil {
		t.Fatal(err)
	}
	err := run(ctx, []string{"import", in})
	if err == nil || !strings.Contains(err.Error(), "nothing was imported") {
		t.Fatalf("import of a file with a bad row: %v", err)
	}
	if err := os.WriteFile(in, []byte(header+good), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"import", in}); err != nil {
		t.Fatal(err)
	}

	csvOut := filepath.Join(dir, "out.csv")
	if err := run(ctx, []string{"export", "--format", "csv", "-o", csvOut}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(csvOut)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], "c1,Clean air near schools,Birmingham City Council,West Midlands,Sensors near schools.,,mobility,,,38432200-4; 72316000-3,20000,60000,GBP,2030-03-12T17:00:00Z,open") {
		t.Fatalf("exported csv:\n%s", b)
	}

	ocdsOut := filepath.Join(dir, "releases.json")
	if err := run(ctx, []string{"export", "-o", ocdsOut, "-base-url", "https://match.example.org"}); err != nil {
		t.Fatal(err)
	}
	pkg, err := os.ReadFile(ocdsOut)
	if err != nil {
		t.Fatal(err)
	}
	ocdstest.ValidatePackage(t, pkg)
	if !strings.Contains(string(pkg), `"ocid":"ocds-bm0001-`) {
		t.Fatalf("package: %s", pkg)
	}
}
