package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/service"
	"github.com/bettermatch/bettermatch/internal/testenv"
)

func sme(ext, name, summary string) *domain.SME {
	return &domain.SME{SMEInput: domain.SMEInput{ExternalID: ext, Name: name, Size: domain.SizeSmall, Region: "Tartu County", Summary: summary}}
}

func total(t *testing.T, svc *service.Service, q string) int {
	t.Helper()
	p, err := svc.SearchSMEs(context.Background(), nil, service.SMEQuery{Q: q})
	if err != nil {
		t.Fatal(err)
	}
	return p.Total
}

// TestSecondProcessCatchesUp runs two services on one database, as two serve
// processes would: what one writes, the other finds after its periodic sync,
// single writes and bulk imports alike, and deletions too.
func TestSecondProcessCatchesUp(t *testing.T) {
	ctx := context.Background()
	a, b := twoProcesses(t)

	created, err := a.Svc.CreateSME(ctx, admin, sme("", "Emajõe Sensors", "Hydrology sensors for river monitoring.").SMEInput)
	if err != nil {
		t.Fatal(err)
	}
	if total(t, b.Svc, "hydrology") != 0 {
		t.Fatal("b found the record before syncing; the test proves nothing")
	}
	syncCtx, stop := context.WithCancel(ctx)
	defer stop()
	go b.Svc.RunSync(syncCtx, 100*time.Millisecond)
	waitFor(t, func() bool { return total(t, b.Svc, "hydrology") == 1 })

	if _, err := a.Svc.Import(ctx, []*domain.SME{sme("x-1", "Toome Data", "Geospatial mapping of flood risk.")}, nil, nil, service.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return total(t, b.Svc, "flood") == 1 })

	if err := a.Svc.DeleteSME(ctx, admin, created.ID, 0); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return total(t, b.Svc, "hydrology") == 0 })
}

