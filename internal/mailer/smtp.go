// Package mailer sends bettermatch's email notifications: an SMTP client on the
// standard library's net/smtp, configured by one URL, and a worker that drains
// the outbox the service writes (see Worker for the delivery guarantees).
package mailer

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// Config is where and how to send.
type Config struct {
	// Addr is the server's host:port.
	Addr string
	// Username and Password, when Username is set, authenticate with AUTH
	// PLAIN, which net/smtp sends only over TLS (or to localhost).
	Username, Password string
	// From is the sender of every email.
	From *mail.Address
	// ImplicitTLS connects with TLS from the start (smtps://, port 465);
	// otherwise STARTTLS is used whenever the server offers it.
	ImplicitTLS bool
	// TLS is the TLS configuration; nil means the system's roots and the
	// server's host name.
	TLS *tls.Config
	// Timeout bounds one whole send; 30s when zero.
	Timeout time.Duration
	// Hello is the name given in EHLO; the machine's host name when empty.
	Hello string
}

// ParseURL reads BETTERMATCH_SMTP_URL:
//
//	smtp://user:password@host:587?from=bettermatch@council.example
//	smtps://user:password@host:465?from=Bettermatch%20<noreply@council.example>
//
// smtp:// uses STARTTLS when the server offers it (port 587 by default);
// smtps:// is TLS from the first byte (port 465 by default). User and password
// are optional and must be URL-escaped. from is required unless the user name
// is itself an email address; helo sets the EHLO name.
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Config{}, errors.New("not a URL like smtp://user:password@host:587?from=noreply@example.org")
	}
	var c Config
	port := "587"
	switch u.Scheme {
	case "smtp":
	case "smtps":
		c.ImplicitTLS, port = true, "465"
	default:
		return Config{}, fmt.Errorf("scheme %q: want smtp or smtps", u.Scheme)
	}
	if u.Hostname() == "" {
		return Config{}, errors.New("no host")
	}
	if u.Port() != "" {
		port = u.Port()
	}
	c.Addr = net.JoinHostPort(u.Hostname(), port)
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	q := u.Query()
	from := q.Get("from")
	if from == "" && strings.Contains(c.Username, "@") {
		from = c.Username
	}
	if from == "" {
		return Config{}, errors.New("add ?from=address (the sender of notification emails)")
	}
	if c.From, err = mail.ParseAddress(from); err != nil {
		return Config{}, fmt.Errorf("from %q: %w", from, err)
	}
	c.Hello = q.Get("helo")
	return c, nil
}

// SMTP sends outbox messages through one SMTP server, one connection per
// message: notifications are few and far between, and a fresh connection
// needs no keep-alive or reconnect logic.
type SMTP struct {
	cfg Config
}

// NewSMTP returns a sender for cfg.
func NewSMTP(cfg Config) (*SMTP, error) {
	if cfg.Addr == "" || cfg.From == nil {
		return nil, errors.New("mailer: address and sender are required")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Hello == "" {
		cfg.Hello, _ = os.Hostname()
		if cfg.Hello == "" {
			cfg.Hello = "localhost"
		}
	}
	return &SMTP{cfg: cfg}, nil
}

// permanentError is a refusal that retrying will not change: the server
// rejected the recipient or the message with a 5xx reply.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent reports whether err means the message can never be delivered, so
// the worker stops retrying it.
func Permanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// rejection marks a 5xx reply as permanent. Only replies about the recipient
// or the content are: a 5xx to AUTH or MAIL FROM is the server's configuration
// (a wrong password), and giving up would drop every email until it is fixed.
func rejection(err error) error {
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return permanentError{err}
	}
	return err
}

// Send delivers m. Errors are temporary unless Permanent says otherwise.
func (s *SMTP) Send(ctx context.Context, m *domain.OutboxMessage) error {
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return permanentError{fmt.Errorf("recipient %q: %w", m.To, err)}
	}
	msg, err := format(s.cfg.From, to, m, time.Now())
	if err != nil {
		return permanentError{err}
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	host, _, _ := net.SplitHostPort(s.cfg.Addr)
	tlsCfg := s.cfg.TLS.Clone()
	if tlsCfg == nil {
		tlsCfg = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if tlsCfg.ServerName == "" {
		tlsCfg.ServerName = host
	}

	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", s.cfg.Addr, err)
	}
	// net/smtp has no contexts: the deadline bounds every read and write, and
	// closing the connection on cancellation ends a send blocked on a server.
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if s.cfg.ImplicitTLS {
		tc := tls.Client(conn, tlsCfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return fmt.Errorf("TLS with %s: %w", s.cfg.Addr, err)
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("greeting from %s: %w", s.cfg.Addr, err)
	}
	defer c.Close()
	if err := c.Hello(s.cfg.Hello); err != nil {
		return fmt.Errorf("EHLO: %w", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok && !s.cfg.ImplicitTLS {
		if err := c.StartTLS(tlsCfg); err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
	}
	if s.cfg.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return fmt.Errorf("the server offers no AUTH (over TLS), but a user is configured")
		}
		if err := c.Auth(smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, host)); err != nil {
			return fmt.Errorf("AUTH: %w", err)
		}
	}
	if err := c.Mail(s.cfg.From.Address); err != nil {
		return fmt.Errorf("MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to.Address); err != nil {
		return fmt.Errorf("RCPT TO: %w", rejection(err))
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("write message: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("end of message: %w", rejection(err))
	}
	// The server has accepted the message; a failed QUIT changes nothing.
	_ = c.Quit()
	return nil
}
