package domain

import "time"

// Course modes.
const (
	ModeOnline   = "online"
	ModeInPerson = "in-person"
	ModeBlended  = "blended"
)

// Course is training a provider lists.
type Course struct {
	Meta
	Owner string `json:"owner,omitempty"`
	CourseInput
}

func (c *Course) RecordMeta() *Meta { return &c.Meta }

// CourseInput holds the fields a provider writes.
type CourseInput struct {
	ExternalID  string     `json:"externalId,omitempty"`
	Provider    string     `json:"provider"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Skills      []string   `json:"skills"`
	Mode        string     `json:"mode"`
	Region      string     `json:"region"`
	StartDate   *time.Time `json:"startDate,omitempty"`
	Hours       float64    `json:"hours"`
	Cost        float64    `json:"cost"`
	Funded      bool       `json:"funded"`
	Link        string     `json:"link,omitempty"`
	Language    string     `json:"language,omitempty"`
}

// Normalize trims list fields.
func (in *CourseInput) Normalize() { in.Skills = CleanList(in.Skills) }

// Validate checks the course.
func (in *CourseInput) Validate() error {
	var v Validation
	externalID(&v, in.ExternalID)
	text(&v, "provider", in.Provider, 1, maxShort)
	text(&v, "title", in.Title, 3, maxShort)
	text(&v, "description", in.Description, 0, maxProse)
	list(&v, "skills", in.Skills)
	if len(in.Skills) == 0 {
		v.Add("skills", "list at least one skill the course teaches")
	}
	oneOf(&v, "mode", in.Mode, ModeOnline, ModeInPerson, ModeBlended)
	text(&v, "region", in.Region, 0, maxShort)
	if in.Hours < 0 || in.Hours > 10000 {
		v.Add("hours", "must be between 0 and 10,000")
	}
	if in.Cost < 0 || in.Cost > 1e7 {
		v.Add("cost", "must be between 0 and 10,000,000")
	}
	link(&v, "link", in.Link)
	language(&v, in.Language)
	return v.Err()
}
