// Package ratelimit counts events per key in fixed windows, in memory, with a
// bound on how many keys it keeps. The service uses it to slow down password
// guessing (per account and per client address); it imports only the standard
// library, so the JSON API and the web sign-in form share one limiter.
//
// The counts live in one process. Several serve processes behind a load
// balancer each apply the limits on their own, so an attacker spreading
// attempts over N processes gets up to N times the allowance; the password
// hash cost still bounds what that buys.
package ratelimit

import (
	"container/list"
	"net/netip"
	"sync"
	"time"
)

// DefaultMaxKeys bounds the keys a Limiter keeps: about 100 bytes each, so
// some 10 MB however many addresses or emails an attacker makes up.
const DefaultMaxKeys = 100_000

// Limiter allows Limit events per key in a window of Window that starts with
// the key's first event. It is safe for concurrent use.
//
// A fixed window that starts at a key's first event (rather than a sliding
// log) keeps one counter per key and gives a client an exact Retry-After: the
// moment its window ends.
type Limiter struct {
	Limit   int
	Window  time.Duration
	MaxKeys int // 0 means DefaultMaxKeys
	now     func() time.Time

	mu sync.Mutex
	m  map[string]*list.Element
	// order holds the entries by window start, oldest first, so expired
	// entries are swept from the front and, when full, the oldest is evicted.
	order list.List
}

type entry struct {
	key   string
	start time.Time
	n     int
}

// New returns a limiter of limit events per window. now is the clock
// (time.Now when nil); tests pass their own to cross a window without sleeping.
func New(limit int, window time.Duration, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{Limit: limit, Window: window, now: now, m: map[string]*list.Element{}}
}

// Blocked reports whether key has used up its window, and if so how long
// until it may try again. It counts nothing.
func (l *Limiter) Blocked(key string) (retryAfter time.Duration, blocked bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	e := l.get(key, now)
	if e == nil || e.n < l.Limit {
		return 0, false
	}
	return e.start.Add(l.Window).Sub(now), true
}

// Hit counts one event for key and reports, like Blocked, whether the key is
// now over its limit: the event that uses up the allowance is still allowed.
func (l *Limiter) Hit(key string) (retryAfter time.Duration, blocked bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	e := l.get(key, now)
	if e == nil {
		l.sweep(now)
		e = &entry{key: key, start: now}
		l.m[key] = l.order.PushBack(e)
	}
	if e.n >= l.Limit {
		return e.start.Add(l.Window).Sub(now), true
	}
	e.n++
	return 0, false
}

// Reset forgets key (a successful sign-in clears its failures).
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if el, ok := l.m[key]; ok {
		l.order.Remove(el)
		delete(l.m, key)
	}
}

// Len is the number of keys held.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.m)
}

// get returns key's entry, dropping it when its window has passed.
func (l *Limiter) get(key string, now time.Time) *entry {
	el, ok := l.m[key]
	if !ok {
		return nil
	}
	e := el.Value.(*entry)
	if !now.Before(e.start.Add(l.Window)) {
		l.order.Remove(el)
		delete(l.m, key)
		return nil
	}
	return e
}

// sweep drops expired entries and, when the limiter is still full, the
// oldest live one. Evicting a live entry forgets some key's count early; that
// beats refusing everyone once a flood of made-up keys has filled the map.
func (l *Limiter) sweep(now time.Time) {
	for f := l.order.Front(); f != nil; f = l.order.Front() {
		e := f.Value.(*entry)
		if now.Before(e.start.Add(l.Window)) {
			break
		}
		l.order.Remove(f)
		delete(l.m, e.key)
	}
	max := l.MaxKeys
	if max <= 0 {
		max = DefaultMaxKeys
	}
	for len(l.m) >= max {
		f := l.order.Front()
		l.order.Remove(f)
		delete(l.m, f.Value.(*entry).key)
	}
}

// AddrKey is the key for a client address: the address itself for IPv4, and
// its /64 network for IPv6, because one subscriber usually holds a whole /64
// and could otherwise pick a fresh address for every attempt. Anything that
// does not parse is used as it is.
func AddrKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is4() {
		return ip.String()
	}
	p, err := ip.Prefix(64)
	if err != nil {
		return addr
	}
	return p.String()
}
