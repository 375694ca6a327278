package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// Embeddings are computed by one background worker (RunEmbeddings), never on
// a request's path: writes only add the record's key to a set of pending keys,
// under a mutex the worker never holds across I/O. The worker embeds pending
// records in batches, stores each vector in MongoDB with the model name and the
// SHA-256 of the text embedded, and hands it to the matcher. A vector is reused
// — from memory, from the store, or from another process that stored it —
// whenever the model and hash match, so unchanged text is never embedded twice.
//
// When the endpoint fails the worker backs off (doubling, capped) and keeps
// the keys pending; meanwhile records without a vector rank lexically and say
// so (Explanation.Mode), and nothing waits. A record whose text changed loses
// its old vector as soon as the write is noted, since a vector of other words
// would rank it wrongly.

// EmbedOptions tune the embedding worker; zero fields take the defaults.
type EmbedOptions struct {
	// Batch is how many records one round embeds (default 64: one request).
	Batch int
	// RetryMin is the first wait after a failed round (default 1s); each
	// further failure doubles it up to RetryMax (default 1m).
	RetryMin, RetryMax time.Duration
}

func (o EmbedOptions) withDefaults() EmbedOptions {
	if o.Batch <= 0 {
		o.Batch = 64
	}
	if o.RetryMin <= 0 {
		o.RetryMin = time.Second
	}
	if o.RetryMax < o.RetryMin {
		o.RetryMax = max(time.Minute, o.RetryMin)
	}
	return o
}

type embedKey struct{ kind, id string }

type textHash = [sha256.Size]byte

// embedState is the worker's shared state; the zero value is a stopped worker.
type embedState struct {
	mu       sync.Mutex
	running  bool
	ready    bool
	pending  map[embedKey]struct{}
	inFlight int
	// known holds the hash of the text whose vector the matcher has, per
	// record: a write whose text hashes the same needs no work.
	known    map[embedKey]textHash
	wake     chan struct{}
	embedded int64
	failures int64
}

// EmbeddingStats describe the embedding worker, for metrics and tests.
type EmbeddingStats struct {
	// Running is true while RunEmbeddings runs with an embedder configured.
	Running bool `json:"running"`
	// Ready is true once stored vectors are loaded and every record checked.
	Ready bool `json:"ready"`
	// Queue is how many records wait for a vector or are being embedded.
	Queue int `json:"queue"`
	// Vectors is how many records have a current vector in the matcher.
	Vectors int `json:"vectors"`
	// Embedded counts texts sent to the endpoint; Failures, failed rounds.
	Embedded int64 `json:"embedded"`
	Failures int64 `json:"failures"`
}

// EmbeddingStats reports the worker's state.
func (s *Service) EmbeddingStats() EmbeddingStats {
	e := &s.emb
	e.mu.Lock()
	defer e.mu.Unlock()
	return EmbeddingStats{Running: e.running, Ready: e.ready, Queue: len(e.pending) + e.inFlight,
		Vectors: len(e.known), Embedded: e.embedded, Failures: e.failures}
}

// EmbeddingQueue is how many records wait for a vector (0 when embeddings are
// off).
func (s *Service) EmbeddingQueue() int { return s.EmbeddingStats().Queue }

// embedLater notes records just written (or reloaded) whose text may need a
// vector. It never blocks on I/O, so it is safe on a request's path. Until the
// worker runs it does nothing: the worker checks every record when it starts.
func (s *Service) embedLater(kind string, recs ...domain.Record) {
	e := &s.emb
	if !s.embedder.Enabled() || !e.isRunning() {
		return
	}
	hashes := make([]textHash, len(recs))
	for i, r := range recs {
		hashes[i] = sha256.Sum256([]byte(EmbeddingText(r)))
	}
	var stale []string
	e.mu.Lock()
	if e.running {
		for i, r := range recs {
			k := embedKey{kind, r.RecordMeta().ID}
			h, ok := e.known[k]
			if ok && h == hashes[i] {
				continue
			}
			e.pending[k] = struct{}{}
			if ok {
				delete(e.known, k)
				stale = append(stale, k.id)
			}
		}
	}
	e.mu.Unlock()
	// The old vector describes other words: rank lexically until the new one
	// comes.
	for _, id := range stale {
		s.matcher.SetVector(kind, id, nil)
	}
	e.signal()
}

