package mongostore

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Replaces on FerretDB are group-committed, one group per collection:
// concurrent record writes go to the database as one bulk write, one round
// trip through the write gate for all of them instead of one each. Under the load test
// (scripts/load) edits queued behind one another at the gate, each round trip
// slowed by the reads sharing the CPU, and a hundred edits a second took
// seconds each.
//
// Each commit first claims its writes (claims.go), with one InsertMany: a
// write whose claim another writer holds read a version someone else is
// replacing, or one a dead writer left, and it ends unmatched and blocked,
// neither noted nor written, for its writer to wait outside the commit
// (claimer.await) and try again or end stale. That is what keeps two
// processes sharing the database from both replacing the same version;
// within one process the record's lock already does.
//
// A record the search index derives from has its change note written in the
// same commit, after the claims and just before the replaces (noteReplaces),
// rather than by intend before the writer joins the queue: the writer waits
// for one commit instead of a change-log commit and then this one.
//
// Only on FerretDB: there the version was checked by primary key under the
// record's lock before (Store.ferret) and the claim makes the step from it
// this writer's alone, so the filter is the id alone and a replace that
// matches nothing means the record was deleted. On MongoDB the filter
// carries the version and each replace goes alone.
//
// On FerretDB 1.24 the version in the filter would cost much and buy
// nothing. It pushes a filter down to SQLite only when it is {_id: X} alone
// (internal/backends/sqlite/collection.go:75), so {_id: X, version: v} reads
// and decodes the whole collection: 1.9 s a replace at 20k SMEs instead of
// 1.1-1.7 ms. And an update's query and its write are separate statements,
// the write an UPDATE by _id alone in a transaction of its own
// (internal/handler/msg_update.go:115-131, internal/backends/sqlite/
// collection.go:161-189), so two clients that both replace with
// {_id: X, version: v} can both match, the second overwriting the first (174
// of 200 tries with two clients): the filter would not close the race
// between processes that the claims close. TestFerretVersionFilterScans says
// when a FerretDB upgrade changes the first half of this.

// ferretBulkLimit is the number of statements from which one bulk update can
// wedge FerretDB 1.24: it keeps each statement's SQLite cursor, and so one of
// its 100 pooled connections, until the whole update command ends (a defer in
// a loop in its updateDocument), so the next statement can wait for ever for
// a connection, and the database with it. Every bulk update here stays well
// under it.
const ferretBulkLimit = 100

// replaceBatch caps the replaces one commit writes (see ferretBulkLimit).
// Under load a slow commit let the next batch grow towards the old cap of
// 200, which made commits slower still; 32 keeps every commit far from the
// limit.
const replaceBatch = 32

// replaceCommitTimeout bounds one commit. A request joins a commit only while
// its own context lives, so its write lands within this of its deadline
// (see writeWindow).
const replaceCommitTimeout = 5 * time.Second

// replaceReq is one replace waiting for its commit; the commit fills in
// matched and err.
type replaceReq struct {
	ctx context.Context
	id  string
	doc doc
	// base is the read the replace is checked against.
	base baseRead
	// note, when set, is the change kind to note in the log before the
	// replace (as intend would), in the same commit.
	note    string
	matched bool
	err     error
	// claim is the _id of the claim the commit holds for the replace ("" when
	// none), written when claimedAt says (claims.go); a request can come to
	// its commit holding one, taken over while it waited (claimer.await).
	claim     string
	claimedAt time.Time
	// blocked says another writer held the claim at the commit.
	blocked bool
}

// baseRead is the stored version a write replaces, as its writer read it.
type baseRead struct {
	version   int64
	updatedAt time.Time
	// at is when the read began (time.Now, for its monotonic clock): the
	// claim bounds the time from it (maxReadAge).
	at time.Time
}

