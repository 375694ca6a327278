package mongostore

import (
	"context"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/embedded"
)

// A database that goes away is EUNAVAILABLE (503), quickly.
func TestUnavailable(t *testing.T) {
	ctx := context.Background()
	db, err := embedded.Start(ctx, t.TempDir(), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, db.URI(), "down", db)
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	defer s.Close(ctx)
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	_, err = s.SMEs().Get(ctx, domain.NewID())
	wantCode(t, err, domain.EUNAVAILABLE)
	if d := time.Since(start); d > 7*time.Second {
		t.Errorf("Get took %v to fail", d)
	}
	if msg := domain.ErrorMessage(err); msg != "The database is unavailable." {
		t.Errorf("message %q", msg)
	}
	t.Logf("Get failed after %v", time.Since(start))
	wantCode(t, s.Ping(ctx), domain.EUNAVAILABLE)

	// Writes go another way (gate.go), and fail as fast.
	start = time.Now()
	err = s.SMEs().Create(ctx, newSME("Gone Ltd"))
	wantCode(t, err, domain.EUNAVAILABLE)
	if d := time.Since(start); d > 7*time.Second {
		t.Errorf("Create took %v to fail", d)
	}
	t.Logf("Create failed after %v", time.Since(start))

	start = time.Now()
	_, err = Open(ctx, db.URI(), "down", db)
	wantCode(t, err, domain.EUNAVAILABLE)
	if d := time.Since(start); d > 7*time.Second {
		t.Errorf("Open took %v to fail", d)
	}
	t.Logf("Open failed after %v", time.Since(start))
}
