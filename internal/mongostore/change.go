package mongostore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
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
// Each change is a document keyed by its sequence number. A counter document
// tells readers how far the log goes; a reader reads each number after the one
// it has seen, by key. Numbers are drawn in one of two ways:
//
//   - On MongoDB, an atomic $inc of the counter reserves a block, then the
//     documents are inserted: two round trips, and the counter always covers
//     every number handed out. A number can be missing for a moment (handed
//     out, not yet inserted) or for ever (the writer died in between); the
//     reader stops at a missing number until it is older than changeGrace,
//     then skips it.
//   - On FerretDB, whose $inc is a read then a write (two processes can draw
//     the same number), the writer draws from its own count and inserts: one
//     round trip. The unique key settles a collision: the loser finds the end
//     of the log and draws again after it. The counter is raised afterwards,
//     in the background (raiseLoop), so it may lag the log; readers go on past
//     it up to the first missing number. A number past the counter is never
//     skipped: a writer only draws past the counter from the end of the run
//     of written numbers, so a missing number there is the end of the log or
//     an insert in flight, and the next writer fills it if its writer died.
//     Under scripts/load the $inc was a third of every profile edit's time in
//     the database: it is a read and a write in one SQLite transaction, behind
//     every other writer. Without it, in back-to-back runs, the profile edits'
//     median fell from 126 and 220 ms to 27 and 19 ms.
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
	// raiseEvery paces the background raises of the counter. The writers do
	// not wait for a raise, but each is a write through the write gate, where
	// they do: under scripts/load, ten a second held the gate in front of the
	// edits' commits (the raises' own waits alone came to 0.7 s in 30 s of a
	// block profile). A counter a second behind costs a reader in another
	// process a few more lookups past it (Changes), and nothing else: the
	// numbers past it are read all the same.
	raiseEvery = time.Second
)

