package service

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/ratelimit"
)

// Limits bound password guessing. Sign-in and sign-up attempts are counted
// per account (email) and per client address, in this process's memory (see
// package ratelimit for what that means with several processes).
//
// The per-account limit is what stops a guesser aiming at one account: five
// tries per quarter hour is some 500 a day, hopeless against any password
// domain.ValidatePassword accepts, and few enough that a person who mistypes
// hardly meets it. It counts every attempt and a success clears it, so parallel
// requests cannot slip extra guesses past the count. The per-address limit
// stops one client spraying guesses over many accounts; it counts successes
// too, and twenty a minute leaves room for a shared office address. With
// argon2id at ~75 ms, twenty attempts a minute is about 2.5% of one core, so
// the limit, not the CPU, is what an attacker meets.
type Limits struct {
	// AttemptsPerEmail sign-in (or sign-up, or password change) attempts
	// per account in EmailWindow, counted until one succeeds.
	AttemptsPerEmail int
	EmailWindow      time.Duration
	// AttemptsPerAddr attempts of any kind per client address in AddrWindow.
	AttemptsPerAddr int
	AddrWindow      time.Duration
}

// DefaultLimits are the production limits.
var DefaultLimits = Limits{AttemptsPerEmail: 5, EmailWindow: 15 * time.Minute, AttemptsPerAddr: 20, AddrWindow: time.Minute}

type limiters struct {
	email, addr *ratelimit.Limiter
}

func newLimiters(l Limits, now func() time.Time) limiters {
	d := DefaultLimits
	if l.AttemptsPerEmail <= 0 {
		l.AttemptsPerEmail = d.AttemptsPerEmail
	}
	if l.EmailWindow <= 0 {
		l.EmailWindow = d.EmailWindow
	}
	if l.AttemptsPerAddr <= 0 {
		l.AttemptsPerAddr = d.AttemptsPerAddr
	}
	if l.AddrWindow <= 0 {
		l.AddrWindow = d.AddrWindow
	}
	return limiters{
		email: ratelimit.New(l.AttemptsPerEmail, l.EmailWindow, now),
		addr:  ratelimit.New(l.AttemptsPerAddr, l.AddrWindow, now),
	}
}

type clientAddrKey struct{}

// WithClientAddr returns ctx carrying the address of the client a request
// came from; the HTTP layer sets it (from RemoteAddr, or X-Forwarded-For
// behind a trusted proxy) so sign-in attempts can be limited per address.
func WithClientAddr(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientAddrKey{}, addr)
}

// ClientAddr is the client address ctx carries, or "".
func ClientAddr(ctx context.Context) string {
	a, _ := ctx.Value(clientAddrKey{}).(string)
	return a
}

// attempt counts a credential attempt for email from ctx's client address
// and refuses it with ETOOMANY when either has used up its window. The email
// is counted even when the address is refused, so that an attacker rotating
// addresses still meets the per-account limit. Call done(true) when the
// credentials proved right, to clear the account's count.
func (s *Service) attempt(ctx context.Context, email string) (done func(ok bool), err error) {
	var wait time.Duration
	if addr := ClientAddr(ctx); addr != "" {
		if d, blocked := s.limits.addr.Hit(ratelimit.AddrKey(addr)); blocked {
			wait = d
		}
	}
	key := domain.NormalizeEmail(email)
	if d, blocked := s.limits.email.Hit(key); blocked && d > wait {
		wait = d
	}
	if wait > 0 {
		s.log.WarnContext(ctx, "sign-in rate limited", "client", ClientAddr(ctx), "retry_after_s", retrySeconds(wait))
		return nil, tooMany(wait)
	}
	return func(ok bool) {
		if ok {
			s.limits.email.Reset(key)
		}
	}, nil
}

func retrySeconds(d time.Duration) int { return int(math.Ceil(d.Seconds())) }

func tooMany(d time.Duration) error {
	secs := max(1, retrySeconds(d))
	when := fmt.Sprintf("%d seconds", secs)
	if secs > 90 {
		when = fmt.Sprintf("%d minutes", (secs+59)/60)
	}
	return &domain.Error{Code: domain.ETOOMANY, RetryAfter: secs,
		Message: "Too many attempts to sign in. Try again in " + when + "."}
}
