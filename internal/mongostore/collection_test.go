package mongostore

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

func TestCollection(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	if !s.Ferret() {
		t.Log("not FerretDB?")
	}

	t.Run("OK", func(t *testing.T) {
		c := newSME("Acme")
		if err := s.SMEs().Create(ctx, c); err != nil {
			t.Fatal(err)
		}
		if c.Version != 1 || c.CreatedAt.IsZero() || !c.UpdatedAt.Equal(c.CreatedAt) {
			t.Fatalf("meta after create: %+v", c.Meta)
		}
		got, err := s.SMEs().Get(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(c) {
			t.Fatalf("get:\n got %+v\nwant %+v", got, c)
		}

		got.Name = "Acme Ltd"
		time.Sleep(2 * time.Millisecond)
		if err := s.SMEs().Update(ctx, got); err != nil {
			t.Fatal(err)
		}
		if got.Version != 2 || !got.UpdatedAt.After(got.CreatedAt) {
			t.Fatalf("meta after update: %+v", got.Meta)
		}
		again, err := s.SMEs().Get(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if again.Name != "Acme Ltd" || again.Version != 2 || !again.UpdatedAt.Equal(got.UpdatedAt) || !again.CreatedAt.Equal(c.CreatedAt) {
			t.Fatalf("after update: %+v", again)
		}

		if err := s.SMEs().Delete(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.SMEs().Get(ctx, c.ID)
		wantCode(t, err, domain.ENOTFOUND)
	})

	t.Run("StaleUpdate", func(t *testing.T) {
		c := newSME("Stale")
		if err := s.SMEs().Create(ctx, c); err != nil {
			t.Fatal(err)
		}
		a, _ := s.SMEs().Get(ctx, c.ID)
		b, _ := s.SMEs().Get(ctx, c.ID)
		a.Name = "first"
		if err := s.SMEs().Update(ctx, a); err != nil {
			t.Fatal(err)
		}
		b.Name = "second"
		wantCode(t, s.SMEs().Update(ctx, b), domain.EPRECONDITION)
		if b.Version != 1 {
			t.Fatalf("a failed update changed the version to %d", b.Version)
		}
		got, _ := s.SMEs().Get(ctx, c.ID)
		if got.Name != "first" || got.Version != 2 {
			t.Fatalf("stale update overwrote: %+v", got)
		}
	})

	t.Run("ConcurrentUpdates", func(t *testing.T) {
		c := newSME("Race")
		if err := s.SMEs().Create(ctx, c); err != nil {
			t.Fatal(err)
		}
		errs := make(chan error, 10)
		for i := range 10 {
			go func() {
				r := *c
				r.Name = fmt.Sprint("writer ", i)
				errs <- s.SMEs().Update(ctx, &r)
			}()
		}
		ok := 0
		for range 10 {
			err := <-errs
			if err == nil {
				ok++
			} else if domain.ErrorCode(err) != domain.EPRECONDITION {
				t.Fatal(err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d of 10 updates from version 1 succeeded, want 1", ok)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		id := domain.NewID()
		_, err := s.Challenges().Get(ctx, id)
		wantCode(t, err, domain.ENOTFOUND)
		if msg := domain.ErrorMessage(err); msg != "Challenge not found." {
			t.Errorf("message %q", msg)
		}
		wantCode(t, s.Challenges().Delete(ctx, id), domain.ENOTFOUND)
		c := &domain.Challenge{Meta: domain.Meta{ID: id, Version: 1}}
		wantCode(t, s.Challenges().Update(ctx, c), domain.ENOTFOUND)
	})

	t.Run("ErrConflict", func(t *testing.T) {
		u := &domain.User{Meta: domain.Meta{ID: domain.NewID()}, Email: "a@example.org", Role: domain.RoleSME, Status: domain.StatusActive}
		if err := s.Users().Create(ctx, u); err != nil {
			t.Fatal(err)
		}
		dup := *u
		wantCode(t, s.Users().Create(ctx, &dup), domain.ECONFLICT)
	})
}

// Every entity round-trips through its document unchanged.
func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	score := 70
	check := func(t *testing.T, got, want any) {
		t.Helper()
		if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, want)
		}
	}
	t.Run("Challenge", func(t *testing.T) {
		c := &domain.Challenge{Meta: domain.Meta{ID: domain.NewID()}, Owner: "u1", Status: domain.ChallengeOpen, PublishedAt: &at,
			ChallengeInput: domain.ChallengeInput{Title: "Cut NO2", Organisation: "Council", Theme: domain.ThemeMobility,
				RequiredCapabilities: []string{"sensors"}, RequiredSkills: []string{"iot"}, CPV: []string{"48000000"},
				Region: "Genoa", Budget: domain.Budget{Min: 1, Max: 2, Currency: "EUR"}, Deadline: at}}
		if err := s.Challenges().Create(ctx, c); err != nil {
			t.Fatal(err)
		}
		got, err := s.Challenges().Get(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		check(t, got, c)
	})
	t.Run("Response", func(t *testing.T) {
		r := &domain.Response{Meta: domain.Meta{ID: domain.NewID()}, ChallengeID: "c", SMEID: "s", Status: domain.ResponseSubmitted,
			Score: &score, SubmittedAt: at, ResponseInput: domain.ResponseInput{Proposal: "p", Price: 10.5, DurationWeeks: 3}}
		if err := s.Responses().Create(ctx, r); err != nil {
			t.Fatal(err)
		}
		got, err := s.Responses().Get(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		check(t, *got.Score, score)
		got.Score, r.Score = nil, nil
		check(t, got, r)
	})
	t.Run("Course", func(t *testing.T) {
		c := &domain.Course{Meta: domain.Meta{ID: domain.NewID()}, CourseInput: domain.CourseInput{Provider: "P", Title: "Go",
			Skills: []string{"go"}, Mode: domain.ModeOnline, StartDate: &at, Hours: 12, Funded: true}}
		if err := s.Courses().Create(ctx, c); err != nil {
			t.Fatal(err)
		}
		got, err := s.Courses().Get(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		check(t, got, c)
	})
	t.Run("Embedding", func(t *testing.T) {
		e := &domain.Embedding{Meta: domain.Meta{ID: domain.NewID()}, Kind: domain.KindSME, RecordID: "x", Model: "m",
			Hash: "h", Vector: []float32{0.1, -0.25, 3.3333}}
		if err := s.Embeddings().Create(ctx, e); err != nil {
			t.Fatal(err)
		}
		got, err := s.Embeddings().Get(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		check(t, got, e)
	})
}

func TestFind(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	var want []string // user u1's notifications, newest first
	for i := range 7 {
		n := &domain.Notification{Meta: domain.Meta{ID: domain.NewID(), CreatedAt: time.Now().Add(time.Duration(i) * time.Minute)},
			UserID: "u1", Kind: domain.NotifyNewMatch, Message: fmt.Sprint(i), Read: i%2 == 0}
		if i == 6 {
			n.UserID = "u2"
		} else {
			want = append([]string{n.ID}, want...)
		}
		if err := s.Notifications().Create(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(ns []*domain.Notification) []string {
		var out []string
		for _, n := range ns {
			out = append(out, n.ID)
		}
		return out
	}

	t.Run("Paging", func(t *testing.T) {
		got, total, err := s.Notifications().Find(ctx, domain.Query{Where: map[string]any{"userId": "u1"}, Limit: 2, Offset: 1})
		if err != nil {
			t.Fatal(err)
		}
		if total != 6 || !slices.Equal(ids(got), want[1:3]) {
			t.Fatalf("total %d ids %v, want 6 %v", total, ids(got), want[1:3])
		}
	})
	t.Run("Bool", func(t *testing.T) {
		got, total, err := s.Notifications().Find(ctx, domain.Query{Where: map[string]any{"userId": "u1", "read": false}})
		if err != nil {
			t.Fatal(err)
		}
		if total != 3 || len(got) != 3 {
			t.Fatalf("total %d len %d, want 3", total, len(got))
		}
		for _, n := range got {
			if n.Read {
				t.Fatalf("read notification %v", n)
			}
		}
	})
	t.Run("All", func(t *testing.T) {
		_, total, err := s.Notifications().Find(ctx, domain.Query{})
		if err != nil || total != 7 {
			t.Fatalf("total %d err %v", total, err)
		}
	})
	t.Run("ErrUnknownField", func(t *testing.T) {
		for _, where := range []map[string]any{{"message": "x"}, {"$where": "1"}, {"userId": map[string]any{"$ne": ""}}} {
			_, _, err := s.Notifications().Find(ctx, domain.Query{Where: where})
			wantCode(t, err, domain.EINTERNAL)
		}
	})
}

func TestEach(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	var want []string
	for range 25 {
		c := newSME("x")
		want = append(want, c.ID)
		if err := s.SMEs().Create(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(want)
	var got []string
	if err := s.SMEs().Each(ctx, func(c *domain.SME) error { got = append(got, c.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Each order:\n got %v\nwant %v", got, want)
	}
	if n, err := s.SMEs().Count(ctx); err != nil || n != 25 {
		t.Fatalf("count %d err %v", n, err)
	}
}

// TestConcurrentUpdatesBatch: updates of many records at once (group-committed
// on FerretDB, replace.go) each land with their own content and version, and
// an update of a record deleted meanwhile is ENOTFOUND, not a success.
func TestConcurrentUpdatesBatch(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	// More than FerretDB can take in one bulk update (see replaceBatch).
	const n = 300
	recs := make([]*domain.SME, n)
	for i := range recs {
		recs[i] = newSME(fmt.Sprint("Batch ", i))
		if err := s.SMEs().Create(ctx, recs[i]); err != nil {
			t.Fatal(err)
		}
	}
	gone := recs[n-1]
	stale := *gone
	if err := s.SMEs().Delete(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	_, head, err := s.Changes(ctx, -1)
	if err != nil {
		t.Fatal(err)
	}
	errs := make([]error, n)
	var start sync.WaitGroup
	start.Add(1)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			start.Wait()
			r := recs[i]
			if i == n-1 {
				r = &stale
			}
			r.Summary = fmt.Sprint("edited ", i)
			errs[i] = s.SMEs().Update(ctx, r)
		})
	}
	start.Done()
	wg.Wait()
	for i := range n - 1 {
		if errs[i] != nil {
			t.Fatalf("update %d: %v", i, errs[i])
		}
		got, err := s.SMEs().Get(ctx, recs[i].ID)
		if err != nil || got.Summary != fmt.Sprint("edited ", i) || got.Version != 2 || recs[i].Version != 2 {
			t.Fatalf("record %d after update: %+v, %v (caller has version %d)", i, got, err, recs[i].Version)
		}
	}
	wantCode(t, errs[n-1], domain.ENOTFOUND)
	// Each update noted its change (in the replaces' commit on FerretDB).
	changes, _, err := s.Changes(ctx, head)
	if err != nil {
		t.Fatal(err)
	}
	noted := map[string]bool{}
	for _, ch := range changes {
		if ch.Kind == domain.KindSME && ch.Origin == s.Origin() {
			noted[ch.ID] = true
		}
	}
	for i := range n - 1 {
		if !noted[recs[i].ID] {
			t.Errorf("update %d left no change note", i)
		}
	}
}

// TestCommitReplacesMissing: in a batch of replaces, one whose record is gone
// is reported as matching nothing, and the others as written.
func TestCommitReplacesMissing(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	a, b := newSME("Kept"), newSME("Gone")
	for _, r := range []*domain.SME{a, b} {
		if err := s.SMEs().Create(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SMEs().Delete(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	var reqs []*replaceReq
	for _, r := range []*domain.SME{a, b} {
		d := smeEntity.toDoc(r)
		d.meta().Version = 2
		base := baseRead{version: 1, updatedAt: r.UpdatedAt, at: time.Now()}
		reqs = append(reqs, &replaceReq{ctx: ctx, id: r.ID, doc: d, base: base})
	}
	if err := s.commitReplaces(s.smes.coll, reqs); err != nil {
		t.Fatal(err)
	}
	if !reqs[0].matched || reqs[0].err != nil || reqs[1].matched || reqs[1].err != nil {
		t.Fatalf("outcomes: kept %v %v, gone %v %v", reqs[0].matched, reqs[0].err, reqs[1].matched, reqs[1].err)
	}
	if got, err := s.SMEs().Get(ctx, a.ID); err != nil || got.Version != 2 {
		t.Fatalf("kept record: %+v, %v", got, err)
	}
}

// TestModify: one read under the record's lock serves fn and the version
// check, so concurrent edits in a process never lose one another; an error
// from fn writes nothing; a moved listed field moves the record's list entry.
func TestModify(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	r := newResponse("chal-modify-a", "sme-modify", domain.ResponseSubmitted)
	if err := s.Responses().Create(ctx, r); err != nil {
		t.Fatal(err)
	}

	const n = 20
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if _, err := s.Responses().Modify(ctx, r.ID, func(r *domain.Response) error {
				r.DurationWeeks++
				return nil
			}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got, err := s.Responses().Get(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.DurationWeeks != r.DurationWeeks+n || got.Version != 1+n {
		t.Fatalf("after %d concurrent edits: durationWeeks %d (from %d), version %d", n, got.DurationWeeks, r.DurationWeeks, got.Version)
	}

	refused := domain.Errorf(domain.EFORBIDDEN, "no")
	_, err = s.Responses().Modify(ctx, r.ID, func(r *domain.Response) error {
		r.Proposal = "changed"
		return refused
	})
	if err != refused {
		t.Fatalf("fn's error: got %v", err)
	}
	_, err = s.Responses().Modify(ctx, r.ID, func(r *domain.Response) error {
		r.ID = "another"
		return nil
	})
	if err == nil {
		t.Fatal("an id change was written")
	}
	if again, _ := s.Responses().Get(ctx, r.ID); again.Version != got.Version || again.Proposal != got.Proposal {
		t.Fatalf("refused edits wrote: %+v", again)
	}

	moved, err := s.Responses().Modify(ctx, r.ID, func(r *domain.Response) error {
		r.ChallengeID = "chal-modify-b"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if moved.Version != got.Version+1 || moved.ChallengeID != "chal-modify-b" {
		t.Fatalf("returned record: %+v", moved)
	}
	for chal, want := range map[string]int{"chal-modify-a": 0, "chal-modify-b": 1} {
		_, total, err := s.Responses().Find(ctx, domain.Query{Where: map[string]any{"challengeId": chal}})
		if err != nil {
			t.Fatal(err)
		}
		if total != want {
			t.Fatalf("responses listed under %s: %d, want %d", chal, total, want)
		}
	}

	_, err = s.Responses().Modify(ctx, "no-such-response", func(*domain.Response) error { return nil })
	wantCode(t, err, domain.ENOTFOUND)
}

// Every bulk update stays under the size that wedges FerretDB.
func TestBulkBatchesUnderFerretLimit(t *testing.T) {
	for name, n := range map[string]int{"replaceBatch": replaceBatch, "migrateBatch": migrateBatch, "listBulk": listBulk} {
		if n >= ferretBulkLimit {
			t.Errorf("%s = %d, not under ferretBulkLimit %d", name, n, ferretBulkLimit)
		}
	}
}