// embedGone notes a deleted record, so the worker drops its stored vector.
func (s *Service) embedGone(kind, id string) {
	e := &s.emb
	if !s.embedder.Enabled() {
		return
	}
	e.mu.Lock()
	if e.running {
		e.pending[embedKey{kind, id}] = struct{}{}
	}
	e.mu.Unlock()
	e.signal()
}

func (e *embedState) isRunning() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.running
}

// signal wakes the worker without waiting: a wake-up already pending covers
// this one too.
func (e *embedState) signal() {
	e.mu.Lock()
	w := e.wake
	e.mu.Unlock()
	if w != nil {
		select {
		case w <- struct{}{}:
		default:
		}
	}
}

// RunEmbeddings computes and stores embeddings until ctx ends. At start it
// loads the stored vectors of the current model into the matcher and queues
// every record without a current one; then it embeds what writes queue. With
// no embedder configured it returns at once: ranking is lexical.
func (s *Service) RunEmbeddings(ctx context.Context) {
	if !s.embedder.Enabled() {
		s.log.Info("embeddings are not configured; ranking is lexical")
		return
	}
	opts := s.Embed.withDefaults()
	e := &s.emb
	e.mu.Lock()
	if e.running {
		e.mu.Unlock()
		s.log.Error("embedding worker already running")
		return
	}
	e.running, e.ready = true, false
	e.pending, e.known = map[embedKey]struct{}{}, map[embedKey]textHash{}
	e.wake = make(chan struct{}, 1)
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		e.running, e.ready, e.pending, e.inFlight, e.wake = false, false, nil, 0, nil
		e.mu.Unlock()
	}()

	b := backoff{min: opts.RetryMin, max: opts.RetryMax}
	for {
		err := s.loadEmbeddings(ctx)
		if err == nil {
			break
		}
		s.embedFailed(err, "load stored embeddings", &b)
		if !b.wait(ctx) {
			return
		}
	}
	e.mu.Lock()
	e.ready = true
	e.mu.Unlock()
	s.log.Info("embeddings loaded", "model", s.embedder.Model(), "vectors", s.EmbeddingStats().Vectors, "queue", s.EmbeddingQueue())

	for {
		if s.EmbeddingQueue() == 0 {
			select {
			case <-ctx.Done():
				return
			case <-e.wake:
			}
		}
		if err := s.embedRound(ctx, opts.Batch); err != nil {
			if ctx.Err() != nil {
				return
			}
			s.embedFailed(err, "embed records", &b)
			if !b.wait(ctx) {
				return
			}
			continue
		}
		b.reset()
	}
}

func (s *Service) embedFailed(err error, what string, b *backoff) {
	e := &s.emb
	e.mu.Lock()
	e.failures++
	e.mu.Unlock()
	s.log.Warn(what+"; ranking stays lexical for records without a vector", "err", err,
		"retry_in", b.next().String(), "queue", s.EmbeddingQueue())
}

