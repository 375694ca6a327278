package main

import (
	"os"

	"github.com/bettermatch/bettermatch/internal/importer"
)

// parseFile reads an import file.
func parseFile(path string) (*importer.Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return importer.Parse(f)
}
