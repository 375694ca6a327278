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
// the others end as if the version had changed (EPRECONDITION) once it has.
// The read version's updatedAt tells a record deleted and created again from
// the one before it, whose old claims would otherwise block its first edits.
// A commit claims all its writes with one InsertMany (commitReplaces).
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
//   - A writer that meets a younger claim cannot tell a live writer from a
//     dead one, and after a crash the next edit of each record the crash
//     interrupted meets one: failing it would lock the record's users out
//     until claimTake, however often they reloaded. So it waits, outside
//     the group commit (await), looking again until the record moves on
//     (stale), the claim goes (it claims again) or the claim may be taken
//     over. A live writer's replace lands within milliseconds, so a real
//     conflict still ends stale at once, and a dead writer's claim holds up
//     its record's next edit until the claim is claimTake old.
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
// nobody wrote before takeUntil (25 s) holds up its next edit until a sweep
// deletes it, by the time it is sweepAge and a slot and a quarter old (43 s),
// and so does a takeover's marker whose contender died before deleting the
// claim it marked.
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
	// sweeper runs sweepLoop.
	sweeper background
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
// that hold their claim, with those that came holding one (a takeover's,
// await). A request whose claim another writer holds ends unmatched and
// blocked, for its caller to wait outside the commit (await); one whose claim
// could not be written gets the error.
func (c *claimer) claim(coll string, reqs []*replaceReq) []*replaceReq {
	held := make([]*replaceReq, 0, len(reqs))
	var fresh []*replaceReq
	for _, r := range reqs {
		if r.claim != "" {
			held = append(held, r)
		} else {
			fresh = append(fresh, r)
		}
	}
	if len(fresh) == 0 {
		return held
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(fresh[0].ctx), c.commit)
	defer cancel()
	// The hold is timed from before the insert, as contenders time the
	// claim's age from its at.
	claimedAt, at := time.Now(), now()
	docs := make([]any, len(fresh))
	for i, r := range fresh {
		r.claim = claimKey(coll, r.id, r.doc.meta().Version, r.base.updatedAt)
		docs[i] = claimDoc{ID: r.claim, Origin: c.origin, At: at}
	}
	// Unordered: every claim that does not collide is written. commitReplaces
	// takes at most replaceBatch requests, far under ferretBulkLimit.
	done := c.writes.enter()
	_, err := c.coll.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	done()
	var bwe mongo.BulkWriteException
	switch {
	case err == nil:
	case errors.As(err, &bwe) && bwe.WriteConcernError == nil && len(bwe.WriteErrors) > 0:
		for _, we := range bwe.WriteErrors {
			r := fresh[we.Index]
			if mongo.IsDuplicateKeyError(we.WriteError) {
				// Nothing more here: whether that writer is live or dead
				// takes time to tell, which the commit's other requests
				// should not wait for.
				r.blocked = true
			} else {
				r.err = we.WriteError // this claim was not written
			}
			r.claim = ""
		}
	default:
		// Which claims are in is unknown, so none is released: one that
		// is in blocks its record until it can be taken over.
		for _, r := range fresh {
			r.err, r.claim = err, ""
		}
		return held
	}
	for _, r := range fresh {
		if r.claim != "" {
			r.claimedAt = claimedAt
			held = append(held, r)
		}
	}
	return held
}

// Between await's looks at a claim: short at first, as a live writer's
// replace lands within milliseconds of its claim and its contender then
// ends stale, then longer while a dead writer's claim ages.
const (
	firstClaimPoll = 5 * time.Millisecond
	maxClaimPoll   = 250 * time.Millisecond
)

// errClaimWait ends a write that waited for another writer's claim as long
// as its request allowed, or far longer than a claim can block (a sweep must
// have failed). Nothing is written.
var errClaimWait = domain.Errorf(domain.EUNAVAILABLE, "An interrupted save still holds this record; try again in a few seconds.")

