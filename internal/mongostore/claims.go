package mongostore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// Claims make a record's version check atomic between processes on FerretDB.
//
// There a writer checks the version it read by primary key under the record's
// lock and replaces by _id alone (replace.go), which the lock makes safe only
// within one process: two processes that both read version v would both
// replace, the second silently overwriting the first (without claims a
// third to a half of TestConcurrentModifyTwoStores's 96 edits were lost).
// FerretDB's only atomic operations are an insert, which fails on a
// duplicate _id, and a delete by _id, whose count is exact. So before its
// replace every writer inserts a claim keyed by the step it takes,
// "<collection>:<id>:<new version>:<the read version's updatedAt in ms>":
// of the writers that read the same version, exactly one inserts it, and
// the others end as if the version had changed (EPRECONDITION). The read
// version's updatedAt tells a record deleted and created again from the one
// before it, whose old claims would otherwise block its first edits. A
// commit claims all its writes with one InsertMany (commitReplaces).
//
// A claim is needed only while its writer could still write, and the times
// are bounded so that this is known:
//
//   - a commit sends a replace at most claimHold after its claim was inserted
//     (bulkReplace refuses it after that, errSlowWrite), and a replace sent
//     lands within replaceCommitTimeout or not at all;
//   - so a claim older than claimTake, those two and a margin (15 s), belongs
//     to a writer whose replace has landed or never will. A contender that
//     then re-reads the record by _id and finds it still at the version and
//     updatedAt the claim was taken from knows the replace never landed: the
//     writer died (a process killed between its claims and its replaces),
//     gave up or lost its outcome, and the contender may take the claim over
//     (takeOver) rather than find the record blocked. A record that moved on
//     means the claim's writer (or a later one) wrote: the conflict is real
//     and the contender's write stale. The re-read comes after the age check,
//     so a contender that read the version before the claim's replace landed
//     (a stale reader, however stale) cannot take over the claim of a writer
//     that succeeded: by the re-read, that replace would be in the record.
//
// A claim's age is one process's clock read against another's: processes
// sharing an embedded database run on its machine and read the same clock.
// The margin (claimMargin) absorbs a little skew, and a FerretDB command that
// finishes after its client gave up: FerretDB 1.24 does not cancel a command
// when its client disconnects (and ignores maxTimeMS on writes), so a replace
// whose client timed out may still land while SQLite makes it wait (its busy
// timeout is 10 s). Each process runs its own FerretDB on the shared files,
// so a process killed takes its unfinished commands with it and the crash
// case is exact; a live process's replace landing more than the margin after
// its client gave up, or a clock stepped forward by more than the margin while
// a claim is live, would let a live claim be taken over, and is assumed not
// to happen.
//
// Deleting another writer's claim is the delicate part, since FerretDB
// deletes by _id and a claim removed and inserted again under the same _id
// in between would be deleted instead. So a takeover first inserts a marker
// keyed by the old claim (only one contender can), and only claims younger
// than takeUntil are taken over, each takeover finishing within commit of its
// age check; the sweep deletes only claims older than sweepAge, past both
// (sweepClaims), one process at a time, so it never meets a takeover's new
// claim under an old one's _id. The sweep must also wait out stale readers:
// a writer that read a version before a claim's replace landed (claimHold +
// replaceCommitTimeout after the claim) inserts its own claim within
// maxReadAge + replaceCommitTimeout of that read, and would find the step
// free if the claim were gone by then; sweepAge, claimTake + maxReadAge +
// replaceCommitTimeout (30 s), is past that too. A dead claim whose record
// nobody wrote before takeUntil (25 s) blocks it until a sweep deletes it,
// by the time it is sweepAge and a slot and a quarter old (43 s).
const (
	claimsName = "claims"
	// maxReadAge bounds the time from a writer's version read to its claim.
	// An edit takes milliseconds from one to the other, and a second or two
	// when the machine is saturated.
	maxReadAge = 10 * time.Second
	// claimHold bounds the time from a claim to sending its replace: the
	// change notes are written in between, in one change-log commit, and the
	// replace waits for the write gate. With 16 parallel writers an edit
	// takes 120 ms end to end at p99 (internal/embedded), so 5 s is far past
	// any commit that is not stuck, and it keeps claimTake short.
	claimHold = 5 * time.Second
	// claimMargin is claimTake's slack past claimHold + replaceCommitTimeout;
	// see above.
	claimMargin = 5 * time.Second
	// claimTake is the age from which a claim may be taken over; see above.
	claimTake = claimHold + replaceCommitTimeout + claimMargin
	// sweepSlot is the period of the sweeps (sweepLoop).
	sweepSlot = 10 * time.Second
	// releaseTimeout bounds the deletion of a commit's own unused claims.
	releaseTimeout = 5 * time.Second
)

