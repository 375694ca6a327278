package mongostore

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// Id lists answer Find on FerretDB without a collection scan.
//
// FerretDB answers every filter other than _id alone by reading and decoding
// the whole collection, then sorts and counts in memory. So for the fields an
// entity lists (entity.lists), the store keeps in the idlists collection one
// document per (collection, field, value):
//
//	{_id: "responses/challengeId/<value>", ids: ["<createdAt>/<id>", …]}
//
// Each entry is the record's creation time (milliseconds, as 16 hex digits
// that sort like the signed number) and its id, so sorting the entries gives
// exactly the order Find promises (createdAt, then _id), whatever order they
// were added in. Find reads the list documents of the listed fields in its
// Where by _id, intersects them, walks the entries newest first and reads the
// records by _id, keeping those that still match the whole Where and whose
// creation time is the entry's.
//
// Writes keep the lists a superset of the truth: an entry is added before the
// record is written (Create, an Update that changes a listed field, an Import
// that inserts) and removed only after the write that makes it wrong
// (Update, Delete). A process that stops between the two leaves an entry
// whose record is missing or no longer matches: readers skip it, so it costs
// a read and, until it is passed over, one in the total (see findListed).
// Entries are changed with $addToSet and $pullAll by _id, which FerretDB does as
// a read and a write; the write gate serialises them within a process, but
// between processes a window of one round trip remains, in which one
// process's change to a list document can undo another's. (Record writes
// claim their version step, claims.go; list changes are not claimed.)
//
// Lists are kept only on FerretDB; MongoDB answers the same queries from real
// indexes (Store.init). Lists are built at Open for records that predate them
// (buildLists), and a marker records for which listing they are complete.
//
// Listed fields must be strings stored without omitempty, so that a record
// without a list entry is one whose field differs from every listed value.
//
// Listed: responses by challengeId and smeId, notifications by userId, users
// by status and role, challenges by orgKey (the officer dashboard's list,
// service OrgChallenges). Everything else keeps the scanning query
// (findScan): Find without a Where (an admin's list of all challenges), a
// Where with no listed string field, and collections without lists, such as
// audit (small, read by admins only).
//
// Import inserts a batch with one InsertMany (insertBatch): it adds the
// batch's entries in a few bulk writes first and, once the records that
// already existed are known, takes theirs back (listsTakeBack).
//
// "Newest first" is creation order: createdAt descending, then _id
// descending, as the scanning query sorts; the entries carry createdAt so
// both orders agree even for records moved between lists or imported.
//
// Measured (BenchmarkFindResponsesByChallenge, the 20 responses to one
// challenge among 20k, 2 CPUs): 1.87 s/op scanning, 6.5 ms/op from the lists.
// BenchmarkOrgChallenges, a page of 10 of one organisation's 200 challenges
// among 20k: 3.7 s/op scanning, 5.9 ms/op from the lists; with a status,
// which no list holds, 4.1 s and 72 ms (each of the organisation's
// challenges is read to check its status; an organisation of more than
// verifyAllMax challenges keeps the scan). Building the challenges' lists at
// the first Open took 3.5 s. With the CPUs shared with another test run:
// 4.9 s and 9.9 ms, 5.5 s and 156 ms, 4.5 s.

const (
	idListsName = "idlists"
	// idListsMarker is the _id of the document saying the lists are complete
	// for the listing in its "listing" field (listingSignature).
	idListsMarker = "_complete"
	// verifyAllMax is the longest list Find reads in full to count the
	// records matching a Where that has fields no list covers; a longer one
	// falls back to the scanning query, whose total is exact.
	verifyAllMax = 2000
)

// listKey is the _id of the list of coll's records whose field is value.
func listKey(coll, field, value string) string { return coll + "/" + field + "/" + value }

// entryOf is the list entry of a record: its creation time, sortable as text,
// and its id.
func entryOf(m *metaDoc) string {
	return fmt.Sprintf("%016x/%s", uint64(m.CreatedAt.UnixMilli())^(1<<63), m.ID)
}

// entryID is the record id in an entry.
func entryID(e string) string { return e[17:] }

// listed reports whether c keeps id lists.
func (c *collection[T, D]) listed() bool {
	return c.st.ferret && len(c.lists) > 0
}

