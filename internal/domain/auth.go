package domain

import "time"

// Claims are what a verified token says about its bearer.
type Claims struct {
	UserID    string
	Role      string
	ExpiresAt time.Time
}

// TokenService issues and checks access tokens.
type TokenService interface {
	Issue(u *User) (token string, expiresAt time.Time, err error)
	// Verify returns the claims of a valid token; EUNAUTHORIZED otherwise.
	Verify(token string) (*Claims, error)
}

// PasswordHasher hashes and checks passwords.
type PasswordHasher interface {
	Hash(password string) (string, error)
	// Check reports whether password matches hash.
	Check(hash, password string) bool
}