// errSlowWrite refuses a write whose read or claim is too old to be claimed
// or replaced safely (see the claims' time bounds). Nothing is written; the
// caller may read the record again and retry.
var errSlowWrite = domain.Errorf(domain.EUNAVAILABLE, "The database is too busy to save this safely; try again.")

// claimDoc is a claim, a takeover's marker or a sweep's turn.
type claimDoc struct {
	ID     string    `bson:"_id"`
	Origin string    `bson:"origin"` // the writing store (Store.Origin)
	At     time.Time `bson:"at"`     // when it was written, by the writer's clock
}

// claimer writes and sweeps the claims of one store.
type claimer struct {
	coll   *mongo.Collection
	writes *gate
	origin string
	// The time bounds, fields so tests can change them (before any write;
	// slot before startSweeping): maxReadAge, claimHold, claimTake, the
	// longest a sent claim, takeover or replace takes to land or fail
	// (replaceCommitTimeout) and sweepSlot.
	readAge, hold, take, commit, slot time.Duration
	// stop ends sweepLoop, and it closes swept when done.
	stop  chan struct{}
	swept chan struct{}
}

func newClaimer(coll *mongo.Collection, writes *gate, origin string) *claimer {
	return &claimer{coll: coll, writes: writes, origin: origin,
		readAge: maxReadAge, hold: claimHold, take: claimTake, commit: replaceCommitTimeout, slot: sweepSlot}
}

// takeUntil is the age from which a claim is no longer taken over but left
// to the sweep; see the claims' comment.
func (c *claimer) takeUntil() time.Duration { return c.take + c.readAge }

// sweepAge is the age from which the sweep deletes claims: past the
// takeovers, which end within commit of an age check before takeUntil, and
// past any stale reader that could still meet them (see the claims' comment).
func (c *claimer) sweepAge() time.Duration { return c.takeUntil() + c.commit }

// claimKey is the _id of the claim of replacing the record id of coll, read
// with updatedAt, by its version to.
func claimKey(coll, id string, to int64, updatedAt time.Time) string {
	return fmt.Sprintf("%s:%s:%d:%d", coll, id, to, updatedAt.UnixMilli())
}

// markerKey is the _id of the marker of taking over old.
func markerKey(old claimDoc) string {
	return fmt.Sprintf("%s~%s~%d", old.ID, old.Origin, old.At.UnixMilli())
}

