package mongostore

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/groupcommit"
)

// collection implements domain.Collection once for every entity; an entity
// contributes only its document type D and the converters between D and T.
type collection[T domain.Record, D doc] struct {
	st   *Store
	coll *mongo.Collection
	// wcoll is coll for the gated writes (Store.wdb).
	wcoll *mongo.Collection
	// kind names the record in user-facing messages ("SME not found.").
	kind string
	// fields maps the JSON names Find may filter on to BSON names. Anything else
	// is refused, so user input never becomes a document key.
	fields map[string]string
	// lists are the fields (JSON names, a subset of fields) whose id lists
	// Find uses on FerretDB; see idlists.go.
	lists   []string
	newDoc  func() D
	toDoc   func(T) D
	fromDoc func(D) T
	// derived is the change kind of a collection the search index and the
	// matcher are derived from ("" for the others); see intend.
	derived string
	// replaces group-commits this collection's updates on FerretDB
	// (replace.go). One group per collection, so that updates needing no
	// change note (responses, notifications) do not queue behind the notes
	// of profile and challenge edits.
	replaces *groupcommit.Group[*replaceReq]
}

// derivedKinds are the collections the search index and the matcher are
// built from, with the kind their changes carry.
var derivedKinds = map[string]string{"smes": domain.KindSME, "challenges": domain.KindChallenge, "courses": domain.KindCourse}

// entity is what each entity file declares to get a collection.
type entity[T domain.Record, D doc] struct {
	name    string // collection name
	kind    string
	fields  map[string]string
	lists   []string
	newDoc  func() D
	toDoc   func(T) D
	fromDoc func(D) T
}

func newCollection[T domain.Record, D doc](st *Store, e entity[T, D]) *collection[T, D] {
	coll, wcoll := st.db.Collection(e.name), st.wdb.Collection(e.name)
	return &collection[T, D]{
		st: st, coll: coll, wcoll: wcoll, kind: e.kind, fields: e.fields, lists: e.lists,
		newDoc: e.newDoc, toDoc: e.toDoc, fromDoc: e.fromDoc, derived: derivedKinds[e.name],
		replaces: groupcommit.New(replaceBatch, func(reqs []*replaceReq) error {
			return st.commitReplaces(wcoll, reqs)
		}),
	}
}

// intend notes in the change log, before a record the search index derives
// from is written, that it is about to change, and returns the context the
// write must finish in. This note is the only one: the service indexes the
// record itself after the write, and other processes read the note knowing
// that its write may land after they first see it (see the service's
// syncLocked). They read it again once it is old enough that its write has
// landed or never will; writeWindow, well inside that, bounds the write,
// waits for the write gate included. A process killed between the note and
// the write leaves a note whose write never happens, which is harmless:
// readers reread the record as it is. If the note cannot be written, neither
// is the record, so the index cannot silently miss it.
func (c *collection[T, D]) intend(ctx context.Context, id string) (context.Context, context.CancelFunc, error) {
	if c.derived == "" {
		return ctx, func() {}, nil
	}
	if err := c.st.RecordChange(ctx, c.derived, id); err != nil {
		return nil, nil, err
	}
	wctx, cancel := context.WithTimeout(ctx, writeWindow)
	return wctx, cancel, nil
}

// writeWindow bounds a write after its change note (intend). Readers trust a
// note's write to have landed or failed 30 s after it (the service's
// DefaultChangeSettle); ten leaves room for a server still finishing a write
// its client gave up on.
const writeWindow = 10 * time.Second

func byID(id string) bson.D { return bson.D{{Key: "_id", Value: id}} }

