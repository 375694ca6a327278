package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// Params are argon2id cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over memory
	Threads uint8  // lanes
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultParams make one hash take 60–90 ms on this service's 2-core machine
// (BenchmarkHash, m=80 MiB, t=2, p=2, measured while other builds shared the
// cores). The neighbours fitted worse: m=64 MiB with t=2 took 43–96 ms, its
// fastest runs under the 50 ms floor, and t=3 took 73–140 ms. More
// memory rather than more passes, because memory is what makes GPU cracking
// expensive; RFC 9106's 64 MiB, t=3, p=4 is slower than a login should be on
// two cores. The memory is also why Hasher caps how many hashes run at once.
var DefaultParams = Params{Memory: 80 * 1024, Time: 2, Threads: 2, SaltLen: 16, KeyLen: 32}

// TestParams are cheap (well under a millisecond) so test suites that create
// many users stay fast. Never use them in production.
var TestParams = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// Limits on parameters read from a stored hash. Hashes come from our own
// database, but a corrupted or planted one must not make Check allocate
// gigabytes or run for minutes.
const (
	maxMemory     = 256 * 1024 // KiB
	maxTime       = 16
	maxThreads    = 16
	minSaltLen    = 8
	maxSaltLen    = 64
	minKeyLen     = 16
	maxKeyLen     = 64
	maxBcryptCost = 14 // ~1 s; x/crypto's default is 10
)

// Hasher hashes passwords with argon2id and checks argon2id and bcrypt hashes.
// It implements domain.PasswordHasher and is safe for concurrent use.
type Hasher struct {
	p Params
	// slots bounds concurrent argon2 runs. Each one holds p.Memory KiB, and
	// more runs than CPUs add no throughput, only memory: without the bound a
	// burst of logins could exhaust RAM.
	slots chan struct{}
	// dummySalt and dummyKey stand in for a stored hash in CheckDummy;
	// their values do not matter.
	dummySalt, dummyKey []byte
}

// NewHasher returns a Hasher producing hashes with p. Zero fields take the
// value from DefaultParams. It panics on parameters argon2 cannot use, as they
// are constants chosen in code, not input.
func NewHasher(p Params) *Hasher {
	d := DefaultParams
	if p.Memory == 0 {
		p.Memory = d.Memory
	}
	if p.Time == 0 {
		p.Time = d.Time
	}
	if p.Threads == 0 {
		p.Threads = d.Threads
	}
	if p.SaltLen == 0 {
		p.SaltLen = d.SaltLen
	}
	if p.KeyLen == 0 {
		p.KeyLen = d.KeyLen
	}
	if !p.valid() {
		panic(fmt.Sprintf("auth: invalid argon2id parameters %+v", p))
	}
	return &Hasher{
		p:         p,
		slots:     make(chan struct{}, max(2, runtime.NumCPU())),
		dummySalt: make([]byte, p.SaltLen),
		dummyKey:  make([]byte, p.KeyLen),
	}
}

// valid reports whether p is within the limits Check accepts, so every hash
// this package writes can also be checked by it.
func (p Params) valid() bool {
	return p.Memory >= 8*uint32(p.Threads) && p.Memory <= maxMemory &&
		p.Time >= 1 && p.Time <= maxTime &&
		p.Threads >= 1 && p.Threads <= maxThreads &&
		p.SaltLen >= minSaltLen && p.SaltLen <= maxSaltLen &&
		p.KeyLen >= minKeyLen && p.KeyLen <= maxKeyLen
}

// Hash returns password hashed with a fresh salt, in the PHC string format
// $argon2id$v=19$m=65536,t=2,p=2$<salt>$<hash> (unpadded standard base64).
func (h *Hasher) Hash(password string) (string, error) {
	salt := make([]byte, h.p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	key := h.derive(password, salt, h.p)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, h.p.Memory, h.p.Time, h.p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Check reports whether password matches hash, an argon2id PHC string or a
// bcrypt hash ($2a$, $2b$, $2y$) kept from an older system. Malformed hashes
// and parameters beyond this package's limits do not match.
func (h *Hasher) Check(hash, password string) bool {
	switch {
	case strings.HasPrefix(hash, "$argon2id$"):
		p, salt, want, ok := parsePHC(hash)
		if !ok {
			return false
		}
		got := h.derive(password, salt, p)
		return subtle.ConstantTimeCompare(got, want) == 1
	case strings.HasPrefix(hash, "$2a$"), strings.HasPrefix(hash, "$2b$"), strings.HasPrefix(hash, "$2y$"):
		if cost, err := bcrypt.Cost([]byte(hash)); err != nil || cost > maxBcryptCost {
			return false
		}
		// bcrypt compares in constant time itself.
		return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
	}
	return false
}

// CheckDummy does the work of checking password against a hash made with the
// Hasher's parameters and reports false. Call it when the account does not
// exist, so a failed login takes as long for an unknown email as for a wrong
// password. (Accounts still on bcrypt or older parameters take a different
// time; rehash them on login, see NeedsRehash.)
func (h *Hasher) CheckDummy(password string) bool {
	got := h.derive(password, h.dummySalt, h.p)
	// Compare like Check does so the two paths differ by as little as possible.
	_ = subtle.ConstantTimeCompare(got, h.dummyKey)
	return false
}

// NeedsRehash reports whether hash was not made with this Hasher's current
// parameters (a bcrypt hash, or argon2id with other costs), so the caller can
// replace it with Hash(password) after a successful Check.
func (h *Hasher) NeedsRehash(hash string) bool {
	p, salt, key, ok := parsePHC(hash)
	return !ok || p.Memory != h.p.Memory || p.Time != h.p.Time || p.Threads != h.p.Threads ||
		uint32(len(salt)) != h.p.SaltLen || uint32(len(key)) != h.p.KeyLen
}

// Params returns the parameters new hashes are made with.
func (h *Hasher) Params() Params { return h.p }

// derive runs argon2id, waiting for a free slot first.
func (h *Hasher) derive(password string, salt []byte, p Params) []byte {
	h.slots <- struct{}{}
	defer func() { <-h.slots }()
	return argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
}

// parsePHC splits an argon2id PHC string. It is strict (exactly version 19
// and m,t,p in that order) because the only hashes it needs to read are the
// ones Hash writes, and every accepted variation is more parser to get wrong.
func parsePHC(s string) (p Params, salt, key []byte, ok bool) {
	parts := strings.Split(s, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" ||
		parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, false
	}
	kv := strings.Split(parts[3], ",")
	if len(kv) != 3 {
		return p, nil, nil, false
	}
	m, ok1 := param(kv[0], "m=", 32)
	t, ok2 := param(kv[1], "t=", 32)
	th, ok3 := param(kv[2], "p=", 8)
	if !ok1 || !ok2 || !ok3 {
		return p, nil, nil, false
	}
	b64 := base64.RawStdEncoding.Strict()
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return p, nil, nil, false
	}
	p = Params{Memory: uint32(m), Time: uint32(t), Threads: uint8(th), SaltLen: uint32(len(salt)), KeyLen: uint32(len(key))}
	if !p.valid() {
		return p, nil, nil, false
	}
	return p, salt, key, true
}

// param parses "name=digits" as an unsigned integer of the given size.
func param(s, name string, bits int) (uint64, bool) {
	v, found := strings.CutPrefix(s, name)
	if !found || v == "" || v[0] < '0' || v[0] > '9' {
		return 0, false
	}
	n, err := strconv.ParseUint(v, 10, bits)
	return n, err == nil
}
