package service

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// AllOfKind is the id in a change that says "reload every record of this kind",
// written after bulk imports instead of one change per record.
const AllOfKind = "*"

// ChangeSignOut is the kind of change that says a session was ended (its id
// is the session's): every process then refuses its access tokens.
const ChangeSignOut = "signout"

// afterWrite brings the derived indexes up to date with a record just written.
// The store write has already succeeded, so an index failure is logged, not
// returned: the next sync retries it (retryIndex).
//
// Other processes learn of the write from the note the store wrote before it
// (mongostore's intend), not from a second note after it: see syncLocked for
// how they read a note whose write may not have landed yet. A second note per
// write had been half of every write's waiting under load.
func (s *Service) afterWrite(ctx context.Context, kind string, rec domain.Record) {
	ctx = context.WithoutCancel(ctx)
	m := rec.RecordMeta()
	id := m.ID
	_ = s.order.write(kind, id, m.CreatedAt, m.Version, func() error {
		s.matcher.Put(rec)
		s.embedLater(kind, rec)
		err := s.index.Index(ctx, rec)
		if err != nil {
			s.log.ErrorContext(ctx, "index record", "kind", kind, "id", id, "err", err)
			s.retryIndex(kind, id)
		}
		return err
	})
	s.invalidateStats()
}

func (s *Service) afterDelete(ctx context.Context, kind, id string) {
	ctx = context.WithoutCancel(ctx)
	s.order.remove(kind, id, time.Now(), func() {
		s.matcher.Remove(kind, id)
		if err := s.index.Remove(ctx, kind, id); err != nil {
			s.log.ErrorContext(ctx, "unindex record", "kind", kind, "id", id, "err", err)
			s.retryIndex(kind, id)
		}
		s.embedGone(kind, id)
	})
	s.invalidateStats()
}

// retryIndex has the next sync bring kind/id's index entry up to date: this
// process skips its own changes in the log, so nothing else would.
func (s *Service) retryIndex(kind, id string) {
	s.retryMu.Lock()
	defer s.retryMu.Unlock()
	if s.retry == nil {
		s.retry = map[[2]string]bool{}
	}
	s.retry[[2]string{kind, id}] = true
}

// indexBehind reports whether the index's copy of kind/id may be older than
// the store's because this process failed to index its last write.
func (s *Service) indexBehind(kind, id string) bool {
	s.retryMu.Lock()
	defer s.retryMu.Unlock()
	return s.retry[[2]string{kind, id}]
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
	if err := s.loadRevoked(ctx); err != nil {
		return err
	}
	// Let the matcher learn its corpus statistics now rather than on the
	// first request.
	if w, ok := s.matcher.(interface{ Warm() }); ok {
		w.Warm()
	}
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	if indexToo {
		s.syncSeq, s.stamped = head, head
		s.readSeq.Store(head)
		return s.index.SetStamp(strconv.FormatInt(head, 10))
	}
	s.syncSeq, s.stamped = since, since
	return s.syncLocked(ctx)
}

// reload streams every record of kind from the store into the matcher and,
// when index is set, into the search index, in batches. Without index, it
// reconciles the index with the store instead (reconcile).
func (s *Service) reload(ctx context.Context, kind string, index bool, progress Progress) error {
	const batch = 1000
	total := 0
	if progress != nil {
		total, _ = s.count(ctx, kind)
	}
	var buf []domain.Record
	n := 0
	var seen map[string]bool // without index: the ids in the store
	if !index {
		seen = map[string]bool{}
	}
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		if seen != nil {
			for _, r := range buf {
				seen[r.RecordMeta().ID] = true
			}
		}
		// Records a newer write was applied for while this read was on
		// its way are left as they are (applyOrder).
		err := s.order.batch(kind, buf, func(fresh []domain.Record) error {
			s.matcher.Put(fresh...)
			s.embedLater(kind, fresh...)
			if index {
				return s.index.Index(ctx, fresh...)
			}
			return s.reconcile(ctx, kind, fresh)
		})
		if err != nil {
			return err
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
	if err := flush(); err != nil {
		return err
	}
	if index {
		return nil
	}
	return s.unindexGone(ctx, kind, seen)
}

// reconcile re-indexes those of recs (just read from the store) whose copy in
// the index is missing or of another version.
//
// Record pages and match lists show the index's copy (read), so a copy that
// is behind would show an old version. The change log normally prevents that,
// but a process killed between a store write and its index write leaves
// notes another process may not read at once (a note in flight, or past a
// gap in the numbers when the log is kept on FerretDB), and start-up is when
// that happens. The matcher's reload reads every record anyway; comparing
// versions costs one index lookup per batch.
func (s *Service) reconcile(ctx context.Context, kind string, recs []domain.Record) error {
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.RecordMeta().ID
	}
	hits, err := s.index.Sources(ctx, kind, ids)
	if err != nil {
		return err
	}
	var stale []domain.Record
	for i, r := range recs {
		var stored struct {
			Version int64 `json:"version"`
		}
		if len(hits[i].Source) == 0 || json.Unmarshal(hits[i].Source, &stored) != nil || stored.Version != r.RecordMeta().Version {
			stale = append(stale, r)
		}
	}
	if len(stale) == 0 {
		return nil
	}
	s.log.InfoContext(ctx, "search index was behind the database; re-indexing", "kind", kind, "records", len(stale))
	return s.index.Index(ctx, stale...)
}