// entries returns, for each listed field of d holding a string, the key of its
// list and d's entry.
func (c *collection[T, D]) entries(d D) (map[string]string, error) {
	raw, err := bson.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.kind, err)
	}
	e := entryOf(d.meta())
	out := make(map[string]string, len(c.lists))
	for _, f := range c.lists {
		if v, ok := bson.Raw(raw).Lookup(c.fields[f]).StringValueOK(); ok {
			out[listKey(c.coll.Name(), f, v)] = e
		}
	}
	return out, nil
}

// listsAdd adds to their lists the entries of now that before lacks (before
// may be nil: a new record). Called before now is written.
func (c *collection[T, D]) listsAdd(ctx context.Context, before, now D) error {
	return c.listsDiff(ctx, now, before, "$addToSet")
}

// listsRemove removes from their lists the entries of before that now lacks
// (now may be nil: a deleted record). Called after now is written.
func (c *collection[T, D]) listsRemove(ctx context.Context, before, now D) error {
	return c.listsDiff(ctx, before, now, "$pullAll")
}

// listsDiff applies op to the entries of a that b (when not nil) lacks, in
// one bulk write: a response is on two lists, and one round trip through the
// write gate for both instead of one each took a write off every response's
// path (scripts/load).
func (c *collection[T, D]) listsDiff(ctx context.Context, a, b D, op string) error {
	if !c.listed() {
		return nil
	}
	ea, err := c.entries(a)
	if err != nil {
		return err
	}
	var eb map[string]string
	if any(b) != any(*new(D)) {
		if eb, err = c.entries(b); err != nil {
			return err
		}
	}
	acc := map[string][]string{}
	for key, e := range ea {
		if eb[key] != e {
			acc[key] = []string{e}
		}
	}
	return translate(c.st.updateLists(ctx, op, acc), c.kind, "update id list of "+c.kind)
}

// readList returns the entries of the list with key, in no particular order.
func (s *Store) readList(ctx context.Context, key string) ([]string, error) {
	var l struct {
		IDs []string `bson:"ids"`
	}
	err := s.idlists.FindOne(ctx, byID(key)).Decode(&l)
	if err == mongo.ErrNoDocuments {
		return nil, nil
	}
	return l.IDs, err
}

// cond is one equality of a Find's Where, by BSON name.
type cond struct {
	field, name string
	value       any
}

// matches reports whether d satisfies every cond, as the database's equality
// would: same type and value, a missing field matching nothing.
func matches(d doc, conds []cond) (bool, error) {
	raw, err := bson.Marshal(d)
	if err != nil {
		return false, err
	}
	for _, cd := range conds {
		rv, err := bson.Raw(raw).LookupErr(cd.name)
		if err != nil {
			return false, nil
		}
		switch v := cd.value.(type) {
		case string:
			if s, ok := rv.StringValueOK(); !ok || s != v {
				return false, nil
			}
		case bool:
			if b, ok := rv.BooleanOK(); !ok || b != v {
				return false, nil
			}
		default:
			return false, nil
		}
	}
	return true, nil
}

