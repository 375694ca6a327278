package mongostore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/groupcommit"
)

// The change log lets a second process sharing the database catch up with this
// one's writes without change streams (FerretDB has none, and MongoDB has them
// only on replica sets) and without queries FerretDB would answer by scanning.
//
// A counter document hands out sequence numbers; each change is then inserted
// with its number as key. A reader reads the counter, then each number after
// the one it has seen, by key. A number can be missing for a moment (handed
// out, not yet inserted) or for ever (the writer died in between); the reader
// stops at a missing number until it is older than changeGrace, then skips it.
const (
	// MaxChanges caps how many changes one Changes call returns; callers loop
	// until they get none.
	MaxChanges = 5000
	// changeGrace is how long a missing sequence number holds readers up.
	changeGrace = 5 * time.Second
	counterID   = "changes"
	// changeBatch caps how many changes one commit writes.
	changeBatch = 500
	// changeCommitTimeout bounds one commit (see commitChanges).
	changeCommitTimeout = 30 * time.Second
)

type changeLog struct {
	origin   string // Store.Origin
	writes   *gate
	changes  *mongo.Collection
	counters *mongo.Collection
	grace    time.Duration

	// group serialises and batches this process's writers (commitChanges):
	// FerretDB's $inc is a read then a write, so concurrent writers could
	// draw the same number.
	group   *groupcommit.Group[[]changeReq]
	mu      sync.Mutex
	missing map[int64]time.Time // when each missing number was first seen
	// own holds the changes this process wrote and has not read back yet,
	// in sequence order (commits run one at a time and draw ever higher
	// numbers): Changes takes them from here instead of from the database,
	// one lookup fewer per write for a process that reads its own log (they
	// were a tenth of the database reads under scripts/load). At most maxOwn
	// are kept; older ones are read back from the database like anyone's.
	own []changeDoc
}

const maxOwn = 100_000

// remember keeps docs, acknowledged by the log, for Changes (see own).
func (l *changeLog) remember(docs []changeDoc) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.own = append(l.own, docs...)
	if len(l.own) > maxOwn {
		l.own = slices.Clone(l.own[len(l.own)-maxOwn/2:])
	}
}

// ownFrom is the position in own of the first change numbered seq or more.
func (l *changeLog) ownFrom(seq int64) int {
	i, _ := slices.BinarySearchFunc(l.own, seq, func(d changeDoc, seq int64) int { return cmp.Compare(d.Seq, seq) })
	return i
}

type changeDoc struct {
	// ID is the sequence number as a zero-padded string: FerretDB looks up
	// string (and ObjectID) ids by key but scans for numeric ones, and padding
	// keeps string order equal to numeric order.
	ID       string    `bson:"_id"`
	Seq      int64     `bson:"seq"`
	Kind     string    `bson:"kind"`
	RecordID string    `bson:"id"`
	At       time.Time `bson:"at"`
	// Origin is the writing store's Origin (absent in logs from before it).
	Origin string `bson:"origin,omitempty"`
}

type counterDoc struct {
	Seq int64     `bson:"seq"`
	At  time.Time `bson:"at"` // when the last number was handed out
}

func seqKey(seq int64) string { return fmt.Sprintf("%020d", seq) }

// RecordChange implements domain.Store. It returns once the change is in the
// log: concurrent calls are group-committed (see commitChanges), and a caller
// is released only by the commit whose insert acknowledged its document.
func (s *Store) RecordChange(ctx context.Context, kind, id string) error {
	if err := ctx.Err(); err != nil {
		return translate(err, "Change", "record change")
	}
	return s.log.group.Do([]changeReq{{ctx: ctx, kind: kind, id: id}})
}

// recordChanges is RecordChange for several changes that join one commit
// together: one waiter instead of one per change, so the replaces' commit
// (noteReplaces) hands its notes over without a goroutine each.
func (s *Store) recordChanges(reqs []changeReq) error {
	if len(reqs) == 0 {
		return nil
	}
	return s.log.group.Do(reqs)
}

// changeReq is one RecordChange call waiting for its commit.
type changeReq struct {
	ctx      context.Context
	kind, id string
}

