package search

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
	zapx "github.com/blevesearch/zapx/v17"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/groupcommit"
)

// Keys in the index's internal storage.
var (
	keyVersion = []byte("mapping_version")
	keyStamp   = []byte("stamp")
)

// Index is the bleve index behind domain.SearchIndex. It is safe for
// concurrent use.
type Index struct {
	idx    bleve.Index
	fresh  bool
	onDisk bool      // scorch persists it (in the background: see scorchConfig)
	an     *Analyzer // to drop query words every analyzer discards (stop words)

	mu    sync.RWMutex
	langs map[string]bool // languages of indexed records: the fields a query searches

	// writes group-commits Index and Remove (see commitWrites).
	writes *groupcommit.Group[write]
}

// write is one Index or Remove call waiting for its commit.
type write struct {
	b     *bleve.Batch
	langs map[string]bool // languages of the records b indexes
}

// maxWriteGroup caps how many calls one commit merges: a bleve batch is
// analysed and written as one segment, and past a few hundred small calls a
// bigger one gains nothing.
const maxWriteGroup = 256

var _ domain.SearchIndex = (*Index)(nil)

// Open opens the on-disk index at path, or creates it. An index that cannot be
// opened or read, or that was built with another mapping version, is removed and
// created afresh; Fresh then reports true and the caller rebuilds it from the
// store. Open refuses to remove a directory that does not look like an index.
func Open(path string) (*Index, error) {
	idx, err := openDisk(path)
	if err == nil {
		return newIndex(idx, false, true), nil
	}
	if isLocked(err) {
		return nil, fmt.Errorf("search: open %s: %w", path, err)
	}
	if !errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		if rmErr := removeIndexDir(path); rmErr != nil {
			return nil, fmt.Errorf("search: index unusable (%v), and %w", err, rmErr)
		}
	}
	idx, err = createDisk(path)
	if err != nil {
		return nil, err
	}
	return newIndex(idx, true, true), nil
}

// OpenMem returns an empty index in memory, for tests. It runs scorch, the same
// engine as Open, rather than bleve.NewMemOnly's older upsidedown engine, so
// tests see the scoring, facets and highlighting production has.
func OpenMem() (*Index, error) {
	idx, err := bleve.NewUsing("", newMapping(), scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("search: new in-memory index: %w", err)
	}
	if err := idx.SetInternal(keyVersion, []byte(mappingVersion)); err != nil {
		return nil, err
	}
	return newIndex(idx, true, false), nil
}

func newIndex(idx bleve.Index, fresh, onDisk bool) *Index {
	x := &Index{idx: idx, fresh: fresh, onDisk: onDisk, an: NewAnalyzer(), langs: map[string]bool{"en": true}}
	x.writes = groupcommit.New(maxWriteGroup, x.commitWrites)
	if !fresh {
		for _, lang := range languages {
			if n, err := x.countTerm(fieldLang, lang); err == nil && n > 0 {
				x.langs[lang] = true
			}
		}
	}
	return x
}

// Fresh reports whether Open created the index (none was there, or the old one
// was unusable or of another mapping version): the caller must rebuild it.
func (x *Index) Fresh() bool { return x.fresh }

// Close persists every write made so far and closes the index.
//
// Writes return once searchable, before they are on disk (see scorchConfig),
// and scorch's own Close drops what its persister has not written yet: an
// index closed cleanly came back without its last writes, stamp and even
// mapping version. So Close first writes an empty batch and waits until it is
// persisted, which means every earlier one is (see persistBatch). If that
// fails or takes too long the index is closed anyway: it is derived, and the
// next start's reconcile mends what it lacks.
func (x *Index) Close() error {
	var err error
	if x.onDisk {
		if err = persistBatch(x.idx, x.idx.NewBatch(), persistWait); err != nil {
			err = fmt.Errorf("search: persist before close: %w", err)
		}
	}
	return errors.Join(err, x.idx.Close())
}

// persistWait bounds the waits for scorch's persister (persistBatch). It only
// ever has the writes of the last moments to catch up with, so a wait this
// long means the disk is failing, not slow.
const persistWait = time.Minute

