package mongostore

import (
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

type responseDoc struct {
	Meta          metaDoc   `bson:",inline"`
	ChallengeID   string    `bson:"challengeId"`
	SMEID         string    `bson:"smeId"`
	SMEName       string    `bson:"smeName,omitempty"`
	Owner         string    `bson:"owner,omitempty"`
	Organisation  string    `bson:"organisation,omitempty"`
	Status        string    `bson:"status"`
	Score         *int      `bson:"score,omitempty"`
	Feedback      string    `bson:"feedback,omitempty"`
	SubmittedAt   time.Time `bson:"submittedAt"`
	Proposal      string    `bson:"proposal"`
	Price         float64   `bson:"price"`
	Currency      string    `bson:"currency,omitempty"`
	DurationWeeks int       `bson:"durationWeeks"`
}

func (d *responseDoc) meta() *metaDoc { return &d.Meta }

var responseEntity = entity[*domain.Response, *responseDoc]{
	name: "responses", kind: "Response",
	fields: map[string]string{
		"challengeId": "challengeId", "smeId": "smeId", "owner": "owner", "organisation": "organisation", "status": "status",
	},
	lists:  []string{"challengeId", "smeId"},
	newDoc: func() *responseDoc { return new(responseDoc) },
	toDoc: func(r *domain.Response) *responseDoc {
		return &responseDoc{
			Meta: toMeta(r.Meta), ChallengeID: r.ChallengeID, SMEID: r.SMEID, SMEName: r.SMEName,
			Owner: r.Owner, Organisation: r.Organisation, Status: r.Status, Score: r.Score,
			Feedback: r.Feedback, SubmittedAt: r.SubmittedAt, Proposal: r.Proposal, Price: r.Price,
			Currency: r.Currency, DurationWeeks: r.DurationWeeks,
		}
	},
	fromDoc: func(d *responseDoc) *domain.Response {
		return &domain.Response{
			Meta: fromMeta(d.Meta), ChallengeID: d.ChallengeID, SMEID: d.SMEID, SMEName: d.SMEName,
			Owner: d.Owner, Organisation: d.Organisation, Status: d.Status, Score: d.Score,
			Feedback: d.Feedback, SubmittedAt: d.SubmittedAt, ResponseInput: domain.ResponseInput{
				Proposal: d.Proposal, Price: d.Price, Currency: d.Currency, DurationWeeks: d.DurationWeeks,
			},
		}
	},
}
