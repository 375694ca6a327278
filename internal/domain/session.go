package domain

import "time"

// Session is one sign-in on one device: the family of refresh tokens that
// descends from it by rotation. Revoking the session (sign-out, or a rotated
// token used again) ends every token of the family at once without finding
// them: each token names its session, and refreshing reads it.
type Session struct {
	Meta
	UserID string `json:"userId"`
	// ExpiresAt is when the session ends however often it is refreshed, so a
	// stolen token family cannot be kept alive for ever.
	ExpiresAt time.Time `json:"expiresAt"`
	RevokedAt time.Time `json:"revokedAt,omitzero"`
	// Reason says why it was revoked ("logout", "reuse").
	Reason string `json:"reason,omitempty"`
}

func (s *Session) RecordMeta() *Meta { return &s.Meta }

// RefreshToken is a stored refresh token. The token itself is never stored:
// its id is RefreshTokenID(token), a hash, so a read of the collection yields
// nothing that can be presented, and the lookup is by primary key.
type RefreshToken struct {
	Meta
	SessionID string `json:"sessionId"`
	UserID    string `json:"userId"`
	// Epoch is the user's SessionEpoch when the token was issued; a token
	// from an older epoch (before a password change or suspension) is dead.
	Epoch     int64     `json:"epoch"`
	ExpiresAt time.Time `json:"expiresAt"`
	// RotatedAt is set when the token was exchanged for its successor. Using
	// it again after that is reuse: someone else holds a copy.
	RotatedAt time.Time `json:"rotatedAt,omitzero"`
}

func (t *RefreshToken) RecordMeta() *Meta { return &t.Meta }

// RefreshTokenID is the stored id of a refresh token. The token is 256 random
// bits, so a fast hash is enough: there is nothing to guess that a slow one
// would protect.
func RefreshTokenID(token string) string { return KeyID("refresh", token) }
