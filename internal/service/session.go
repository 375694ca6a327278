package service

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"sync"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// Sessions. Signing in starts a session (domain.Session) and returns a short
// access token (a JWT, checked without the database beyond the user read every
// request makes anyway) and a refresh token: 256 random bits, stored only as
// a hash, exchanged for a new pair when the access token expires. Each
// exchange retires the refresh token it used; presenting a retired one again
// means two parties hold it, so the whole session is revoked and both must
// sign in again (RFC 9700 §4.14.2). Sessions end absolutely RefreshTTL after
// sign-in.
//
// Everything a user's sessions are ends at once when the user's SessionEpoch
// rises (password change, suspension): access and refresh tokens carry the
// epoch they were issued in.

// DefaultRefreshTTL is how long a session lasts however often it is refreshed.
const DefaultRefreshTTL = 30 * 24 * time.Hour

// reuseGrace is how long after a rotation the retired token is answered
// "already used" (409) rather than treated as theft: two tabs of one browser
// refreshing together send the same cookie, and revoking their session for
// it would sign the person out for nothing.
const reuseGrace = 20 * time.Second

func errBadRefresh() error {
	return domain.Errorf(domain.EUNAUTHORIZED, "The refresh token is invalid, expired or revoked. Sign in again.")
}

func errBadToken() error {
	return domain.Errorf(domain.EUNAUTHORIZED, "The token is invalid or has expired.")
}

// startSession begins a session for u and returns its first tokens.
func (s *Service) startSession(ctx context.Context, u *domain.User) (*Session, error) {
	now := s.Now()
	sess := &domain.Session{Meta: domain.Meta{ID: domain.NewID(), CreatedAt: now, UpdatedAt: now},
		UserID: u.ID, ExpiresAt: now.Add(s.refreshTTL)}
	if err := s.store.Sessions().Create(ctx, sess); err != nil {
		return nil, err
	}
	return s.issue(ctx, u, sess)
}

// issue stores a new refresh token of sess and returns it with an access token.
func (s *Service) issue(ctx context.Context, u *domain.User, sess *domain.Session) (*Session, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	refresh := base64.RawURLEncoding.EncodeToString(b)
	now := s.Now()
	rt := &domain.RefreshToken{Meta: domain.Meta{ID: domain.RefreshTokenID(refresh), CreatedAt: now, UpdatedAt: now},
		SessionID: sess.ID, UserID: u.ID, Epoch: u.SessionEpoch, ExpiresAt: sess.ExpiresAt}
	if err := s.store.RefreshTokens().Create(ctx, rt); err != nil {
		return nil, err
	}
	tok, exp, err := s.tokens.Issue(u, sess.ID)
	if err != nil {
		return nil, err
	}
	return &Session{Token: tok, ExpiresAt: exp, RefreshToken: refresh, RefreshExpiresAt: sess.ExpiresAt, User: u}, nil
}

// Refresh exchanges a refresh token for new tokens of the same session. A
// token that is unknown, expired, revoked or from before the account's last
// password change or suspension is EUNAUTHORIZED; one retired within the last
// few seconds is ECONFLICT (a concurrent refresh won; use its tokens).
func (s *Service) Refresh(ctx context.Context, refresh string) (*Session, error) {
	if refresh == "" || len(refresh) > 128 {
		return nil, errBadRefresh()
	}
	rt, err := s.store.RefreshTokens().Get(ctx, domain.RefreshTokenID(refresh))
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, errBadRefresh()
	} else if err != nil {
		return nil, err
	}
	now := s.Now()
	if !now.Before(rt.ExpiresAt) {
		return nil, errBadRefresh()
	}
	sess, err := s.store.Sessions().Get(ctx, rt.SessionID)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, errBadRefresh()
	} else if err != nil {
		return nil, err
	}
	if !sess.RevokedAt.IsZero() {
		return nil, errBadRefresh()
	}
	if !rt.RotatedAt.IsZero() {
		if now.Sub(rt.RotatedAt) < reuseGrace {
			return nil, errJustRefreshed()
		}
		s.log.WarnContext(ctx, "retired refresh token used again: session revoked", "user", rt.UserID, "session", sess.ID)
		if err := s.revokeSession(ctx, sess, "reuse"); err != nil {
			return nil, err
		}
		s.audit(ctx, nil, domain.AuditTokenReuse, "session", sess.ID, "", "revoked", "user "+rt.UserID)
		return nil, errBadRefresh()
	}
	u, err := s.users.Get(ctx, rt.UserID)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, errBadRefresh()
	} else if err != nil {
		return nil, err
	}
	if u.Status == domain.StatusSuspended || u.SessionEpoch != rt.Epoch {
		return nil, errBadRefresh()
	}
	rt.RotatedAt = now
	if err := s.store.RefreshTokens().Update(ctx, rt); domain.ErrorCode(err) == domain.EPRECONDITION {
		// Another request rotated it between our read and write.
		return nil, errJustRefreshed()
	} else if err != nil {
		return nil, err
	}
	return s.issue(ctx, u, sess)
}

