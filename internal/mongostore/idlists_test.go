package mongostore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

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
	t0 := time.Now()
	insertDocs(b, s.responses.coll, n, func(i int) any {
		r := newResponse(fmt.Sprint("c", i%(n/20)), fmt.Sprint("s", i%500), "submitted")
		r.CreatedAt = bsonTime(t0.Add(time.Duration(i) * time.Millisecond))
		r.UpdatedAt, r.Version = r.CreatedAt, 1
		return s.responses.toDoc(r)
	})
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

// orgs are the organisations the challenge list tests spread challenges
// over: two spellings of one key, and a challenge without an organisation.
var orgs = []string{"Genoa City Council", " genoa  CITY council", "Tartu City", "Gävle kommun", ""}

// checkOrgLists fails unless the challenges' id lists hold exactly the entry
// of every challenge under its organisation key.
func checkOrgLists(t *testing.T, s *Store) {
	t.Helper()
	keys := []string{listKey("challenges", domain.OrgKeyField, "none")}
	for _, o := range orgs {
		keys = append(keys, listKey("challenges", domain.OrgKeyField, domain.OrgKey(o)))
	}
	checkListsExact(t, s.challenges, slices.Compact(slices.Sorted(slices.Values(keys))))
}

// checkOrgFinds compares the officer dashboard's queries (service
// OrgChallenges) from the id lists and from the scanning query.
func checkOrgFinds(t *testing.T, s *Store, rnd *rand.Rand) {
	t.Helper()
	statuses := []string{domain.ChallengeDraft, domain.ChallengeOpen, domain.ChallengeClosed}
	for _, o := range append(orgs, "none") {
		key := domain.OrgKey(o)
		if o == "none" {
			key = "none"
		}
		for _, q := range []domain.Query{
			{Where: map[string]any{domain.OrgKeyField: key}},
			{Where: map[string]any{domain.OrgKeyField: key}, Limit: 3, Offset: rnd.IntN(5)},
			{Where: map[string]any{domain.OrgKeyField: key, "status": statuses[rnd.IntN(len(statuses))]}, Limit: 2, Offset: rnd.IntN(2)},
		} {
			findBoth(t, s, s.Challenges(), q)
		}
	}
}