// Create implements domain.Collection.
func (c *collection[T, D]) Create(ctx context.Context, rec T) error {
	m := rec.RecordMeta()
	if m.ID == "" {
		return fmt.Errorf("create %s: record has no id", c.kind)
	}
	t := now()
	if m.CreatedAt.IsZero() {
		m.CreatedAt = t
	}
	if m.UpdatedAt.IsZero() {
		m.UpdatedAt = m.CreatedAt
	}
	m.CreatedAt, m.UpdatedAt = bsonTime(m.CreatedAt), bsonTime(m.UpdatedAt)
	m.Version = 1
	ctx, cancel, err := c.intend(ctx, m.ID)
	if err != nil {
		return err
	}
	defer cancel()
	d := c.toDoc(rec)
	if err := c.listsAdd(ctx, *new(D), d); err != nil {
		return err
	}
	done, err := c.st.writes.enterCtx(ctx)
	if err != nil {
		return translate(err, c.kind, "create "+c.kind)
	}
	_, err = c.wcoll.InsertOne(ctx, d)
	done()
	if mongo.IsDuplicateKeyError(err) && c.listed() {
		// Take back the entries added for this record, keeping the existing
		// record's (the same entry when its creation time is the same).
		if cur, gerr := c.getDoc(ctx, m.ID); gerr == nil {
			_ = c.listsRemove(ctx, d, cur)
		}
	}
	return translate(err, c.kind, "create "+c.kind)
}

// Get implements domain.Collection.
func (c *collection[T, D]) Get(ctx context.Context, id string) (T, error) {
	d, err := c.getDoc(ctx, id)
	if err != nil {
		var zero T
		return zero, err
	}
	return c.fromDoc(d), nil
}

// getDoc reads one document by primary key, the one read FerretDB answers
// without scanning the collection.
func (c *collection[T, D]) getDoc(ctx context.Context, id string) (D, error) {
	if domain.IsForWrite(ctx) {
		return c.baseDoc(ctx, id)
	}
	return c.readDoc(ctx, c.coll, id)
}

// baseDoc is getDoc for a write's own read of the record, under its lock: the
// version it checks and replaces. It goes the way of the gated writes
// (Store.wdb), in process on the embedded database, because the writer holds
// the record's lock through it and then joins the commit queue: over a socket
// it waited for the network poller like the writes did (package embedded's
// pipe.go).
func (c *collection[T, D]) baseDoc(ctx context.Context, id string) (D, error) {
	return c.readDoc(ctx, c.wcoll, id)
}

func (c *collection[T, D]) readDoc(ctx context.Context, coll *mongo.Collection, id string) (D, error) {
	d := c.newDoc()
	err := coll.FindOne(ctx, byID(id)).Decode(d)
	if err != nil {
		var zero D
		return zero, translate(err, c.kind, "get "+c.kind)
	}
	return d, nil
}

// Update implements domain.Collection.
func (c *collection[T, D]) Update(ctx context.Context, rec T) error {
	m := rec.RecordMeta()
	defer c.st.lock(m.ID)()
	var cur D
	var readAt time.Time
	if c.st.ferret {
		// See Store.ferret: check the version by primary key instead of in the
		// filter, which FerretDB would answer with a collection scan.
		var err error
		readAt = time.Now()
		if cur, err = c.baseDoc(ctx, m.ID); err != nil {
			return err
		}
	}
	return c.write(ctx, rec, cur, readAt)
}

// Modify implements domain.Collection. Under the record's lock, the document
// read for fn is the one the version is checked against on FerretDB: an edit
// reads the record once, not once to show fn and again to check (under
// scripts/load each read of an edit waited behind the searches for the CPU).
func (c *collection[T, D]) Modify(ctx context.Context, id string, fn func(T) error) (T, error) {
	var zero T
	defer c.st.lock(id)()
	readAt := time.Now()
	cur, err := c.baseDoc(ctx, id)
	if err != nil {
		return zero, err
	}
	// fromDoc copies the document's fields, so fn's edits leave cur as read:
	// the id lists are diffed against it.
	rec := c.fromDoc(cur)
	if err := fn(rec); err != nil {
		return zero, err
	}
	if rec.RecordMeta().ID != id {
		return zero, fmt.Errorf("modify %s %s: the id cannot change", c.kind, id)
	}
	if !c.st.ferret {
		cur = *new(D) // MongoDB checks the version in the replace's filter
	}
	if err := c.write(ctx, rec, cur, readAt); err != nil {
		return zero, err
	}
	return rec, nil
}