// commitReplaces claims reqs' writes, notes those that asked for it and
// writes them to coll (its group's collection) in one bulk write, and sets
// each one's outcome. It returns no error of its own: every request carries
// its own.
func (s *Store) commitReplaces(coll *mongo.Collection, reqs []*replaceReq) error {
	live := make([]*replaceReq, 0, len(reqs))
	var refused []*replaceReq
	for _, r := range reqs {
		if err := r.ctx.Err(); err != nil {
			r.err = err // gave up while queued: not written
			refused = append(refused, r)
		} else if time.Since(r.base.at) > s.claims.readAge {
			r.err = errSlowWrite // too old to claim safely: not written
			refused = append(refused, r)
		} else {
			live = append(live, r)
		}
	}
	s.claims.release(refused) // the claims taken over for them, if any
	live = s.claims.claim(coll.Name(), live)
	s.noteReplaces(live)
	var drop []*replaceReq
	n := 0
	for _, r := range live {
		if r.err == nil {
			if r.err = r.ctx.Err(); r.err == nil {
				live[n] = r
				n++
				continue
			}
		}
		drop = append(drop, r) // its note failed, or it gave up: not written
	}
	s.claims.release(drop)
	if n > 0 {
		s.bulkReplace(coll, live[:n])
	}
	return nil
}

// noteReplaces writes the change notes the requests ask for, all at once
// (they join one change-log commit), before any of them is replaced. If the
// notes fail, the requests that asked for one get the error and are not
// replaced, so no record is written without its note.
func (s *Store) noteReplaces(reqs []*replaceReq) {
	var notes []changeReq
	var noted []*replaceReq
	for _, r := range reqs {
		if r.note == "" || r.ctx.Err() != nil {
			continue
		}
		notes = append(notes, changeReq{ctx: r.ctx, kind: r.note, id: r.id})
		noted = append(noted, r)
	}
	if err := s.recordChanges(notes); err != nil {
		for _, r := range noted {
			r.err = err
		}
	}
}

// bulkReplace writes rs, which hold their claims, in one bulk write. A
// request whose replace certainly did not apply (a write error, or refused
// here) has its claim released, so its record is not blocked.
func (s *Store) bulkReplace(coll *mongo.Collection, rs []*replaceReq) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(rs[0].ctx), replaceCommitTimeout)
	defer cancel()
	var failed []*replaceReq
	defer func() { s.claims.release(failed) }()
	done := s.writes.enter()
	// Past the gate, the last wait before the write: a claim held too long
	// may have been taken over by now (claimHold).
	n := 0
	for _, r := range rs {
		if time.Since(r.claimedAt) > s.claims.hold {
			r.err = errSlowWrite
			failed = append(failed, r)
		} else {
			rs[n] = r
			n++
		}
	}
	rs = rs[:n]
	if len(rs) == 0 {
		done()
		return
	}
	models := make([]mongo.WriteModel, len(rs))
	for i, r := range rs {
		models[i] = mongo.NewReplaceOneModel().SetFilter(byID(r.id)).SetReplacement(r.doc)
	}
	res, err := coll.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
	done()
	if err == nil && res.MatchedCount == int64(len(rs)) {
		for _, r := range rs {
			r.matched = true
		}
		return
	}
	// Some failed or matched nothing. A write error names its request; of
	// the others, those that matched are those whose record now has the
	// version they wrote.
	errs := map[int]error{}
	var bwe mongo.BulkWriteException
	if errors.As(err, &bwe) && bwe.WriteConcernError == nil {
		for _, we := range bwe.WriteErrors {
			errs[we.Index] = we
		}
	} else if err != nil {
		// The outcome is unknown: the claims stay, and block their
		// records until they can be taken over if nothing was written.
		for _, r := range rs {
			r.err = err
		}
		return
	}
	for i, r := range rs {
		if e, ok := errs[i]; ok {
			r.err = e
			failed = append(failed, r)
			continue
		}
		var cur struct {
			Version int64 `bson:"version"`
		}
		gerr := coll.FindOne(ctx, byID(r.id)).Decode(&cur)
		switch {
		case noDocuments(gerr):
			// Deleted. The claim stays: it blocks nothing (a record
			// created again has another updatedAt, so other claims), and
			// a writer that read the deleted record is better refused.
		case gerr != nil:
			r.err = gerr
		default:
			// Another version: a writer after this one (which read this
			// replace), or the record deleted before it and created again
			// after. The claim stays either way.
			r.matched = cur.Version == r.doc.meta().Version
		}
	}
}
