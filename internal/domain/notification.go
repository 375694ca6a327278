package domain

// Notification kinds.
const (
	NotifyNewMatch        = "challenge.match"
	NotifyResponseStatus  = "response.status"
	NotifyNewResponse     = "response.new"
	NotifyChallengeAward  = "challenge.awarded"
	NotifyAccountVerified = "account.verified"
)

// Notification is a message to one user, shown in the app.
type Notification struct {
	Meta
	UserID  string `json:"userId"`
	Kind    string `json:"kind"`
	Message string `json:"message"`
	Link    string `json:"link,omitempty"`
	Read    bool   `json:"read"`
}

func (n *Notification) RecordMeta() *Meta { return &n.Meta }
