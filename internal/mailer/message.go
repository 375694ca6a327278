package mailer

import (
	"bytes"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// MessageID is the Message-ID header of the email for outbox message id. It
// depends only on the id (itself derived from the notification), so a message
// sent twice — a crash between the send and the outbox update — carries the
// same Message-ID both times and mail systems that dedupe on it show one.
func MessageID(id string, from *mail.Address) string {
	domainPart := "bettermatch.invalid"
	if at := strings.LastIndexByte(from.Address, '@'); at >= 0 && at < len(from.Address)-1 {
		domainPart = from.Address[at+1:]
	}
	return "<" + id + ".outbox@" + domainPart + ">"
}

// format renders m as an RFC 5322 message: a plain UTF-8 text body in
// quoted-printable (so it passes 7-bit relays), header values Q-encoded when
// they are not ASCII, and no CR or LF from the data inside a header, so a
// challenge title cannot add headers.
func format(from, to *mail.Address, m *domain.OutboxMessage, now time.Time) ([]byte, error) {
	var b bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("From", from.String())
	header("To", to.String())
	header("Subject", mime.QEncoding.Encode("utf-8", oneLine(m.Subject)))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", MessageID(m.ID, from))
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	// RFC 3834: no out-of-office replies to a notification.
	header("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(strings.ReplaceAll(m.Body, "\r\n", "\n"))); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