// write is Update's write, with cur the stored document read under the
// record's lock on FerretDB, from readAt on (nil and zero on MongoDB). The
// caller holds the lock.
func (c *collection[T, D]) write(ctx context.Context, rec T, cur D, readAt time.Time) error {
	m := rec.RecordMeta()
	base := baseRead{version: m.Version}
	if c.st.ferret {
		if cur.meta().Version != m.Version {
			return c.stale()
		}
		base.updatedAt, base.at = cur.meta().UpdatedAt, readAt
	}
	// On FerretDB the change note goes in the replace's own group commit
	// (replace.go): an edit then waits for one commit, not two in a row.
	noted := c.st.ferret && c.derived != ""
	if !noted {
		var cancel context.CancelFunc
		var err error
		if ctx, cancel, err = c.intend(ctx, m.ID); err != nil {
			return err
		}
		defer cancel()
	}
	d := c.toDoc(rec)
	dm := d.meta()
	dm.Version, dm.UpdatedAt = m.Version+1, now()
	if c.listed() {
		if err := c.listsAdd(ctx, cur, d); err != nil {
			return err
		}
	}
	ok, err := c.replace(ctx, d, base, noted)
	if c.listed() && err == nil {
		if ok {
			err = c.listsRemove(ctx, cur, d)
		} else {
			err = c.listsRemove(ctx, d, cur) // nothing written: take back what was added
		}
	}
	if err != nil {
		return err
	} else if !ok {
		// Nothing matched: tell a stale version from a deleted record.
		if _, err := c.baseDoc(ctx, m.ID); err != nil {
			return err
		}
		return c.stale()
	}
	m.Version, m.UpdatedAt = dm.Version, dm.UpdatedAt
	return nil
}

func (c *collection[T, D]) stale() error {
	return domain.Errorf(domain.EPRECONDITION, "The %s was changed by someone else; reload it and try again.", c.kind)
}

// replace writes d over the document read as base and reports whether one
// matched: on MongoDB one with base's version, on FerretDB one whose step
// from base this writer claimed. The caller holds the record's lock.
func (c *collection[T, D]) replace(ctx context.Context, d D, base baseRead, noted bool) (bool, error) {
	if c.st.ferret { // group-committed and claimed: see replace.go
		r := &replaceReq{ctx: ctx, id: d.meta().ID, doc: d, base: base}
		if noted {
			r.note = c.derived
		}
		for {
			if err := c.replaces.Do(r); err != nil {
				r.err = err
			}
			if !r.blocked || r.err != nil {
				return r.matched, translate(r.err, c.kind, "update "+c.kind)
			}
			// Another writer's claim, live or left by a crash: wait for it
			// here, outside the commit (claims.go).
			again, err := c.st.claims.await(ctx, c.wcoll, r)
			if !again || err != nil {
				return false, translate(err, c.kind, "update "+c.kind)
			}
			r.blocked = false
			d.meta().UpdatedAt = now() // written now, not when the wait began
		}
	}
	filter := append(byID(d.meta().ID), bson.E{Key: "version", Value: base.version})
	done, err := c.st.writes.enterCtx(ctx)
	if err != nil {
		return false, translate(err, c.kind, "update "+c.kind)
	}
	res, err := c.wcoll.ReplaceOne(ctx, filter, d)
	done()
	if err != nil {
		return false, translate(err, c.kind, "update "+c.kind)
	}
	return res.MatchedCount == 1, nil
}

// Delete implements domain.Collection.
func (c *collection[T, D]) Delete(ctx context.Context, id string) error {
	defer c.st.lock(id)()
	var cur D
	if c.listed() {
		// The listed fields say which lists to remove the record from.
		var err error
		if cur, err = c.baseDoc(ctx, id); err != nil {
			return err
		}
	}
	ctx, cancel, err := c.intend(ctx, id)
	if err != nil {
		return err
	}
	defer cancel()
	done, err := c.st.writes.enterCtx(ctx)
	if err != nil {
		return translate(err, c.kind, "delete "+c.kind)
	}
	res, err := c.wcoll.DeleteOne(ctx, byID(id))
	done()
	if err != nil {
		return translate(err, c.kind, "delete "+c.kind)
	} else if res.DeletedCount == 0 {
		return domain.NotFound(c.kind)
	}
	if c.listed() {
		return c.listsRemove(ctx, cur, *new(D))
	}
	return nil
}

