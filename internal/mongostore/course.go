package mongostore

import (
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

type courseDoc struct {
	Meta        metaDoc    `bson:",inline"`
	Owner       string     `bson:"owner,omitempty"`
	ExternalID  string     `bson:"externalId,omitempty"`
	Provider    string     `bson:"provider"`
	Title       string     `bson:"title"`
	Description string     `bson:"description"`
	Skills      []string   `bson:"skills"`
	Mode        string     `bson:"mode"`
	Region      string     `bson:"region"`
	StartDate   *time.Time `bson:"startDate,omitempty"`
	Hours       float64    `bson:"hours"`
	Cost        float64    `bson:"cost"`
	Funded      bool       `bson:"funded"`
	Link        string     `bson:"link,omitempty"`
	Language    string     `bson:"language,omitempty"`
}

func (d *courseDoc) meta() *metaDoc { return &d.Meta }

var courseEntity = entity[*domain.Course, *courseDoc]{
	name: "courses", kind: "Course",
	fields: map[string]string{
		"owner": "owner", "externalId": "externalId", "provider": "provider", "mode": "mode",
		"region": "region", "funded": "funded",
	},
	newDoc: func() *courseDoc { return new(courseDoc) },
	toDoc: func(c *domain.Course) *courseDoc {
		in := &c.CourseInput
		return &courseDoc{
			Meta: toMeta(c.Meta), Owner: c.Owner, ExternalID: in.ExternalID, Provider: in.Provider,
			Title: in.Title, Description: in.Description, Skills: in.Skills, Mode: in.Mode, Region: in.Region,
			StartDate: in.StartDate, Hours: in.Hours, Cost: in.Cost, Funded: in.Funded, Link: in.Link,
			Language: in.Language,
		}
	},
	fromDoc: func(d *courseDoc) *domain.Course {
		return &domain.Course{Meta: fromMeta(d.Meta), Owner: d.Owner, CourseInput: domain.CourseInput{
			ExternalID: d.ExternalID, Provider: d.Provider, Title: d.Title, Description: d.Description,
			Skills: d.Skills, Mode: d.Mode, Region: d.Region, StartDate: d.StartDate, Hours: d.Hours,
			Cost: d.Cost, Funded: d.Funded, Link: d.Link, Language: d.Language,
		}}
	},
}
