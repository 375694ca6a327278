package service

import (
	"context"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// Session is what signing in or up, or refreshing, returns: a short-lived
// access token and the refresh token that gets the next one (see session.go).
type Session struct {
	Token            string       `json:"token"`
	ExpiresAt        time.Time    `json:"expiresAt"`
	RefreshToken     string       `json:"refreshToken"`
	RefreshExpiresAt time.Time    `json:"refreshExpiresAt"`
	User             *domain.User `json:"user"`
}

// Register creates a self-service account. SMEs are active at once; officers and
// providers wait for an admin.
func (s *Service) Register(ctx context.Context, r domain.Registration) (*Session, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	// Counted like a sign-in: "already registered" tells whether an email
	// has an account, so sign-up must not be a faster way to ask.
	done, err := s.attempt(ctx, r.Email)
	if err != nil {
		return nil, err
	}
	status := domain.StatusPending
	if r.Role == domain.RoleSME {
		status = domain.StatusActive
	}
	u, err := s.createUser(ctx, r, status)
	if err != nil {
		return nil, err
	}
	done(true)
	return s.startSession(ctx, u)
}

func (s *Service) createUser(ctx context.Context, r domain.Registration, status string) (*domain.User, error) {
	hash, err := s.hasher.Hash(r.Password)
	if err != nil {
		return nil, err
	}
	email := domain.NormalizeEmail(r.Email)
	u := &domain.User{
		Meta:  domain.Meta{ID: domain.NewID()},
		Email: email, PasswordHash: hash, Name: r.Name, Role: r.Role,
		Organisation: r.Organisation, Status: status,
	}
	// The email claim comes first: it is the uniqueness check, and without
	// transactions a user must never exist without its claim.
	if err := s.store.ClaimEmail(ctx, email, u.ID); err != nil {
		if domain.ErrorCode(err) == domain.ECONFLICT {
			return nil, &domain.Error{Code: domain.ECONFLICT, Message: "An account with this email already exists.",
				Fields: []domain.FieldError{{Field: "email", Message: "is already registered"}}}
		}
		return nil, err
	}
	u.CreatedAt, u.UpdatedAt = s.Now(), s.Now()
	if err := s.users.Create(ctx, u); err != nil {
		if rerr := s.store.ReleaseEmail(context.WithoutCancel(ctx), email); rerr != nil {
			s.log.ErrorContext(ctx, "release email claim", "err", rerr)
		}
		return nil, err
	}
	return u, nil
}

var errBadLogin = domain.Errorf(domain.EUNAUTHORIZED, "The email or password is not right.")

// Login checks credentials and starts a session. Unknown emails cost the same
// hashing time as wrong passwords, so timing does not tell which emails exist.
// Attempts are rate limited per email and per client address (limits.go).
func (s *Service) Login(ctx context.Context, email, password string) (*Session, error) {
	if email == "" || password == "" || len(password) > 1024 || len(email) > 254 {
		return nil, errBadLogin
	}
	done, err := s.attempt(ctx, email)
	if err != nil {
		return nil, err
	}
	id, err := s.store.EmailOwner(ctx, domain.NormalizeEmail(email))
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		s.hasher.Check(dummyHash(s), password)
		return nil, errBadLogin
	} else if err != nil {
		return nil, err
	}
	u, err := s.users.Get(ctx, id)
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return nil, errBadLogin
		}
		return nil, err
	}
	if !s.hasher.Check(u.PasswordHash, password) {
		return nil, errBadLogin
	}
	done(true)
	if u.Status == domain.StatusSuspended {
		return nil, forbidden("This account is suspended. Contact the service administrator.")
	}
	return s.startSession(ctx, u)
}

// dummyHash is a real hash of a random password, computed once, so a login for
// an unknown email does the same work as one for a known email.
func dummyHash(s *Service) string {
	s.dummyOnce.Do(func() {
		if h, err := s.hasher.Hash(domain.NewID()); err == nil {
			s.dummyHash = h
		}
	})
	return s.dummyHash
}