// twoProcesses is two services on one database, as two serve processes.
func twoProcesses(t *testing.T) (a, b *testenv.Env) {
	a = testenv.New(t)
	return a, testenv.New(t, testenv.Options{Database: a.Database})
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("the second process did not catch up within 10s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestSyncRereadsLateWrites: a change is noted before its write, so another
// process may read the note before the write lands. It rereads the record
// once the note is ChangeSettle old, and until then its index stamp (where a
// restart resumes) stays before the note.
func TestSyncRereadsLateWrites(t *testing.T) {
	ctx := context.Background()
	a := testenv.New(t)
	b := testenv.New(t, testenv.Options{Database: a.Database})
	b.Svc.ChangeSight, b.Svc.ChangeSettle = 0, 1500*time.Millisecond
	if err := b.Svc.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	stamp := func() string {
		s, err := b.Index.Stamp()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := stamp()

	late := sme("", "Põltsamaa Drones", "Drone surveys of peat bogs.")
	late.ID = domain.NewID()
	if err := a.Store.RecordChange(ctx, domain.KindSME, late.ID); err != nil { // the note, as intend writes it
		t.Fatal(err)
	}
	if err := b.Svc.Sync(ctx); err != nil { // reads the note: no record yet
		t.Fatal(err)
	}
	noted := time.Now()
	// The write lands after b read its note (Import writes no note).
	if _, err := a.Store.SMEs().Import(ctx, []*domain.SME{late}); err != nil {
		t.Fatal(err)
	}
	if err := b.Svc.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if total(t, b.Svc, "peat") != 0 {
		t.Fatal("b found the record before the note settled; the test proves nothing")
	}
	if got := stamp(); got != before {
		t.Errorf("stamp moved to %s past an unsettled note (was %s)", got, before)
	}
	for total(t, b.Svc, "peat") == 0 {
		if time.Since(noted) > 10*time.Second {
			t.Fatal("b never reread the record")
		}
		time.Sleep(100 * time.Millisecond)
		if err := b.Svc.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if time.Since(noted) < time.Second {
		t.Errorf("b found the record %v after the note, before it settled", time.Since(noted))
	}
	if got := stamp(); got == before {
		t.Errorf("stamp still %s after the note settled", got)
	}
}

// TestSignOutReachesOtherProcesses: a session signed out on one process is
// refused by another after its next sync, and by one started afterwards.
func TestSignOutReachesOtherProcesses(t *testing.T) {
	ctx := context.Background()
	a := testenv.New(t)
	b := testenv.New(t, testenv.Options{Database: a.Database})
	sess, err := a.Svc.Register(ctx, domain.Registration{Email: "leaver@example.org", Password: "a long enough password", Name: "Leaver", Role: domain.RoleSME})
	if err != nil {
		t.Fatal(err)
	}
	other, err := a.Svc.Login(ctx, "leaver@example.org", "a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Svc.Authenticate(ctx, sess.Token); err != nil {
		t.Fatalf("b refuses a live token: %v", err)
	}
	if err := a.Svc.SignOut(ctx, sess.Token, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Svc.Authenticate(ctx, sess.Token); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
		t.Fatalf("a accepts a signed-out token: %v", err)
	}
	syncCtx, stop := context.WithCancel(ctx)
	defer stop()
	go b.Svc.RunSync(syncCtx, 100*time.Millisecond)
	waitFor(t, func() bool {
		_, err := b.Svc.Authenticate(ctx, sess.Token)
		return domain.ErrorCode(err) == domain.EUNAUTHORIZED
	})
	// The account's other session lives on.
	if _, err := b.Svc.Authenticate(ctx, other.Token); err != nil {
		t.Fatalf("b refuses the other session's token: %v", err)
	}
	c := testenv.New(t, testenv.Options{Database: a.Database})
	if _, err := c.Svc.Authenticate(ctx, sess.Token); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
		t.Fatalf("a process started after the sign-out accepts its token: %v", err)
	}
	if _, err := c.Svc.Authenticate(ctx, other.Token); err != nil {
		t.Fatalf("c refuses the other session's token: %v", err)
	}
}

// TestReadsFollowTheIndex: a profile is read from the search index's copy, as
// fresh as search results: another process's edit shows once this one has
// synced, and so does its deletion.
func TestReadsFollowTheIndex(t *testing.T) {
	ctx := context.Background()
	a, b := twoProcesses(t)

	created, err := a.Svc.CreateSME(ctx, admin, sme("", "Emajõe Sensors", "Hydrology sensors.").SMEInput)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Svc.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Svc.UpdateSME(ctx, admin, created.ID, 0, func(in *domain.SMEInput) error {
		in.Name = "Emajõe Sensors and Drones"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	got, err := a.Svc.GetSME(ctx, admin, created.ID)
	if err != nil || got.Name != "Emajõe Sensors" || got.Version != 1 {
		t.Fatalf("before a syncs: %+v, %v; want the index's copy, version 1", got, err)
	}
	// A note is applied once its write has had time to land (see syncLocked).
	waitFor(t, func() bool {
		if err := a.Svc.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		got, err = a.Svc.GetSME(ctx, admin, created.ID)
		return err == nil && got.Name == "Emajõe Sensors and Drones" && got.Version == 2
	})

	if err := b.Svc.DeleteSME(ctx, admin, created.ID, 0); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		if err := a.Svc.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		_, err := a.Svc.GetSME(ctx, admin, created.ID)
		return domain.ErrorCode(err) == domain.ENOTFOUND
	})
}

// TestStartReconcilesTheIndex: a start finds the index's copies that are
// behind the store, or of records the store no longer has, and mends them,
// as after a process was killed between a store write and its index write
// and its change notes are not read yet.
func TestStartReconcilesTheIndex(t *testing.T) {
	ctx := context.Background()
	env := testenv.New(t)
	kept, err := env.Svc.CreateSME(ctx, admin, sme("", "Emajõe Sensors", "Hydrology sensors.").SMEInput)
	if err != nil {
		t.Fatal(err)
	}
	gone, err := env.Svc.CreateSME(ctx, admin, sme("", "Toome Data", "Flood maps.").SMEInput)
	if err != nil {
		t.Fatal(err)
	}
	// Straight to the store: the index keeps the old copies.
	if _, err := env.Store.SMEs().Modify(ctx, kept.ID, func(r *domain.SME) error {
		r.Name = "Emajõe Sensors and Drones"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := env.Store.SMEs().Delete(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := env.Svc.GetSME(ctx, admin, kept.ID); err != nil || got.Version != 1 {
		t.Fatalf("before the start: %+v, %v; want the index's old copy (the test proves nothing otherwise)", got, err)
	}

	if err := env.Svc.Start(ctx, false, nil); err != nil {
		t.Fatal(err)
	}
	got, err := env.Svc.GetSME(ctx, admin, kept.ID)
	if err != nil || got.Name != "Emajõe Sensors and Drones" || got.Version != 2 {
		t.Errorf("after the start: %+v, %v; want the store's version 2", got, err)
	}
	if _, err := env.Svc.GetSME(ctx, admin, gone.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("deleted record after the start: %v; want not found", err)
	}
	if total(t, env.Svc, "flood") != 0 {
		t.Error("search still finds the deleted record")
	}
	if total(t, env.Svc, "drones") != 1 {
		t.Error("search does not find the new name")
	}
}
