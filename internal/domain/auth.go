package domain

import "time"

// Claims are what a verified token says about its bearer.
type Claims struct {
	UserID    string
	Role      string
	ExpiresAt time.Time
	// SessionID names the sign-in the token belongs to (empty for tokens
	// issued before sessions existed), so sign-out can end that session.
	SessionID string
	// Epoch is the user's SessionEpoch when the token was issued.
	Epoch int64
}

// TokenService issues and checks access tokens.
type TokenService interface {
	// Issue returns an access token for u in session sessionID, carrying
	// u.SessionEpoch.
	Issue(u *User, sessionID string) (token string, expiresAt time.Time, err error)
	// Verify returns the claims of a valid token; EUNAUTHORIZED otherwise.
	Verify(token string) (*Claims, error)
}

// PasswordHasher hashes and checks passwords.
type PasswordHasher interface {
	Hash(password string) (string, error)
	// Check reports whether password matches hash.
	Check(hash, password string) bool
}
