package auth

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// Issuer is the iss claim of every token; Verify refuses any other, so a token
// minted by another service that happens to share the secret is not accepted.
const Issuer = "bettermatch"

// MinSecretLength is the shortest HS256 secret accepted: RFC 7518 §3.2 asks
// for a key at least as long as the hash output (256 bits).
const MinSecretLength = 32

// maxTokenLength bounds the input Verify is willing to parse. Our tokens are
// about 300 bytes; refusing megabyte headers early keeps base64 and JSON
// decoding of attacker input cheap.
const maxTokenLength = 4096

// errInvalidToken is the single answer to every bad token. Saying why a token
// failed (expired, bad signature, wrong alg) helps an attacker more than a
// legitimate client, which just signs in again either way. A new value each
// time, so no caller can alter the one the next request gets.
func errInvalidToken() error {
	return &domain.Error{Code: domain.EUNAUTHORIZED, Message: "The token is invalid or has expired."}
}

// Tokens issues and verifies HS256 JSON Web Tokens. It implements
// domain.TokenService and is safe for concurrent use.
type Tokens struct {
	secret []byte
	ttl    time.Duration
	now    func() time.Time
	parser *jwt.Parser
}

// claims is the token payload: the registered claims plus the bearer's role,
// the session (sign-in) it belongs to and the account's session epoch.
type claims struct {
	Role      string `json:"role"`
	SessionID string `json:"sid,omitempty"`
	Epoch     int64  `json:"epoch,omitempty"`
	jwt.RegisteredClaims
}

// Validate is called by the jwt parser after the time and issuer checks; it
// rejects tokens that verify cryptographically but say nothing usable.
func (c *claims) Validate() error {
	if c.Subject == "" {
		return errors.New("missing sub")
	}
	switch c.Role {
	case domain.RoleSME, domain.RoleOfficer, domain.RoleProvider, domain.RoleAdmin:
		return nil
	case "":
		return errors.New("missing role")
	default:
		return fmt.Errorf("unknown role %q", c.Role)
	}
}

// NewTokens returns a token service signing with secret, issuing tokens valid
// for ttl. now is the clock (time.Now when nil); tests inject their own to
// check expiry without sleeping. The secret is copied.
func NewTokens(secret []byte, ttl time.Duration, now func() time.Time) (*Tokens, error) {
	if len(secret) < MinSecretLength {
		return nil, fmt.Errorf("auth: token secret is %d bytes, need at least %d", len(secret), MinSecretLength)
	}
	if ttl <= 0 {
		return nil, fmt.Errorf("auth: token lifetime must be positive, got %v", ttl)
	}
	if now == nil {
		now = time.Now
	}
	return &Tokens{
		secret: append([]byte(nil), secret...),
		ttl:    ttl,
		now:    now,
		parser: jwt.NewParser(
			// Pinning the algorithm is what stops alg=none and the
			// RS256/HS256 key-confusion attack: the header is attacker input.
			jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
			jwt.WithIssuer(Issuer),
			jwt.WithExpirationRequired(),
			jwt.WithTimeFunc(now),
			// Canonical base64 only, so a token has exactly one spelling
			// and a flipped padding bit is a bad token, not the same one.
			jwt.WithStrictDecoding(),
		),
	}, nil
}

// TTL is how long issued tokens stay valid.
func (t *Tokens) TTL() time.Duration { return t.ttl }

// Issue returns a signed token for u in session sessionID and the moment it
// expires.
func (t *Tokens) Issue(u *domain.User, sessionID string) (string, time.Time, error) {
	if u == nil || u.ID == "" || u.Role == "" {
		// A programming error, not the user's: surfaces as "Internal error."
		return "", time.Time{}, errors.New("auth: cannot issue a token for a user without id or role")
	}
	// NumericDate has one-second precision; truncating first makes the
	// returned expiresAt equal to the exp claim a client would decode.
	now := t.now().Truncate(time.Second)
	exp := now.Add(t.ttl)
	jti, err := randomHex(16)
	if err != nil {
		return "", time.Time{}, err
	}
	c := &claims{
		Role: u.Role, SessionID: sessionID, Epoch: u.SessionEpoch,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    Issuer,
			Subject:   u.ID,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
			ID:        jti,
		},
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(t.secret)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("auth: sign token: %w", err)
	}
	return s, exp, nil
}

// Verify returns the claims of a valid token and EUNAUTHORIZED for anything
// else: another algorithm, a bad signature, an expired token, a wrong issuer
// or missing subject or role.
func (t *Tokens) Verify(token string) (*domain.Claims, error) {
	if token == "" || len(token) > maxTokenLength {
		return nil, errInvalidToken()
	}
	var c claims
	_, err := t.parser.ParseWithClaims(token, &c, t.key)
	if err != nil {
		return nil, errInvalidToken()
	}
	return &domain.Claims{UserID: c.Subject, Role: c.Role, ExpiresAt: c.ExpiresAt.Time,
		SessionID: c.SessionID, Epoch: c.Epoch}, nil
}

// key hands the parser the HMAC secret. WithValidMethods already refuses other
// algorithms; checking the method type again means a future change to the
// parser options cannot turn the secret into, say, an RSA "public key".
func (t *Tokens) key(tok *jwt.Token) (any, error) {
	if m, ok := tok.Method.(*jwt.SigningMethodHMAC); !ok || m != jwt.SigningMethodHS256 {
		return nil, fmt.Errorf("unexpected signing method %v", tok.Header["alg"])
	}
	return t.secret, nil
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: random: %w", err)
	}
	return hex.EncodeToString(b), nil
}
