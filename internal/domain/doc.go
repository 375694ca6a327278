// Package domain holds bettermatch's entities, their validation, the error codes
// every layer speaks, and the interfaces the storage, search, matching, token and
// embedding packages implement. It imports only the standard library, so the
// concrete packages depend on it and never on each other; they meet in
// cmd/bettermatch.
package domain