func errJustRefreshed() error {
	return domain.Errorf(domain.ECONFLICT, "This refresh token was just used by another request; use the tokens that request received.")
}

// revokeSession ends sess (idempotent).
//
// Other processes learn of it from a change note (ChangeSignOut), written
// before the session record as with every indexed record (so a sign-out
// acknowledged here cannot go unnoticed there), and refuse the session's
// access tokens from their next sync on, within a second, without reading
// sessions on every request.
func (s *Service) revokeSession(ctx context.Context, sess *domain.Session, reason string) error {
	if !sess.RevokedAt.IsZero() {
		return nil
	}
	if err := s.store.RecordChange(ctx, ChangeSignOut, sess.ID); err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		if !sess.RevokedAt.IsZero() {
			return nil
		}
		sess.RevokedAt, sess.Reason = s.Now(), reason
		err := s.store.Sessions().Update(ctx, sess)
		if domain.ErrorCode(err) == domain.EPRECONDITION && attempt < 3 {
			if sess, err = s.store.Sessions().Get(ctx, sess.ID); err != nil {
				return err
			}
			continue
		}
		if err == nil {
			s.revoked.add(sess.ID, s.Now().Add(s.accessTTL()), s.Now())
		}
		return err
	}
}

// SignOut ends the session named by the access token's claims or by the
// refresh token, whichever is valid (the web passes both cookies; an API
// client its bearer token and, optionally, its refresh token). Neither being
// valid is EUNAUTHORIZED.
//
// The session's access tokens stop working at once in this process and, from
// their next sync (about a second), in the others (see revokeSession).
func (s *Service) SignOut(ctx context.Context, access, refresh string) error {
	var ids []string
	if access != "" {
		if c, err := s.tokens.Verify(access); err == nil && c.SessionID != "" {
			ids = append(ids, c.SessionID)
		}
	}
	if refresh != "" && len(refresh) <= 128 {
		if rt, err := s.store.RefreshTokens().Get(ctx, domain.RefreshTokenID(refresh)); err == nil {
			ids = append(ids, rt.SessionID)
		} else if domain.ErrorCode(err) != domain.ENOTFOUND {
			return err
		}
	}
	if len(ids) == 0 {
		return domain.Errorf(domain.EUNAUTHORIZED, "Sign in to do this.")
	}
	for _, id := range ids {
		sess, err := s.store.Sessions().Get(ctx, id)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			continue
		} else if err != nil {
			return err
		}
		if err := s.revokeSession(ctx, sess, "logout"); err != nil {
			return err
		}
	}
	return nil
}

