package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/testenv"
)

// TestStatsCache: after a write the indicators are served from cache until
// StatsMinAge has passed, then recomputed; without writes they stay cached.
func TestStatsCache(t *testing.T) {
	ctx := context.Background()
	env := testenv.New(t)
	admin := &domain.User{Meta: domain.Meta{ID: domain.NewID()}, Role: domain.RoleAdmin, Status: domain.StatusActive}
	count := func() int {
		st, err := env.Svc.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return st.Total.SMEsRegistered
	}
	env.Svc.StatsMinAge = time.Hour
	if n := count(); n != 0 {
		t.Fatalf("empty database counts %d SMEs", n)
	}
	if _, err := env.Svc.CreateSME(ctx, admin, sme("", "Emajõe Sensors", "River sensors.").SMEInput); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 0 {
		t.Fatalf("within StatsMinAge of the last computation the cache should answer, got %d", n)
	}
	env.Svc.StatsMinAge = 0
	if n := count(); n != 1 {
		t.Fatalf("after StatsMinAge a write is counted, got %d", n)
	}
}
