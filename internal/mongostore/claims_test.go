package mongostore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// Two stores on one database are two processes: each has its own record
// locks, so only the database can keep their writes from overwriting each
// other. Every successful Modify must be in the record at the end, and the
// version must count them.
func TestConcurrentModifyTwoStores(t *testing.T) {
	ctx := context.Background()
	a := mustOpen(t)
	b := mustOpenDB(t, a.db.Name())
	rec := newSME("Shared")
	rec.Capabilities = []string{}
	if err := a.SMEs().Create(ctx, rec); err != nil {
		t.Fatal(err)
	}
	const perStore, each = 4, 12
	var (
		mu      sync.Mutex
		added   []string
		retries int
		wg      sync.WaitGroup
	)
	for i := range 2 * perStore {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Go(func() {
			for k := range each {
				item := fmt.Sprintf("w%d-%d", i, k)
				for {
					_, err := s.SMEs().Modify(ctx, rec.ID, func(r *domain.SME) error {
						r.Capabilities = append(r.Capabilities, item)
						return nil
					})
					if domain.ErrorCode(err) == domain.EPRECONDITION {
						mu.Lock()
						retries++
						mu.Unlock()
						continue
					} else if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					added = append(added, item)
					mu.Unlock()
					break
				}
			}
		})
	}
	wg.Wait()
	got, err := b.SMEs().Get(ctx, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	have := slices.Sorted(slices.Values(got.Capabilities))
	want := slices.Sorted(slices.Values(added))
	if !slices.Equal(have, want) || got.Version != int64(1+len(added)) {
		lost := 0
		for _, w := range want {
			if _, found := slices.BinarySearch(have, w); !found {
				lost++
			}
		}
		t.Fatalf("%d successful modifications (%d retries), version %d, %d in the record: %d lost",
			len(added), retries, got.Version, len(have), lost)
	}
	t.Logf("%d modifications, %d retries on a stale version", len(added), retries)
}

// claimsIn returns the claims in s's database by _id.
func claimsIn(tb testing.TB, s *Store) map[string]claimDoc {
	tb.Helper()
	cur, err := s.claims.coll.Find(context.Background(), bson.D{})
	if err != nil {
		tb.Fatal(err)
	}
	var docs []claimDoc
	if err := cur.All(context.Background(), &docs); err != nil {
		tb.Fatal(err)
	}
	out := map[string]claimDoc{}
	for _, d := range docs {
		out[d.ID] = d
	}
	return out
}

// mustOpenFerret is mustOpen for tests of what only FerretDB needs (claims).
func mustOpenFerret(tb testing.TB) *Store {
	tb.Helper()
	s := mustOpen(tb)
	if !s.Ferret() {
		tb.Skip("FerretDB only")
	}
	return s
}

// putClaim writes a claim of another process, age old.
func putClaim(tb testing.TB, s *Store, key string, age time.Duration) {
	tb.Helper()
	_, err := s.claims.coll.InsertOne(context.Background(), claimDoc{ID: key, Origin: "elsewhere", At: now().Add(-age)})
	if err != nil {
		tb.Fatal(err)
	}
}

// A claim another process holds is waited for: a claim whose writer wrote
// (the record moved on) makes the update stale at once, old or young; one
// whose record is still the version it was taken from is taken over as soon
// as it is claimTake old, and not before; one past takeUntil waits for the
// sweep (here until the request gives up).
func TestClaimTakeover(t *testing.T) {
	ctx := context.Background()
	s := mustOpenFerret(t)
	c := s.claims
	c.take = time.Second
	for _, tc := range []struct {
		name  string
		age   time.Duration
		moved bool // the claim's writer wrote
		taken bool
		wait  time.Duration // how long the update should take, roughly
	}{
		{"Fresh", 0, false, true, c.take},
		{"PastTake", c.take + time.Second, false, true, 0},
		{"FreshWriterWrote", 0, true, false, 0},
		{"PastTakeWriterWrote", c.take + time.Second, true, false, 0},
		{"PastTakeUntil", c.takeUntil() + time.Second, false, false, 2 * c.take},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := newSME(tc.name)
			if err := s.SMEs().Create(ctx, rec); err != nil {
				t.Fatal(err)
			}
			cur, err := s.smes.getDoc(ctx, rec.ID)
			if err != nil {
				t.Fatal(err)
			}
			key := claimKey(s.smes.coll.Name(), rec.ID, 2, cur.meta().UpdatedAt)
			start := time.Now()
			putClaim(t, s, key, tc.age)
			if tc.moved {
				moveOn(t, s, rec.ID)
			}
			edit := *rec
			edit.Name = "edited"
			wctx, cancel := context.WithTimeout(ctx, 2*c.take)
			defer cancel()
			err = s.smes.write(wctx, &edit, cur, time.Now())
			took := time.Since(start)
			if took < tc.wait-10*time.Millisecond || took > tc.wait+time.Second/2 {
				t.Errorf("the update took %v, want about %v", took, tc.wait)
			}
			got, gerr := s.SMEs().Get(ctx, rec.ID)
			if gerr != nil {
				t.Fatal(gerr)
			}
			claims := claimsIn(t, s)
			if !tc.taken {
				if tc.moved {
					wantCode(t, err, domain.EPRECONDITION)
				} else {
					wantCode(t, err, domain.EUNAVAILABLE)
				}
				if got.Name == "edited" || claims[key].Origin != "elsewhere" {
					t.Fatalf("a held claim let the update through: %+v, claim %+v", got.Meta, claims[key])
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Version != 2 || got.Name != "edited" || claims[key].Origin != s.Origin() {
				t.Fatalf("not taken over: %+v, claim %+v", got.Meta, claims[key])
			}
			found := false // the marker of the old claim
			for id := range claims {
				found = found || strings.HasPrefix(id, key+"~elsewhere~")
			}
			if !found {
				t.Fatalf("no marker of the old claim in %v", claims)
			}
		})
	}
}

// deadClaim creates an SME and puts the claim of its first edit, age old, as
// a writer killed before its replace would have left it.
func deadClaim(tb testing.TB, s *Store, name string, age time.Duration) (*domain.SME, string) {
	tb.Helper()
	rec := newSME(name)
	if err := s.SMEs().Create(context.Background(), rec); err != nil {
		tb.Fatal(err)
	}
	key := claimKey(s.smes.coll.Name(), rec.ID, 2, rec.UpdatedAt)
	putClaim(tb, s, key, age)
	return rec, key
}

// With the real bounds, a dead writer's claim holds up its record's next
// edit until the claim is claimTake old, no longer, and the edit then
// succeeds.
func TestDeadClaimDelaysEdit(t *testing.T) {
	ctx := context.Background()
	s := mustOpenFerret(t)
	const left = 2 * time.Second // of claimTake, when the edit comes
	start := time.Now()
	rec, key := deadClaim(t, s, "Crashed", claimTake-left)
	got, err := s.SMEs().Modify(ctx, rec.ID, func(r *domain.SME) error { r.Name = "after the crash"; return nil })
	took := time.Since(start)
	if err != nil {
		t.Fatalf("edit after %v: %v", took, err)
	}
	if took < left-10*time.Millisecond || took > left+time.Second {
		t.Fatalf("the edit took %v, want about %v", took, left)
	}
	if got.Version != 2 || claimsIn(t, s)[key].Origin != s.Origin() {
		t.Fatalf("edit %+v, claim %+v", got.Meta, claimsIn(t, s)[key])
	}
	t.Logf("the edit waited %v for the dead claim", took.Round(time.Millisecond))
}

// A claim released while a writer waits for it (its writer's replace
// failed) is claimed again at once.
func TestClaimReleasedWhileWaiting(t *testing.T) {
	ctx := context.Background()
	s := mustOpenFerret(t)
	rec, key := deadClaim(t, s, "Released", 0)
	go func() {
		time.Sleep(300 * time.Millisecond)
		if _, err := s.claims.coll.DeleteOne(ctx, byID(key)); err != nil {
			t.Error(err)
		}
	}()
	start := time.Now()
	_, err := s.SMEs().Modify(ctx, rec.ID, func(r *domain.SME) error { r.Name = "claimed again"; return nil })
	if took := time.Since(start); err != nil || took > 2*time.Second {
		t.Fatalf("edit after %v: %v", took, err)
	}
	if got := claimsIn(t, s)[key]; got.Origin != s.Origin() {
		t.Fatalf("claim %+v", got)
	}
}

// A write waiting for a claim does so outside the group commit: the same
// collection's other writes go on meanwhile.
func TestClaimWaitOutsideCommit(t *testing.T) {
	ctx := context.Background()
	s := mustOpenFerret(t)
	s.claims.take = 2 * time.Second
	blocked, _ := deadClaim(t, s, "Blocked", 0)
	other := newSME("Other")
	if err := s.SMEs().Create(ctx, other); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := s.SMEs().Modify(ctx, blocked.ID, func(r *domain.SME) error { r.Name = "late"; return nil })
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	for i := range 5 {
		start := time.Now()
		if _, err := s.SMEs().Modify(ctx, other.ID, func(r *domain.SME) error { r.Name = fmt.Sprint(i); return nil }); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took > time.Second/2 {
			t.Fatalf("an edit of another record took %v while one waited", took)
		}
	}
	select {
	case err := <-done:
		t.Fatalf("the blocked edit ended early: %v", err)
	default:
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// A claim too old to be taken over is left to the sweep, and a writer
// waiting for it claims again once it has run.
func TestClaimWaitsForSweep(t *testing.T) {
	ctx := context.Background()
	s := mustOpenFerret(t)
	c := s.claims
	c.take = time.Second
	rec, key := deadClaim(t, s, "Swept", c.takeUntil()+time.Second)
	done := make(chan error, 1)
	go func() {
		_, err := s.SMEs().Modify(ctx, rec.ID, func(r *domain.SME) error { r.Name = "after the sweep"; return nil })
		done <- err
	}()
	time.Sleep(c.take + 200*time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("the edit did not wait for the sweep: %v", err)
	default:
	}
	if got := claimsIn(t, s)[key]; got.Origin != "elsewhere" {
		t.Fatalf("a claim past takeUntil was taken over: %+v", got)
	}
	// As the sweep will once the claim is sweepAge old.
	if _, err := c.sweepClaims(ctx, now()); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the edit went on waiting after the sweep")
	}
}

// moveOn writes the next version of the SME id straight into the database,
// as the writer of a claim would have.
func moveOn(tb testing.TB, s *Store, id string) {
	tb.Helper()
	set := bson.D{{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}, {Key: "$set", Value: bson.D{{Key: "updatedAt", Value: now()}}}}
	if res, err := s.smes.coll.UpdateOne(context.Background(), byID(id), set); err != nil || res.MatchedCount != 1 {
		tb.Fatalf("move on: %v %v", res, err)
	}
}

// A version read longer than maxReadAge ago is not claimed: the write is
// refused with nothing written. An import whose batch read grew old reads
// the record again instead.
func TestClaimReadAge(t *testing.T) {
	ctx := context.Background()
	s := mustOpenFerret(t)
	rec := newSME("Slow")
	if err := s.SMEs().Create(ctx, rec); err != nil {
		t.Fatal(err)
	}
	cur, err := s.smes.getDoc(ctx, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	edit := *rec
	edit.Name = "late"
	err = s.smes.write(ctx, &edit, cur, time.Now().Add(-maxReadAge-time.Second))
	if !errors.Is(err, errSlowWrite) {
		t.Fatalf("old read: %v, want errSlowWrite", err)
	}
	if got, _ := s.SMEs().Get(ctx, rec.ID); got.Version != 1 || len(claimsIn(t, s)) != 0 {
		t.Fatalf("refused write left version %d, claims %v", got.Version, claimsIn(t, s))
	}

	stored := map[string]*smeDoc{rec.ID: cur}
	o, err := s.smes.merge(ctx, &edit, stored, time.Now().Add(-maxReadAge-time.Second))
	if err != nil || o != updated {
		t.Fatalf("merge after an old batch read: %v, %v", o, err)
	}
	if got, _ := s.SMEs().Get(ctx, rec.ID); got.Version != 2 || got.Name != "late" {
		t.Fatalf("merge wrote %+v", got)
	}
}

// A claim held past claimHold before its replace is sent is not replaced,
// and released: the record is not blocked.
func TestClaimHold(t *testing.T) {
	ctx := context.Background()
	s := mustOpenFerret(t)
	rec := newSME("Held")
	if err := s.SMEs().Create(ctx, rec); err != nil {
		t.Fatal(err)
	}
	s.claims.hold = -1 // every claim is held too long
	edit := *rec
	edit.Name = "refused"
	if err := s.SMEs().Update(ctx, &edit); !errors.Is(err, errSlowWrite) {
		t.Fatalf("held claim: %v, want errSlowWrite", err)
	}
	if claims := claimsIn(t, s); len(claims) != 0 {
		t.Fatalf("refused write kept its claim: %v", claims)
	}
	s.claims.hold = claimHold
	if err := s.SMEs().Update(ctx, &edit); err != nil {
		t.Fatal(err)
	}
}

// A record deleted and created again under the same id starts a new run of
// versions, whose claims are not the old record's.
func TestClaimRecreated(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	rec := newSME("Again")
	for i := range 2 {
		r := *rec
		if err := s.SMEs().Create(ctx, &r); err != nil {
			t.Fatal(err)
		}
		r.Name = fmt.Sprint("edit ", i)
		if err := s.SMEs().Update(ctx, &r); err != nil {
			t.Fatalf("update %d: %v", i, err)
		}
		if err := s.SMEs().Delete(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond) // a new creation time
	}
}

// The sweep deletes only claims past every takeover and stale read, and
// the stores sharing a database take turns at it.
func TestSweepClaims(t *testing.T) {
	ctx := context.Background()
	s := mustOpenFerret(t)
	c := s.claims
	putClaim(t, s, "old", c.sweepAge()+time.Second)
	putClaim(t, s, "taken over late", c.takeUntil())
	putClaim(t, s, "fresh", 0)
	n, err := c.sweepClaims(ctx, now().Add(-c.sweepAge()))
	if err != nil || n != 1 {
		t.Fatalf("swept %d, %v", n, err)
	}
	if claims := claimsIn(t, s); len(claims) != 2 || claims["old"].ID != "" {
		t.Fatalf("left %v", claims)
	}

	// Two sweepers with a short lease: every slot is swept by one of them.
	var loops []*claimer
	for range 2 {
		l := newClaimer(c.coll, c.writes, domain.NewID())
		l.slot, l.take, l.readAge, l.commit = 200*time.Millisecond, 20*time.Millisecond, 20*time.Millisecond, 20*time.Millisecond
		l.startSweeping()
		loops = append(loops, l)
	}
	deadline := time.Now().Add(10 * time.Second)
	for claimsIn(t, s)["fresh"].ID != "" {
		if time.Now().After(deadline) {
			t.Fatal("the sweep loop never swept")
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, l := range loops {
		l.stopSweeping(ctx)
	}
	turns := map[string]string{}
	for id, d := range claimsIn(t, s) {
		if strings.HasPrefix(id, "~sweep:") {
			turns[id] = d.Origin
		}
	}
	if len(turns) == 0 {
		t.Fatal("no sweep turns recorded")
	}
}

// On MongoDB the version is in the replace's filter and nothing is
// claimed. Here the store is told it is on MongoDB.
func TestMongoPathClaimsNothing(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	if !s.Ferret() {
		t.Skip("needs the claims collection of FerretDB to look into")
	}
	s.ferret = false
	rec := newSME("Mongo")
	if err := s.SMEs().Create(ctx, rec); err != nil {
		t.Fatal(err)
	}
	stale := *rec
	rec.Name = "first"
	if err := s.SMEs().Update(ctx, rec); err != nil {
		t.Fatal(err)
	}
	stale.Name = "second"
	wantCode(t, s.SMEs().Update(ctx, &stale), domain.EPRECONDITION)
	if _, err := s.SMEs().Modify(ctx, rec.ID, func(r *domain.SME) error { r.Name = "third"; return nil }); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.SMEs().Get(ctx, rec.ID); got.Version != 3 || got.Name != "third" {
		t.Fatalf("got %+v", got)
	}
	if claims := claimsIn(t, s); len(claims) != 0 {
		t.Fatalf("the MongoDB path claimed %v", claims)
	}
}