// The officer dashboard's list of an organisation's challenges answers from
// the id lists as the scanning query does, newest first with the same total,
// through creates, imports, moves between organisations, status changes and
// deletes; and the lists hold exactly the challenges' entries.
func TestOrgChallengeListsMatchScan(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	if !s.Ferret() {
		t.Skip("id lists are kept on FerretDB only")
	}
	rnd := rand.New(rand.NewPCG(3, 4))
	pick := func(vals ...string) string { return vals[rnd.IntN(len(vals))] }
	var live []*domain.Challenge
	for round := range 4 {
		for range 12 {
			c := newChallenge(pick(orgs...))
			if err := s.Challenges().Create(ctx, c); err != nil {
				t.Fatal(err)
			}
			live = append(live, c)
		}
		// An import of new challenges amid existing ones, one of them moved
		// to another organisation: one InsertMany whose duplicates take their
		// entries back.
		var batch []*domain.Challenge
		for range 8 {
			batch = append(batch, newChallenge(pick(orgs...)))
		}
		for range 3 {
			c := *live[rnd.IntN(len(live))]
			batch = append(batch, &c)
		}
		batch[len(batch)-1].Organisation = pick(orgs...)
		if _, err := s.Challenges().Import(ctx, batch); err != nil {
			t.Fatal(err)
		}
		for _, c := range batch[:8] {
			live = append(live, c)
		}
		// Moves between organisations, by Modify and by Update, and status
		// changes, which move nothing.
		for range 6 {
			c := live[rnd.IntN(len(live))]
			got, err := s.Challenges().Modify(ctx, c.ID, func(c *domain.Challenge) error {
				c.Organisation = pick(orgs...)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			got.Status = pick(domain.ChallengeOpen, domain.ChallengeClosed)
			if rnd.IntN(2) == 0 {
				got.Organisation = pick(orgs...)
			}
			if err := s.Challenges().Update(ctx, got); err != nil {
				t.Fatal(err)
			}
		}
		for range 4 {
			k := rnd.IntN(len(live))
			if err := s.Challenges().Delete(ctx, live[k].ID); err != nil {
				t.Fatal(err)
			}
			live = slices.Delete(live, k, k+1)
		}
		checkOrgLists(t, s)
		for range 3 {
			checkOrgFinds(t, s, rnd)
		}
		_ = round
	}

	// The dashboard through a move and a delete, in order.
	tartu := findByOrg(t, s, "Tartu City")
	c := newChallenge("Tartu City")
	if err := s.Challenges().Create(ctx, c); err != nil {
		t.Fatal(err)
	}
	if got := findByOrg(t, s, "tartu city"); !slices.Equal(got, append([]string{c.ID}, tartu...)) {
		t.Fatalf("after a create Tartu has %q", got)
	}
	if _, err := s.Challenges().Modify(ctx, c.ID, func(c *domain.Challenge) error {
		c.Organisation = "Gävle Kommun"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := findByOrg(t, s, "Tartu City"); !slices.Equal(got, tartu) {
		t.Fatalf("after the move Tartu has %q, want %q", got, tartu)
	}
	if got := findByOrg(t, s, "GÄVLE KOMMUN"); len(got) == 0 || got[0] != c.ID {
		t.Fatalf("after the move Gävle has %q, newest first should be %s", got, c.ID)
	}
	if err := s.Challenges().Delete(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if got := findByOrg(t, s, "Gävle kommun"); slices.Contains(got, c.ID) {
		t.Fatalf("deleted challenge still listed: %q", got)
	}
	checkOrgLists(t, s)
	checkOrgFinds(t, s, rnd)
}

// A database written before challenges had id lists, and before they kept
// their organisation key, gets both at its next Open: the migration first,
// then the lists of the challenges alone (the others were complete).
func TestOrgChallengeListsBuiltAtOpen(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	if !s.Ferret() {
		t.Skip("id lists are kept on FerretDB only")
	}
	for i := range 40 {
		c := newChallenge(orgs[i%len(orgs)])
		c.Status = []string{domain.ChallengeDraft, domain.ChallengeOpen}[i%2]
		if err := s.Challenges().Create(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := s.Responses().Create(ctx, newResponse(c.ID, "s1", "submitted")); err != nil {
			t.Fatal(err)
		}
	}
	// Make the database what the older version left: no orgKey, no
	// challenge lists, the marker naming the other listings.
	beforeOrgKeys(t, s)
	var old []string
	for _, l := range s.listers() {
		if l.listing() != "" && l != lister(s.challenges) {
			old = append(old, l.listing())
		}
	}
	for _, o := range orgs {
		if _, err := s.idlists.DeleteOne(ctx, byID(listKey("challenges", domain.OrgKeyField, domain.OrgKey(o)))); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.idlists.ReplaceOne(ctx, byID(idListsMarker), bson.D{{Key: "listing", Value: strings.Join(old, ";")}}); err != nil {
		t.Fatal(err)
	}
	// A response list removed by hand shows the complete lists are not
	// built again.
	if _, err := s.idlists.DeleteOne(ctx, byID(listKey("responses", "smeId", "s1"))); err != nil {
		t.Fatal(err)
	}

	s2 := mustOpenDB(t, s.db.Name())
	checkOrgLists(t, s2)
	checkOrgFinds(t, s2, rand.New(rand.NewPCG(5, 6)))
	if got := findByOrg(t, s2, "genoa city council"); len(got) != 16 {
		t.Fatalf("Genoa has %d challenges, want 16", len(got))
	}
	if l, err := s2.readList(ctx, listKey("responses", "smeId", "s1")); err != nil || len(l) != 0 {
		t.Fatalf("complete response lists built again: %d entries, %v", len(l), err)
	}
}

// BenchmarkOrgChallenges is the officer dashboard's query (service
// OrgChallenges): a page of 10 of one organisation's challenges, newest
// first, among 20k challenges of 100 organisations (2k with -short), with
// and without a status, from the id lists and from the scanning query.
func BenchmarkOrgChallenges(b *testing.B) {
	n := 20_000
	if testing.Short() {
		n = 2_000
	}
	ctx := context.Background()
	s := mustOpen(b)
	statuses := []string{domain.ChallengeDraft, domain.ChallengeOpen, domain.ChallengeClosed, domain.ChallengeAwarded}
	t0 := time.Now()
	insertDocs(b, s.challenges.coll, n, func(i int) any {
		c := newChallenge(fmt.Sprint("Council ", i%100))
		c.Status = statuses[i/100%len(statuses)]
		c.CreatedAt = bsonTime(t0.Add(time.Duration(i) * time.Millisecond))
		c.UpdatedAt, c.Version = c.CreatedAt, 1
		return s.challenges.toDoc(c)
	})
	// Build the lists as Open would for an existing database.
	if _, err := s.idlists.DeleteMany(ctx, bson.D{}); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if err := s.buildLists(ctx, s.listers()); err != nil {
		b.Fatal(err)
	}
	b.Logf("lists of %d challenges built in %v", n, time.Since(start).Round(time.Millisecond))
	key := domain.OrgKey("Council 7")
	for _, bc := range []struct {
		name string
		q    domain.Query
		want int
	}{
		{"all", domain.Query{Where: map[string]any{domain.OrgKeyField: key}, Limit: 10}, n / 100},
		{"open", domain.Query{Where: map[string]any{domain.OrgKeyField: key, "status": domain.ChallengeOpen}, Limit: 10}, n / 400},
	} {
		for _, scan := range []bool{true, false} {
			b.Run(bc.name+"/"+map[bool]string{true: "scan", false: "lists"}[scan], func(b *testing.B) {
				s.scanFinds = scan
				defer func() { s.scanFinds = false }()
				for b.Loop() {
					got, total, err := s.Challenges().Find(ctx, bc.q)
					if err != nil || len(got) != min(10, bc.want) || total != bc.want {
						b.Fatal(len(got), total, err)
					}
				}
			})
		}
	}
}

// BenchmarkImportChallenges imports 20k new challenges of 100 organisations
// (2k with -short) in the 1000-record calls the service makes, and reports
// records/s: on FerretDB each batch's id list entries go in a few bulk writes
// beside its one InsertMany.
func BenchmarkImportChallenges(b *testing.B) {
	n := 20_000
	if testing.Short() {
		n = 2_000
	}
	ctx := context.Background()
	var elapsed time.Duration
	for b.Loop() {
		b.StopTimer()
		s := mustOpen(b)
		recs := make([]*domain.Challenge, n)
		for i := range recs {
			recs[i] = newChallenge(fmt.Sprint("Council ", i%100))
		}
		b.StartTimer()
		start := time.Now()
		for i := 0; i < n; i += 1000 {
			st, err := s.Challenges().Import(ctx, recs[i:min(i+1000, n)])
			if err != nil || st.Created != min(1000, n-i) {
				b.Fatal(st, err)
			}
		}
		elapsed += time.Since(start)
	}
	b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "records/s")
}

// insertDocs inserts doc(0) to doc(n-1) into coll straight, bypassing the
// store (and so its id lists), a thousand at a time: a large collection as
// an older version, or another tool, left it.
func insertDocs(tb testing.TB, coll *mongo.Collection, n int, doc func(i int) any) {
	tb.Helper()
	docs := make([]any, 0, 1000)
	for i := range n {
		docs = append(docs, doc(i))
		if len(docs) == cap(docs) || i == n-1 {
			if _, err := coll.InsertMany(context.Background(), docs); err != nil {
				tb.Fatal(err)
			}
			docs = docs[:0]
		}
	}
}