// unindexGone removes from the index the records of kind the store no longer
// has (seen lists those it has), as reconcile updates the others.
func (s *Service) unindexGone(ctx context.Context, kind string, seen map[string]bool) error {
	if n, err := s.index.Count(kind); err != nil || n == len(seen) {
		return err
	}
	ids, err := s.index.IDs(ctx, kind)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		s.log.InfoContext(ctx, "search index held a deleted record; removing it", "kind", kind, "id", id)
		if err := s.index.Remove(ctx, kind, id); err != nil {
			return err
		}
	}
	return nil
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

// How the sync loop reads the change log. Each write to an indexed record
// is noted once, just before the write (mongostore's intend), so a reader may
// see a note whose write has not landed yet, or never will. So:
//
//   - another process's note is read once it is ChangeSight old, by when its
//     write has almost always landed, and the record is reread then;
//   - every note from another process is read again once it is ChangeSettle
//     old, by when its write has landed or never will (a write that started
//     later than that after its note fails instead: see mongostore's intend),
//     and the record reread again;
//   - this process's own notes are not applied: the write's own request
//     indexed the record (afterWrite), and rereading it could overwrite the
//     index with the version before a write still in flight;
//   - the index's stamp (where a restart resumes reading) never passes a
//     note younger than ChangeSettle, own or not: a process killed between
//     its store write and its index write is caught up after the restart,
//     when its notes are another process's.
//
// A foreign write so costs two rereads per process, and an own write none.
const (
	DefaultChangeSight  = 250 * time.Millisecond
	DefaultChangeSettle = 30 * time.Second
)

// settling is a note read but younger than ChangeSettle.
type settling struct {
	domain.Change
	foreign bool
}

func (s *Service) syncLocked(ctx context.Context) error {
	origin := s.store.Origin()
	for {
		now := time.Now()
		changes, last, err := s.store.Changes(ctx, s.syncSeq)
		if err != nil {
			return err
		}
		ready := len(changes)
		for i, ch := range changes {
			if ch.Origin != origin && now.Sub(ch.At) < s.ChangeSight {
				ready = i
				break
			}
		}
		seen := map[[2]string]bool{}
		for _, ch := range changes[:ready] {
			foreign := ch.Origin != origin
			if ch.Kind == ChangeSignOut {
				// Nothing to reread: refuse the session's tokens until the
				// last one it could have been given has expired.
				if foreign {
					s.revoked.add(ch.ID, ch.At.Add(s.accessTTL()), now)
				}
				s.syncSeq = ch.Seq
				continue
			}
			k := [2]string{ch.Kind, ch.ID}
			if foreign && !seen[k] {
				seen[k] = true
				if err := s.apply(ctx, ch); err != nil {
					return err
				}
				s.invalidateStats()
			}
			if now.Sub(ch.At) < s.ChangeSettle {
				s.settle = append(s.settle, settling{ch, foreign})
			}
			s.syncSeq = ch.Seq
		}
		if ready < len(changes) || len(changes) == 0 && last == s.syncSeq {
			break
		}
		s.syncSeq = max(s.syncSeq, last)
	}
	s.readSeq.Store(s.syncSeq)
	if err := s.settleChanges(ctx); err != nil {
		return err
	}
	if err := s.retryIndexes(ctx); err != nil {
		return err
	}
	stamp := s.syncSeq
	if len(s.settle) > 0 {
		stamp = s.settle[0].Seq - 1
	}
	if stamp == s.stamped {
		return nil
	}
	if err := s.index.SetStamp(strconv.FormatInt(stamp, 10)); err != nil {
		return err
	}
	s.stamped = stamp
	return nil
}

// settleChanges rereads the records of foreign notes that have become
// ChangeSettle old, and lets go of them.
func (s *Service) settleChanges(ctx context.Context) error {
	now := time.Now()
	seen := map[[2]string]bool{}
	n := 0
	for _, st := range s.settle {
		if now.Sub(st.At) < s.ChangeSettle {
			break
		}
		n++
		k := [2]string{st.Kind, st.ID}
		// A whole-kind note is written after its import, not before: the
		// first read was the whole story.
		if !st.foreign || st.ID == AllOfKind || seen[k] {
			continue
		}
		seen[k] = true
		if err := s.apply(ctx, st.Change); err != nil {
			s.settle = s.settle[n-1:] // this one is tried again next time
			return err
		}
	}
	s.settle = s.settle[n:]
	return nil
}

// retryIndexes brings up to date the index entries this process failed to
// write (retryIndex).
func (s *Service) retryIndexes(ctx context.Context) error {
	s.retryMu.Lock()
	keys := make([][2]string, 0, len(s.retry))
	for k := range s.retry {
		keys = append(keys, k)
	}
	s.retryMu.Unlock()
	for _, k := range keys {
		if err := s.apply(ctx, domain.Change{Kind: k[0], ID: k[1]}); err != nil {
			return err
		}
		s.retryMu.Lock()
		delete(s.retry, k)
		s.retryMu.Unlock()
	}
	return nil
}

func (s *Service) apply(ctx context.Context, ch domain.Change) error {
	if ch.ID == AllOfKind {
		return s.reload(ctx, ch.Kind, true, nil)
	}
	var rec domain.Record
	var err error
	readAt := time.Now()
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
		return s.order.absent(ch.Kind, ch.ID, readAt, func() error {
			s.matcher.Remove(ch.Kind, ch.ID)
			s.embedGone(ch.Kind, ch.ID)
			return s.index.Remove(ctx, ch.Kind, ch.ID)
		})
	} else if err != nil {
		return err
	}
	m := rec.RecordMeta()
	return s.order.write(ch.Kind, ch.ID, m.CreatedAt, m.Version, func() error {
		s.matcher.Put(rec)
		s.embedLater(ch.Kind, rec)
		return s.index.Index(ctx, rec)
	})
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
