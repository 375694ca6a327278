package service

import (
	"context"
	"sync"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// DefaultUserCacheTTL is how long Authenticate trusts an account it read.
//
// Every authenticated request needs its account: the role, the status, the
// session epoch. Reading it from the store each time was one database round
// trip on most requests, and under load the round trip, not the work, is what
// requests wait for. This process's own writes to an account take effect at
// once (they drop it from the cache); another process's (a suspension, a
// sign-out everywhere, a role change) within this TTL.
const DefaultUserCacheTTL = 2 * time.Second

// userCache is the store's users collection with a short-lived cache of
// accounts for Authenticate. Writes pass through and drop the account, so the
// cache never outlives this process's own changes.
type userCache struct {
	domain.Collection[*domain.User]
	ttl time.Duration
	now func() time.Time

	mu sync.Mutex
	m  map[string]cachedUser
	// gen counts writes, so that a read that raced with one is not cached:
	// it may hold what the write replaced.
	gen uint64
}

type cachedUser struct {
	u  domain.User
	at time.Time
}

func newUserCache(c domain.Collection[*domain.User], ttl time.Duration, now func() time.Time) *userCache {
	return &userCache{Collection: c, ttl: ttl, now: now, m: map[string]cachedUser{}}
}

// recent returns the account as read at most ttl ago, reading it when the
// cache has none as fresh. The caller gets its own copy.
func (c *userCache) recent(ctx context.Context, id string) (*domain.User, error) {
	t := c.now()
	c.mu.Lock()
	e, ok := c.m[id]
	gen := c.gen
	c.mu.Unlock()
	if ok && t.Sub(e.at) < c.ttl {
		u := e.u
		return &u, nil
	}
	u, err := c.Collection.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.gen == gen && c.ttl > 0 {
		if len(c.m) > maxCachedUsers {
			clear(c.m) // rarely: the accounts active within a TTL are few
		}
		c.m[id] = cachedUser{u: *u, at: t}
	}
	c.mu.Unlock()
	return u, nil
}

// maxCachedUsers bounds the cache's memory.
const maxCachedUsers = 100_000

func (c *userCache) forget(id string) {
	c.mu.Lock()
	c.gen++
	if id == "" {
		clear(c.m)
	} else {
		delete(c.m, id)
	}
	c.mu.Unlock()
}

// Create implements domain.Collection.
func (c *userCache) Create(ctx context.Context, u *domain.User) error {
	defer c.forget(u.ID)
	return c.Collection.Create(ctx, u)
}

// Update implements domain.Collection. The account is dropped before the
// write too, so no request in between is served the version being replaced
// after the write has been acknowledged.
func (c *userCache) Update(ctx context.Context, u *domain.User) error {
	c.forget(u.ID)
	defer c.forget(u.ID)
	return c.Collection.Update(ctx, u)
}

// Modify implements domain.Collection, dropping the account as Update does.
func (c *userCache) Modify(ctx context.Context, id string, fn func(*domain.User) error) (*domain.User, error) {
	c.forget(id)
	defer c.forget(id)
	return c.Collection.Modify(ctx, id, fn)
}

// Delete implements domain.Collection.
func (c *userCache) Delete(ctx context.Context, id string) error {
	c.forget(id)
	defer c.forget(id)
	return c.Collection.Delete(ctx, id)
}

// Import implements domain.Collection.
func (c *userCache) Import(ctx context.Context, us []*domain.User) (domain.ImportStats, error) {
	defer c.forget("")
	return c.Collection.Import(ctx, us)
}
