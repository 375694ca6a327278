package mailer_test

import (
	"context"
	"crypto/tls"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/mailer"
)

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		url, addr, user, pass, from string
		implicit                    bool
		err                         string
	}{
		{url: "smtp://mail.example.org?from=noreply@example.org", addr: "mail.example.org:587", from: "noreply@example.org"},
		{url: "smtp://u%40x:p%3Ass@mail.example.org:2525?from=Bettermatch%20%3Cnoreply@example.org%3E",
			addr: "mail.example.org:2525", user: "u@x", pass: "p:ss", from: "noreply@example.org"},
		{url: "smtps://bot@example.org:secret@smtp.example.org", addr: "smtp.example.org:465", user: "bot@example.org",
			pass: "secret", from: "bot@example.org", implicit: true},
		{url: "smtp://mail.example.org", err: "from"},
		{url: "http://mail.example.org?from=a@b.c", err: "scheme"},
		{url: "smtp://?from=a@b.c", err: "host"},
		{url: "smtp://mail.example.org?from=not-an-address", err: "from"},
	} {
		c, err := mailer.ParseURL(tc.url)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseURL(%q) error = %v, want one about %q", tc.url, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseURL(%q): %v", tc.url, err)
			continue
		}
		if c.Addr != tc.addr || c.Username != tc.user || c.Password != tc.pass || c.From.Address != tc.from || c.ImplicitTLS != tc.implicit {
			t.Errorf("ParseURL(%q) = %+v", tc.url, c)
		}
	}
}

func outboxMessage(to string) *domain.OutboxMessage {
	return &domain.OutboxMessage{Meta: domain.Meta{ID: domain.OutboxID("n-1")}, NotificationID: "n-1", To: to,
		Subject: "Hello from Gävle\r\nBcc: victim@example.org",
		Body:    "You won “Clean air”.\n\n.\nhttps://bettermatch.example/challenges/1\n"}
}

func sender(t *testing.T, d *smtpd, mod func(*mailer.Config)) *mailer.SMTP {
	t.Helper()
	cfg, err := mailer.ParseURL("smtp://" + d.addr() + "?from=Bettermatch%20%3Cnoreply@bettermatch.example%3E")
	if err != nil {
		t.Fatal(err)
	}
	if mod != nil {
		mod(&cfg)
	}
	s, err := mailer.NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSend(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		d := newSMTPD(t)
		m := outboxMessage("Ada <ada@example.org>")
		if err := sender(t, d, nil).Send(ctx, m); err != nil {
			t.Fatal(err)
		}
		got := d.received()
		if len(got) != 1 || got[0].From != "noreply@bettermatch.example" || got[0].To != "ada@example.org" || got[0].TLS {
			t.Fatalf("received %+v", got)
		}
		data := got[0].Data
		from, _ := mail.ParseAddress("noreply@bettermatch.example")
		if id := header(t, data, "Message-ID"); id != mailer.MessageID(m.ID, from) || !strings.Contains(id, m.ID) {
			t.Errorf("Message-ID %q, want one derived from %s", id, m.ID)
		}
		subj, err := new(mime.WordDecoder).DecodeHeader(header(t, data, "Subject"))
		if err != nil || subj != "Hello from Gävle Bcc: victim@example.org" {
			t.Errorf("Subject %q (%v): want the subject on one line", subj, err)
		}
		if header(t, data, "Bcc") != "" {
			t.Error("a CR LF in the subject added a header")
		}
		// ReadDotBytes has undone the dot-stuffing and turned CR LF into LF.
		_, body, _ := strings.Cut(data, "\n\n")
		plain, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
		if err != nil || !strings.Contains(string(plain), "You won “Clean air”.") || !strings.Contains(string(plain), "\n.\n") {
			t.Errorf("body %q (%v)", plain, err)
		}
	})

	t.Run("STARTTLSAndAuth", func(t *testing.T) {
		d := newSMTPD(t)
		cert, pool := selfSigned(t)
		d.tls = &tls.Config{Certificates: []tls.Certificate{cert}}
		d.user, d.pass = "bot", "s3cret"
		s := sender(t, d, func(c *mailer.Config) {
			c.Username, c.Password = "bot", "s3cret"
			c.TLS = &tls.Config{RootCAs: pool}
		})
		if err := s.Send(ctx, outboxMessage("ada@example.org")); err != nil {
			t.Fatal(err)
		}
		if got := d.received(); len(got) != 1 || !got[0].TLS || got[0].User != "bot" {
			t.Fatalf("received %+v, want one message over TLS from bot", got)
		}
	})

	t.Run("WrongPasswordIsTemporary", func(t *testing.T) {
		// A configuration mistake must not make the worker drop every email.
		d := newSMTPD(t)
		d.user, d.pass = "bot", "s3cret"
		err := sender(t, d, func(c *mailer.Config) { c.Username, c.Password = "bot", "wrong" }).Send(ctx, outboxMessage("ada@example.org"))
		if err == nil || mailer.Permanent(err) {
			t.Fatalf("err = %v, want a temporary error", err)
		}
	})

	t.Run("BusyIsTemporary", func(t *testing.T) {
		d := newSMTPD(t)
		d.failMail = 1
		err := sender(t, d, nil).Send(ctx, outboxMessage("ada@example.org"))
		if err == nil || mailer.Permanent(err) || !strings.Contains(err.Error(), "451") {
			t.Fatalf("err = %v, want a temporary 451", err)
		}
	})

	t.Run("UnknownMailboxIsPermanent", func(t *testing.T) {
		d := newSMTPD(t)
		d.rejectRcpt = true
		err := sender(t, d, nil).Send(ctx, outboxMessage("ghost@example.org"))
		if !mailer.Permanent(err) {
			t.Fatalf("err = %v, want a permanent error", err)
		}
	})

	t.Run("BadRecipientIsPermanent", func(t *testing.T) {
		d := newSMTPD(t)
		err := sender(t, d, nil).Send(ctx, outboxMessage("not an address"))
		if !mailer.Permanent(err) || len(d.received()) != 0 {
			t.Fatalf("err = %v, want a permanent error and nothing sent", err)
		}
	})

	t.Run("ServerDown", func(t *testing.T) {
		d := newSMTPD(t)
		s := sender(t, d, nil)
		d.ln.Close()
		if err := s.Send(ctx, outboxMessage("ada@example.org")); err == nil || mailer.Permanent(err) {
			t.Fatalf("err = %v, want a temporary error", err)
		}
	})
}