// persistBatch applies b and waits, at most within, until scorch has persisted
// it. The persister writes whole snapshots, in order, each holding everything
// introduced before it, so by then every batch applied before b is on disk too.
func persistBatch(idx bleve.Index, b *bleve.Batch, within time.Duration) error {
	// Called once, from the persister's loop, which must not block on it.
	persisted := make(chan error, 1)
	b.SetPersistedCallback(func(err error) { persisted <- err })
	if err := idx.Batch(b); err != nil {
		return err
	}
	t := time.NewTimer(within)
	defer t.Stop()
	select {
	case err := <-persisted:
		return err
	case <-t.C:
		return fmt.Errorf("not persisted after %v", within)
	}
}

// openDisk opens an existing index and checks that it is readable and of the
// current mapping version. Corrupt segments can panic inside bleve, so a panic
// counts as "unreadable" too.
func openDisk(path string) (idx bleve.Index, err error) {
	defer func() {
		if r := recover(); r != nil {
			if idx != nil {
				_ = idx.Close()
			}
			idx, err = nil, fmt.Errorf("search: index at %s is unreadable: %v", path, r)
		}
	}()
	idx, err = bleve.OpenUsing(path, scorchConfig())
	if err != nil {
		return nil, err
	}
	v, err := idx.GetInternal(keyVersion)
	if err == nil && string(v) != mappingVersion {
		err = fmt.Errorf("search: index at %s has mapping version %q, want %q", path, v, mappingVersion)
	}
	if err == nil {
		// Read something from every segment: a damaged one fails here rather
		// than in the first user's search.
		_, err = idx.Search(bleve.NewSearchRequestOptions(query.NewMatchAllQuery(), 1, 0, false))
	}
	if err != nil {
		_ = idx.Close()
		return nil, err
	}
	return idx, nil
}

// scorchConfig is the runtime configuration of the on-disk index.
//
// bolt_timeout: fail instead of blocking forever when another process holds
// the index.
//
// unsafe_batch: a batch returns once it is introduced (searchable), without
// waiting for scorch's persister to write it to disk. The index is derived
// from the store, and every start reconciles the two (the service's
// reconcile and unindexGone compare each record's version), so writes lost
// to a crash are re-indexed then; and what the persister has written is
// always a consistent snapshot, older rather than torn. Waiting for the
// persister had made every edit pay a segment file, a bolt commit and their
// fsyncs before it was acknowledged, one edit after another. Close and
// createDisk still wait for it (persistBatch): scorch's own Close drops what
// is not persisted yet.
//
// PersisterNapTimeMSec: the persister waits this long before each round, so
// the segments of the edits made meanwhile are merged in memory and written
// as one file instead of one file (and one merge later on) each. It bounds
// how far the disk is behind the searchable index, and adds at most as much
// to Close. Under BenchmarkIndexEdits' 80 edits/s on a 10k index, 100ms
// halved the index's CPU per edit (with 0, the merger still gets one file per
// edit to merge) and keeps searches looking in about as many segments as
// before; longer naps save more, but every search then looks in more small
// segments not yet written and merged: under scripts/load at 500 requests/s,
// a 1 s nap put the whole mix's median at 46 and 19 ms against 9 and 7 ms
// in the runs alternating with it.
//
// MaxSegmentsPerTier: the merger keeps at most two segment files per size
// tier instead of scorch's ten, for the same reason: every search sets up a
// term reader per segment for each of its terms, in each field it asks, and
// walks each segment's postings apart. Under scripts/load at 500 requests/s
// on 10k SMEs the index held 4-7 files (and 0-8 segments in memory, not yet
// persisted) with the default and 2-4 files with this. In nine pairs of runs
// alternating with the default, p99 of the whole mix was 76.7, 86.3, 68.4,
// 77.5, 59.7, 123.0, 111.7, 65.0 and 122.7 ms against 103.2, 100.9, 67.4,
// 15,900 (a run that fell behind and never caught up), 114.4, 102.5, 78.0,
// 78.9 and 120.0: lower in five pairs, higher in two, and the server's CPU
// was no higher, so the extra merging costs no more than the searches save.
// The opposite way, a FloorSegmentSize of 100 instead of 2000 had cost as
// much as a 250ms nap, by leaving twice the segments unmerged.
func scorchConfig() map[string]any {
	return map[string]any{
		"bolt_timeout":           "10s",
		"unsafe_batch":           true,
		"scorchPersisterOptions": map[string]any{"PersisterNapTimeMSec": 100},
		"scorchMergePlanOptions": map[string]any{"MaxSegmentsPerTier": 2},
	}
}