// loadEmbeddings reads the hash of every record's text, then streams the
// stored embeddings: a vector of the current model whose hash matches is put in
// the matcher; every other record is queued, and embeddings of deleted records
// are queued for removal.
func (s *Service) loadEmbeddings(ctx context.Context) error {
	current := map[embedKey]textHash{}
	note := func(kind string, r domain.Record) error {
		current[embedKey{kind, r.RecordMeta().ID}] = sha256.Sum256([]byte(EmbeddingText(r)))
		return nil
	}
	if err := s.store.SMEs().Each(ctx, func(r *domain.SME) error { return note(domain.KindSME, r) }); err != nil {
		return err
	}
	if err := s.store.Challenges().Each(ctx, func(r *domain.Challenge) error { return note(domain.KindChallenge, r) }); err != nil {
		return err
	}
	if err := s.store.Courses().Each(ctx, func(r *domain.Course) error { return note(domain.KindCourse, r) }); err != nil {
		return err
	}
	model := s.embedder.Model()
	loaded := map[embedKey]textHash{}
	var orphans []embedKey
	err := s.store.Embeddings().Each(ctx, func(m *domain.Embedding) error {
		if m.Model != model {
			return nil
		}
		k := embedKey{m.Kind, m.RecordID}
		h, ok := current[k]
		switch {
		case !ok:
			orphans = append(orphans, k)
		case len(m.Vector) > 0 && m.Hash == hex.EncodeToString(h[:]):
			s.matcher.SetVector(k.kind, k.id, m.Vector)
			loaded[k] = h
		}
		return nil
	})
	if err != nil {
		return err
	}
	e := &s.emb
	e.mu.Lock()
	defer e.mu.Unlock()
	for k, h := range loaded {
		e.known[k] = h
	}
	for k := range current {
		if _, ok := loaded[k]; !ok {
			e.pending[k] = struct{}{}
		}
	}
	for _, k := range orphans {
		e.pending[k] = struct{}{}
	}
	return nil
}

// embedItem is a record whose current text has no vector yet.
type embedItem struct {
	key  embedKey
	text string
	hash textHash
}

// embedRound takes up to n pending keys and brings their vectors up to date.
// On failure the keys go back to the queue.
func (s *Service) embedRound(ctx context.Context, n int) error {
	e := &s.emb
	e.mu.Lock()
	keys := make([]embedKey, 0, min(n, len(e.pending)))
	for k := range e.pending {
		if len(keys) == n {
			break
		}
		keys = append(keys, k)
		delete(e.pending, k)
	}
	e.inFlight = len(keys)
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		e.inFlight = 0
		e.mu.Unlock()
	}()

	items, gone, err := s.embedCheck(ctx, keys)
	if err == nil {
		err = s.forgetEmbeddings(ctx, gone)
	}
	if err == nil {
		err = s.embedItems(ctx, items)
	}
	if err != nil {
		e.mu.Lock()
		for _, k := range keys {
			e.pending[k] = struct{}{}
		}
		e.mu.Unlock()
	}
	return err
}