// await waits, outside the group commit and holding the record's lock, for
// r's claim, which another writer held at r's commit (r.blocked). That is
// both what a live concurrent writer looks like and what a writer killed
// between its claim and its replace leaves, which nobody can tell apart
// before claimTake: so rather than fail at once, r looks again, and again,
// until
//
//   - the record moves on (that writer, or a later one, wrote) or is deleted:
//     false and no error, r's write is stale or its record gone;
//   - the claim is released (that writer's replace failed, or the sweep
//     deleted it): true, r claims it again in its next commit;
//   - the claim is claimTake old: r takes it over if the record is still the
//     version r read (takeOver) and reports true, holding the claim for its
//     next commit.
//
// Every look that finds the record unchanged is a fresh read of r's version
// (r.base.at), as the commit's maxReadAge check needs after a long wait. The
// wait ends with ctx, with errClaimWait.
func (c *claimer) await(ctx context.Context, records *mongo.Collection, r *replaceReq) (bool, error) {
	key := claimKey(records.Name(), r.id, r.doc.meta().Version, r.base.updatedAt)
	// Any claim is released, taken over or swept well before this.
	limit := time.Now().Add(c.sweepAge() + 2*c.slot)
	poll := firstClaimPoll
	for {
		var old claimDoc
		err := c.coll.FindOne(ctx, byID(key)).Decode(&old)
		released := noDocuments(err)
		if err != nil && !released {
			return false, c.waitErr(ctx, err)
		}
		age := time.Since(old.At)
		if !released && age >= c.take && age < c.takeUntil() {
			held, err := c.takeOver(ctx, records, r, key, old)
			if held || err != nil {
				return held, c.waitErr(ctx, err)
			}
			// Another contender took it, or the record moved on: the
			// look below tells.
		}
		readAt := time.Now()
		same, err := readUnchanged(ctx, records, r)
		if !same || err != nil {
			return false, c.waitErr(ctx, err)
		}
		r.base.at = readAt
		if released {
			return true, nil
		}
		wait := poll
		if age < c.take {
			wait = min(wait, c.take-age) // wake when it may be taken over
		}
		if time.Now().Add(wait).After(limit) {
			return false, errClaimWait
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return false, errClaimWait
		case <-t.C:
		}
		poll = min(2*poll, maxClaimPoll)
	}
}

// waitErr is errClaimWait for an error that ended await because its context
// did, and err otherwise.
func (c *claimer) waitErr(ctx context.Context, err error) error {
	if err != nil && ctx.Err() != nil {
		return errClaimWait
	}
	return err
}

// takeOver replaces old, a claim at least claimTake old, by r's if r's record
// is still the version r read, which says that old's writer never wrote, and
// reports whether r now holds the claim; false and no error when the record
// moved on or another contender holds the claim. The marker makes this
// contender the only one to delete old, so no two contenders each delete the
// other's new claim and both write.
func (c *claimer) takeOver(ctx context.Context, records *mongo.Collection, r *replaceReq, key string, old claimDoc) (bool, error) {
	// Bounded by commit: the sweep leaves a claim alone for that long past
	// takeUntil, so that it never finds the old claim once this has begun.
	// Not cut short by ctx, which would spend the marker for nothing.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.commit)
	defer cancel()
	// After the age check: a replace of old's writer would be in the record
	// by now.
	readAt := time.Now()
	if same, err := readUnchanged(ctx, records, r); !same || err != nil {
		return false, err
	}
	r.base.at = readAt
	if ok, err := c.insert(ctx, markerKey(old)); !ok {
		return false, err // nil: another contender is taking it over
	}
	done := c.writes.enter()
	_, err := c.coll.DeleteOne(ctx, byID(key))
	done()
	if err != nil {
		return false, err
	}
	// Free now: a writer that read the same version may claim it first.
	at := time.Now()
	ok, err := c.insert(ctx, key)
	if ok {
		r.claim, r.claimedAt = key, at
	}
	return ok, err
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
// slot and a quarter more of claims, about 3k at 70 writes a second, which
// took 83 ms to read on the 2-CPU machine with nothing else running
// (BenchmarkSweepClaims): 0.8% of a CPU once a slot, more under load, where
// the 13k a sweep read when claims lasted minutes took 0.3-0.45 s once a
// minute. One process does it once a slot. It
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
	slot, age := c.slot, c.sweepAge()
	c.sweeper.start(func(stop <-chan struct{}) { c.sweepLoop(stop, slot, age) })
}

// sweepLoop sweeps the claims once a slot, taking turns with the other
// processes: the wall clock is cut into slots, and in each the
// process that inserts the slot's turn sweeps, within its first half. FerretDB
// deletes what its query found by _id afterwards, so two overlapping sweeps
// could delete a claim inserted after one of them deleted the old claim of
// the same _id; turns keep sweeps a half slot apart.
func (c *claimer) sweepLoop(stop <-chan struct{}, slot, age time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-stop
		cancel() // a sweep in progress ends with the store
	}()
	tick := time.NewTicker(slot / 4)
	defer tick.Stop()
	last := int64(-1)
	for {
		select {
		case <-tick.C:
		case <-stop:
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
func (c *claimer) stopSweeping(ctx context.Context) { c.sweeper.halt(ctx) }
