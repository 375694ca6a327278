package match

import "container/heap"

// scored is a candidate and its score.
type scored struct {
	slot  uint32
	score float64
}

// topK keeps the k highest scores seen, in a min-heap of fixed capacity, so
// choosing 10 of 100,000 costs O(n log k) and no sort of the whole corpus. Ties
// keep the lower slot, for a stable order.
type topK struct {
	k int
	h minHeap
}

func newTopK(k int) *topK { return &topK{k: k, h: make(minHeap, 0, k)} }

func (t *topK) push(slot uint32, score float64) {
	if len(t.h) < t.k {
		heap.Push(&t.h, scored{slot, score})
		return
	}
	if t.h.less(t.h[0], scored{slot, score}) {
		t.h[0] = scored{slot, score}
		heap.Fix(&t.h, 0)
	}
}

// sorted returns the kept candidates, best first; t is empty afterwards.
func (t *topK) sorted() []scored {
	out := make([]scored, len(t.h))
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = heap.Pop(&t.h).(scored)
	}
	return out
}

type minHeap []scored

// less orders worse first: lower score, or on a tie the higher slot.
func (minHeap) less(a, b scored) bool {
	if a.score != b.score {
		return a.score < b.score
	}
	return a.slot > b.slot
}
func (h minHeap) Len() int           { return len(h) }
func (h minHeap) Less(i, j int) bool { return h.less(h[i], h[j]) }
func (h minHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *minHeap) Push(x any)        { *h = append(*h, x.(scored)) }
func (h *minHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
