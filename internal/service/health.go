package service

import (
	"context"
)

// These report the state of the derived indexes for monitoring. They read
// what is already at hand (the index's own stamp and counts, the change
// counter by key), so a scrape every few seconds costs no scan.

// IndexSeq returns the store's change sequence that the search index and the
// matcher have read up to, and the store's head: head − synced is how far they
// lag behind writes. This process's own writes are indexed at once but counted
// as read at the next sync (every couple of seconds), and other processes'
// are read once they are a moment old (ChangeSight), so a lag that stays above
// zero means other processes' writes not caught up.
//
// It reads a counter the sync loop sets, and does not wait behind a sync in
// progress, which may be a full reload.
func (s *Service) IndexSeq(ctx context.Context) (synced, head int64, err error) {
	_, head, err = s.store.Changes(ctx, -1)
	if err != nil {
		return 0, 0, err
	}
	return s.readSeq.Load(), head, nil
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