// findListed answers Find from the id lists. ok is false when no listed field
// of the Where can be used, or when the Where has unlisted fields and the
// candidates are too many to verify (more than verifyAllMax): the caller then
// runs the scanning query.
//
// The total: when every field of the Where is listed, the candidates (the
// intersection of the lists) are exactly the matching records, except entries
// left by a process stopped mid-write (see above). The walk verifies the
// entries up to the end of the page; the total is the number of candidates
// less those found dangling, which is exact once the walk reaches the end of
// the list and otherwise may count the few dangling entries beyond the page.
// When the Where has other fields, every candidate is read and the total is
// exact.
func (c *collection[T, D]) findListed(ctx context.Context, q domain.Query, conds []cond) (out []T, total int, ok bool, err error) {
	var cands []string
	used := 0
	for _, cd := range conds {
		v, isString := cd.value.(string)
		if !isString || !slices.Contains(c.lists, cd.field) {
			continue
		}
		l, err := c.st.readList(ctx, listKey(c.coll.Name(), cd.field, v))
		if err != nil {
			return nil, 0, false, translate(err, c.kind, "find "+c.kind)
		}
		if used == 0 {
			cands = l
		} else {
			cands = intersect(cands, l)
		}
		used++
	}
	if used == 0 {
		return nil, 0, false, nil
	}
	exact := used == len(conds)
	if !exact && len(cands) > verifyAllMax {
		return nil, 0, false, nil
	}
	slices.Sort(cands)
	slices.Reverse(cands)

	need := len(cands)
	if exact && q.Limit > 0 {
		need = min(q.Offset+q.Limit, len(cands))
	}
	var matched []D
	dangling, i := 0, 0
	for i < len(cands) && len(matched) < need {
		chunk := cands[i : i+min(len(cands)-i, max(need-len(matched), workers))]
		docs := make([]D, len(chunk))
		found := make([]bool, len(chunk))
		err := parallel(ctx, len(chunk), func(k int) error {
			d, err := c.getDoc(ctx, entryID(chunk[k]))
			if domain.ErrorCode(err) == domain.ENOTFOUND {
				return nil
			} else if err != nil {
				return err
			}
			docs[k], found[k] = d, true
			return nil
		})
		if err != nil {
			return nil, 0, false, err
		}
		for k, d := range docs {
			if !found[k] || entryOf(d.meta()) != chunk[k] {
				dangling++
				continue
			}
			m, err := matches(d, conds)
			if err != nil {
				return nil, 0, false, fmt.Errorf("find %s: %w", c.kind, err)
			}
			if m {
				matched = append(matched, d)
			} else {
				dangling++
			}
		}
		i += len(chunk)
	}
	if i == len(cands) {
		total = len(matched)
	} else {
		total = len(cands) - dangling
	}
	out = []T{}
	lo := min(q.Offset, len(matched))
	hi := len(matched)
	if q.Limit > 0 {
		hi = min(lo+q.Limit, hi)
	}
	for _, d := range matched[lo:hi] {
		out = append(out, c.fromDoc(d))
	}
	return out, total, true, nil
}

// intersect returns the entries of a also in b.
func intersect(a, b []string) []string {
	if len(b) < len(a) {
		a, b = b, a
	}
	in := make(map[string]bool, len(a))
	for _, e := range a {
		in[e] = true
	}
	var out []string
	for _, e := range b {
		if in[e] {
			out = append(out, e)
			delete(in, e)
		}
	}
	return out
}

// lister is a collection as buildLists sees it.
type lister interface {
	// listing names the listed fields ("responses.challengeId,…"), "" if none.
	listing() string
	// collectEntries adds every record's entries to acc, by list key.
	collectEntries(ctx context.Context, acc map[string][]string) error
}

func (c *collection[T, D]) listing() string {
	if len(c.lists) == 0 {
		return ""
	}
	return c.coll.Name() + "." + strings.Join(c.lists, ".")
}

func (c *collection[T, D]) collectEntries(ctx context.Context, acc map[string][]string) error {
	if len(c.lists) == 0 {
		return nil
	}
	return c.Each(ctx, func(rec T) error {
		es, err := c.entries(c.toDoc(rec))
		for key, e := range es {
			acc[key] = append(acc[key], e)
		}
		return err
	})
}

// buildLists makes the id lists complete for records written before they
// were kept (or before a field was listed): the marker names the listings
// the lists are complete for, and every collection whose listing it does not
// name is read once and all its entries added: the first Open after a
// collection gets lists reads that collection alone. Adding ($addToSet)
// rather than replacing keeps entries another process adds meanwhile. It
// runs at Open, on FerretDB only.
//
// A process of an older version still running beside a newer one (a rolling
// upgrade) does not keep the lists the newer one added; deleting the marker
// makes the next Open build them again.
func (s *Store) buildLists(ctx context.Context, colls []lister) error {
	var sig []string
	for _, c := range colls {
		if l := c.listing(); l != "" {
			sig = append(sig, l)
		}
	}
	listing := strings.Join(sig, ";")
	var marker struct {
		Listing string `bson:"listing"`
	}
	err := s.idlists.FindOne(ctx, byID(idListsMarker)).Decode(&marker)
	if err == nil && marker.Listing == listing {
		return nil
	} else if err != nil && err != mongo.ErrNoDocuments {
		return translate(err, "id list", "read id lists")
	}
	complete := map[string]bool{}
	if err == nil {
		for _, l := range strings.Split(marker.Listing, ";") {
			complete[l] = true
		}
	}
	acc := map[string][]string{}
	for _, c := range colls {
		if complete[c.listing()] {
			continue
		}
		if err := c.collectEntries(ctx, acc); err != nil {
			return err
		}
	}
	if err := s.updateLists(ctx, "$addToSet", acc); err != nil {
		return translate(err, "id list", "build id lists")
	}
	done := s.writes.enter()
	_, err = s.widlists.ReplaceOne(ctx, byID(idListsMarker), bson.D{{Key: "listing", Value: listing}}, options.Replace().SetUpsert(true))
	done()
	return translate(err, "id list", "build id lists")
}

