package service

import (
	"context"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// userMap is a users collection in a map that counts reads.
type userMap struct {
	domain.Collection[*domain.User]
	m     map[string]domain.User
	reads int
	// during, when set, runs inside Get, between reading and returning.
	during func()
}

func (c *userMap) Get(_ context.Context, id string) (*domain.User, error) {
	c.reads++
	u, ok := c.m[id]
	if !ok {
		return nil, domain.NotFound("User")
	}
	if c.during != nil {
		c.during()
	}
	return &u, nil
}

func (c *userMap) Update(_ context.Context, u *domain.User) error {
	c.m[u.ID] = *u
	return nil
}

// TestUserCache: Authenticate's reads are served from the cache for its TTL;
// this process's writes take effect at once; a read that raced with a write is
// not kept; callers get copies.
func TestUserCache(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1e9, 0)
	store := &userMap{m: map[string]domain.User{"u1": {Meta: domain.Meta{ID: "u1"}, Status: domain.StatusActive}}}
	c := newUserCache(store, 2*time.Second, func() time.Time { return now })
	get := func() *domain.User {
		t.Helper()
		u, err := c.recent(ctx, "u1")
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	get()
	get().Status = "scribbled" // a caller's change stays its own
	if u := get(); store.reads != 1 || u.Status != domain.StatusActive {
		t.Fatalf("reads = %d, status %q; want 1 read, active", store.reads, u.Status)
	}
	now = now.Add(2 * time.Second)
	get()
	if store.reads != 2 {
		t.Fatalf("after the TTL: reads = %d, want 2", store.reads)
	}
	// An update through the cache is seen at once.
	u := get()
	u.Status = domain.StatusSuspended
	if err := c.Update(ctx, u); err != nil {
		t.Fatal(err)
	}
	if got := get(); got.Status != domain.StatusSuspended || store.reads != 3 {
		t.Fatalf("after an update: status %q, reads %d; want suspended, 3", got.Status, store.reads)
	}
	// A read that an update overtakes is returned but not cached.
	now = now.Add(time.Hour)
	store.during = func() {
		store.during = nil
		v := store.m["u1"]
		v.Status = domain.StatusActive
		if err := c.Update(ctx, &v); err != nil {
			t.Fatal(err)
		}
	}
	get()
	if got := get(); got.Status != domain.StatusActive || store.reads != 5 {
		t.Fatalf("after a racing update: status %q, reads %d; want active, 5", got.Status, store.reads)
	}
}
