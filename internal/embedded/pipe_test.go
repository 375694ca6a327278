package embedded

import (
	"context"
	"encoding/binary"
	"io"
	"testing"
	"time"
)

// The store's writes reach the database in process (pipe.go). This fails when
// a FerretDB upgrade moves the listener swapListener replaces: the writes
// would then go over TCP, correct but slower under load.
func TestWritesInProcess(t *testing.T) {
	ctx := context.Background()
	db, err := Start(ctx, t.TempDir(), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if !db.InProcess() {
		t.Fatal("FerretDB's Unix listener was not swapped for the in-process one: see swapListener")
	}
	c, err := db.DialContext(ctx, "tcp", "127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.RemoteAddr().String(); got != (pipeAddr{}).String() {
		t.Errorf("connected to %q, not in process", got)
	}
	// FerretDB answers on it: an OP_QUERY hello, as drivers send first.
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write(helloQuery()); err != nil {
		t.Fatal(err)
	}
	var head [16]byte
	if _, err := io.ReadFull(c, head[:]); err != nil {
		t.Fatalf("no answer: %v", err)
	}
	if n, op := binary.LittleEndian.Uint32(head[0:]), binary.LittleEndian.Uint32(head[12:]); n <= 16 || op != opReply {
		t.Errorf("answer of %d bytes, opcode %d; want an OP_REPLY", n, op)
	}
	c.Close()

	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if c, err := db.DialContext(ctx, "tcp", "127.0.0.1:1"); err == nil {
		c.Close()
		t.Error("dialled a closed database")
	}
}

const (
	opReply = 1
	opQuery = 2004
)

// helloQuery is an OP_QUERY of {hello: 1} on admin.$cmd.
func helloQuery() []byte {
	// BSON {hello: 1} as int32.
	doc := []byte{0, 0, 0, 0, 0x10, 'h', 'e', 'l', 'l', 'o', 0, 1, 0, 0, 0, 0}
	binary.LittleEndian.PutUint32(doc, uint32(len(doc)))
	var b []byte
	b = binary.LittleEndian.AppendUint32(b, 0) // length, below
	b = binary.LittleEndian.AppendUint32(b, 1) // request id
	b = binary.LittleEndian.AppendUint32(b, 0) // response to
	b = binary.LittleEndian.AppendUint32(b, opQuery)
	b = binary.LittleEndian.AppendUint32(b, 0) // flags
	b = append(b, "admin.$cmd\x00"...)
	b = binary.LittleEndian.AppendUint32(b, 0)          // skip
	b = binary.LittleEndian.AppendUint32(b, ^uint32(0)) // return -1
	b = append(b, doc...)
	binary.LittleEndian.PutUint32(b, uint32(len(b)))
	return b
}