const (
	// listBulk caps the list updates one bulk write holds (see
	// ferretBulkLimit); like replaceBatch it keeps clear of the limit, since
	// Import's bulk writes run beside the requests.
	listBulk = 32
	// listChunk caps the entries one bulk write of list updates carries
	// (about 40 bytes each), so a long list goes in several messages.
	listChunk = 5000
)

// updateLists applies op, "$addToSet" or "$pullAll", to the lists in acc
// (list key → entries), in bulk writes of at most listBulk updates and
// listChunk entries. Adding creates a missing list; removing from one does
// nothing.
func (s *Store) updateLists(ctx context.Context, op string, acc map[string][]string) error {
	var models []mongo.WriteModel
	size := 0
	flush := func() error {
		if len(models) == 0 {
			return nil
		}
		done, err := s.writes.enterCtx(ctx)
		if err != nil {
			return err
		}
		_, err = s.widlists.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
		done()
		models, size = nil, 0
		return err
	}
	for _, key := range slices.Sorted(maps.Keys(acc)) {
		es := acc[key]
		for i := 0; i < len(es); i += listChunk {
			chunk := es[i:min(i+listChunk, len(es))]
			if len(models) == listBulk || size+len(chunk) > listChunk {
				if err := flush(); err != nil {
					return err
				}
			}
			m := mongo.NewUpdateOneModel().SetFilter(byID(key))
			if op == "$addToSet" {
				m.SetUpdate(bson.D{{Key: op, Value: bson.D{{Key: "ids", Value: bson.D{{Key: "$each", Value: chunk}}}}}}).SetUpsert(true)
			} else {
				m.SetUpdate(bson.D{{Key: op, Value: bson.D{{Key: "ids", Value: chunk}}}})
			}
			models = append(models, m)
			size += len(chunk)
		}
	}
	return flush()
}

// listsAddAll adds the entries of ds to their lists in a few bulk writes:
// Import's insertBatch calls it before inserting ds.
func (c *collection[T, D]) listsAddAll(ctx context.Context, ds []D) error {
	return c.listsBatch(ctx, "$addToSet", ds, nil)
}

// listsTakeBack removes the entries listsAddAll added for ds, which were not
// inserted because their ids were taken, keeping those the stored records
// (stored, by id; a missing one has been deleted since) have too: the same
// entry when a record was inserted with the same id in the same millisecond.
func (c *collection[T, D]) listsTakeBack(ctx context.Context, ds []D, stored map[string]D) error {
	return c.listsBatch(ctx, "$pullAll", ds, stored)
}

// listsBatch applies op to the entries of ds, but for those the record of the
// same id in keep (when there is one) has too.
func (c *collection[T, D]) listsBatch(ctx context.Context, op string, ds []D, keep map[string]D) error {
	if !c.listed() {
		return nil
	}
	acc := map[string][]string{}
	for _, d := range ds {
		es, err := c.entries(d)
		if err != nil {
			return err
		}
		var kept map[string]string
		if cur, ok := keep[d.meta().ID]; ok {
			if kept, err = c.entries(cur); err != nil {
				return err
			}
		}
		for key, e := range es {
			if kept[key] != e {
				acc[key] = append(acc[key], e)
			}
		}
	}
	return translate(c.st.updateLists(ctx, op, acc), c.kind, "update id lists of "+c.kind)
}