// commitChanges writes reqs to the log, in two round trips however many there
// are: one $inc by len(reqs) reserves a block of sequence numbers, one
// InsertMany writes a document per number. It is the group's commit, so only
// one runs at a time in this process, which is what keeps this process's
// draws from colliding (FerretDB's $inc is a read then a write).
//
// Durability: it returns nil only when the insert acknowledged every one of
// reqs' documents, so no caller is told its change is recorded before it is.
// On any other error every caller gets the error; some of the documents may
// be in the log all the same, which is harmless (a change is a hint to reread
// the record, and rereading twice is fine).
//
// Readers see the block's numbers as missing between the $inc and the insert,
// as they saw one number before: Changes waits for them, up to changeGrace.
func (l *changeLog) commitChanges(batches [][]changeReq) error {
	reqs := slices.Concat(batches...)
	// The commit serves every waiter, so one caller's cancelled request must
	// not fail the others' writes; the timeout bounds the wait instead.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(reqs[0].ctx), changeCommitTimeout)
	defer cancel()
	opts := options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)
	// Unordered, so that when another process drew some of the same numbers
	// (FerretDB) every document that does not collide is still written: the
	// block then leaves no hole, since the colliding numbers hold the other
	// process's changes. An ordered insert would stop at the first collision
	// and leave the rest of the block missing until changeGrace lets readers
	// skip it. In the usual case FerretDB writes the whole batch in one
	// transaction either way.
	insert := options.InsertMany().SetOrdered(false)
	pending := reqs
	for try := range 50 {
		if try > 0 {
			// Two processes that keep drawing the same numbers must fall
			// out of step; a little random wait does that.
			time.Sleep(time.Duration(rand.IntN(2000*min(try, 10))) * time.Microsecond)
		}
		n := int64(len(pending))
		inc := bson.D{
			{Key: "$inc", Value: bson.D{{Key: "seq", Value: n}}},
			{Key: "$set", Value: bson.D{{Key: "at", Value: now()}}},
		}
		var ctr counterDoc
		done := l.writes.enter()
		err := l.counters.FindOneAndUpdate(ctx, byID(counterID), inc, opts).Decode(&ctr)
		done()
		if mongo.IsDuplicateKeyError(err) {
			continue // another process created the counter at the same time
		} else if err != nil {
			return translate(err, "Change", "record change")
		}
		first, at := ctr.Seq-n+1, now()
		docs := make([]changeDoc, n)
		for i, r := range pending {
			seq := first + int64(i)
			docs[i] = changeDoc{ID: seqKey(seq), Seq: seq, Kind: r.kind, RecordID: r.id, At: at, Origin: l.origin}
		}
		done = l.writes.enter()
		_, err = l.changes.InsertMany(ctx, docs, insert)
		done()
		if err == nil {
			l.remember(docs)
			return nil
		}
		// Another process drew some of these numbers: draw again for the
		// documents that collided, and only for them (the others are in).
		dups, ok := duplicateIndexes(err)
		if !ok {
			return translate(err, "Change", "record change")
		}
		collided := make([]bool, len(docs))
		again := make([]changeReq, 0, len(dups))
		for _, i := range dups {
			collided[i] = true
			again = append(again, pending[i])
		}
		in := make([]changeDoc, 0, len(docs)-len(dups))
		for i, d := range docs {
			if !collided[i] {
				in = append(in, d)
			}
		}
		l.remember(in)
		// A collision means another process read the counter when we did
		// and one $inc overwrote the other. If ours was lost to a smaller
		// block, the counter now stops below documents of ours (or of a
		// bigger foreign block) that are in, and readers, which stop at
		// the counter, would not see them until some later write pushed it
		// past. So push it past every document now; the block is full (each
		// number holds ours or the other process's), and the documents above
		// it, if any, run on from its end.
		if err := l.raiseCounter(ctx, first+n-1); err != nil {
			return err
		}
		pending = again
	}
	return fmt.Errorf("record change: could not draw a sequence number")
}

