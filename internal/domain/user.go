package domain

import (
	"net/mail"
	"strings"
	"unicode/utf8"
)

// Roles.
const (
	RoleSME      = "sme"
	RoleOfficer  = "officer"
	RoleProvider = "provider"
	RoleAdmin    = "admin"
)

// Account statuses.
const (
	StatusActive    = "active"
	StatusPending   = "pending"
	StatusSuspended = "suspended"
)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// User is an account.
type User struct {
	Meta
	Email        string `json:"email"`
	PasswordHash string `json:"-"`
	Name         string `json:"name"`
	Role         string `json:"role"`
	Organisation string `json:"organisation,omitempty"`
	Status       string `json:"status"`
	// SMEID is the profile an sme account keeps (at most one).
	SMEID string `json:"smeId,omitempty"`
	// SessionEpoch is carried by every token issued to the account. Raising
	// it (password change, suspension) ends all its sessions at once: the
	// user is read on every request anyway, so the check costs nothing.
	SessionEpoch int64 `json:"-"`
}

func (u *User) RecordMeta() *Meta { return &u.Meta }

// Verified reports whether the account may act in its role.
func (u *User) Verified() bool { return u.Status == StatusActive }

// NormalizeEmail is the form emails are compared and stored in.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Registration is what a person sends to sign up.
type Registration struct {
	Email        string `json:"email"`
	Password     string `json:"password"`
	Name         string `json:"name"`
	Role         string `json:"role"`
	Organisation string `json:"organisation"`
}

// Validate checks a registration; admin is never a self-service role.
func (r *Registration) Validate() error {
	var v Validation
	if a, err := mail.ParseAddress(r.Email); err != nil || a.Address != strings.TrimSpace(r.Email) || len(r.Email) > 254 {
		v.Add("email", "must be a valid email address")
	}
	ValidatePassword(&v, "password", r.Password)
	text(&v, "name", r.Name, 1, 200)
	switch r.Role {
	case RoleSME, RoleOfficer, RoleProvider:
	default:
		v.Add("role", "must be one of sme, officer, provider")
	}
	if r.Role == RoleOfficer || r.Role == RoleProvider {
		text(&v, "organisation", r.Organisation, 1, 200)
	} else {
		text(&v, "organisation", r.Organisation, 0, 200)
	}
	return v.Err()
}

// ValidatePassword records a problem when p is too weak or too long.
func ValidatePassword(v *Validation, field, p string) {
	n := utf8.RuneCountInString(p)
	switch {
	case n < MinPasswordLength:
		v.Add(field, "must be at least %d characters", MinPasswordLength)
	case len(p) > 72:
		// bcrypt reads only 72 bytes; refusing longer ones avoids silent truncation.
		v.Add(field, "must be at most 72 bytes")
	case strings.TrimSpace(p) == "" || distinctRunes(p) < 4:
		v.Add(field, "is too easy to guess")
	}
}

func distinctRunes(s string) int {
	seen := map[rune]bool{}
	for _, r := range s {
		seen[r] = true
	}
	return len(seen)
}

// UserFilter selects accounts to list.
type UserFilter struct {
	Status string
	Role   string
	Limit  int
	Offset int
}
