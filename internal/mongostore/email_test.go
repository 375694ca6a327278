package mongostore

import (
	"context"
	"testing"

	"github.com/bettermatch/bettermatch/internal/domain"
)

func TestEmails(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	if err := s.ClaimEmail(ctx, "  Ada@Example.ORG ", "u1"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.ClaimEmail(ctx, "ada@example.org", "u2"), domain.ECONFLICT)
	wantCode(t, s.ClaimEmail(ctx, "ADA@EXAMPLE.ORG", "u2"), domain.ECONFLICT)
	for _, e := range []string{"ada@example.org", "ADA@example.org", " ada@EXAMPLE.org"} {
		if id, err := s.EmailOwner(ctx, e); err != nil || id != "u1" {
			t.Fatalf("EmailOwner(%q) = %q, %v", e, id, err)
		}
	}
	_, err := s.EmailOwner(ctx, "bob@example.org")
	wantCode(t, err, domain.ENOTFOUND)

	if err := s.ReleaseEmail(ctx, "Ada@example.org"); err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseEmail(ctx, "Ada@example.org"); err != nil {
		t.Fatalf("releasing twice: %v", err)
	}
	_, err = s.EmailOwner(ctx, "ada@example.org")
	wantCode(t, err, domain.ENOTFOUND)
	if err := s.ClaimEmail(ctx, "ada@example.org", "u2"); err != nil {
		t.Fatalf("claim after release: %v", err)
	}
}
