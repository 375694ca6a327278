// Package service holds bettermatch's business rules: who may do what, the
// challenge lifecycle, responses, and keeping the search index and the matcher in
// step with the store. It speaks only domain types and interfaces, so the HTTP API,
// the web pages and the command line all call the same code.
package service

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// Service is the application. Create it with New; call Start to bring the
// derived indexes up to date and run the background sync.
type Service struct {
	store    domain.Store
	users    *userCache // the store's users, with accounts cached for Authenticate
	index    domain.SearchIndex
	matcher  domain.Matcher
	tokens   domain.TokenService
	hasher   domain.PasswordHasher
	embedder domain.Embedder
	mail     MailOptions
	log      *slog.Logger
	now      func() time.Time

	// NotifyTop is how many best-matching SMEs hear of a newly published challenge.
	NotifyTop int
	// NotifyMinScore is the score a match needs to be worth a notification.
	NotifyMinScore float64
	// StatsMinAge is how long indicators are served from cache after a write
	// (see stats.go).
	StatsMinAge time.Duration
	// ChangeSight and ChangeSettle pace the reading of other processes'
	// changes (see syncLocked); they default to DefaultChangeSight and
	// DefaultChangeSettle.
	ChangeSight, ChangeSettle time.Duration

	syncMu  sync.Mutex
	syncSeq int64        // the change log is read up to here
	readSeq atomic.Int64 // syncSeq, for IndexSeq to read without syncMu
	stamped int64        // the index's stamp, where a restart resumes reading
	settle  []settling   // notes read but younger than ChangeSettle, oldest first
	// order applies each record's writes to the index and the matcher in
	// the order the store made them (order.go).
	order   applyOrder
	retryMu sync.Mutex
	retry   map[[2]string]bool // kind/id whose index write failed

	dummyOnce sync.Once
	dummyHash string

	limits     limiters
	refreshTTL time.Duration
	revoked    revokedSessions

	statsDirty atomic.Bool
	statsMu    sync.Mutex
	statsCache *statsCache

	// Embed tunes the embedding worker (see embed.go); set it before
	// RunEmbeddings.
	Embed EmbedOptions
	emb   embedState

	slots computeSlots
}

// Deps are the service's collaborators.
type Deps struct {
	Store    domain.Store
	Index    domain.SearchIndex
	Matcher  domain.Matcher
	Tokens   domain.TokenService
	Hasher   domain.PasswordHasher
	Embedder domain.Embedder // nil means none
	Mail     MailOptions     // zero means notifications stay in-app
	Logger   *slog.Logger
	Now      func() time.Time // nil means time.Now
	// Limits bound sign-in attempts; zero fields take DefaultLimits.
	Limits Limits
	// RefreshTTL is how long a session lasts; 0 means DefaultRefreshTTL.
	RefreshTTL time.Duration
	// UserCacheTTL is how long Authenticate trusts an account it read; 0
	// means DefaultUserCacheTTL, negative not at all.
	UserCacheTTL time.Duration
	// ComputeSlots bounds the searches and rankings run at once (see
	// compute.go); 0 means one per CPU.
	ComputeSlots int
}

// New returns a service over deps.
func New(d Deps) *Service {
	s := &Service{
		store: d.Store, index: d.Index, matcher: d.Matcher, tokens: d.Tokens, hasher: d.Hasher,
		embedder: d.Embedder, mail: d.Mail, log: d.Logger, now: d.Now,
		NotifyTop: 10, NotifyMinScore: 0.2, StatsMinAge: DefaultStatsMinAge,
		ChangeSight: DefaultChangeSight, ChangeSettle: DefaultChangeSettle,
	}
	if s.embedder == nil {
		s.embedder = domain.NopEmbedder{}
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.limits = newLimiters(d.Limits, s.now)
	s.slots = newComputeSlots(d.ComputeSlots)
	ttl := d.UserCacheTTL
	if ttl == 0 {
		ttl = DefaultUserCacheTTL
	}
	s.users = newUserCache(d.Store.Users(), max(ttl, 0), time.Now)
	s.refreshTTL = d.RefreshTTL
	if s.refreshTTL <= 0 {
		s.refreshTTL = DefaultRefreshTTL
	}
	return s
}

// Now is the service's clock (UTC, to the millisecond as MongoDB stores it).
func (s *Service) Now() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// Ready checks the database answers.
func (s *Service) Ready(ctx context.Context) error { return s.store.Ping(ctx) }

// Page is a list answer.
type Page[T any] struct {
	Items  []T                            `json:"items"`
	Total  int                            `json:"total"`
	Limit  int                            `json:"limit"`
	Offset int                            `json:"offset"`
	Facets map[string][]domain.FacetCount `json:"facets,omitempty"`
	// Highlights are matched fragments per item id and field, with <mark> tags.
	Highlights map[string]map[string][]string `json:"highlights,omitempty"`
	// Mode says how matches were ranked ("lexical" or "hybrid").
	Mode string `json:"mode,omitempty"`
}

// Paging limits.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

// ClampPage applies the default and maximum page size.
func ClampPage(limit, offset int) (int, int) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	if limit > MaxLimit {
		limit = MaxLimit
	}
	if offset < 0 {
		offset = 0
	}
	return limit, offset
}

func forbidden(msg string) error { return domain.Errorf(domain.EFORBIDDEN, "%s", msg) }

func signedIn(a *domain.User) error {
	if a == nil {
		return domain.Errorf(domain.EUNAUTHORIZED, "Sign in to do this.")
	}
	return nil
}

// isAdmin reports whether a is an active admin.
func isAdmin(a *domain.User) bool { return a != nil && a.Role == domain.RoleAdmin && a.Verified() }

// requireRole checks a is signed in, active and has one of roles (admins pass too).
func requireRole(a *domain.User, roles ...string) error {
	if err := signedIn(a); err != nil {
		return err
	}
	if isAdmin(a) {
		return nil
	}
	for _, r := range roles {
		if a.Role == r {
			if !a.Verified() {
				return forbidden("Your account is waiting to be verified by an administrator.")
			}
			return nil
		}
	}
	return forbidden("Your role cannot do this.")
}

// checkVersion compares an If-Match version (0 = none given) with the record's.
func checkVersion(want int64, m *domain.Meta) error {
	if want != 0 && want != m.Version {
		return domain.Errorf(domain.EPRECONDITION, "The record has changed since you read it (version %d, now %d). Reload and try again.", want, m.Version)
	}
	return nil
}
