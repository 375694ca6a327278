// Package search is bettermatch's full-text index: it implements
// domain.SearchIndex on bleve and is the only package that imports bleve. The
// index is derived data; MongoDB is the source of truth, so whenever the index
// is missing, unreadable or built by an older mapping, Open starts a fresh one
// and says so (Fresh) for the caller to rebuild it from the store.
package search
