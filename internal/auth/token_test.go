package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/bettermatch/bettermatch/internal/domain"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef")

const testTTL = 15 * time.Minute

// clock is a settable time source for tests.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

func newTestTokens(tb testing.TB) (*Tokens, *clock) {
	tb.Helper()
	c := &clock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	tok, err := NewTokens(testSecret, testTTL, c.Now)
	if err != nil {
		tb.Fatal(err)
	}
	return tok, c
}

var testUser = &domain.User{Meta: domain.Meta{ID: "65f1a2b3c4d5e6f708192a3b"}, Role: domain.RoleOfficer}

// validClaims are what Issue would put in a token at the clock's time.
func validClaims(now time.Time) jwt.MapClaims {
	return jwt.MapClaims{
		"sub":  testUser.ID,
		"role": testUser.Role,
		"iss":  Issuer,
		"iat":  now.Unix(),
		"exp":  now.Add(testTTL).Unix(),
		"jti":  "x",
	}
}

func sign(tb testing.TB, m jwt.SigningMethod, key any, c jwt.Claims) string {
	tb.Helper()
	s, err := jwt.NewWithClaims(m, c).SignedString(key)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func assertUnauthorized(tb testing.TB, tok *Tokens, token string) {
	tb.Helper()
	c, err := tok.Verify(token)
	if err == nil {
		tb.Fatalf("Verify(%.60q) = %+v, want an error", token, c)
	}
	if code := domain.ErrorCode(err); code != domain.EUNAUTHORIZED {
		tb.Fatalf("code = %q, want %q (err %v)", code, domain.EUNAUTHORIZED, err)
	}
	if msg := domain.ErrorMessage(err); msg != "The token is invalid or has expired." {
		tb.Fatalf("message = %q", msg)
	}
}

func TestTokens_RoundTrip(t *testing.T) {
	tok, c := newTestTokens(t)
	s, exp, err := tok.Issue(testUser, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := c.t.Add(testTTL); !exp.Equal(want) {
		t.Errorf("expiresAt = %v, want %v", exp, want)
	}
	got, err := tok.Verify(s)
	if err != nil {
		t.Fatal(err)
	}
	if got.UserID != testUser.ID || got.Role != testUser.Role || !got.ExpiresAt.Equal(exp) {
		t.Errorf("claims = %+v, want user %s role %s exp %v", got, testUser.ID, testUser.Role, exp)
	}

	// The payload carries what the product promises: sub, role, iat, exp, iss, jti.
	var m jwt.MapClaims
	if _, _, err := jwt.NewParser().ParseUnverified(s, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"sub", "role", "iat", "exp", "iss", "jti"} {
		if _, ok := m[k]; !ok {
			t.Errorf("claim %q missing from %v", k, m)
		}
	}
	if !strings.HasPrefix(s, b64(`{"alg":"HS256","typ":"JWT"}`)+".") {
		t.Errorf("header is not HS256: %s", s)
	}

	// Each token has its own jti, even within one second.
	s2, _, _ := tok.Issue(testUser, "")
	var m2 jwt.MapClaims
	jwt.NewParser().ParseUnverified(s2, &m2)
	if m["jti"] == m2["jti"] {
		t.Errorf("two tokens share jti %v", m["jti"])
	}
}

func TestTokens_Expiry(t *testing.T) {
	tok, c := newTestTokens(t)
	s, _, err := tok.Issue(testUser, "")
	if err != nil {
		t.Fatal(err)
	}
	start := c.t
	c.t = start.Add(testTTL - time.Second)
	if _, err := tok.Verify(s); err != nil {
		t.Fatalf("one second before expiry: %v", err)
	}
	c.t = start.Add(testTTL + time.Second)
	assertUnauthorized(t, tok, s)
}

func TestTokens_Tampered(t *testing.T) {
	tok, c := newTestTokens(t)
	s, _, err := tok.Issue(testUser, "")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(s, ".")

	t.Run("Payload", func(t *testing.T) {
		// Promote ourselves to admin, keeping the original signature.
		cl := validClaims(c.t)
		cl["role"] = domain.RoleAdmin
		forged := sign(t, jwt.SigningMethodHS256, testSecret, cl)
		assertUnauthorized(t, tok, parts[0]+"."+strings.Split(forged, ".")[1]+"."+parts[2])
	})
	t.Run("Signature", func(t *testing.T) {
		sig := []byte(parts[2])
		sig[0] ^= 1 // 'x' → 'y' etc.: still base64url, different bytes
		assertUnauthorized(t, tok, parts[0]+"."+parts[1]+"."+string(sig))
	})
	t.Run("NonCanonicalSignature", func(t *testing.T) {
		// The last of 43 characters carries two unused bits; flipping them
		// decodes to the same bytes in lenient base64.
		sig := []byte(parts[2])
		last := strings.IndexByte(base64URLAlphabet, sig[len(sig)-1])
		sig[len(sig)-1] = base64URLAlphabet[last^1]
		assertUnauthorized(t, tok, parts[0]+"."+parts[1]+"."+string(sig))
	})
	t.Run("NoSignature", func(t *testing.T) {
		assertUnauthorized(t, tok, parts[0]+"."+parts[1]+".")
	})
	t.Run("OtherSecret", func(t *testing.T) {
		other := []byte(strings.Repeat("z", 32))
		assertUnauthorized(t, tok, sign(t, jwt.SigningMethodHS256, other, validClaims(c.t)))
	})
}

const base64URLAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

func TestTokens_OtherAlgorithms(t *testing.T) {
	tok, c := newTestTokens(t)
	payload := validClaims(c.t)

	// Sanity: the same claims signed correctly are accepted, so each case
	// below fails because of its algorithm alone.
	if _, err := tok.Verify(sign(t, jwt.SigningMethodHS256, testSecret, payload)); err != nil {
		t.Fatalf("control token rejected: %v", err)
	}

	body := b64(`{"sub":"` + testUser.ID + `","role":"officer","iss":"bettermatch","exp":` +
		jwt.NewNumericDate(c.t.Add(time.Hour)).String() + `}`)
	hmacSHA256 := func(input string) string {
		m := hmac.New(sha256.New, testSecret)
		m.Write([]byte(input))
		return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	}

	t.Run("NoneByHand", func(t *testing.T) {
		for _, alg := range []string{"none", "None", "NONE", "nOnE"} {
			h := b64(`{"alg":"` + alg + `","typ":"JWT"}`)
			assertUnauthorized(t, tok, h+"."+body+".")
			assertUnauthorized(t, tok, h+"."+body+"."+hmacSHA256(h+"."+body))
		}
	})
	t.Run("NoneByLibrary", func(t *testing.T) {
		assertUnauthorized(t, tok, sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, payload))
	})
	t.Run("MissingAlg", func(t *testing.T) {
		h := b64(`{"typ":"JWT"}`)
		assertUnauthorized(t, tok, h+"."+body+"."+hmacSHA256(h+"."+body))
	})
	t.Run("HS384", func(t *testing.T) {
		assertUnauthorized(t, tok, sign(t, jwt.SigningMethodHS384, testSecret, payload))
	})
	t.Run("HS512", func(t *testing.T) {
		assertUnauthorized(t, tok, sign(t, jwt.SigningMethodHS512, testSecret, payload))
	})
	t.Run("RS256", func(t *testing.T) {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		assertUnauthorized(t, tok, sign(t, jwt.SigningMethodRS256, key, payload))
	})
	t.Run("RS256HeaderWithHMACSignature", func(t *testing.T) {
		// Key confusion: the header claims RS256 but the signature is an
		// HMAC under our secret. Only the pinned algorithm stops this.
		h := b64(`{"alg":"RS256","typ":"JWT"}`)
		assertUnauthorized(t, tok, h+"."+body+"."+hmacSHA256(h+"."+body))
	})
}

func TestTokens_Claims(t *testing.T) {
	tok, c := newTestTokens(t)
	for name, edit := range map[string]func(jwt.MapClaims){
		"MissingSub":   func(m jwt.MapClaims) { delete(m, "sub") },
		"EmptySub":     func(m jwt.MapClaims) { m["sub"] = "" },
		"MissingRole":  func(m jwt.MapClaims) { delete(m, "role") },
		"UnknownRole":  func(m jwt.MapClaims) { m["role"] = "root" },
		"RoleNotText":  func(m jwt.MapClaims) { m["role"] = 7 },
		"MissingExp":   func(m jwt.MapClaims) { delete(m, "exp") },
		"ExpNotNumber": func(m jwt.MapClaims) { m["exp"] = "tomorrow" },
		"MissingIss":   func(m jwt.MapClaims) { delete(m, "iss") },
		"WrongIss":     func(m jwt.MapClaims) { m["iss"] = "someone-else" },
		"NotYetValid":  func(m jwt.MapClaims) { m["nbf"] = c.t.Add(time.Minute).Unix() },
		"Expired":      func(m jwt.MapClaims) { m["exp"] = c.t.Add(-time.Second).Unix() },
	} {
		t.Run(name, func(t *testing.T) {
			m := validClaims(c.t)
			edit(m)
			assertUnauthorized(t, tok, sign(t, jwt.SigningMethodHS256, testSecret, m))
		})
	}
}

func TestTokens_Garbage(t *testing.T) {
	tok, _ := newTestTokens(t)
	good, _, _ := tok.Issue(testUser, "")
	for _, s := range []string{
		"", ".", "..", "...", "a.b.c", "abc", "Bearer " + good, good + ".", good + " ",
		" " + good, "e30.e30.", "e30.e30.e30", "null.null.null", "!!!.???.***",
		b64(`[]`) + "." + b64(`{}`) + ".",
		strings.Repeat("A", 5000) + "." + strings.Repeat("A", 5000) + ".AAAA",
	} {
		assertUnauthorized(t, tok, s)
	}
}

func TestNewTokens(t *testing.T) {
	if _, err := NewTokens(testSecret[:31], time.Minute, nil); err == nil {
		t.Error("31-byte secret accepted")
	}
	if _, err := NewTokens(nil, time.Minute, nil); err == nil {
		t.Error("nil secret accepted")
	}
	if _, err := NewTokens(testSecret, 0, nil); err == nil {
		t.Error("zero ttl accepted")
	}
	tok, err := NewTokens(testSecret, time.Minute, nil)
	if err != nil {
		t.Fatal(err)
	}
	// nil clock means the real one.
	s, exp, err := tok.Issue(testUser, "")
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(exp); d <= 0 || d > time.Minute {
		t.Errorf("expires in %v", d)
	}
	if _, err := tok.Verify(s); err != nil {
		t.Error(err)
	}
}

func TestNewTokens_CopiesSecret(t *testing.T) {
	secret := append([]byte(nil), testSecret...)
	tok, err := NewTokens(secret, time.Minute, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, _, _ := tok.Issue(testUser, "")
	secret[0] ^= 0xff // the caller reusing its buffer must not change the key
	if _, err := tok.Verify(s); err != nil {
		t.Error(err)
	}
}

func TestTokens_IssueRefusesIncompleteUser(t *testing.T) {
	tok, _ := newTestTokens(t)
	for _, u := range []*domain.User{nil, {Role: domain.RoleSME}, {Meta: domain.Meta{ID: "x"}}} {
		if s, _, err := tok.Issue(u, ""); err == nil {
			t.Errorf("Issue(%+v) = %q, want an error", u, s)
		}
	}
}

func FuzzVerify(f *testing.F) {
	tok, c := newTestTokens(f)
	good, _, _ := tok.Issue(testUser, "")
	f.Add(good)
	f.Add(sign(f, jwt.SigningMethodHS512, testSecret, validClaims(c.t)))
	f.Add(b64(`{"alg":"none"}`) + "." + b64(`{"sub":"a","role":"admin","iss":"bettermatch","exp":9999999999}`) + ".")
	f.Add("")
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, s string) {
		cl, err := tok.Verify(s)
		if err == nil {
			// Anything accepted must be a token we could have issued.
			if cl.UserID == "" || cl.Role == "" {
				t.Fatalf("accepted %q with claims %+v", s, cl)
			}
		} else if domain.ErrorCode(err) != domain.EUNAUTHORIZED {
			t.Fatalf("Verify(%q): %v", s, err)
		}
	})
}

func TestTokens_SessionAndEpoch(t *testing.T) {
	tok, _ := newTestTokens(t)
	u := *testUser
	u.SessionEpoch = 3
	s, _, err := tok.Issue(&u, "0123456789abcdef01234567")
	if err != nil {
		t.Fatal(err)
	}
	c, err := tok.Verify(s)
	if err != nil {
		t.Fatal(err)
	}
	if c.SessionID != "0123456789abcdef01234567" || c.Epoch != 3 {
		t.Errorf("claims = %+v, want session and epoch 3", c)
	}
}
