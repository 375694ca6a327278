package domain

import "time"

// Audit actions.
const (
	AuditUserStatus      = "user.status"      // an admin verified, suspended or reactivated an account
	AuditChallengeStatus = "challenge.status" // publish, close, award, cancel
	AuditChallengeDelete = "challenge.delete" // a draft deleted
	AuditResponseStatus  = "response.status"  // shortlist, accept, reject, withdraw
	AuditImport          = "import"           // a bulk import
	AuditPasswordChange  = "user.password"    // a user changed their password (all sessions ended)
	AuditTokenReuse      = "session.reuse"    // a rotated refresh token was used again; the session was revoked
)

// AuditEntry records who changed the state of what, for administrators. It
// is written after the change succeeded and never updated.
type AuditEntry struct {
	Meta
	// ActorID is the user who acted; empty for the command line.
	ActorID    string    `json:"actorId,omitempty"`
	Action     string    `json:"action"`
	TargetKind string    `json:"targetKind"`
	TargetID   string    `json:"targetId,omitempty"`
	From       string    `json:"from,omitempty"`
	To         string    `json:"to,omitempty"`
	Detail     string    `json:"detail,omitempty"`
	RequestID  string    `json:"requestId,omitempty"`
	At         time.Time `json:"at"`
}

func (a *AuditEntry) RecordMeta() *Meta { return &a.Meta }

// AuditFilter pages through the audit log, newest first.
type AuditFilter struct {
	Limit  int
	Offset int
}
