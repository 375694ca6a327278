package domain

import "time"

// Themes a challenge can have.
const (
	ThemeHealth     = "health"
	ThemeData       = "data"
	ThemeMobility   = "mobility"
	ThemeSMEDigital = "sme-digital"
	ThemeOther      = "other"
)

// Themes lists every theme, in display order.
var Themes = []string{ThemeHealth, ThemeData, ThemeMobility, ThemeSMEDigital, ThemeOther}

// Challenge statuses: draft → open → closed → awarded, or cancelled.
const (
	ChallengeDraft     = "draft"
	ChallengeOpen      = "open"
	ChallengeClosed    = "closed"
	ChallengeAwarded   = "awarded"
	ChallengeCancelled = "cancelled"
)

// Budget is what the challenge owner expects to spend.
type Budget struct {
	Min      float64 `json:"min"`
	Max      float64 `json:"max"`
	Currency string  `json:"currency"`
}

// Challenge is a public body's problem put to SMEs.
type Challenge struct {
	Meta
	Owner             string     `json:"owner,omitempty"`
	Status            string     `json:"status"`
	PublishedAt       *time.Time `json:"publishedAt,omitempty"`
	ClosedAt          *time.Time `json:"closedAt,omitempty"`
	AwardedAt         *time.Time `json:"awardedAt,omitempty"`
	AwardedResponseID string     `json:"awardedResponseId,omitempty"`
	AwardedSMEID      string     `json:"awardedSmeId,omitempty"`
	ChallengeInput
}

func (c *Challenge) RecordMeta() *Meta { return &c.Meta }

// Published reports whether the challenge has left draft, so the public may see it.
func (c *Challenge) Published() bool { return c.Status != ChallengeDraft && c.PublishedAt != nil }

// ChallengeInput holds the fields an officer writes.
type ChallengeInput struct {
	ExternalID           string    `json:"externalId,omitempty"`
	Title                string    `json:"title"`
	Organisation         string    `json:"organisation"`
	Summary              string    `json:"summary"`
	Description          string    `json:"description"`
	Theme                string    `json:"theme"`
	RequiredCapabilities []string  `json:"requiredCapabilities"`
	RequiredSkills       []string  `json:"requiredSkills"`
	CPV                  []string  `json:"cpv"`
	Region               string    `json:"region"`
	Budget               Budget    `json:"budget"`
	Deadline             time.Time `json:"deadline"`
	Language             string    `json:"language,omitempty"`
}

// Normalize trims list fields and upper-cases the currency.
func (in *ChallengeInput) Normalize() {
	in.RequiredCapabilities = CleanList(in.RequiredCapabilities)
	in.RequiredSkills = CleanList(in.RequiredSkills)
	in.CPV = CleanList(in.CPV)
	if in.Budget.Currency == "" && (in.Budget.Min > 0 || in.Budget.Max > 0) {
		in.Budget.Currency = "GBP"
	}
}

// Validate checks the challenge's own fields.
func (in *ChallengeInput) Validate() error {
	var v Validation
	externalID(&v, in.ExternalID)
	text(&v, "title", in.Title, 3, maxShort)
	text(&v, "organisation", in.Organisation, 1, maxShort)
	text(&v, "summary", in.Summary, 0, 1000)
	text(&v, "description", in.Description, 0, maxProse)
	oneOf(&v, "theme", in.Theme, Themes...)
	list(&v, "requiredCapabilities", in.RequiredCapabilities)
	list(&v, "requiredSkills", in.RequiredSkills)
	cpvList(&v, "cpv", in.CPV)
	text(&v, "region", in.Region, 1, maxShort)
	if in.Budget.Min < 0 || in.Budget.Max < 0 {
		v.Add("budget", "amounts must not be negative")
	} else if in.Budget.Max > 0 && in.Budget.Min > in.Budget.Max {
		v.Add("budget.min", "must not exceed budget.max")
	}
	if in.Budget.Currency != "" && !currencyRe.MatchString(in.Budget.Currency) {
		v.Add("budget.currency", "must be a three-letter ISO 4217 code such as GBP or EUR")
	}
	if in.Deadline.IsZero() {
		v.Add("deadline", "is required")
	}
	if in.Summary == "" && in.Description == "" {
		v.Add("description", "say what the challenge is in the summary or description")
	}
	language(&v, in.Language)
	return v.Err()
}

// ChallengeFilter selects challenges in a search.
type ChallengeFilter struct {
	Theme, Status, Region string
}
