package service

import (
	"context"
	"strconv"
)

// These report the state of the derived indexes for monitoring. They read
// what is already at hand (the index's own stamp and counts, the change
// counter by key), so a scrape every few seconds costs no scan.

// IndexSeq returns the store's change sequence that the search index and the
// matcher have applied, and the store's head: head − synced is how far they lag
// behind writes. This process's own writes are indexed at once but counted as
// applied at the next sync (every couple of seconds), so a lag that stays
// above zero means other processes' writes or failed indexing not caught up.
//
// It reads the index's stamp rather than the sync loop's counter: the stamp is
// written whenever that counter moves, and reading it does not wait behind a
// sync in progress, which may be a full reload.
func (s *Service) IndexSeq(ctx context.Context) (synced, head int64, err error) {
	_, head, err = s.store.Changes(ctx, -1)
	if err != nil {
		return 0, 0, err
	}
	stamp, err := s.index.Stamp()
	if err != nil {
		return 0, 0, err
	}
	if stamp == "" {
		return 0, head, nil
	}
	synced, err = strconv.ParseInt(stamp, 10, 64)
	return synced, head, err
}

// IndexCounts returns how many records of each kind the search index holds.
func (s *Service) IndexCounts() (map[string]int, error) {
	out := make(map[string]int, len(Kinds))
	for _, k := range Kinds {
		n, err := s.index.Count(k)
		if err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, nil
}