// zapx, bleve's segment format, sizes the buffer of each new segment for
// NewSegmentBufferNumResultsBump (100 by default) more documents than its
// batch holds, at the last segment's average document size: a guess made for
// bulk loads. An edit's batch holds a document or two, so each set aside
// about 400 KB it never used: a tenth of the server's allocation under
// scripts/load (21 of 220 MB/s), and so of its collections, each of which
// holds one of the two CPUs for tens of milliseconds. With a slack of one
// document the buffer fits an edit's batch, and a bigger batch grows it once
// or twice: bulk loads are no slower (BenchmarkIndex100k, batches of a
// rebuild: 3,953 and 3,878 docs/s against 3,784 and 3,594, the same bytes
// allocated within 0.5%). BenchmarkIndexEdits (paced=80/s): 0.91 MB allocated per edit,
// merges included, against 1.53. In runs alternating at 500 requests/s, in a
// slow phase of the machine: p99 124.6, 106.8 and 134.4 ms against 152.4,
// 138.0 and 182.2, then, slower still, 210.2, 241.2, 168.7, 109.5 and 174.6
// against 266.7, 315.9, 133.0, 161.1 and 162.2.
func init() { zapx.NewSegmentBufferNumResultsBump = 1 }

func createDisk(path string) (bleve.Index, error) {
	idx, err := bleve.NewUsing(path, newMapping(), scorch.Name, scorch.Name, scorchConfig())
	if err != nil {
		return nil, fmt.Errorf("search: create index at %s: %w", path, err)
	}
	// On disk before the index is used. Any snapshot the persister writes
	// later holds the version too, but were the process killed before the
	// first, the next Open would find an index of ours without a version,
	// throw it away and rebuild it from the store: safe, and slow.
	b := idx.NewBatch()
	b.SetInternal(keyVersion, []byte(mappingVersion))
	if err := persistBatch(idx, b, persistWait); err != nil {
		_ = idx.Close()
		return nil, fmt.Errorf("search: create index at %s: %w", path, err)
	}
	return idx, nil
}

// isLocked reports a bolt timeout: another process has the index open, which is
// no reason to throw it away.
func isLocked(err error) bool { return strings.Contains(err.Error(), "timeout") }

// removeIndexDir removes path if it is a bleve index directory (it holds
// index_meta.json or store/) or empty. Anything else is left alone: a mistyped
// data dir must not cost someone their files.
func removeIndexDir(path string) error {
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	} else if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory; not removing it", path)
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return err
	}
	ours := len(entries) == 0
	for _, e := range entries {
		if e.Name() == "index_meta.json" || e.Name() == "store" {
			ours = true
		}
	}
	if !ours {
		return fmt.Errorf("%s does not look like a search index; not removing it", path)
	}
	return os.RemoveAll(filepath.Clean(path))
}

