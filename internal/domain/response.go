package domain

import (
	"regexp"
	"time"
)

var currencyRe = regexp.MustCompile(`^[A-Z]{3}$`)

// Response statuses.
const (
	ResponseSubmitted   = "submitted"
	ResponseWithdrawn   = "withdrawn"
	ResponseShortlisted = "shortlisted"
	ResponseAccepted    = "accepted"
	ResponseRejected    = "rejected"
)

// Response is an SME's answer to a challenge; there is at most one per SME and
// challenge (its id is derived from the pair).
type Response struct {
	Meta
	ChallengeID  string    `json:"challengeId"`
	SMEID        string    `json:"smeId"`
	SMEName      string    `json:"smeName,omitempty"`
	Owner        string    `json:"owner,omitempty"`
	Organisation string    `json:"organisation,omitempty"`
	Status       string    `json:"status"`
	Score        *int      `json:"score,omitempty"`
	Feedback     string    `json:"feedback,omitempty"`
	SubmittedAt  time.Time `json:"submittedAt"`
	ResponseInput
}

func (r *Response) RecordMeta() *Meta { return &r.Meta }

// ResponseID is the id of smeID's response to challengeID.
func ResponseID(challengeID, smeID string) string { return KeyID("response", challengeID+"/"+smeID) }

// ResponseInput is what the SME writes.
type ResponseInput struct {
	Proposal      string  `json:"proposal"`
	Price         float64 `json:"price"`
	Currency      string  `json:"currency,omitempty"`
	DurationWeeks int     `json:"durationWeeks"`
}

// Validate checks the SME's part.
func (in *ResponseInput) Validate() error {
	var v Validation
	text(&v, "proposal", in.Proposal, 20, maxProse)
	if in.Price < 0 || in.Price > 1e9 {
		v.Add("price", "must be between 0 and 1,000,000,000")
	}
	if in.Currency != "" && !currencyRe.MatchString(in.Currency) {
		v.Add("currency", "must be a three-letter ISO 4217 code such as GBP or EUR")
	}
	if in.DurationWeeks < 1 || in.DurationWeeks > 520 {
		v.Add("durationWeeks", "must be between 1 and 520")
	}
	return v.Err()
}

// ResponseUpdate is a PATCH of a response; which fields a caller may set depends on
// who they are (the SME: proposal, price, currency, durationWeeks, status
// withdrawn/submitted; the officer: status, score, feedback).
type ResponseUpdate struct {
	Proposal      *string  `json:"proposal"`
	Price         *float64 `json:"price"`
	Currency      *string  `json:"currency"`
	DurationWeeks *int     `json:"durationWeeks"`
	Status        *string  `json:"status"`
	Score         *int     `json:"score"`
	Feedback      *string  `json:"feedback"`
}
