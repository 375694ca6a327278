// Package importer reads bulk data (the import format of ../shared/eval/README.md)
// into domain records, and writes records back out as CSV in the same columns.
// It only parses: records come out with ExternalID set and ID empty, and the
// caller (the import command, the evaluation) decides ids, validation and
// storage. JSON is read by Parse, CSV by ParseCSV; both return a Dataset.
package importer

import (
	"fmt"
	"sort"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// Dataset is everything one import file holds.
type Dataset struct {
	SMEs       []*domain.SME
	Challenges []*domain.Challenge
	Courses    []*domain.Course
	// Rows is, per kind, the row of the file each record came from (CSV);
	// nil means a record's row is its position among its kind.
	Rows map[string][]int
	// Rejected are rows that could not be read into a record at all.
	Rejected []Problem
}

// Row is the row the i-th record of kind came from (from 1).
func (d *Dataset) Row(kind string, i int) int {
	if rows := d.Rows[kind]; i < len(rows) {
		return rows[i]
	}
	return i + 1
}

// Check lists every problem of the file: the rows that could not be read and
// the records that break the domain's rules, lack an externalId or repeat one —
// the same rules the import applies — so a file can be judged whole before
// anything is written.
func (d *Dataset) Check() []Problem {
	out := append([]Problem(nil), d.Rejected...)
	check := func(kind string, i int, key string, seen map[string]bool, err error) {
		if err == nil && key == "" {
			err = &domain.Error{Code: domain.EINVALID, Fields: []domain.FieldError{{Field: "externalId", Message: "is required in an import"}}}
		}
		if err == nil && seen[key] {
			err = &domain.Error{Code: domain.EINVALID, Fields: []domain.FieldError{{Field: "externalId", Message: "appears more than once in the file"}}}
		}
		seen[key] = true
		if err == nil {
			return
		}
		p := Problem{Kind: kind, Row: d.Row(kind, i), Key: key}
		if e, ok := err.(*domain.Error); ok && len(e.Fields) > 0 {
			p.Fields = e.Fields
		} else {
			p.Fields = []domain.FieldError{{Message: domain.ErrorMessage(err)}}
		}
		out = append(out, p)
	}
	seen := map[string]bool{}
	for i, s := range d.SMEs {
		s.Normalize()
		check(domain.KindSME, i, s.ExternalID, seen, s.Validate())
	}
	seen = map[string]bool{}
	for i, c := range d.Challenges {
		c.Normalize()
		err := c.Validate()
		switch c.Status {
		case "", domain.ChallengeDraft, domain.ChallengeOpen, domain.ChallengeClosed,
			domain.ChallengeAwarded, domain.ChallengeCancelled:
		default:
			var v domain.Validation
			if e, ok := err.(*domain.Error); ok {
				v.Fields = e.Fields
			}
			v.Add("status", "must be one of draft, open, closed, awarded, cancelled")
			err = v.Err()
		}
		check(domain.KindChallenge, i, c.ExternalID, seen, err)
	}
	seen = map[string]bool{}
	for i, c := range d.Courses {
		c.Normalize()
		check(domain.KindCourse, i, c.ExternalID, seen, c.Validate())
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Row < out[j].Row
	})
	return out
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
