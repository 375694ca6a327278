package auth

import (
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

const testPassword = "correct horse battery staple"

var phc = regexp.MustCompile(`^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$`)

func TestHasher_RoundTrip(t *testing.T) {
	h := NewHasher(TestParams)
	hash, err := h.Hash(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if !phc.MatchString(hash) {
		t.Fatalf("hash %q is not a PHC argon2id string", hash)
	}
	if !h.Check(hash, testPassword) {
		t.Error("right password rejected")
	}
	for _, wrong := range []string{"", "correct horse battery stapl", "Correct horse battery staple", testPassword + " "} {
		if h.Check(hash, wrong) {
			t.Errorf("wrong password %q accepted", wrong)
		}
	}
	// Fresh salt each time.
	if again, _ := h.Hash(testPassword); again == hash {
		t.Error("two hashes of one password are equal")
	}
	// Hashes record their parameters, so a Hasher with other defaults still
	// checks them.
	if !NewHasher(DefaultParams).Check(hash, testPassword) {
		t.Error("hash made with TestParams rejected by a default Hasher")
	}
}

func TestHasher_DefaultParams(t *testing.T) {
	h := NewHasher(Params{}) // zero fields mean DefaultParams
	if h.Params() != DefaultParams {
		t.Fatalf("params = %+v, want %+v", h.Params(), DefaultParams)
	}
	hash, err := h.Hash(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=81920,t=2,p=2$") {
		t.Errorf("hash = %q", hash)
	}
	if !h.Check(hash, testPassword) || h.Check(hash, "nope") {
		t.Error("check with default parameters")
	}
}

// TestHasher_ReferenceVector checks interoperability with the reference C
// implementation: echo -n password | argon2 somesalt -id -t 2 -m 16 -p 4 -l 32 -e
func TestHasher_ReferenceVector(t *testing.T) {
	const ref = "$argon2id$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$GpZ3sK/oH9p7VIiV56G/64Zo/8GaUw434IimaPqxwCo"
	h := NewHasher(TestParams)
	if !h.Check(ref, "password") {
		t.Error("reference hash rejected")
	}
	if h.Check(ref, "passwore") {
		t.Error("reference hash accepted a wrong password")
	}
}

func TestHasher_Bcrypt(t *testing.T) {
	h := NewHasher(TestParams)
	b, err := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	hash := string(b) // $2a$
	for _, prefix := range []string{"$2a$", "$2b$", "$2y$"} {
		hh := prefix + hash[4:]
		if !h.Check(hh, testPassword) {
			t.Errorf("%s: right password rejected", prefix)
		}
		if h.Check(hh, testPassword+"x") {
			t.Errorf("%s: wrong password accepted", prefix)
		}
		if !h.NeedsRehash(hh) {
			t.Errorf("%s: NeedsRehash = false", prefix)
		}
	}
	// A stored hash must not be able to make a login take minutes.
	costly := strings.Replace(hash, "$04$", "$20$", 1)
	if h.Check(costly, testPassword) {
		t.Error("bcrypt cost 20 accepted")
	}
}

func TestHasher_Malformed(t *testing.T) {
	h := NewHasher(TestParams)
	good, err := h.Hash(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	p := strings.Split(good, "$") // "", argon2id, v=19, m=..,t=..,p=.., salt, key
	join := func(parts ...string) string { return strings.Join(parts, "$") }
	for name, hash := range map[string]string{
		"Empty":           "",
		"Dollar":          "$",
		"Plain":           testPassword,
		"Argon2i":         join("", "argon2i", p[2], p[3], p[4], p[5]),
		"Argon2d":         join("", "argon2d", p[2], p[3], p[4], p[5]),
		"Version16":       join("", "argon2id", "v=16", p[3], p[4], p[5]),
		"NoVersion":       join("", "argon2id", p[3], p[4], p[5]),
		"ExtraField":      good + "$",
		"Trailing":        good + "x",
		"MissingKey":      join("", "argon2id", p[2], p[3], p[4]),
		"EmptyKey":        join("", "argon2id", p[2], p[3], p[4], ""),
		"EmptySalt":       join("", "argon2id", p[2], p[3], "", p[5]),
		"ShortSalt":       join("", "argon2id", p[2], p[3], "c2FsdA", p[5]),
		"ShortKey":        join("", "argon2id", p[2], p[3], p[4], "a2V5"),
		"PaddedSalt":      join("", "argon2id", p[2], p[3], p[4]+"==", p[5]),
		"NotBase64":       join("", "argon2id", p[2], p[3], "!!!!!!!!!!!!!!!!", p[5]),
		"URLBase64":       join("", "argon2id", p[2], p[3], p[4], strings.NewReplacer("+", "-", "/", "_").Replace(p[5])+"-_"),
		"ParamsOrder":     join("", "argon2id", p[2], "t=1,m=64,p=1", p[4], p[5]),
		"ParamsMissing":   join("", "argon2id", p[2], "m=64,t=1", p[4], p[5]),
		"ParamsExtra":     join("", "argon2id", p[2], "m=64,t=1,p=1,k=1", p[4], p[5]),
		"ParamsSpace":     join("", "argon2id", p[2], "m=64, t=1,p=1", p[4], p[5]),
		"ParamsSign":      join("", "argon2id", p[2], "m=+64,t=1,p=1", p[4], p[5]),
		"ParamsNegative":  join("", "argon2id", p[2], "m=64,t=-1,p=1", p[4], p[5]),
		"ZeroTime":        join("", "argon2id", p[2], "m=64,t=0,p=1", p[4], p[5]),
		"ZeroThreads":     join("", "argon2id", p[2], "m=64,t=1,p=0", p[4], p[5]),
		"ThreadsOver255":  join("", "argon2id", p[2], "m=64,t=1,p=256", p[4], p[5]),
		"HugeMemory":      join("", "argon2id", p[2], "m=4294967295,t=1,p=1", p[4], p[5]),
		"HugeTime":        join("", "argon2id", p[2], "m=64,t=4294967295,p=1", p[4], p[5]),
		"Overflow":        join("", "argon2id", p[2], "m=99999999999999999999,t=1,p=1", p[4], p[5]),
		"BcryptTruncated": "$2a$10$",
		"BcryptGarbage":   "$2b$xx$" + strings.Repeat("a", 53),
		"BcryptVersion3":  "$3a$04$" + strings.Repeat("a", 53),
	} {
		t.Run(name, func(t *testing.T) {
			if h.Check(hash, testPassword) {
				t.Errorf("Check(%q) = true", hash)
			}
			if !h.NeedsRehash(hash) {
				t.Errorf("NeedsRehash(%q) = false", hash)
			}
		})
	}
}

func TestHasher_CheckDummy(t *testing.T) {
	h := NewHasher(TestParams)
	if h.CheckDummy(testPassword) || h.CheckDummy("") {
		t.Error("CheckDummy returned true")
	}
}

func TestHasher_NeedsRehash(t *testing.T) {
	fast := NewHasher(TestParams)
	hash, _ := fast.Hash(testPassword)
	if fast.NeedsRehash(hash) {
		t.Error("a current hash needs rehashing")
	}
	if !NewHasher(Params{Memory: 128, Time: 1, Threads: 1}).NeedsRehash(hash) {
		t.Error("a hash with less memory does not need rehashing")
	}
}

func TestNewHasher_Invalid(t *testing.T) {
	for _, p := range []Params{
		{Memory: maxMemory + 1},
		{Time: maxTime + 1},
		{Threads: maxThreads + 1},
		{SaltLen: 4},
		{KeyLen: 8},
		{Memory: 8, Threads: 4},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewHasher(%+v) did not panic", p)
				}
			}()
			NewHasher(p)
		}()
	}
}

