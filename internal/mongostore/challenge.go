package mongostore

import (
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// challengeDoc keeps, beside the organisation as written, its key
// (domain.OrgKey), which officers' challenges are found by. Documents written
// before the key was kept get it from the orgKey migration (migrate.go).
type challengeDoc struct {
	Meta                 metaDoc    `bson:",inline"`
	Owner                string     `bson:"owner,omitempty"`
	Status               string     `bson:"status"`
	PublishedAt          *time.Time `bson:"publishedAt,omitempty"`
	ClosedAt             *time.Time `bson:"closedAt,omitempty"`
	AwardedAt            *time.Time `bson:"awardedAt,omitempty"`
	AwardedResponseID    string     `bson:"awardedResponseId,omitempty"`
	AwardedSMEID         string     `bson:"awardedSmeId,omitempty"`
	ExternalID           string     `bson:"externalId,omitempty"`
	Title                string     `bson:"title"`
	Organisation         string     `bson:"organisation"`
	OrgKey               string     `bson:"orgKey"`
	Summary              string     `bson:"summary"`
	Description          string     `bson:"description"`
	Theme                string     `bson:"theme"`
	RequiredCapabilities []string   `bson:"requiredCapabilities"`
	RequiredSkills       []string   `bson:"requiredSkills"`
	CPV                  []string   `bson:"cpv"`
	Region               string     `bson:"region"`
	Budget               budgetDoc  `bson:"budget"`
	Deadline             time.Time  `bson:"deadline"`
	Language             string     `bson:"language,omitempty"`
}

type budgetDoc struct {
	Min      float64 `bson:"min"`
	Max      float64 `bson:"max"`
	Currency string  `bson:"currency"`
}

func (d *challengeDoc) meta() *metaDoc { return &d.Meta }

var challengeEntity = entity[*domain.Challenge, *challengeDoc]{
	name: "challenges", kind: "Challenge",
	fields: map[string]string{
		"owner": "owner", "status": "status", "externalId": "externalId", "organisation": "organisation",
		domain.OrgKeyField: "orgKey", "theme": "theme", "region": "region",
	},
	// The officer dashboard lists an organisation's challenges by key
	// (service OrgChallenges); on FerretDB, from the id lists.
	lists:  []string{domain.OrgKeyField},
	newDoc: func() *challengeDoc { return new(challengeDoc) },
	toDoc: func(c *domain.Challenge) *challengeDoc {
		in := &c.ChallengeInput
		return &challengeDoc{
			Meta: toMeta(c.Meta), Owner: c.Owner, Status: c.Status, PublishedAt: c.PublishedAt,
			ClosedAt: c.ClosedAt, AwardedAt: c.AwardedAt, AwardedResponseID: c.AwardedResponseID,
			AwardedSMEID: c.AwardedSMEID, ExternalID: in.ExternalID, Title: in.Title,
			Organisation: in.Organisation, OrgKey: domain.OrgKey(in.Organisation), Summary: in.Summary,
			Description: in.Description, Theme: in.Theme,
			RequiredCapabilities: in.RequiredCapabilities, RequiredSkills: in.RequiredSkills, CPV: in.CPV,
			Region: in.Region, Budget: budgetDoc(in.Budget), Deadline: in.Deadline, Language: in.Language,
		}
	},
	fromDoc: func(d *challengeDoc) *domain.Challenge {
		return &domain.Challenge{
			Meta: fromMeta(d.Meta), Owner: d.Owner, Status: d.Status, PublishedAt: d.PublishedAt,
			ClosedAt: d.ClosedAt, AwardedAt: d.AwardedAt, AwardedResponseID: d.AwardedResponseID,
			AwardedSMEID: d.AwardedSMEID, ChallengeInput: domain.ChallengeInput{
				ExternalID: d.ExternalID, Title: d.Title, Organisation: d.Organisation, Summary: d.Summary,
				Description: d.Description, Theme: d.Theme, RequiredCapabilities: d.RequiredCapabilities,
				RequiredSkills: d.RequiredSkills, CPV: d.CPV, Region: d.Region, Budget: domain.Budget(d.Budget),
				Deadline: d.Deadline, Language: d.Language,
			},
		}
	},
}