// Find implements domain.Collection. Values must be strings or bools: the
// callers filter on ids, statuses and flags, and refusing anything else keeps
// operator documents out of the filter. On FerretDB a Where on a listed field
// is answered from the id lists (findListed, idlists.go) rather than a scan.
func (c *collection[T, D]) Find(ctx context.Context, q domain.Query) ([]T, int, error) {
	keys := make([]string, 0, len(q.Where))
	for k := range q.Where {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	filter := bson.D{}
	conds := make([]cond, 0, len(keys))
	for _, k := range keys {
		name, ok := c.fields[k]
		if !ok {
			return nil, 0, fmt.Errorf("find %s: field %q may not be filtered on", c.kind, k)
		}
		switch v := q.Where[k].(type) {
		case string, bool:
			filter = append(filter, bson.E{Key: name, Value: v})
			conds = append(conds, cond{field: k, name: name, value: v})
		default:
			return nil, 0, fmt.Errorf("find %s: field %q: unsupported value type %T", c.kind, k, v)
		}
	}
	if c.listed() && !c.st.scanFinds && len(conds) > 0 {
		out, total, ok, err := c.findListed(ctx, q, conds)
		if ok || err != nil {
			return out, total, err
		}
	}
	return c.findScan(ctx, q, filter)
}

// findScan is Find as a query: on MongoDB it uses the indexes made in
// Store.init; on FerretDB it scans the collection (twice: the count and the
// page), which is what the id lists avoid.
func (c *collection[T, D]) findScan(ctx context.Context, q domain.Query, filter bson.D) ([]T, int, error) {
	total, err := c.coll.CountDocuments(ctx, filter)
	if err != nil {
		return nil, 0, translate(err, c.kind, "count "+c.kind)
	}
	opts := options.Find().SetSort(bson.D{{Key: "createdAt", Value: -1}, {Key: "_id", Value: -1}})
	if q.Offset > 0 {
		opts.SetSkip(int64(q.Offset))
	}
	if q.Limit > 0 {
		opts.SetLimit(int64(q.Limit))
	}
	cur, err := c.coll.Find(ctx, filter, opts)
	if err != nil {
		return nil, 0, translate(err, c.kind, "find "+c.kind)
	}
	// Never nil: an empty page is sent to clients as [] (the API contract),
	// not null.
	out := []T{}
	err = c.drain(ctx, cur, func(rec T) error {
		out = append(out, rec)
		return nil
	})
	return out, int(total), err
}

// Each implements domain.Collection.
func (c *collection[T, D]) Each(ctx context.Context, fn func(T) error) error {
	opts := options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetBatchSize(1000)
	cur, err := c.coll.Find(ctx, bson.D{}, opts)
	if err != nil {
		return translate(err, c.kind, "list "+c.kind)
	}
	return c.drain(ctx, cur, fn)
}

// drain decodes every document of cur into fn and closes cur.
func (c *collection[T, D]) drain(ctx context.Context, cur *mongo.Cursor, fn func(T) error) error {
	defer cur.Close(context.WithoutCancel(ctx))
	for cur.Next(ctx) {
		d := c.newDoc()
		if err := cur.Decode(d); err != nil {
			return fmt.Errorf("decode %s: %w", c.kind, err)
		}
		if err := fn(c.fromDoc(d)); err != nil {
			return err
		}
	}
	return translate(cur.Err(), c.kind, "read "+c.kind)
}

// Count implements domain.Collection.
func (c *collection[T, D]) Count(ctx context.Context) (int, error) {
	n, err := c.st.count(ctx, c.coll)
	return int(n), translate(err, c.kind, "count "+c.kind)
}