func FuzzCheck(f *testing.F) {
	h := NewHasher(TestParams)
	good, _ := h.Hash(testPassword)
	b, _ := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	for _, s := range []string{
		good, string(b), "", "$argon2id$", "$argon2id$v=19$m=64,t=1,p=1$$",
		"$argon2id$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$GpZ3sK/oH9p7VIiV56G/64Zo/8GaUw434IimaPqxwCo",
		"$2b$04$", "$2y$31$" + strings.Repeat("a", 53),
	} {
		f.Add(s, testPassword)
	}
	f.Fuzz(func(t *testing.T, hash, password string) {
		ok := h.Check(hash, password)
		// Whatever the input, only hashes of the right kind can match.
		if ok && !strings.HasPrefix(hash, "$argon2id$") && !strings.HasPrefix(hash, "$2") {
			t.Fatalf("Check(%q, %q) = true", hash, password)
		}
		h.NeedsRehash(hash)
	})
}

// BenchmarkHash measures the cost of one login with the production
// parameters; DefaultParams' comment quotes its result.
func BenchmarkHash(b *testing.B) {
	h := NewHasher(DefaultParams)
	for b.Loop() {
		if _, err := h.Hash(testPassword); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	h := NewHasher(DefaultParams)
	hash, _ := h.Hash(testPassword)
	for b.Loop() {
		h.Check(hash, testPassword)
	}
}

func BenchmarkCheckDummy(b *testing.B) {
	h := NewHasher(DefaultParams)
	for b.Loop() {
		h.CheckDummy(testPassword)
	}
}

func BenchmarkHashTestParams(b *testing.B) {
	h := NewHasher(TestParams)
	for b.Loop() {
		h.Hash(testPassword)
	}
}
