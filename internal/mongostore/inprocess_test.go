package mongostore

import (
	"context"
	"encoding/binary"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// dialLog is an embedded database whose in-process connections are noted,
// with the commands sent over them.
type dialLog struct {
	Embedded
	mu     sync.Mutex
	remote []string // the connections' networks
	sent   []string // "command collection" of each message sent in process
}

func (d *dialLog) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := d.Embedded.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	d.remote = append(d.remote, c.RemoteAddr().Network())
	d.mu.Unlock()
	return &cmdConn{Conn: c, log: d}, nil
}

// commands returns the commands sent in process since the last call.
func (d *dialLog) commands() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := d.sent
	d.sent = nil
	return out
}

// cmdConn notes the command of each OP_MSG written to it: the first key of
// its body, and that key's value when it is a string (the collection).
type cmdConn struct {
	net.Conn
	log *dialLog
	buf []byte
}

func (c *cmdConn) Write(p []byte) (int, error) {
	c.buf = append(c.buf, p...)
	for len(c.buf) >= 4 {
		n := int(binary.LittleEndian.Uint32(c.buf))
		if n < 16 || len(c.buf) < n {
			break
		}
		if cmd := opMsgCommand(c.buf[:n]); cmd != "" {
			c.log.mu.Lock()
			c.log.sent = append(c.log.sent, cmd)
			c.log.mu.Unlock()
		}
		c.buf = c.buf[n:]
	}
	return c.Conn.Write(p)
}

// opMsgCommand is "command collection" for an OP_MSG whose first section is
// its body, "" for anything else.
func opMsgCommand(m []byte) string {
	const opMsg, bodyAt = 2013, 16 + 4 + 1 // header, flag bits, section kind
	if len(m) < bodyAt+5+2 || binary.LittleEndian.Uint32(m[12:]) != opMsg || m[bodyAt-1] != 0 {
		return ""
	}
	e := m[bodyAt+4:] // the body's first element: type, key, value
	typ, rest := e[0], e[1:]
	end := slices.Index(rest, 0)
	if end < 0 {
		return ""
	}
	cmd, val := string(rest[:end]), rest[end+1:]
	if typ == 0x02 && len(val) > 4 { // string: int32 length with the NUL, bytes
		if n := int(binary.LittleEndian.Uint32(val)); n >= 1 && len(val) >= 4+n {
			return cmd + " " + string(val[4:4+n-1])
		}
	}
	return cmd
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
	if got := dl.commands(); !slices.Contains(got, "insert smes") {
		t.Errorf("Create sent %q in process, without its insert", got)
	}
	// An edit's own read under the record's lock goes in process with its
	// write (collection.baseDoc).
	if _, err := s.SMEs().Modify(ctx, sme.ID, func(x *domain.SME) error { x.Name = "Pipe Works Ltd"; return nil }); err != nil {
		t.Fatal(err)
	}
	if got := dl.commands(); !slices.Contains(got, "find smes") || !slices.Contains(got, "update smes") {
		t.Errorf("Modify sent %q in process; want its read and its update", got)
	}
	// Other reads stay on TCP (see package embedded's pipe.go).
	got, err := s.SMEs().Get(ctx, sme.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sent := dl.commands(); slices.Contains(sent, "find smes") {
		t.Errorf("Get sent %q in process; reads go over TCP", sent)
	}
	// Unless they are reads for a write.
	if _, err := s.SMEs().Get(domain.ForWrite(ctx), sme.ID); err != nil {
		t.Fatal(err)
	}
	if sent := dl.commands(); !slices.Contains(sent, "find smes") {
		t.Errorf("Get for a write sent %q in process; want its read", sent)
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
