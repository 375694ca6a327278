package mongostore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/bettermatch/bettermatch/internal/domain"
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
)

type changeLog struct {
	changes  *mongo.Collection
	counters *mongo.Collection
	grace    time.Duration

	// writeMu serialises this process's writers: FerretDB's $inc is a read
	// then a write, so concurrent writers could draw the same number.
	writeMu sync.Mutex
	mu      sync.Mutex
	missing map[int64]time.Time // when each missing number was first seen
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
}

type counterDoc struct {
	Seq int64     `bson:"seq"`
	At  time.Time `bson:"at"` // when the last number was handed out
}

func seqKey(seq int64) string { return fmt.Sprintf("%020d", seq) }

// RecordChange implements domain.Store.
func (s *Store) RecordChange(ctx context.Context, kind, id string) error {
	l := &s.log
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	inc := bson.D{
		{Key: "$inc", Value: bson.D{{Key: "seq", Value: int64(1)}}},
		{Key: "$set", Value: bson.D{{Key: "at", Value: now()}}},
	}
	opts := options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)
	// Another process may draw the same number (FerretDB) or create the counter
	// at the same time; the insert's duplicate key tells us to draw again.
	for try := range 50 {
		if try > 0 {
			// Two processes that keep drawing the same number must fall out
			// of step; a little random wait does that.
			time.Sleep(time.Duration(rand.IntN(2000*min(try, 10))) * time.Microsecond)
		}
		var ctr counterDoc
		err := l.counters.FindOneAndUpdate(ctx, byID(counterID), inc, opts).Decode(&ctr)
		if mongo.IsDuplicateKeyError(err) {
			continue
		} else if err != nil {
			return translate(err, "Change", "record change")
		}
		_, err = l.changes.InsertOne(ctx, changeDoc{ID: seqKey(ctr.Seq), Seq: ctr.Seq, Kind: kind, RecordID: id, At: now()})
		if mongo.IsDuplicateKeyError(err) {
			continue
		}
		return translate(err, "Change", "record change")
	}
	return fmt.Errorf("record change: could not draw a sequence number")
}

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
	err = parallel(ctx, n, func(i int) error {
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
			out = append(out, domain.Change{Seq: d.Seq, Kind: d.Kind, ID: d.RecordID})
		}
		last = seq
	}
	for seq := range l.missing {
		if seq <= last {
			delete(l.missing, seq)
		}
	}
	return out, last, nil
}