// embedCheck reads the records behind keys and sorts them: items still need a
// vector, gone were deleted. A record whose stored vector (from an earlier run
// or another process) matches its text gets that vector without a call.
func (s *Service) embedCheck(ctx context.Context, keys []embedKey) (items []embedItem, gone []embedKey, err error) {
	byKind := map[string][]string{}
	for _, k := range keys {
		byKind[k.kind] = append(byKind[k.kind], k.id)
	}
	var cands []embedItem
	check := func(kind string, ids []string, recs []domain.Record, found []bool) {
		for i, id := range ids {
			k := embedKey{kind, id}
			if !found[i] {
				gone = append(gone, k)
				continue
			}
			text := EmbeddingText(recs[i])
			cands = append(cands, embedItem{key: k, text: text, hash: sha256.Sum256([]byte(text))})
		}
	}
	for kind, ids := range byKind {
		var recs []domain.Record
		var found []bool
		switch kind {
		case domain.KindSME:
			recs, found, err = loadRecords(ctx, s.store.SMEs(), ids)
		case domain.KindChallenge:
			recs, found, err = loadRecords(ctx, s.store.Challenges(), ids)
		case domain.KindCourse:
			recs, found, err = loadRecords(ctx, s.store.Courses(), ids)
		default:
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		check(kind, ids, recs, found)
	}

	// Drop what is current already; look the rest up in the store.
	e := &s.emb
	e.mu.Lock()
	fresh := cands[:0]
	for _, c := range cands {
		if h, ok := e.known[c.key]; !ok || h != c.hash {
			fresh = append(fresh, c)
		}
	}
	e.mu.Unlock()
	model := s.embedder.Model()
	ids := make([]string, len(fresh))
	for i, c := range fresh {
		ids[i] = embeddingID(c.key, model)
	}
	stored, found, err := loadAll(ctx, s.store.Embeddings(), ids)
	if err != nil {
		return nil, nil, err
	}
	for i, c := range fresh {
		if found[i] && stored[i].Model == model && stored[i].Hash == hex.EncodeToString(c.hash[:]) && len(stored[i].Vector) > 0 {
			s.setVector(c.key, c.hash, stored[i].Vector)
			continue
		}
		s.dropVector(c.key)
		items = append(items, c)
	}
	return items, gone, nil
}

func loadRecords[T domain.Record](ctx context.Context, c domain.Collection[T], ids []string) ([]domain.Record, []bool, error) {
	recs, found, err := loadAll(ctx, c, ids)
	if err != nil {
		return nil, nil, err
	}
	out := make([]domain.Record, len(recs))
	for i, r := range recs {
		out[i] = r
	}
	return out, found, nil
}

// embedItems embeds the items' texts in one call, stores the vectors in one
// batched write and then gives them to the matcher, so a vector the matcher
// uses is always one a restart finds again.
func (s *Service) embedItems(ctx context.Context, items []embedItem) error {
	if len(items) == 0 {
		return nil
	}
	texts := make([]string, len(items))
	for i, it := range items {
		texts[i] = it.text
	}
	vecs, err := s.embedder.Embed(ctx, texts)
	if err != nil {
		return err
	}
	if len(vecs) != len(items) {
		return domain.Errorf(domain.EUNAVAILABLE, "The embedding service returned %d vectors for %d texts.", len(vecs), len(items))
	}
	e := &s.emb
	e.mu.Lock()
	e.embedded += int64(len(items))
	e.mu.Unlock()
	model := s.embedder.Model()
	recs := make([]*domain.Embedding, len(items))
	for i, it := range items {
		recs[i] = &domain.Embedding{
			Meta: domain.Meta{ID: embeddingID(it.key, model)},
			Kind: it.key.kind, RecordID: it.key.id, Model: model,
			Hash: hex.EncodeToString(it.hash[:]), Vector: vecs[i],
		}
	}
	if _, err := s.store.Embeddings().Import(ctx, recs); err != nil {
		return err
	}
	for i, it := range items {
		s.setVector(it.key, it.hash, vecs[i])
	}
	return nil
}

// forgetEmbeddings drops the vectors of deleted records, in the matcher and
// in the store.
func (s *Service) forgetEmbeddings(ctx context.Context, gone []embedKey) error {
	model := s.embedder.Model()
	for _, k := range gone {
		// Unconditionally: a round may have set it just as the record went.
		s.dropVector(k)
		s.matcher.SetVector(k.kind, k.id, nil)
		if err := s.store.Embeddings().Delete(ctx, embeddingID(k, model)); err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
			return err
		}
	}
	return nil
}

func (s *Service) setVector(k embedKey, h textHash, v []float32) {
	s.matcher.SetVector(k.kind, k.id, v)
	e := &s.emb
	e.mu.Lock()
	e.known[k] = h
	e.mu.Unlock()
}

func (s *Service) dropVector(k embedKey) {
	e := &s.emb
	e.mu.Lock()
	_, had := e.known[k]
	delete(e.known, k)
	e.mu.Unlock()
	if had {
		s.matcher.SetVector(k.kind, k.id, nil)
	}
}

// embeddingID is the stored embedding's id: one per record and model, so a
// new vector replaces the old one and models never overwrite each other.
func embeddingID(k embedKey, model string) string {
	return domain.KeyID("embedding", k.kind+"/"+k.id+"/"+model)
}

// backoff is a doubling wait, capped.
type backoff struct {
	min, max, cur time.Duration
}

func (b *backoff) next() time.Duration {
	if b.cur == 0 {
		return b.min
	}
	return b.cur
}

// wait sleeps for the next interval and doubles it; false when ctx ended.
func (b *backoff) wait(ctx context.Context) bool {
	d := b.next()
	b.cur = min(2*d, b.max)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (b *backoff) reset() { b.cur = 0 }
