package mongostore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/bettermatch/bettermatch/internal/domain"
)

func newResponse(challenge, sme, status string) *domain.Response {
	return &domain.Response{Meta: domain.Meta{ID: domain.NewID()}, ChallengeID: challenge, SMEID: sme, Status: status,
		SubmittedAt: bsonTime(time.Now()), ResponseInput: domain.ResponseInput{Proposal: "p", DurationWeeks: 4}}
}

// findBoth runs q with the id lists and with the scanning query and fails
// unless both give the same page and total.
func findBoth[T domain.Record](t *testing.T, s *Store, c domain.Collection[T], q domain.Query) ([]T, int) {
	t.Helper()
	ctx := context.Background()
	got, gotN, err := c.Find(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	s.scanFinds = true
	want, wantN, err := c.Find(ctx, q)
	s.scanFinds = false
	if err != nil {
		t.Fatal(err)
	}
	if gotN != wantN || len(got) != len(want) {
		t.Fatalf("find %v: lists give %d records (total %d), the scan %d (total %d)", q, len(got), gotN, len(want), wantN)
	}
	for i := range got {
		if fmt.Sprint(got[i]) != fmt.Sprint(want[i]) {
			t.Fatalf("find %v: record %d:\n lists %+v\n  scan %+v", q, i, got[i], want[i])
		}
	}
	return got, gotN
}

func TestIDListsMatchScan(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	if !s.Ferret() {
		t.Skip("id lists are kept on FerretDB only")
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	pick := func(vals ...string) string { return vals[rnd.IntN(len(vals))] }
	chals, smes, statuses := []string{"c1", "c2", "c3", "c4"}, []string{"s1", "s2", "s3"}, []string{"submitted", "shortlisted"}
	users := []string{"u1", "u2", "u3"}
	var resps []*domain.Response
	var notes []*domain.Notification
	var people []*domain.User
	check := func() {
		t.Helper()
		for _, q := range []domain.Query{
			{Where: map[string]any{"challengeId": pick(chals...)}},
			{Where: map[string]any{"challengeId": pick(chals...)}, Limit: 3, Offset: rnd.IntN(6)},
			{Where: map[string]any{"smeId": pick(smes...)}, Limit: 4},
			{Where: map[string]any{"smeId": pick(smes...), "challengeId": pick(chals...)}, Limit: 2, Offset: rnd.IntN(3)},
			{Where: map[string]any{"challengeId": pick(chals...), "status": pick(statuses...)}, Limit: 2, Offset: 1},
			{Where: map[string]any{"challengeId": "none"}},
			{Where: map[string]any{"challengeId": true}},
		} {
			findBoth(t, s, s.Responses(), q)
		}
		for _, q := range []domain.Query{
			{Where: map[string]any{"userId": pick(users...)}, Limit: 5, Offset: rnd.IntN(4)},
			{Where: map[string]any{"userId": pick(users...), "read": false}, Limit: 3},
			{Where: map[string]any{"userId": pick(users...), "read": true}},
		} {
			findBoth(t, s, s.Notifications(), q)
		}
		for _, q := range []domain.Query{
			{Where: map[string]any{"status": pick("pending", "active")}, Limit: 4, Offset: rnd.IntN(3)},
			{Where: map[string]any{"status": pick("pending", "active"), "role": pick("sme", "officer")}},
			{Where: map[string]any{"role": pick("sme", "officer")}, Limit: 2},
		} {
			findBoth(t, s, s.Users(), q)
		}
	}
	for round := range 6 {
		for range 15 {
			r := newResponse(pick(chals...), pick(smes...), pick(statuses...))
			if err := s.Responses().Create(ctx, r); err != nil {
				t.Fatal(err)
			}
			resps = append(resps, r)
			n := &domain.Notification{Meta: domain.Meta{ID: domain.NewID()}, UserID: pick(users...), Kind: "k", Message: "m", Read: rnd.IntN(2) == 0}
			if err := s.Notifications().Create(ctx, n); err != nil {
				t.Fatal(err)
			}
			notes = append(notes, n)
			u := &domain.User{Meta: domain.Meta{ID: domain.NewID()}, Email: domain.NewID() + "@x", Name: "n",
				Role: pick("sme", "officer"), Status: pick("pending", "active")}
			if err := s.Users().Create(ctx, u); err != nil {
				t.Fatal(err)
			}
			people = append(people, u)
		}
		// Updates that move records between lists, and deletes.
		for range 8 {
			r := resps[rnd.IntN(len(resps))]
			if r.Version == 0 {
				continue
			}
			r.ChallengeID, r.SMEID, r.Status = pick(chals...), pick(smes...), pick(statuses...)
			if err := s.Responses().Update(ctx, r); err != nil {
				t.Fatal(err)
			}
			n := notes[rnd.IntN(len(notes))]
			if n.Version != 0 {
				n.Read, n.UserID = !n.Read, pick(users...)
				if err := s.Notifications().Update(ctx, n); err != nil {
					t.Fatal(err)
				}
			}
			u := people[rnd.IntN(len(people))]
			if u.Version != 0 {
				u.Status = pick("pending", "active")
				if err := s.Users().Update(ctx, u); err != nil {
					t.Fatal(err)
				}
			}
		}
		for range 3 {
			r := resps[rnd.IntN(len(resps))]
			if r.Version != 0 {
				if err := s.Responses().Delete(ctx, r.ID); err != nil {
					t.Fatal(err)
				}
				r.Version = 0
			}
			u := people[rnd.IntN(len(people))]
			if u.Version != 0 {
				if err := s.Users().Delete(ctx, u.ID); err != nil {
					t.Fatal(err)
				}
				u.Version = 0
			}
		}
		for range 5 {
			check()
		}
		_ = round
	}
}

func TestIDListsDanglingAndMoves(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	if !s.Ferret() {
		t.Skip("id lists are kept on FerretDB only")
	}
	c := s.responses
	var rs []*domain.Response
	for range 5 {
		r := newResponse("A", "s", "submitted")
		if err := c.Create(ctx, r); err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	// A create that stopped after its list entry: no record.
	ghost := newResponse("A", "s", "submitted")
	ghost.CreatedAt = bsonTime(time.Now().Add(time.Hour))
	if err := c.listsAdd(ctx, nil, c.toDoc(ghost)); err != nil {
		t.Fatal(err)
	}
	// An update that stopped after adding to B's list: the record is still A's.
	moved := c.toDoc(rs[1])
	moved.ChallengeID = "B"
	if err := c.listsAdd(ctx, nil, moved); err != nil {
		t.Fatal(err)
	}
	got, n := findBoth(t, s, s.Responses(), domain.Query{Where: map[string]any{"challengeId": "A"}})
	if n != 5 || len(got) != 5 || got[0].ID != rs[4].ID {
		t.Fatalf("A: %d records, total %d", len(got), n)
	}
	got, n = findBoth(t, s, s.Responses(), domain.Query{Where: map[string]any{"challengeId": "B"}})
	if n != 0 || len(got) != 0 {
		t.Fatalf("B: %d records, total %d", len(got), n)
	}
	// A short page of a long list counts the dangling entries it did not
	// reach (documented on findListed), and skips those it did.
	got, _, err := c.Find(ctx, domain.Query{Where: map[string]any{"challengeId": "A"}, Limit: 2})
	if err != nil || len(got) != 2 || got[0].ID != rs[4].ID || got[1].ID != rs[3].ID {
		t.Fatalf("A page: %v %v", got, err)
	}

	// A record whose field changed is found under its new value only.
	rs[2].ChallengeID = "B"
	if err := c.Update(ctx, rs[2]); err != nil {
		t.Fatal(err)
	}
	got, n = findBoth(t, s, s.Responses(), domain.Query{Where: map[string]any{"challengeId": "B"}})
	if n != 1 || got[0].ID != rs[2].ID {
		t.Fatalf("B after move: %v, total %d", got, n)
	}
	got, n = findBoth(t, s, s.Responses(), domain.Query{Where: map[string]any{"challengeId": "A"}})
	if n != 4 {
		t.Fatalf("A after move: %d records, total %d", len(got), n)
	}
	l, err := s.readList(ctx, listKey("responses", "challengeId", "A"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range l {
		if entryID(e) == rs[2].ID {
			t.Fatal("moved record still in its old list")
		}
	}
	// Delete removes the entries.
	if err := c.Delete(ctx, rs[0].ID); err != nil {
		t.Fatal(err)
	}
	l, _ = s.readList(ctx, listKey("responses", "smeId", "s"))
	for _, e := range l {
		if entryID(e) == rs[0].ID {
			t.Fatal("deleted record still listed")
		}
	}
	findBoth(t, s, s.Responses(), domain.Query{Where: map[string]any{"smeId": "s"}, Limit: 2, Offset: 1})
}

func TestIDListsBuiltAtOpen(t *testing.T) {
	ctx := context.Background()
	name := "t" + domain.NewID()
	s := mustOpenDB(t, name)
	t.Cleanup(func() { s.Drop(context.Background()) })
	if !s.Ferret() {
		t.Skip("id lists are kept on FerretDB only")
	}
	// Records written before lists existed: straight into the collections.
	for i := range 30 {
		r := newResponse(fmt.Sprint("c", i%3), fmt.Sprint("s", i%4), "submitted")
		r.CreatedAt, r.UpdatedAt, r.Version = bsonTime(time.Now().Add(time.Duration(i)*time.Millisecond)), bsonTime(time.Now()), 1
		if _, err := s.responses.coll.InsertOne(ctx, s.responses.toDoc(r)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.idlists.DeleteMany(ctx, bson.D{}); err != nil {
		t.Fatal(err)
	}
	s2 := mustOpenDB(t, name)
	for _, q := range []domain.Query{
		{Where: map[string]any{"challengeId": "c1"}},
		{Where: map[string]any{"smeId": "s2"}, Limit: 3, Offset: 2},
	} {
		_, n := findBoth(t, s2, s2.Responses(), q)
		if n == 0 {
			t.Fatalf("%v: nothing found", q)
		}
	}
	// The marker says the lists are complete: a later Open does not rebuild
	// (a list removed by hand stays missing).
	if _, err := s2.idlists.DeleteOne(ctx, byID(listKey("responses", "challengeId", "c1"))); err != nil {
		t.Fatal(err)
	}
	s3 := mustOpenDB(t, name)
	if l, err := s3.readList(ctx, listKey("responses", "challengeId", "c1")); err != nil || len(l) != 0 {
		t.Fatalf("rebuilt although marked complete: %d entries, %v", len(l), err)
	}
}

// checkListsExact fails unless c's id lists with the given keys hold
// exactly the entries of c's records, and no record has an entry under
// another key: after writes that all finished there is nothing dangling.
func checkListsExact[T domain.Record, D doc](t *testing.T, c *collection[T, D], keys []string) {
	t.Helper()
	ctx := context.Background()
	want := map[string][]string{}
	err := c.Each(ctx, func(rec T) error {
		es, err := c.entries(c.toDoc(rec))
		for key, e := range es {
			want[key] = append(want[key], e)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for key := range want {
		if !slices.Contains(keys, key) {
			t.Fatalf("unexpected list %q", key)
		}
	}
	for _, key := range keys {
		got, err := c.st.readList(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		slices.Sort(want[key])
		if !slices.Equal(got, want[key]) {
			t.Fatalf("list %q:\n got %q\nwant %q", key, got, want[key])
		}
	}
}

// An import into a listed collection adds the entries of the records it
// inserts, moves those of the records it changes, and takes back those it
// added for records that turned out to exist.
func TestIDListsImport(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	if !s.Ferret() {
		t.Skip("id lists are kept on FerretDB only")
	}
	var existing []*domain.Response
	for i := range 20 {
		r := newResponse(fmt.Sprint("c", i%3), fmt.Sprint("s", i%2), "submitted")
		if err := s.Responses().Create(ctx, r); err != nil {
			t.Fatal(err)
		}
		existing = append(existing, r)
	}
	// 600 records, two batches: the first holds the 20 existing ones (one
	// moved to another challenge) amid new ones.
	var recs []*domain.Response
	for i := range 580 {
		recs = append(recs, newResponse(fmt.Sprint("c", i%4), fmt.Sprint("s", i%3), "submitted"))
	}
	for _, r := range existing {
		c := *r
		recs = slices.Insert(recs, 100, &c)
	}
	recs[100].ChallengeID = "c9"
	st, err := s.Responses().Import(ctx, recs)
	if err != nil {
		t.Fatal(err)
	}
	if st != (domain.ImportStats{Created: 580, Updated: 1, Unchanged: 19}) {
		t.Fatalf("import: %+v", st)
	}
	var keys []string
	for _, v := range []string{"c0", "c1", "c2", "c3", "c9"} {
		keys = append(keys, listKey("responses", "challengeId", v))
	}
	for _, v := range []string{"s0", "s1", "s2"} {
		keys = append(keys, listKey("responses", "smeId", v))
	}
	checkListsExact(t, s.responses, keys)
	findBoth(t, s, s.Responses(), domain.Query{Where: map[string]any{"challengeId": "c1"}, Limit: 5, Offset: 3})
	findBoth(t, s, s.Responses(), domain.Query{Where: map[string]any{"challengeId": "c9"}})
}

// BenchmarkFindResponsesByChallenge finds the 20 responses to one challenge
// among 20k (2k with -short), with the id lists and with the scanning query.
func BenchmarkFindResponsesByChallenge(b *testing.B) {
	n := 20_000
	if testing.Short() {
		n = 2_000
	}
	ctx := context.Background()
	s := mustOpen(b)
	docs := make([]any, 0, 1000)
	flush := func() {
		if len(docs) > 0 {
			if _, err := s.responses.coll.InsertMany(ctx, docs); err != nil {
				b.Fatal(err)
			}
			docs = docs[:0]
		}
	}
	t0 := time.Now()
	for i := range n {
		r := newResponse(fmt.Sprint("c", i%(n/20)), fmt.Sprint("s", i%500), "submitted")
		r.CreatedAt = bsonTime(t0.Add(time.Duration(i) * time.Millisecond))
		r.UpdatedAt, r.Version = r.CreatedAt, 1
		if docs = append(docs, s.responses.toDoc(r)); len(docs) == 1000 {
			flush()
		}
	}
	flush()
	// Build the lists as Open would for an existing database.
	if _, err := s.idlists.DeleteMany(ctx, bson.D{}); err != nil {
		b.Fatal(err)
	}
	if err := s.buildLists(ctx, s.listers()); err != nil {
		b.Fatal(err)
	}
	q := domain.Query{Where: map[string]any{"challengeId": "c7"}, Limit: 20}
	for _, scan := range []bool{true, false} {
		b.Run(map[bool]string{true: "scan", false: "lists"}[scan], func(b *testing.B) {
			s.scanFinds = scan
			defer func() { s.scanFinds = false }()
			for b.Loop() {
				got, total, err := s.Responses().Find(ctx, q)
				if err != nil || len(got) != 20 || total != 20 {
					b.Fatal(len(got), total, err)
				}
			}
		})
	}
}
