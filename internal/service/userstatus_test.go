package service_test

import (
	"context"
	"testing"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/testenv"
)

// TestSetUserStatusUnchanged: setting the status an account already has
// writes nothing: no new version, no sessions ended, no audit entry. A real
// change does all three.
func TestSetUserStatusUnchanged(t *testing.T) {
	ctx := context.Background()
	env := testenv.New(t)
	admin := &domain.User{Meta: domain.Meta{ID: domain.NewID()}, Role: domain.RoleAdmin, Status: domain.StatusActive}
	sess, err := env.Svc.Register(ctx, domain.Registration{Email: "unchanged@example.org", Password: "a-long-passphrase", Name: "Una", Role: domain.RoleSME})
	if err != nil {
		t.Fatal(err)
	}
	id := sess.User.ID
	stored := func() *domain.User {
		t.Helper()
		u, err := env.Store.Users().Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	audited := func() int {
		t.Helper()
		n, err := env.Store.Audit().Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before, entries := stored(), audited()

	// Registered SMEs are active already.
	u, err := env.Svc.SetUserStatus(ctx, admin, id, domain.StatusActive)
	if err != nil {
		t.Fatal(err)
	}
	if u.Status != domain.StatusActive || u.Version != before.Version {
		t.Fatalf("returned %s at version %d, want active at %d", u.Status, u.Version, before.Version)
	}
	if got := stored(); got.Version != before.Version || got.SessionEpoch != before.SessionEpoch || !got.UpdatedAt.Equal(before.UpdatedAt) {
		t.Fatalf("unchanged status wrote: version %d→%d, epoch %d→%d", before.Version, got.Version, before.SessionEpoch, got.SessionEpoch)
	}
	if n := audited(); n != entries {
		t.Fatalf("unchanged status audited: %d entries, want %d", n, entries)
	}

	// A real change writes, ends the sessions and is audited, once.
	for range 2 {
		if _, err := env.Svc.SetUserStatus(ctx, admin, id, domain.StatusSuspended); err != nil {
			t.Fatal(err)
		}
	}
	if got := stored(); got.Status != domain.StatusSuspended || got.Version != before.Version+1 || got.SessionEpoch != before.SessionEpoch+1 {
		t.Fatalf("after suspending twice: %s, version %d (from %d), epoch %d (from %d)",
			got.Status, got.Version, before.Version, got.SessionEpoch, before.SessionEpoch)
	}
	if n := audited(); n != entries+1 {
		t.Fatalf("after suspending twice: %d audit entries, want %d", n, entries+1)
	}

	_, err = env.Svc.SetUserStatus(ctx, admin, domain.NewID(), domain.StatusSuspended)
	if domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("unknown account: %v, want not found", err)
	}
}
