package mailer_test

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// smtpd is a minimal SMTP server for tests (RFC 5321's commands that net/smtp
// uses, STARTTLS and AUTH PLAIN), recording what it accepts. Its failure knobs
// make it answer like a real server that is busy or refuses a recipient.
type smtpd struct {
	t    *testing.T
	ln   net.Listener
	tls  *tls.Config // STARTTLS is offered when set
	user string      // AUTH PLAIN is offered and required when set
	pass string

	mu sync.Mutex
	// failMail answers this many MAIL commands with 451 (try later).
	failMail int
	// rejectRcpt answers RCPT with 550 (no such mailbox).
	rejectRcpt bool
	msgs       []received
	wg         sync.WaitGroup
}

type received struct {
	From, To string
	Data     string
	TLS      bool
	User     string
}

func newSMTPD(t *testing.T) *smtpd {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d := &smtpd{t: t, ln: ln}
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			d.wg.Add(1)
			go func() {
				defer d.wg.Done()
				d.serve(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		d.wg.Wait()
	})
	return d
}

func (d *smtpd) addr() string { return d.ln.Addr().String() }

func (d *smtpd) received() []received {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]received(nil), d.msgs...)
}

func (d *smtpd) set(fn func(d *smtpd)) {
	d.mu.Lock()
	fn(d)
	d.mu.Unlock()
}

func (d *smtpd) serve(conn net.Conn) {
	defer func() { conn.Close() }()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	tp := textproto.NewConn(conn)
	reply := func(format string, args ...any) bool { return tp.PrintfLine(format, args...) == nil }
	var cur received
	secured, authed := false, false
	reply("220 test.invalid ESMTP")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			lines := []string{"test.invalid"}
			if d.tls != nil && !secured {
				lines = append(lines, "STARTTLS")
			}
			if d.user != "" && (secured || d.tls == nil) {
				lines = append(lines, "AUTH PLAIN")
			}
			lines = append(lines, "8BITMIME")
			for i, l := range lines {
				sep := "-"
				if i == len(lines)-1 {
					sep = " "
				}
				reply("250%s%s", sep, l)
			}
		case "HELO", "NOOP", "RSET":
			cur = received{}
			reply("250 OK")
		case "STARTTLS":
			if d.tls == nil || secured {
				reply("502 not offered")
				continue
			}
			reply("220 go ahead")
			tc := tls.Server(conn, d.tls)
			if err := tc.Handshake(); err != nil {
				return
			}
			conn, secured = tc, true
			tp = textproto.NewConn(tc)
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			raw, err := base64.StdEncoding.DecodeString(resp)
			parts := strings.Split(string(raw), "\x00")
			if strings.ToUpper(mech) != "PLAIN" || err != nil || len(parts) != 3 || parts[1] != d.user || parts[2] != d.pass {
				reply("535 authentication failed")
				continue
			}
			authed = true
			cur.User = parts[1]
			reply("235 OK")
		case "MAIL":
			if d.user != "" && !authed {
				reply("530 authenticate first")
				continue
			}
			d.mu.Lock()
			busy := d.failMail > 0
			if busy {
				d.failMail--
			}
			d.mu.Unlock()
			if busy {
				reply("451 4.3.0 try again later")
				continue
			}
			cur.From = bracketed(arg)
			reply("250 OK")
		case "RCPT":
			d.mu.Lock()
			reject := d.rejectRcpt
			d.mu.Unlock()
			if reject {
				reply("550 5.1.1 no such mailbox")
				continue
			}
			cur.To = bracketed(arg)
			reply("250 OK")
		case "DATA":
			reply("354 end with .")
			data, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			cur.Data, cur.TLS = string(data), secured
			d.mu.Lock()
			d.msgs = append(d.msgs, cur)
			d.mu.Unlock()
			cur = received{User: cur.User}
			reply("250 OK queued")
		case "QUIT":
			reply("221 bye")
			return
		default:
			reply("502 unknown command")
		}
	}
}

// bracketed returns the <address> in a MAIL or RCPT argument.
func bracketed(arg string) string {
	_, rest, _ := strings.Cut(arg, "<")
	addr, _, _ := strings.Cut(rest, ">")
	return addr
}

// selfSigned returns a server certificate for 127.0.0.1 and a pool trusting it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// header reads one header of a received message.
func header(t *testing.T, data, name string) string {
	t.Helper()
	r := textproto.NewReader(bufio.NewReader(strings.NewReader(data)))
	h, err := r.ReadMIMEHeader()
	if err != nil {
		t.Fatalf("message headers: %v\n%s", err, data)
	}
	return h.Get(name)
}