// Index adds or replaces records. It returns once they are in a committed
// (searchable) batch, which it may share with concurrent Index and Remove
// calls: see commitWrites.
func (x *Index) Index(ctx context.Context, recs ...domain.Record) error {
	if len(recs) == 0 {
		return nil
	}
	b := x.idx.NewBatch()
	seen := map[string]bool{}
	for _, rec := range recs {
		if rec == nil {
			return errors.New("search: nil record")
		}
		kind, id, lang, doc, err := toDoc(rec)
		if err != nil {
			return err
		}
		// Mapping the document happens here, in the caller, so concurrent
		// callers do it in parallel; commitWrites only merges.
		d := document.NewDocument(docID(kind, id))
		if err := x.idx.Mapping().MapDocument(d, doc); err != nil {
			return fmt.Errorf("search: index %s %s: %w", kind, id, err)
		}
		rawDocValues(d)
		if err := b.IndexAdvanced(d); err != nil {
			return fmt.Errorf("search: index %s %s: %w", kind, id, err)
		}
		seen[lang] = true
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := x.writes.Do(write{b: b, langs: seen}); err != nil {
		return fmt.Errorf("search: index batch: %w", err)
	}
	return nil
}

// rawDocValues stores the document's doc values uncompressed. bleve
// compresses each field's doc values in chunks of about a thousand documents
// and a search decompresses every chunk its hits fall in, for every field it
// sorts or counts facets on: under scripts/load that was 40% of the time spent
// reading doc values. Uncompressed they take a few more bytes a record on disk
// (keys, deadline and the extra facets' values). The mapping has no setting
// for this, so the mapped fields are swapped for copies with the option.
func rawDocValues(d *document.Document) {
	for i, f := range d.Fields {
		t, ok := f.(*document.TextField)
		if !ok || !t.Options().IncludeDocValues() || t.Options().SkipDVCompression() {
			continue
		}
		d.Fields[i] = document.NewTextFieldCustom(t.Name(), t.ArrayPositions(), t.Value(),
			t.Options()|index.SkipDVCompression, t.Analyzer())
	}
}

// Remove deletes a record; removing one that is not there is not an error. It
// returns once the deletion is committed, like Index.
func (x *Index) Remove(ctx context.Context, kind, id string) error {
	if kinds[kind] == nil {
		return unknownKind(kind)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	b := x.idx.NewBatch()
	b.Delete(docID(kind, id))
	if err := x.writes.Do(write{b: b}); err != nil {
		return fmt.Errorf("search: remove %s %s: %w", kind, id, err)
	}
	return nil
}

// commitWrites applies the batches of concurrent Index and Remove calls as one
// bleve batch: one segment for all of them instead of one each in a row.
//
// Read-your-writes: bleve's Batch returns once the merged batch is introduced
// into the snapshot searches read (scorch's prepareSegment waits for that even
// with unsafe_batch), and every caller waits for the commit that holds its
// batch. So when Index or Remove returns, a search finds the change, as when
// each call had its own batch. It is not on disk yet: the persister writes it
// in the background, in order with every other batch (see scorchConfig).
//
// The batches are merged in the order the calls arrived, and a later
// operation on a document replaces an earlier one in the merged batch, so the
// outcome is the one applying them one by one in that order would give. (Two
// concurrent calls for one record were never ordered anyway; the change log's
// catch-up rereads the record from the store.)
func (x *Index) commitWrites(ws []write) error {
	b := ws[0].b
	if len(ws) > 1 {
		b = x.idx.NewBatch()
		for _, w := range ws {
			b.Merge(w.b)
		}
	}
	if err := x.idx.Batch(b); err != nil {
		return err
	}
	// Before the callers are released, so a search right after Index also
	// looks in the fields of a record's language.
	x.mu.Lock()
	for _, w := range ws {
		for lang := range w.langs {
			x.langs[lang] = true
		}
	}
	x.mu.Unlock()
	return nil
}

// Count is how many records of kind the index holds.
func (x *Index) Count(kind string) (int, error) {
	if kinds[kind] == nil {
		return 0, unknownKind(kind)
	}
	return x.countTerm(fieldKind, kind)
}

func (x *Index) countTerm(field, term string) (int, error) {
	q := query.NewTermQuery(term)
	q.SetField(field)
	res, err := x.idx.Search(bleve.NewSearchRequestOptions(q, 0, 0, false))
	if err != nil {
		return 0, fmt.Errorf("search: count: %w", err)
	}
	return int(res.Total), nil
}

// Stamp returns the marker last set with SetStamp, "" if none.
func (x *Index) Stamp() (string, error) {
	v, err := x.idx.GetInternal(keyStamp)
	if err != nil {
		return "", fmt.Errorf("search: read stamp: %w", err)
	}
	return string(v), nil
}

// SetStamp keeps v inside the index. Like a write, it returns once searches
// see it, before it is on disk, and that is enough: the stamp is the change
// log position whose changes the index has applied, and the persister writes
// it in a snapshot along with every write made before it. A crash can only
// leave an older stamp with the older writes, and a start then applies the
// changes since the older stamp again, which rereads each record from the
// store and so does no harm. Never a newer stamp without its writes.
func (x *Index) SetStamp(v string) error {
	if err := x.idx.SetInternal(keyStamp, []byte(v)); err != nil {
		return fmt.Errorf("search: write stamp: %w", err)
	}
	return nil
}

// activeLangs lists the languages of indexed records, English always.
func (x *Index) activeLangs() []string {
	x.mu.RLock()
	defer x.mu.RUnlock()
	out := make([]string, 0, len(x.langs))
	for _, l := range languages { // fixed order, so queries are deterministic
		if x.langs[l] {
			out = append(out, l)
		}
	}
	return out
}

func unknownKind(kind string) error {
	return &domain.Error{Code: domain.EINVALID, Message: "Unknown kind of record.",
		Fields: []domain.FieldError{{Field: "kind", Message: fmt.Sprintf("%q is not one of sme, challenge, course", kind)}}}
}