// Authenticate turns a bearer token into the current user. The user is read
// on every request, so a suspended account's tokens stop working at once
// (403, saying why), and a token from before the account's last password
// change or suspension (an older SessionEpoch) is refused (401). So is one
// whose session was signed out in this process.
func (s *Service) Authenticate(ctx context.Context, token string) (*domain.User, error) {
	c, err := s.tokens.Verify(token)
	if err != nil {
		return nil, err
	}
	if !domain.ValidID(c.UserID) {
		return nil, errBadToken()
	}
	if c.SessionID != "" && s.revoked.has(c.SessionID, s.Now()) {
		return nil, errBadToken()
	}
	u, err := s.users.recent(ctx, c.UserID)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, errBadToken()
	} else if err != nil {
		return nil, err
	}
	if u.Status == domain.StatusSuspended {
		return nil, forbidden("This account is suspended. Contact the service administrator.")
	}
	if c.Epoch != u.SessionEpoch {
		return nil, errBadToken()
	}
	return u, nil
}

// EnsureAdmin creates the admin account from configuration once; an existing
// account with that email is left as it is (its password is not overwritten).
func (s *Service) EnsureAdmin(ctx context.Context, email, password, name string) (created bool, err error) {
	r := domain.Registration{Email: email, Password: password, Name: name, Role: domain.RoleSME}
	if err := r.Validate(); err != nil {
		return false, err
	}
	if _, err := s.store.EmailOwner(ctx, domain.NormalizeEmail(email)); err == nil {
		return false, nil
	} else if domain.ErrorCode(err) != domain.ENOTFOUND {
		return false, err
	}
	r.Role = domain.RoleAdmin
	if _, err := s.createUser(ctx, r, domain.StatusActive); err != nil {
		if domain.ErrorCode(err) == domain.ECONFLICT {
			return false, nil // another process created it first
		}
		return false, err
	}
	return true, nil
}

// SetUserStatus verifies (active) or suspends an account. Admin only; an admin
// cannot suspend themselves.
func (s *Service) SetUserStatus(ctx context.Context, a *domain.User, id, status string) (*domain.User, error) {
	if err := signedIn(a); err != nil {
		return nil, err
	}
	if !isAdmin(a) {
		return nil, forbidden("Only an administrator can change account status.")
	}
	if !domain.ValidID(id) {
		return nil, domain.NotFound("User")
	}
	if id == a.ID && status != domain.StatusActive {
		return nil, domain.Errorf(domain.ECONFLICT, "You cannot suspend your own account.")
	}
	var old string
	u, changed, err := s.updateUser(ctx, id, func(u *domain.User) error {
		if u.Status == status {
			// No write, so no audit entry and no sessions ended for a
			// status that was already so.
			return errUnchanged
		}
		old = u.Status
		u.Status = status
		if status == domain.StatusSuspended {
			// Ends every session: the tokens carry the old epoch.
			u.SessionEpoch++
		}
		return nil
	})
	if err != nil || !changed {
		return u, err
	}
	s.audit(ctx, a, domain.AuditUserStatus, "user", u.ID, old, status, u.Email)
	if status == domain.StatusActive && old == domain.StatusPending {
		s.notify(ctx, u.ID, domain.NotifyAccountVerified, "Your account has been verified. You can now publish.", "/")
	}
	return u, nil
}

// ListUsers lists accounts for an admin.
func (s *Service) ListUsers(ctx context.Context, a *domain.User, f domain.UserFilter) (*Page[*domain.User], error) {
	if err := signedIn(a); err != nil {
		return nil, err
	}
	if !isAdmin(a) {
		return nil, forbidden("Only an administrator can list accounts.")
	}
	f.Limit, f.Offset = ClampPage(f.Limit, f.Offset)
	where := map[string]any{}
	if f.Status != "" {
		if f.Status != domain.StatusActive && f.Status != domain.StatusPending && f.Status != domain.StatusSuspended {
			return nil, &domain.Error{Code: domain.EINVALID, Message: "Unknown status.", Fields: []domain.FieldError{{Field: "status", Message: "must be active, pending or suspended"}}}
		}
		where["status"] = f.Status
	}
	if f.Role != "" {
		where["role"] = f.Role
	}
	items, total, err := s.users.Find(ctx, domain.Query{Where: where, Limit: f.Limit, Offset: f.Offset})
	if err != nil {
		return nil, err
	}
	return &Page[*domain.User]{Items: items, Total: total, Limit: f.Limit, Offset: f.Offset}, nil
}

// notFoundAs renames a not-found error for the kind of record the caller asked for.
func notFoundAs(err error, kind string) error {
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return domain.NotFound(kind)
	}
	return err
}
