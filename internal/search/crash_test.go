package search

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
)

// crashChildEnv makes the test binary a child process that opens an index
// and uses it until the test SIGKILLs it (see crashChild).
const crashChildEnv = "BETTERMATCH_SEARCH_CRASH_CHILD"

func TestMain(m *testing.M) {
	if mode := os.Getenv(crashChildEnv); mode != "" {
		crashChild(mode, os.Getenv(crashChildEnv+"_PATH"))
	}
	os.Exit(m.Run())
}

// crashChild opens (or creates) the index at path. In mode "create" it
// prints "ready" and waits; in mode "write" it indexes records c1, c2, ...
// one call each, stamps the index with each one's number after it, and
// prints the number once both calls have returned. Either way it never
// closes the index: the test kills it.
func crashChild(mode, path string) {
	x, err := Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if mode == "write" {
		ctx := context.Background()
		for i := 1; ; i++ {
			rec := sme(fmt.Sprint("c", i), 1, domain.SMEInput{Name: "Crash", Summary: "Record number " + strconv.Itoa(i) + "."})
			if err := x.Index(ctx, rec); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			if err := x.SetStamp(strconv.Itoa(i)); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			fmt.Println(i)
		}
	}
	fmt.Println("ready")
	time.Sleep(time.Hour)
	os.Exit(3)
}

// crashRun starts a crash child on path and returns once it has printed
// lines lines; then it SIGKILLs it and returns the last line.
func crashRun(t *testing.T, mode, path string, lines int) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+mode, crashChildEnv+"_PATH="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	var last string
	for n := 0; n < lines && sc.Scan(); n++ {
		last = sc.Text()
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if last == "" {
		t.Fatalf("the child printed nothing before it was killed (%v)", sc.Err())
	}
	return last
}

// An index is usable once Open has created it: killed right after, it comes
// back with its mapping version, not as an unreadable index to throw away.
// (Writes are persisted in the background, after they return: see
// scorchConfig.)
func TestIndexKilledAfterCreationKeepsItsVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "index")
	crashRun(t, "create", path, 1)
	x := mustOpen(t, path, false)
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
}

// A process killed while writing loses the writes scorch had not persisted
// yet, but what it persisted is a consistent state: every record written
// before the stamp it holds is there, so applying the change log from the
// stamp on (and the start-up reconcile) brings it up to date. The stamp is
// never ahead of the writes it covers.
func TestIndexKilledWhileWritingKeepsWritesUpToItsStamp(t *testing.T) {
	ctx := context.Background()
	for trial := range 3 {
		path := filepath.Join(t.TempDir(), "index")
		acked, _ := strconv.Atoi(crashRun(t, "write", path, 50+rand.IntN(400)))
		x := mustOpen(t, path, false)
		stamp, err := x.Stamp()
		if err != nil {
			t.Fatal(err)
		}
		s := 0
		if stamp != "" {
			if s, err = strconv.Atoi(stamp); err != nil {
				t.Fatalf("stamp %q", stamp)
			}
		}
		got, err := x.IDs(ctx, domain.KindSME)
		if err != nil {
			t.Fatal(err)
		}
		// Records are written in order, each before its stamp: the index
		// holds c1..cn with n the stamp, or one more whose stamp was lost.
		n := len(got)
		if n != s && n != s+1 {
			t.Errorf("trial %d: %d records with stamp %d", trial, n, s)
		}
		want := make([]string, n)
		for i := range want {
			want[i] = fmt.Sprint("c", i+1)
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("trial %d: records %v, want c1..c%d", trial, got, n)
		}
		t.Logf("trial %d: killed after %d acknowledged writes; %d on disk, stamp %d", trial, acked, n, s)
		if err := x.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