// raiseCounter sets the counter to at least the last of the run of change
// documents that includes from (which is in), for commitChanges after a
// collision. The run is found by doubling then bisecting, a few lookups by
// key however long it is.
func (l *changeLog) raiseCounter(ctx context.Context, from int64) error {
	exists := func(seq int64) (bool, error) {
		err := l.changes.FindOne(ctx, byID(seqKey(seq))).Err()
		if noDocuments(err) {
			return false, nil
		}
		return err == nil, translate(err, "Change", "record change")
	}
	lo, step := from, int64(1) // lo is in
	for {
		ok, err := exists(lo + step)
		if err != nil {
			return err
		} else if !ok {
			break
		}
		lo += step
		step *= 2
	}
	for hi := lo + step; hi-lo > 1; { // hi is missing
		mid := lo + (hi-lo)/2
		ok, err := exists(mid)
		if err != nil {
			return err
		} else if ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	done := l.writes.enter()
	_, err := l.counters.UpdateOne(ctx, byID(counterID), bson.D{{Key: "$max", Value: bson.D{{Key: "seq", Value: lo}}}})
	done()
	return translate(err, "Change", "record change")
}

// duplicateIndexes returns the positions of the documents an InsertMany
// refused as duplicate keys, and false if it failed in any other way too (a
// write concern error, another write error, or no per-document errors at all),
// when nothing can be said about which documents are in.
func duplicateIndexes(err error) ([]int, bool) {
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil || len(bwe.WriteErrors) == 0 {
		return nil, false
	}
	out := make([]int, 0, len(bwe.WriteErrors))
	for _, we := range bwe.WriteErrors {
		if !mongo.IsDuplicateKeyError(we.WriteError) {
			return nil, false
		}
		out = append(out, we.Index)
	}
	return out, true
}

// Origin implements domain.Store.
func (s *Store) Origin() string { return s.log.origin }

// Changes implements domain.Store. It returns at most MaxChanges changes, in
// order, and the highest sequence number up to which nothing is left to read.
// since < 0 asks only for the current head, which is what a process starts
// from after rebuilding its index.
func (s *Store) Changes(ctx context.Context, since int64) ([]domain.Change, int64, error) {
	l := &s.log
	var ctr counterDoc
	err := l.counters.FindOne(ctx, byID(counterID)).Decode(&ctr)
	if err != nil && !noDocuments(err) {
		return nil, since, translate(err, "Change", "read changes")
	}
	if since < 0 || since >= ctr.Seq {
		return nil, ctr.Seq, nil
	}
	n := int(min(ctr.Seq-since, MaxChanges))
	docs := make([]*changeDoc, n)
	l.mu.Lock()
	for _, d := range l.own[l.ownFrom(since+1):] {
		if d.Seq > since+int64(n) {
			break
		}
		docs[d.Seq-since-1] = &d
	}
	l.mu.Unlock()
	err = parallel(ctx, n, func(i int) error {
		if docs[i] != nil {
			return nil // this process's own: no need to read it back
		}
		var d changeDoc
		err := l.changes.FindOne(ctx, byID(seqKey(since+1+int64(i)))).Decode(&d)
		if err == nil {
			docs[i] = &d
		} else if !noDocuments(err) {
			return translate(err, "Change", "read changes")
		}
		return nil
	})
	if err != nil {
		return nil, since, err
	}
	// A missing number is skipped once it is old: either the counter has not
	// moved for the grace period (so every number was handed out before that),
	// or this reader has been waiting for it that long.
	t := time.Now()
	quiet := t.Sub(ctr.At) > l.grace
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.missing == nil {
		l.missing = map[int64]time.Time{}
	}
	var out []domain.Change
	last := since
	for i, d := range docs {
		seq := since + 1 + int64(i)
		if d == nil {
			first, seen := l.missing[seq]
			if !seen {
				l.missing[seq] = t
				first = t
			}
			if !quiet && t.Sub(first) <= l.grace {
				break
			}
		} else {
			out = append(out, domain.Change{Seq: d.Seq, Kind: d.Kind, ID: d.RecordID, Origin: d.Origin, At: d.At})
		}
		last = seq
	}
	for seq := range l.missing {
		if seq <= last {
			delete(l.missing, seq)
		}
	}
	// Read: let go of them (and of any older, which no one will ask for).
	l.own = l.own[l.ownFrom(last+1):]
	return out, last, nil
}