// ChangePassword replaces a's password after checking the current one, ends
// every session of the account (all devices, access tokens included) and
// returns a new session for the caller, so the device that made the change
// stays signed in.
func (s *Service) ChangePassword(ctx context.Context, a *domain.User, current, next string) (*Session, error) {
	if err := signedIn(a); err != nil {
		return nil, err
	}
	var v domain.Validation
	domain.ValidatePassword(&v, "newPassword", next)
	if next == current {
		v.Add("newPassword", "must differ from the current password")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	// A stolen access token must not buy unlimited guesses at the password.
	done, err := s.attempt(ctx, a.Email)
	if err != nil {
		return nil, err
	}
	if len(current) > 1024 || !s.hasher.Check(a.PasswordHash, current) {
		return nil, &domain.Error{Code: domain.EINVALID, Message: "The current password is not right.",
			Fields: []domain.FieldError{{Field: "currentPassword", Message: "is not right"}}}
	}
	done(true)
	hash, err := s.hasher.Hash(next)
	if err != nil {
		return nil, err
	}
	u, _, err := s.updateUser(ctx, a.ID, func(u *domain.User) error {
		u.PasswordHash = hash
		u.SessionEpoch++
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.audit(ctx, a, domain.AuditPasswordChange, "user", u.ID, "", "", "all sessions ended")
	return s.startSession(ctx, u)
}

// errUnchanged, returned by an updateUser fn, means the account needs no
// write: updateUser then writes nothing and reports it unchanged.
var errUnchanged = errors.New("unchanged")

// updateUser applies fn to the stored user id and saves it, in one Modify:
// the store reads the account once, for fn and for its version check. A
// write that lost to a concurrent one (another process's, on MongoDB) is
// tried again on a fresh read. changed is false, and nothing is written, when
// fn returns errUnchanged; u is then the account as read.
func (s *Service) updateUser(ctx context.Context, id string, fn func(*domain.User) error) (u *domain.User, changed bool, err error) {
	for attempt := 0; ; attempt++ {
		var read *domain.User
		u, err = s.users.Modify(ctx, id, func(u *domain.User) error {
			read = u
			return fn(u)
		})
		switch {
		case err == nil:
			return u, true, nil
		case errors.Is(err, errUnchanged):
			return read, false, nil
		case domain.ErrorCode(err) == domain.EPRECONDITION && attempt < 3:
			continue // a concurrent change (e.g. a new profile): read and apply again
		default:
			return nil, false, notFoundAs(err, "User")
		}
	}
}

// PurgeSessions deletes the sessions and refresh tokens that have expired
// (RunSync calls it hourly). A rotated token is kept until its session
// expires, since its reuse is what reveals a theft.
func (s *Service) PurgeSessions(ctx context.Context) (int, error) {
	n, err := s.store.PurgeSessions(ctx, s.Now())
	if n > 0 {
		s.log.InfoContext(ctx, "expired sessions purged", "records", n)
	}
	return n, err
}

// loadRevoked fills the revoked set, at start, with the sessions ended
// recently enough that their access tokens may still be alive: a process
// started after a sign-out (or restarted) must refuse them too, and the
// change log it resumes from may begin after the sign-out's note. One pass
// over the sessions, which PurgeSessions keeps to the unexpired ones.
func (s *Service) loadRevoked(ctx context.Context) error {
	now := s.Now()
	ttl := s.accessTTL()
	return s.store.Sessions().Each(ctx, func(sess *domain.Session) error {
		if until := sess.RevokedAt.Add(ttl); !sess.RevokedAt.IsZero() && now.Before(until) {
			s.revoked.add(sess.ID, until, now)
		}
		return nil
	})
}

// accessTTL is how long access tokens live, when the token service says.
func (s *Service) accessTTL() time.Duration {
	if t, ok := s.tokens.(interface{ TTL() time.Duration }); ok {
		return t.TTL()
	}
	return time.Hour
}

// revokedSessions remembers, until their access tokens have expired, the
// sessions signed out (in this process, in others through the change log, and
// before this process started: loadRevoked), so Authenticate refuses their
// access tokens without a database read. It holds at most maxRevoked sessions,
// forgetting the oldest first (their tokens then live out their 15 minutes).
type revokedSessions struct {
	mu sync.Mutex
	m  map[string]time.Time
}

const maxRevoked = 100_000

func (r *revokedSessions) add(id string, until, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = map[string]time.Time{}
	}
	if len(r.m) >= maxRevoked {
		var oldest string
		for k, t := range r.m {
			if t.Before(now) {
				delete(r.m, k)
			} else if oldest == "" || t.Before(r.m[oldest]) {
				oldest = k
			}
		}
		if len(r.m) >= maxRevoked {
			delete(r.m, oldest)
		}
	}
	r.m[id] = until
}

func (r *revokedSessions) has(id string, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.m[id]
	return ok && now.Before(t)
}