// claim claims reqs' replaces in coll with one InsertMany and returns those
// that hold their claim. A request whose claim another writer holds ends
// unmatched (the caller tells stale from deleted); one whose claim could not
// be written gets the error.
func (c *claimer) claim(records *mongo.Collection, reqs []*replaceReq) []*replaceReq {
	if len(reqs) == 0 {
		return nil
	}
	coll := records.Name()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(reqs[0].ctx), c.commit)
	defer cancel()
	// The hold is timed from before the insert, as contenders time the
	// claim's age from its at.
	claimedAt, at := time.Now(), now()
	docs := make([]any, len(reqs))
	for i, r := range reqs {
		r.claim = claimKey(coll, r.id, r.doc.meta().Version, r.base.updatedAt)
		docs[i] = claimDoc{ID: r.claim, Origin: c.origin, At: at}
	}
	// Unordered: every claim that does not collide is written. commitReplaces
	// takes at most replaceBatch requests, far under ferretBulkLimit.
	done := c.writes.enter()
	_, err := c.coll.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	done()
	var taken []*replaceReq
	var bwe mongo.BulkWriteException
	switch {
	case err == nil:
	case errors.As(err, &bwe) && bwe.WriteConcernError == nil && len(bwe.WriteErrors) > 0:
		taken = make([]*replaceReq, 0, len(bwe.WriteErrors))
		for _, we := range bwe.WriteErrors {
			r := reqs[we.Index]
			if mongo.IsDuplicateKeyError(we.WriteError) {
				taken = append(taken, r)
			} else {
				r.err = we.WriteError // this claim was not written
			}
			r.claim = ""
		}
	default:
		// Which claims are in is unknown, so none is released: one that
		// is in blocks its record until it can be taken over.
		for _, r := range reqs {
			r.err, r.claim = err, ""
		}
		return nil
	}
	held := make([]*replaceReq, 0, len(reqs))
	for _, r := range reqs {
		if r.claim != "" {
			r.claimedAt = claimedAt
			held = append(held, r)
		}
	}
	for _, r := range taken {
		if c.contend(ctx, records, r) {
			held = append(held, r)
		}
	}
	return held
}

// contend tries again for r's claim, which another writer held at the
// InsertMany, and reports whether r now holds it.
func (c *claimer) contend(ctx context.Context, records *mongo.Collection, r *replaceReq) bool {
	key := claimKey(records.Name(), r.id, r.doc.meta().Version, r.base.updatedAt)
	var old claimDoc
	err := c.coll.FindOne(ctx, byID(key)).Decode(&old)
	switch {
	case noDocuments(err):
		// Released since (its writer's replace did not apply): free.
		return c.insertFor(ctx, r, key)
	case err != nil:
		r.err = err
		return false
	}
	if age := time.Since(old.At); age < c.take || age >= c.takeUntil() {
		return false // held, or waiting for the sweep: a stale version
	}
	return c.takeOver(records, r, key, old)
}

// takeOver replaces old, a claim at least claimTake old, by r's if r's record
// is still the version r read, which says that old's writer never wrote. The
// marker makes this contender the only one to delete old, so no two
// contenders each delete the other's new claim and both write.
func (c *claimer) takeOver(records *mongo.Collection, r *replaceReq, key string, old claimDoc) bool {
	// Bounded by commit: the sweep leaves a claim alone for that long past
	// takeUntil, so that it never finds the old claim once this has begun.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.ctx), c.commit)
	defer cancel()
	// After the age check: a replace of old's writer would be in the record
	// by now.
	if same, err := readUnchanged(ctx, records, r); !same {
		r.err = err // nil: moved on or deleted, which the caller tells apart
		return false
	}
	if ok, err := c.insert(ctx, markerKey(old)); !ok {
		r.err = err // nil: another contender is taking it over
		return false
	}
	done := c.writes.enter()
	_, err := c.coll.DeleteOne(ctx, byID(key))
	done()
	if err != nil {
		r.err = err
		return false
	}
	return c.insertFor(ctx, r, key)
}

// readUnchanged re-reads by _id the record r replaces and reports whether it is
// still the version r read (false and no error when it was deleted).
func readUnchanged(ctx context.Context, records *mongo.Collection, r *replaceReq) (bool, error) {
	var cur metaDoc
	opts := options.FindOne().SetProjection(bson.D{{Key: "version", Value: 1}, {Key: "updatedAt", Value: 1}})
	err := records.FindOne(ctx, byID(r.id), opts).Decode(&cur)
	switch {
	case noDocuments(err):
		return false, nil
	case err != nil:
		return false, err
	}
	// Milliseconds, as the claim's key has them.
	return cur.Version == r.base.version && cur.UpdatedAt.UnixMilli() == r.base.updatedAt.UnixMilli(), nil
}

