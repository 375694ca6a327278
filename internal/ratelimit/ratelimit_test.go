package ratelimit

import (
	"fmt"
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestLimiter_Window(t *testing.T) {
	c := &clock{t: time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC)}
	l := New(3, time.Minute, c.now)
	for i := 0; i < 3; i++ {
		if _, blocked := l.Hit("a"); blocked {
			t.Fatalf("hit %d blocked", i+1)
		}
		c.t = c.t.Add(10 * time.Second)
	}
	// 30 s into the window, three events used: blocked for the other 30 s.
	if d, blocked := l.Blocked("a"); !blocked || d != 30*time.Second {
		t.Fatalf("Blocked = %v, %v; want 30s, true", d, blocked)
	}
	if d, blocked := l.Hit("a"); !blocked || d != 30*time.Second {
		t.Fatalf("fourth Hit = %v, %v; want 30s, true", d, blocked)
	}
	if _, blocked := l.Blocked("b"); blocked {
		t.Fatal("another key is blocked")
	}
	c.t = c.t.Add(30 * time.Second)
	if _, blocked := l.Blocked("a"); blocked {
		t.Fatal("still blocked after the window")
	}
	if _, blocked := l.Hit("a"); blocked {
		t.Fatal("new window starts blocked")
	}
}

func TestLimiter_Reset(t *testing.T) {
	l := New(1, time.Hour, nil)
	l.Hit("a")
	if _, blocked := l.Blocked("a"); !blocked {
		t.Fatal("not blocked after the limit")
	}
	l.Reset("a")
	if _, blocked := l.Blocked("a"); blocked {
		t.Fatal("blocked after Reset")
	}
}

func TestLimiter_Bounded(t *testing.T) {
	c := &clock{t: time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC)}
	l := New(1, time.Minute, c.now)
	l.MaxKeys = 100
	for i := 0; i < 1000; i++ {
		l.Hit(fmt.Sprint(i))
		c.t = c.t.Add(time.Millisecond)
	}
	if n := l.Len(); n != 100 {
		t.Fatalf("Len = %d, want 100", n)
	}
	// The newest keys survive; the oldest were evicted.
	if _, blocked := l.Blocked("999"); !blocked {
		t.Error("newest key forgotten")
	}
	if _, blocked := l.Blocked("0"); blocked {
		t.Error("oldest key kept")
	}
	// Expired entries go first, live or not full.
	c.t = c.t.Add(time.Minute)
	l.Hit("x")
	if n := l.Len(); n != 1 {
		t.Fatalf("Len after expiry = %d, want 1", n)
	}
}

func TestAddrKey(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.7":            "192.0.2.7",
		"::ffff:192.0.2.7":     "192.0.2.7",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1": "2001:db8:1:2::/64",
		"fe80::1%eth0":         "fe80::/64",
		"not an address":       "not an address",
	} {
		if got := AddrKey(in); got != want {
			t.Errorf("AddrKey(%q) = %q, want %q", in, got, want)
		}
	}
}
