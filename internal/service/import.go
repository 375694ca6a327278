package service

import (
	"context"
	"fmt"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// RowError is one record of an import that cannot be loaded.
type RowError struct {
	Kind   string              `json:"kind"`
	Row    int                 `json:"row"` // 1-based position among records of its kind
	Key    string              `json:"externalId,omitempty"`
	Fields []domain.FieldError `json:"errors"`
}

// ImportReport says what an import did.
type ImportReport struct {
	SMEs       domain.ImportStats `json:"smes"`
	Challenges domain.ImportStats `json:"challenges"`
	Courses    domain.ImportStats `json:"courses"`
	Errors     []RowError         `json:"errors,omitempty"`
	Skipped    int                `json:"skipped"`
}

// ImportOptions tune an import.
type ImportOptions struct {
	// SkipInvalid loads the valid records of a file that has invalid ones;
	// by default nothing is written from a file with errors.
	SkipInvalid bool
	Progress    Progress
	// Actor is who ran the import, for the audit log; nil for the command line.
	Actor *domain.User
}

// Import loads records keyed by externalId (required): importing the same data
// twice changes nothing; changed records are updated. Challenges keep their
// status from the file; a published one gets a publication date.
func (s *Service) Import(ctx context.Context, smes []*domain.SME, chs []*domain.Challenge, courses []*domain.Course, opt ImportOptions) (*ImportReport, error) {
	rep := &ImportReport{}
	now := s.Now()
	smes = prepare(rep, domain.KindSME, smes, func(x *domain.SME) (string, error) {
		x.Normalize()
		return x.ExternalID, x.Validate()
	})
	chs = prepare(rep, domain.KindChallenge, chs, func(x *domain.Challenge) (string, error) {
		x.Normalize()
		if x.Status == "" {
			x.Status = domain.ChallengeOpen
		}
		switch x.Status {
		case domain.ChallengeDraft, domain.ChallengeOpen, domain.ChallengeClosed, domain.ChallengeAwarded, domain.ChallengeCancelled:
		default:
			return x.ExternalID, invalid("status", "must be draft, open, closed, awarded or cancelled")
		}
		if x.Status != domain.ChallengeDraft && x.PublishedAt == nil {
			x.PublishedAt = &now
		}
		return x.ExternalID, x.Validate()
	})
	courses = prepare(rep, domain.KindCourse, courses, func(x *domain.Course) (string, error) {
		x.Normalize()
		return x.ExternalID, x.Validate()
	})
	if len(rep.Errors) > 0 && !opt.SkipInvalid {
		return rep, &domain.Error{Code: domain.EINVALID, Message: fmt.Sprintf("The file has %d invalid records; nothing was imported.", len(rep.Errors))}
	}
	var err error
	if rep.SMEs, err = importKind(ctx, s, domain.KindSME, s.store.SMEs(), smes, opt.Progress); err != nil {
		return rep, err
	}
	if rep.Challenges, err = importKind(ctx, s, domain.KindChallenge, s.store.Challenges(), chs, opt.Progress); err != nil {
		return rep, err
	}
	if rep.Courses, err = importKind(ctx, s, domain.KindCourse, s.store.Courses(), courses, opt.Progress); err != nil {
		return rep, err
	}
	s.audit(ctx, opt.Actor, domain.AuditImport, "import", "", "", "",
		fmt.Sprintf("smes %+v; challenges %+v; courses %+v; skipped %d", rep.SMEs, rep.Challenges, rep.Courses, rep.Skipped))
	return rep, nil
}

// prepare validates records, gives them their derived ids and drops (and
// reports) the invalid ones and repeated externalIds.
func prepare[T domain.Record](rep *ImportReport, kind string, recs []T, check func(T) (string, error)) []T {
	out := recs[:0:0]
	seen := map[string]bool{}
	for i, r := range recs {
		key, err := check(r)
		if err == nil && key == "" {
			err = invalid("externalId", "is required in an import")
		}
		if err == nil && seen[key] {
			err = invalid("externalId", "appears more than once in the file")
		}
		if err != nil {
			fe := []domain.FieldError{{Field: "", Message: domain.ErrorMessage(err)}}
			if de, ok := err.(*domain.Error); ok && len(de.Fields) > 0 {
				fe = de.Fields
			}
			rep.Errors = append(rep.Errors, RowError{Kind: kind, Row: i + 1, Key: key, Fields: fe})
			rep.Skipped++
			continue
		}
		seen[key] = true
		r.RecordMeta().ID = domain.KeyID(kind, key)
		out = append(out, r)
	}
	return out
}

// importKind writes recs in batches and indexes each batch once it is stored,
// in a second goroutine so that the database (the embedded one works in this
// process) and the search index use both cores. Then it notes one change for
// the whole kind so other processes reload it instead of replaying each record.
func importKind[T domain.Record](ctx context.Context, s *Service, kind string, c domain.Collection[T], recs []T, progress Progress) (domain.ImportStats, error) {
	var st domain.ImportStats
	if len(recs) == 0 {
		return st, nil
	}
	const batch = 1000
	stored := make(chan []T, 2)
	indexed := make(chan error, 1)
	go func() {
		var err error
		done := 0
		for b := range stored {
			if err != nil {
				continue // drain after a failure
			}
			buf := make([]domain.Record, 0, len(b))
			for _, r := range b {
				buf = append(buf, r)
			}
			// The matcher analyses text too: let it work beside bleve.
			put := make(chan struct{})
			go func() { s.matcher.Put(buf...); close(put) }()
			err = s.index.Index(ctx, buf...)
			<-put
			done += len(b)
			if progress != nil && err == nil {
				progress("importing "+kind+"s", done, len(recs))
			}
		}
		indexed <- err
	}()
	var err error
	for i := 0; i < len(recs) && err == nil; i += batch {
		j := min(i+batch, len(recs))
		var got domain.ImportStats
		got, err = c.Import(ctx, recs[i:j])
		st = st.Add(got)
		if err == nil {
			stored <- recs[i:j]
		}
	}
	close(stored)
	if ierr := <-indexed; err == nil {
		err = ierr
	}
	// Even after a failure part of the data is stored: tell other processes.
	if cerr := s.store.RecordChange(ctx, kind, AllOfKind); err == nil {
		err = cerr
	}
	s.invalidateStats()
	return st, err
}