// insertFor inserts r's claim key and reports whether r now holds it; when
// not, r.err is nil if another writer holds it.
func (c *claimer) insertFor(ctx context.Context, r *replaceReq, key string) bool {
	at := time.Now()
	ok, err := c.insert(ctx, key)
	r.err = err
	if ok {
		r.claim, r.claimedAt = key, at
	}
	return ok
}

// insert writes the claim key and reports whether it was free.
func (c *claimer) insert(ctx context.Context, key string) (bool, error) {
	done := c.writes.enter()
	_, err := c.coll.InsertOne(ctx, claimDoc{ID: key, Origin: c.origin, At: now()})
	done()
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	}
	return err == nil, err
}

// release deletes the claims of reqs, whose replaces did not apply, so that
// their records are not blocked until the claims can be taken over. Only
// claims young enough for the delete to land before claimTake are deleted: a
// claim is taken over only from then on, so until then its _id is still this
// writer's. Best effort: a claim left is taken over in time.
func (c *claimer) release(reqs []*replaceReq) {
	var models []mongo.WriteModel
	for _, r := range reqs {
		if r.claim != "" && time.Since(r.claimedAt) < c.take-releaseTimeout {
			models = append(models, mongo.NewDeleteOneModel().SetFilter(byID(r.claim)))
		}
		r.claim = ""
	}
	if len(models) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), releaseTimeout)
	defer cancel()
	done := c.writes.enter()
	_, _ = c.coll.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
	done()
}

// sweepClaims deletes the claims written before before. FerretDB reads the
// whole collection to answer the filter on at; it holds sweepAge and up to a
// slot and a quarter more of claims, about 3k at 70 writes a second (13k took
// 0.3-0.45 s to read on the 2-CPU machine under load, BenchmarkSweepClaims,
// and the read is linear in the claims). One process does it once a slot. It
// does not go through the write gate: the read, nearly all of it, would hold
// up this process's writes, and the delete is one short SQLite transaction,
// which can wait its turn in SQLite's busy handler.
func (c *claimer) sweepClaims(ctx context.Context, before time.Time) (int64, error) {
	res, err := c.coll.DeleteMany(ctx, bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: before}}}})
	if err != nil {
		return 0, translate(err, "Claim", "sweep claims")
	}
	return res.DeletedCount, nil
}

// startSweeping starts sweepLoop.
func (c *claimer) startSweeping() {
	c.stop = make(chan struct{})
	c.swept = make(chan struct{})
	go c.sweepLoop(c.slot, c.sweepAge())
}

// sweepLoop sweeps the claims once a slot, taking turns with the other
// processes: the wall clock is cut into slots, and in each the
// process that inserts the slot's turn sweeps, within its first half. FerretDB
// deletes what its query found by _id afterwards, so two overlapping sweeps
// could delete a claim inserted after one of them deleted the old claim of
// the same _id; turns keep sweeps a half slot apart.
func (c *claimer) sweepLoop(slot, age time.Duration) {
	defer close(c.swept)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-c.stop
		cancel() // a sweep in progress ends with the store
	}()
	tick := time.NewTicker(slot / 4)
	defer tick.Stop()
	last := int64(-1)
	for {
		select {
		case <-tick.C:
		case <-c.stop:
			return
		}
		t := time.Now()
		n := t.UnixNano() / int64(slot)
		if n == last || t.Sub(time.Unix(0, n*int64(slot))) >= slot/4 {
			continue // one try a slot, in its first quarter (the ticks' period)
		}
		last = n
		sctx, scancel := context.WithTimeout(ctx, slot/4)
		if ok, err := c.insert(sctx, fmt.Sprintf("~sweep:%d", n)); ok && err == nil {
			_, _ = c.sweepClaims(sctx, now().Add(-age)) // failed: the next slot's sweep
		}
		scancel()
	}
}

// stopSweeping ends sweepLoop and waits for it.
func (c *claimer) stopSweeping(ctx context.Context) {
	if c.stop == nil {
		return
	}
	select {
	case <-c.stop:
	default:
		close(c.stop)
	}
	select {
	case <-c.swept:
	case <-ctx.Done():
	}
}
