package service

import (
	"context"
	"strconv"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// AllOfKind is the id in a change that says "reload every record of this kind",
// written after bulk imports instead of one change per record.
const AllOfKind = "*"

// afterWrite brings the derived indexes up to date with a record just written
// and notes the write for other processes. The store write has already
// succeeded, so an index failure is logged, not returned: the change log makes
// the sync loop retry it.
//
// The note and the index write run at the same time, and both are done when
// afterWrite returns (so the note is in the log, and a search finds the
// record, before the write is acknowledged). Neither needs the other first:
// the note only tells readers to reread the record from the store, which
// already holds it, and a crash between them is covered by the note the store
// wrote before the record (see mongostore's intend). Each is group-committed
// with concurrent writers' (RecordChange, search.Index), so running them side
// by side costs one commit's wait instead of two in a row.
func (s *Service) afterWrite(ctx context.Context, kind string, rec domain.Record) {
	ctx = context.WithoutCancel(ctx)
	id := rec.RecordMeta().ID
	noted := s.noteChange(ctx, kind, id)
	s.matcher.Put(rec)
	if err := s.index.Index(ctx, rec); err != nil {
		s.log.ErrorContext(ctx, "index record", "kind", kind, "id", id, "err", err)
	}
	<-noted
	s.embedLater(kind, rec)
	s.invalidateStats()
}

func (s *Service) afterDelete(ctx context.Context, kind, id string) {
	ctx = context.WithoutCancel(ctx)
	noted := s.noteChange(ctx, kind, id)
	s.matcher.Remove(kind, id)
	if err := s.index.Remove(ctx, kind, id); err != nil {
		s.log.ErrorContext(ctx, "unindex record", "kind", kind, "id", id, "err", err)
	}
	<-noted
	s.embedGone(kind, id)
	s.invalidateStats()
}

// noteChange records the change in the background; the channel is closed once
// it is in the log (or its failure is logged).
func (s *Service) noteChange(ctx context.Context, kind, id string) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := s.store.RecordChange(ctx, kind, id); err != nil {
			s.log.ErrorContext(ctx, "record change", "kind", kind, "id", id, "err", err)
		}
	}()
	return done
}

// Progress reports bulk work: what is being done and how far it got.
type Progress func(stage string, done, total int)

// Kinds lists the indexed record kinds.
var Kinds = []string{domain.KindSME, domain.KindChallenge, domain.KindCourse}

// Start loads the matcher from the store, rebuilds the search index when it is
// new (or was found corrupt) and otherwise catches it up from the change log.
// rebuild forces a full rebuild.
func (s *Service) Start(ctx context.Context, rebuild bool, progress Progress) error {
	_, head, err := s.store.Changes(ctx, -1)
	if err != nil {
		return err
	}
	stamp, err := s.index.Stamp()
	if err != nil {
		return err
	}
	since, perr := strconv.ParseInt(stamp, 10, 64)
	indexToo := rebuild || stamp == "" || perr != nil || since > head
	for _, kind := range Kinds {
		if err := s.reload(ctx, kind, indexToo, progress); err != nil {
			return err
		}
	}
	// Let the matcher learn its corpus statistics now rather than on the
	// first request.
	if w, ok := s.matcher.(interface{ Warm() }); ok {
		w.Warm()
	}
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	if indexToo {
		s.syncSeq = head
		return s.index.SetStamp(strconv.FormatInt(head, 10))
	}
	s.syncSeq = since
	return s.syncLocked(ctx)
}

// reload streams every record of kind from the store into the matcher and,
// when index is set, into the search index, in batches.
func (s *Service) reload(ctx context.Context, kind string, index bool, progress Progress) error {
	const batch = 1000
	total := 0
	if progress != nil {
		total, _ = s.count(ctx, kind)
	}
	var buf []domain.Record
	n := 0
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		s.matcher.Put(buf...)
		s.embedLater(kind, buf...)
		if index {
			if err := s.index.Index(ctx, buf...); err != nil {
				return err
			}
		}
		n += len(buf)
		buf = buf[:0]
		if progress != nil {
			progress("indexing "+kind+"s", n, total)
		}
		return nil
	}
	add := func(r domain.Record) error {
		buf = append(buf, r)
		if len(buf) >= batch {
			return flush()
		}
		return nil
	}
	var err error
	switch kind {
	case domain.KindSME:
		err = s.store.SMEs().Each(ctx, func(r *domain.SME) error { return add(r) })
	case domain.KindChallenge:
		err = s.store.Challenges().Each(ctx, func(r *domain.Challenge) error { return add(r) })
	case domain.KindCourse:
		err = s.store.Courses().Each(ctx, func(r *domain.Course) error { return add(r) })
	}
	if err != nil {
		return err
	}
	return flush()
}

func (s *Service) count(ctx context.Context, kind string) (int, error) {
	switch kind {
	case domain.KindSME:
		return s.store.SMEs().Count(ctx)
	case domain.KindChallenge:
		return s.store.Challenges().Count(ctx)
	default:
		return s.store.Courses().Count(ctx)
	}
}

// Sync applies the writes of other processes (and any this one failed to index)
// since the last sync.
func (s *Service) Sync(ctx context.Context) error {
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	return s.syncLocked(ctx)
}

func (s *Service) syncLocked(ctx context.Context) error {
	for {
		changes, last, err := s.store.Changes(ctx, s.syncSeq)
		if err != nil {
			return err
		}
		if len(changes) == 0 {
			if last != s.syncSeq {
				s.syncSeq = last
				return s.index.SetStamp(strconv.FormatInt(last, 10))
			}
			return nil
		}
		seen := map[[2]string]bool{}
		for _, ch := range changes {
			k := [2]string{ch.Kind, ch.ID}
			if seen[k] {
				continue
			}
			seen[k] = true
			if err := s.apply(ctx, ch); err != nil {
				return err
			}
		}
		s.syncSeq = last
		if err := s.index.SetStamp(strconv.FormatInt(last, 10)); err != nil {
			return err
		}
		s.invalidateStats()
	}
}

func (s *Service) apply(ctx context.Context, ch domain.Change) error {
	if ch.ID == AllOfKind {
		return s.reload(ctx, ch.Kind, true, nil)
	}
	var rec domain.Record
	var err error
	switch ch.Kind {
	case domain.KindSME:
		rec, err = s.store.SMEs().Get(ctx, ch.ID)
	case domain.KindChallenge:
		rec, err = s.store.Challenges().Get(ctx, ch.ID)
	case domain.KindCourse:
		rec, err = s.store.Courses().Get(ctx, ch.ID)
	default:
		return nil
	}
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		s.matcher.Remove(ch.Kind, ch.ID)
		s.embedGone(ch.Kind, ch.ID)
		return s.index.Remove(ctx, ch.Kind, ch.ID)
	} else if err != nil {
		return err
	}
	s.matcher.Put(rec)
	s.embedLater(ch.Kind, rec)
	return s.index.Index(ctx, rec)
}

// RunSync syncs every interval until ctx ends, so a second process sharing the
// database sees this one's writes (and vice versa) within a few seconds.
func (s *Service) RunSync(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	var purged time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.Sync(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("index sync", "err", err)
			}
			// Expired sign-ins are dropped hourly, by whichever processes
			// run; deleting twice is harmless.
			if time.Since(purged) > time.Hour {
				purged = time.Now()
				if _, err := s.PurgeSessions(ctx); err != nil && ctx.Err() == nil {
					s.log.Warn("purge expired sessions", "err", err)
				}
			}
		}
	}
}
