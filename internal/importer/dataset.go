// Package importer reads bulk data (the import format of ../shared/eval/README.md)
// into domain records. It only parses: records come out with ExternalID set and
// ID empty, and the caller (the import command, the evaluation) decides ids,
// validation and storage. JSON is read by Parse; other formats (CSV) can come
// as further functions returning the same Dataset.
package importer

import (
	"fmt"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// Dataset is everything one import file holds.
type Dataset struct {
	SMEs       []*domain.SME
	Challenges []*domain.Challenge
	Courses    []*domain.Course
}

// Validate checks every record with the domain's rules and names the first
// problem by its place in the file ("challenges[3].deadline: is required").
func (d *Dataset) Validate() error {
	var v domain.Validation
	check := func(prefix string, i int, err error) {
		if e, ok := err.(*domain.Error); ok {
			for _, f := range e.Fields {
				v.Add(fmt.Sprintf("%s[%d].%s", prefix, i, f.Field), "%s", f.Message)
			}
		}
	}
	for i, s := range d.SMEs {
		check("smes", i, s.Validate())
	}
	for i, c := range d.Challenges {
		check("challenges", i, c.Validate())
		switch c.Status {
		case "", domain.ChallengeDraft, domain.ChallengeOpen, domain.ChallengeClosed,
			domain.ChallengeAwarded, domain.ChallengeCancelled:
		default:
			v.Add(fmt.Sprintf("challenges[%d].status", i), "must be one of draft, open, closed, awarded, cancelled")
		}
	}
	for i, c := range d.Courses {
		check("courses", i, c.Validate())
	}
	return v.Err()
}
