package domain

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Meta is carried by every record.
type Meta struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	Version   int64     `json:"version"`
}

// Ids are 24 lower-case hex digits. A record with an externalId gets an id derived
// from its kind and externalId, so externalIds are unique by construction (the
// database's _id index enforces it) and an import finds a record by its key with a
// primary-key read instead of a collection scan. Other records get a random id.

// NewID returns a random id.
func NewID() string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b[:])
}

// KeyID returns the id derived from a kind ("sme", "challenge", …) and a key.
func KeyID(kind, key string) string {
	s := sha256.Sum256([]byte(kind + "\x00" + key))
	return hex.EncodeToString(s[:12])
}

// ValidID reports whether s has the shape of an id. Anything else is 404 without a
// database round trip.
func ValidID(s string) bool {
	if len(s) != 24 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
