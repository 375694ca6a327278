package main

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/bettermatch/bettermatch/internal/importer"
)

// parseFile reads an import file: CSV by its extension (one kind of record,
// named by kind or detected from the header), JSON otherwise.
func parseFile(path, kind string) (*importer.Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if strings.EqualFold(filepath.Ext(path), ".csv") {
		return importer.ParseCSV(f, kind)
	}
	return importer.Parse(f)
}