type changeLog struct {
	origin   string // Store.Origin
	writes   *gate
	changes  *mongo.Collection
	counters *mongo.Collection
	grace    time.Duration

	// group serialises and batches this process's writers (commitChanges):
	// one commit at a time keeps this process's draws from colliding.
	group *groupcommit.Group[[]changeReq]
	// local: numbers are drawn from next and the counter raised afterwards
	// (FerretDB; see the top of the file). next is the number to draw next,
	// 0 until the end of the log has been looked up; only commitChanges, one
	// at a time, touches it.
	local bool
	next  int64
	// written is the highest number this process has written (local).
	written atomic.Int64
	// raiser runs raiseLoop.
	raiser background

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

// commitChanges writes reqs to the log: one InsertMany of a document per
// change, under numbers drawn as the top of the file says (on MongoDB after one
// $inc that reserves them all). It is the group's commit, so only one runs at a
// time in this process, which is what keeps this process's draws from
// colliding with each other.
//
// Durability: it returns nil only when the insert acknowledged every one of
// reqs' documents, so no caller is told its change is recorded before it is.
// On any other error every caller gets the error; some of the documents may
// be in the log all the same, which is harmless (a change is a hint to reread
// the record, and rereading twice is fine).
func (l *changeLog) commitChanges(batches [][]changeReq) error {
	reqs := slices.Concat(batches...)
	// The commit serves every waiter, so one caller's cancelled request must
	// not fail the others' writes; the timeout bounds the wait instead.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(reqs[0].ctx), changeCommitTimeout)
	defer cancel()
	// Unordered, so that when another process drew some of the same numbers
	// every document that does not collide is still written: the block then
	// leaves no hole, since the colliding numbers hold the other process's
	// changes. An ordered insert would stop at the first collision and leave
	// the rest of the block missing. In the usual case FerretDB writes the
	// whole batch in one transaction either way.
	insert := options.InsertMany().SetOrdered(false)
	pending := reqs
	for try := range 50 {
		if try > 0 {
			// Two processes that keep drawing the same numbers must fall
			// out of step; a little random wait does that.
			time.Sleep(time.Duration(rand.IntN(2000*min(try, 10))) * time.Microsecond)
		}
		n := int64(len(pending))
		first, err := l.draw(ctx, n)
		if err != nil {
			return err
		}
		at := now()
		docs := make([]changeDoc, n)
		for i, r := range pending {
			seq := first + int64(i)
			docs[i] = changeDoc{ID: seqKey(seq), Seq: seq, Kind: r.kind, RecordID: r.id, At: at, Origin: l.origin}
		}
		done := l.writes.enter()
		_, err = l.changes.InsertMany(ctx, docs, insert)
		done()
		if err == nil {
			l.wrote(docs)
			l.next = first + n
			return nil
		}
		// Another process drew some of these numbers: draw again for the
		// documents that collided, and only for them (the others are in).
		dups, ok := duplicateIndexes(err)
		if !ok {
			// Which numbers are in is unknown: look up the end of the log
			// again before the next draw.
			l.next = 0
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
		l.wrote(in)
		if l.local {
			// Every number of the block now holds a change, ours or the
			// other process's; draw again after the run it ends.
			end, err := l.end(ctx, first+n-1)
			if err != nil {
				l.next = 0
				return err
			}
			l.next = end + 1
		}
		pending = again
	}
	return fmt.Errorf("record change: could not draw a sequence number")
}

// draw returns the first of n numbers for commitChanges to write.
func (l *changeLog) draw(ctx context.Context, n int64) (int64, error) {
	if l.local {
		if l.next == 0 {
			end, err := l.end(ctx, 0)
			if err != nil {
				return 0, err
			}
			// Never below what this process wrote: own stays in order.
			l.next = max(end, l.written.Load()) + 1
		}
		return l.next, nil
	}
	inc := bson.D{
		{Key: "$inc", Value: bson.D{{Key: "seq", Value: n}}},
		{Key: "$set", Value: bson.D{{Key: "at", Value: now()}}},
	}
	opts := options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)
	for range 10 {
		var ctr counterDoc
		done := l.writes.enter()
		err := l.counters.FindOneAndUpdate(ctx, byID(counterID), inc, opts).Decode(&ctr)
		done()
		if mongo.IsDuplicateKeyError(err) {
			continue // another process created the counter at the same time
		} else if err != nil {
			return 0, translate(err, "Change", "record change")
		}
		return ctr.Seq - n + 1, nil
	}
	return 0, fmt.Errorf("record change: could not draw a sequence number")
}

// wrote notes docs as written: Changes takes them from own, and raiseLoop
// raises the counter to cover them.
func (l *changeLog) wrote(docs []changeDoc) {
	if len(docs) == 0 {
		return
	}
	l.remember(docs)
	// docs are in order, and only commitChanges stores written, one at a time.
	if last := docs[len(docs)-1].Seq; last > l.written.Load() {
		l.written.Store(last)
	}
}

// startRaising starts raiseLoop (local logs only).
func (l *changeLog) startRaising() { l.raiser.start(l.raiseLoop) }

// raiseLoop raises the counter to this process's last written number every
// raiseEvery when it has written since, and once more when stopped. A raise
// that fails is tried again at the next tick; meanwhile readers find the
// numbers past the counter anyway (Changes), so a lagging counter delays
// nobody.
func (l *changeLog) raiseLoop(stop <-chan struct{}) {
	var raised int64
	raise := func() {
		w := l.written.Load()
		if w <= raised {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), changeCommitTimeout)
		defer cancel()
		if l.raiseTo(ctx, w) == nil {
			raised = w
		}
	}
	tick := time.NewTicker(raiseEvery)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			raise()
		case <-stop:
			raise()
			return
		}
	}
}

// stopRaising ends raiseLoop, after a last raise, and waits for it.
func (l *changeLog) stopRaising(ctx context.Context) { l.raiser.halt(ctx) }

// raiseTo sets the counter to at least seq. $max only ever moves it up. On
// FerretDB two processes raising at once can still leave it at the lower of
// their two numbers (a read, then a write), which is harmless: readers go past
// the counter, and the next raise moves it on.
func (l *changeLog) raiseTo(ctx context.Context, seq int64) error {
	up := bson.D{
		{Key: "$max", Value: bson.D{{Key: "seq", Value: seq}}},
		{Key: "$set", Value: bson.D{{Key: "at", Value: now()}}},
	}
	done := l.writes.enter()
	_, err := l.counters.UpdateOne(ctx, byID(counterID), up, options.UpdateOne().SetUpsert(true))
	done()
	if mongo.IsDuplicateKeyError(err) {
		return nil // another process created the counter at the same time; next raise
	}
	return translate(err, "Change", "record change")
}

