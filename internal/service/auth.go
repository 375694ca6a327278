package service

import (
	"context"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// Session is what signing in or up returns.
type Session struct {
	Token     string       `json:"token"`
	ExpiresAt time.Time    `json:"expiresAt"`
	User      *domain.User `json:"user"`
}

// Register creates a self-service account. SMEs are active at once; officers and
// providers wait for an admin.
func (s *Service) Register(ctx context.Context, r domain.Registration) (*Session, error) {
	if err := r.Validate(); err != nil {
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
	return s.session(u)
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
	if err := s.store.Users().Create(ctx, u); err != nil {
		if rerr := s.store.ReleaseEmail(context.WithoutCancel(ctx), email); rerr != nil {
			s.log.Error("release email claim", "err", rerr)
		}
		return nil, err
	}
	return u, nil
}

func (s *Service) session(u *domain.User) (*Session, error) {
	tok, exp, err := s.tokens.Issue(u)
	if err != nil {
		return nil, err
	}
	return &Session{Token: tok, ExpiresAt: exp, User: u}, nil
}

var errBadLogin = domain.Errorf(domain.EUNAUTHORIZED, "The email or password is not right.")

// Login checks credentials and issues a token. Unknown emails cost the same
// hashing time as wrong passwords, so timing does not tell which emails exist.
func (s *Service) Login(ctx context.Context, email, password string) (*Session, error) {
	if email == "" || password == "" || len(password) > 1024 {
		return nil, errBadLogin
	}
	id, err := s.store.EmailOwner(ctx, domain.NormalizeEmail(email))
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		s.hasher.Check(dummyHash(s), password)
		return nil, errBadLogin
	} else if err != nil {
		return nil, err
	}
	u, err := s.store.Users().Get(ctx, id)
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return nil, errBadLogin
		}
		return nil, err
	}
	if !s.hasher.Check(u.PasswordHash, password) {
		return nil, errBadLogin
	}
	if u.Status == domain.StatusSuspended {
		return nil, forbidden("This account is suspended. Contact the service administrator.")
	}
	return s.session(u)
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

// Authenticate turns a bearer token into the current user. A suspended account's
// tokens stop working at once, because the user is read on every request.
func (s *Service) Authenticate(ctx context.Context, token string) (*domain.User, error) {
	c, err := s.tokens.Verify(token)
	if err != nil {
		return nil, err
	}
	if !domain.ValidID(c.UserID) {
		return nil, domain.Errorf(domain.EUNAUTHORIZED, "The token is invalid or has expired.")
	}
	u, err := s.store.Users().Get(ctx, c.UserID)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, domain.Errorf(domain.EUNAUTHORIZED, "The token is invalid or has expired.")
	} else if err != nil {
		return nil, err
	}
	if u.Status == domain.StatusSuspended {
		return nil, forbidden("This account is suspended. Contact the service administrator.")
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
	for attempt := 0; ; attempt++ {
		u, err := s.store.Users().Get(ctx, id)
		if err != nil {
			return nil, notFoundAs(err, "User")
		}
		if u.Status == status {
			return u, nil
		}
		old := u.Status
		u.Status = status
		err = s.store.Users().Update(ctx, u)
		if domain.ErrorCode(err) == domain.EPRECONDITION && attempt < 3 {
			continue // a concurrent change (e.g. a new profile): re-read and apply again
		} else if err != nil {
			return nil, err
		}
		s.log.Info("audit: account status changed", "admin", a.ID, "user", u.ID, "from", old, "to", status)
		if status == domain.StatusActive && old == domain.StatusPending {
			s.notify(ctx, u.ID, domain.NotifyAccountVerified, "Your account has been verified. You can now publish.", "/")
		}
		return u, nil
	}
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
	items, total, err := s.store.Users().Find(ctx, domain.Query{Where: where, Limit: f.Limit, Offset: f.Offset})
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
