package mongostore

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// dialLog is an embedded database whose in-process connections are noted.
type dialLog struct {
	Embedded
	mu     sync.Mutex
	remote []string // the connections' networks
}

func (d *dialLog) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := d.Embedded.DialContext(ctx, network, addr)
	if err == nil {
		d.mu.Lock()
		d.remote = append(d.remote, c.RemoteAddr().Network())
		d.mu.Unlock()
	}
	return c, err
}

// On the embedded database the gated writes go through its in-process
// connections (gate.go), and what they write is what the reads, over TCP,
// see.
func TestWritesInProcess(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dl := &dialLog{Embedded: edb}
	s, err := Open(ctx, uri, "t"+domain.NewID(), dl)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	defer s.Drop(context.Background())
	if s.wclient == s.client {
		t.Fatal("no write client of its own")
	}

	sme := newSME("Pipe Works")
	if err := s.SMEs().Create(ctx, sme); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SMEs().Modify(ctx, sme.ID, func(x *domain.SME) error { x.Name = "Pipe Works Ltd"; return nil }); err != nil {
		t.Fatal(err)
	}
	got, err := s.SMEs().Get(ctx, sme.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Pipe Works Ltd" || got.Version != 2 {
		t.Errorf("read back %q version %d", got.Name, got.Version)
	}
	if err := s.ClaimEmail(ctx, "pipe@example.org", "u1"); err != nil {
		t.Fatal(err)
	}
	if owner, err := s.EmailOwner(ctx, "pipe@example.org"); err != nil || owner != "u1" {
		t.Errorf("email owner %q, %v", owner, err)
	}

	dl.mu.Lock()
	defer dl.mu.Unlock()
	if len(dl.remote) == 0 {
		t.Fatal("the writes did not dial the embedded database in process")
	}
	for _, r := range dl.remote {
		if r == "tcp" {
			t.Errorf("a write connection went over TCP")
		}
	}
}