// end returns the last number of the run of changes that goes on from the
// counter, or from from if that is higher (from must be written): the end of
// the log as far as a writer may draw after it.
func (l *changeLog) end(ctx context.Context, from int64) (int64, error) {
	ctr, err := l.counter(ctx)
	if err != nil {
		return 0, err
	}
	return l.runEnd(ctx, max(from, ctr.Seq))
}

// runEnd returns the last number of the run of changes that goes on from lo
// (written, or the counter). The run is found by doubling then bisecting, a
// few lookups by key however long it is.
func (l *changeLog) runEnd(ctx context.Context, lo int64) (int64, error) {
	step := int64(1)
	for {
		ok, err := l.exists(ctx, lo+step)
		if err != nil {
			return 0, err
		} else if !ok {
			break
		}
		lo += step
		step *= 2
	}
	for hi := lo + step; hi-lo > 1; { // hi is missing
		mid := lo + (hi-lo)/2
		ok, err := l.exists(ctx, mid)
		if err != nil {
			return 0, err
		} else if ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo, nil
}

// exists reports whether change seq is in the log (this process's own are
// known without a lookup).
func (l *changeLog) exists(ctx context.Context, seq int64) (bool, error) {
	docs, err := l.fetch(ctx, seq, 1)
	return err == nil && docs[0] != nil, err
}

// counter reads the counter document (zero when there is none yet).
func (l *changeLog) counter(ctx context.Context) (counterDoc, error) {
	var ctr counterDoc
	err := l.counters.FindOne(ctx, byID(counterID)).Decode(&ctr)
	if err != nil && !noDocuments(err) {
		return ctr, translate(err, "Change", "read changes")
	}
	return ctr, nil
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
	ctr, err := l.counter(ctx)
	if err != nil {
		return nil, since, err
	}
	if since < 0 {
		if !l.local {
			return nil, ctr.Seq, nil
		}
		head, err := l.runEnd(ctx, ctr.Seq)
		return nil, head, err
	}
	// Every number up to the counter is read, and up to this process's own
	// last, which it may not have raised the counter to yet.
	top := max(ctr.Seq, l.written.Load())
	docs, err := l.fetch(ctx, since+1, int(min(max(top-since, 0), MaxChanges)))
	if err != nil {
		return nil, since, err
	}
	// On a local log the counter may lag: go on past it, in growing steps,
	// up to the first missing number.
	for step := 1; l.local && len(docs) < MaxChanges && (len(docs) == 0 || docs[len(docs)-1] != nil); step = min(step*2, 256) {
		more, err := l.fetch(ctx, since+1+int64(len(docs)), min(step, MaxChanges-len(docs)))
		if err != nil {
			return nil, since, err
		}
		docs = append(docs, more...)
		if slices.Contains(more, nil) {
			break
		}
	}
	// A missing number up to the counter is skipped once it is old: either
	// the counter has not moved for the grace period (so every number was
	// handed out before that), or this reader has been waiting for it that
	// long. Past the counter the first missing number ends the read: the end
	// of the log, or an insert in flight (see the top of the file).
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
			if seq > ctr.Seq {
				break
			}
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

// fetch returns changes from to from+n-1, nil where one is missing: this
// process's own from memory, the others read by key, in parallel.
func (l *changeLog) fetch(ctx context.Context, from int64, n int) ([]*changeDoc, error) {
	docs := make([]*changeDoc, n)
	l.mu.Lock()
	for _, d := range l.own[l.ownFrom(from):] {
		if d.Seq >= from+int64(n) {
			break
		}
		docs[d.Seq-from] = &d
	}
	l.mu.Unlock()
	err := parallel(ctx, n, func(i int) error {
		if docs[i] != nil {
			return nil // this process's own: no need to read it back
		}
		var d changeDoc
		err := l.changes.FindOne(ctx, byID(seqKey(from+int64(i)))).Decode(&d)
		if err == nil {
			docs[i] = &d
		} else if !noDocuments(err) {
			return translate(err, "Change", "read changes")
		}
		return nil
	})
	return docs, err
}
