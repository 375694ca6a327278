package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/search"
)

// childEnv makes the test binary act as `bettermatch serve`, so the kill test
// can run the real program in a child process it may SIGKILL.
const childEnv = "BETTERMATCH_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "serve" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err := run(ctx, []string{"serve"})
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "bettermatch:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestKill9KeepsAcknowledgedWrites runs `serve` (embedded database, own data
// dir) in a child process, fires concurrent writes at it — profile edits,
// profile deletions and re-creations, responses and response edits — and
// SIGKILLs it mid-burst, then restarts it on the same data dir and checks:
//
//   - every acknowledged (2xx) write is there, by id, at its acknowledged
//     version or later; an acknowledged deletion stays deleted;
//   - the search index agrees with the database: every profile that exists
//     is found by the unique word in its current summary, and no deleted
//     profile is found by any word.
//
// The index is written to disk in the background, after a write is
// acknowledged (search's scorchConfig), so a kill leaves it behind the
// database, and the restart must mend it: each trial logs by how much
// (indexAtKill), so a run shows whether it tested that.
//
// BETTERMATCH_KILL_TRIALS sets the number of kill/restart trials (default 3;
// the target is 20).
func TestKill9KeepsAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts a server")
	}
	trials := 3
	if v := os.Getenv("BETTERMATCH_KILL_TRIALS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("BETTERMATCH_KILL_TRIALS=%q", v)
		}
		trials = n
	}
	k := &killRig{t: t, dir: t.TempDir()}
	k.start()
	defer k.kill()
	k.setup()

	var totalAcked, totalChecked, totalBehind int
	for trial := 1; trial <= trials; trial++ {
		k.refresh()
		acked := k.burst(time.Duration(300+mrand.IntN(1500)) * time.Millisecond)
		k.kill()
		behind := k.indexAtKill()
		k.start()
		checked := k.verify()
		totalAcked += acked
		totalChecked += checked
		totalBehind += behind
		t.Logf("trial %d: %d writes acknowledged before SIGKILL; the index on disk was behind on %d profiles; %d records and %d search words checked after restart; index agreed after %v",
			trial, acked, behind, checked, len(k.words), k.caughtUp[len(k.caughtUp)-1].Round(time.Millisecond))
	}
	t.Logf("%d trials: %d acknowledged writes, none lost; the restarts mended the index on %d profiles in all; %d record checks",
		trials, totalAcked, totalBehind, totalChecked)
}

// killRig is the child server and what the writers know of it.
type killRig struct {
	t      *testing.T
	dir    string
	url    string
	cmd    *exec.Cmd
	exited chan struct{}
	logs   *bytes.Buffer
	hc     *http.Client

	admin, officer string
	challenges     []string
	profilers      []*profiler
	responders     []*responder

	mu sync.Mutex
	// smes is every profile id ever seen, with what was last acknowledged.
	smes map[string]*ackedSME
	// responses is every acknowledged response: id → version, word.
	responses map[string]*ackedResponse
	// words of this trial, for the index checks (word → nothing).
	words map[string]bool
	// caughtUp is how long the index took to agree after each restart.
	caughtUp []time.Duration
}

type ackedSME struct {
	version int
	word    string
	deleted bool
	// deleting: a deletion was sent and not answered (the kill came first),
	// so the profile may be gone without that being a lost write.
	deleting bool
	owner    string // token
	words    []string
}

type ackedResponse struct {
	version int
	word    string
	token   string
}

func (k *killRig) start() {
	t := k.t
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	env := []string{childEnv + "=serve", "BETTERMATCH_ADDR=" + addr, "BETTERMATCH_DATA_DIR=" + k.dir,
		"BETTERMATCH_ADMIN_EMAIL=root@example.org", "BETTERMATCH_ADMIN_PASSWORD=admin-password-1",
		"BETTERMATCH_LOG_LEVEL=warn", "BETTERMATCH_LOG_FORMAT=text"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "BETTERMATCH_") && !strings.HasPrefix(kv, "MONGODB_") && !strings.HasPrefix(kv, "OPENAI_") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	k.logs = &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = k.logs, k.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	k.cmd, k.url = cmd, "http://"+addr
	exited := make(chan struct{})
	k.exited = exited
	go func() { _ = cmd.Wait(); close(exited) }()
	k.hc = &http.Client{Timeout: 20 * time.Second}
	deadline := time.Now().Add(90 * time.Second)
	for {
		resp, err := k.hc.Get(k.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		select {
		case <-exited:
			t.Fatalf("serve exited:\n%s", k.logs)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve not ready after 90s:\n%s", k.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// indexAtKill opens a copy of the search index the killed server left and
// returns the number of profiles whose acknowledged state it lacks (an older
// version, or a deleted profile still there): what the restart has to mend.
// The copy keeps the restart facing the index exactly as the kill left it.
func (k *killRig) indexAtKill() (behind int) {
	t := k.t
	t.Helper()
	dst := filepath.Join(t.TempDir(), "index")
	if err := os.CopyFS(dst, os.DirFS(filepath.Join(k.dir, "index-bettermatch"))); err != nil {
		t.Fatal(err)
	}
	x, err := search.Open(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	// What the persister wrote is a consistent snapshot: an older index,
	// never one to throw away.
	if x.Fresh() {
		t.Error("the index the killed server left was unusable or had no mapping version")
	}
	k.mu.Lock()
	ids := make([]string, 0, len(k.smes))
	acked := make([]*ackedSME, 0, len(k.smes))
	for id, a := range k.smes {
		ids, acked = append(ids, id), append(acked, a)
	}
	k.mu.Unlock()
	hits, err := x.Sources(context.Background(), domain.KindSME, ids)
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range hits {
		var doc struct {
			Version int `json:"version"`
		}
		indexed := len(h.Source) > 0 && json.Unmarshal(h.Source, &doc) == nil
		if acked[i].deleted && indexed || !acked[i].deleted && doc.Version < acked[i].version {
			behind++
		}
	}
	return behind
}

// kill sends SIGKILL and waits for the process to be gone.
func (k *killRig) kill() {
	if k.cmd == nil || k.cmd.Process == nil {
		return
	}
	_ = k.cmd.Process.Kill()
	<-k.exited
	k.cmd = nil
}

// do sends a request; err is a transport error (the server died).
func (k *killRig) do(method, path, token string, body any, ifMatch int) (int, map[string]any, error) {
	var rd io.Reader = http.NoBody
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, k.url+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ifMatch > 0 {
		req.Header.Set("If-Match", `"v`+strconv.Itoa(ifMatch)+`"`)
	}
	resp, err := k.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var out map[string]any
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		// Headers arrived but the body did not: not an acknowledgement.
		return 0, nil, err
	}
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out, nil
}

// must is do for setup and checks, where anything but want is fatal.
func (k *killRig) must(want int, method, path, token string, body any) map[string]any {
	k.t.Helper()
	code, out, err := k.do(method, path, token, body, 0)
	if err != nil || code != want {
		k.t.Fatalf("%s %s: %d %v %v, want %d\n%s", method, path, code, out, err, want, k.logs)
	}
	return out
}

// word is a token no other record shares, and far (in edits) from every other
// one, so the search's fuzzy matching of unknown words cannot confuse two.
func word() string {
	const letters = "bcdfghjklmnpqrtvwxz"
	b := []byte("kt")
	for range 10 {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(letters))))
		b = append(b, letters[n.Int64()])
	}
	return string(b)
}

var wordRe = regexp.MustCompile(`\bkt[a-z]{10}\b`)

func smeInput(w string) map[string]any {
	return map[string]any{"name": "Crash Test Ltd", "size": "micro", "region": "Liguria",
		"summary": "Harbour inspection drones and " + w + " telemetry for council fleets."}
}

func (k *killRig) register(email, role, org string) string {
	out := k.must(201, "POST", "/api/v1/auth/register", "", map[string]any{
		"email": email, "password": "a-long-passphrase", "name": "Writer", "role": role, "organisation": org})
	return out["token"].(string)
}

const (
	profilerCount  = 3
	responderCount = 3
	challengeCount = 12
)

// setup creates the accounts, profiles and open challenges the writers need.
func (k *killRig) setup() {
	k.smes = map[string]*ackedSME{}
	k.responses = map[string]*ackedResponse{}
	k.admin = k.must(200, "POST", "/api/v1/auth/login", "", map[string]any{"email": "root@example.org", "password": "admin-password-1"})["token"].(string)
	k.register("olu@council.example", "officer", "Crash City Council")
	off := k.must(200, "POST", "/api/v1/auth/login", "", map[string]any{"email": "olu@council.example", "password": "a-long-passphrase"})
	offID := off["user"].(map[string]any)["id"].(string)
	k.must(200, "POST", "/api/v1/users/"+offID+"/verify", k.admin, nil)
	k.officer = off["token"].(string)
	deadline := time.Now().Add(60 * 24 * time.Hour).UTC().Format(time.RFC3339)
	for i := range challengeCount {
		ch := k.must(201, "POST", "/api/v1/challenges", k.officer, map[string]any{
			"title": fmt.Sprintf("Inspect harbour walls, lot %d", i), "summary": "Find cracks in harbour walls before they fail.",
			"description": "We want a survey of our harbour walls with drones or divers, and a report.",
			"theme":       "other", "region": "Liguria", "deadline": deadline,
			"budget": map[string]any{"min": 1000, "max": 50000, "currency": "EUR"}})
		id := ch["id"].(string)
		k.must(200, "POST", "/api/v1/challenges/"+id+"/publish", k.officer, nil)
		k.challenges = append(k.challenges, id)
	}
	for i := range profilerCount {
		k.profilers = append(k.profilers, &profiler{token: k.register(fmt.Sprintf("p%d@example.org", i), "sme", "")})
	}
	for i := range responderCount {
		tok := k.register(fmt.Sprintf("r%d@example.org", i), "sme", "")
		w := word()
		k.must(201, "POST", "/api/v1/smes", tok, smeInput(w))
		k.responders = append(k.responders, &responder{token: tok, done: map[string]bool{}})
	}
}

// profiler edits, deletes and re-creates its one profile.
type profiler struct {
	token   string
	id      string
	version int
}

// responder responds to challenges and edits its responses.
type responder struct {
	token string
	done  map[string]bool // challenges responded to (or refused)
	mine  []string        // response ids
	ver   map[string]int  // response id → version
}

// refresh reloads what each writer needs from the server after a restart:
// writes in flight at the kill may or may not have happened.
func (k *killRig) refresh() {
	for _, p := range k.profilers {
		me := k.must(200, "GET", "/api/v1/me", p.token, nil)
		p.id, _ = me["smeId"].(string)
		p.version = 0
		if p.id != "" {
			got := k.must(200, "GET", "/api/v1/smes/"+p.id, "", nil)
			p.version = int(got["version"].(float64))
			k.noteSME(p.id, p.token)
		}
	}
	for _, r := range k.responders {
		r.ver = map[string]int{}
		for _, id := range r.mine {
			got := k.must(200, "GET", "/api/v1/responses/"+id, r.token, nil)
			r.ver[id] = int(got["version"].(float64))
		}
	}
	k.words = map[string]bool{}
}

// noteSME remembers a profile id seen, so the checks cover profiles whose
// creation was not acknowledged too.
func (k *killRig) noteSME(id, owner string) *ackedSME {
	k.mu.Lock()
	defer k.mu.Unlock()
	a := k.smes[id]
	if a == nil {
		a = &ackedSME{owner: owner}
		k.smes[id] = a
	}
	return a
}

func (k *killRig) ackSME(id, owner string, version int, w string, deleted bool) {
	a := k.noteSME(id, owner)
	k.mu.Lock()
	defer k.mu.Unlock()
	if deleted {
		a.deleted = true
	} else {
		a.version, a.word = version, w
	}
	if w != "" {
		a.words = append(a.words, w)
		k.words[w] = true
	}
}

// burst runs the writers until the server is killed after d, and returns the
// number of acknowledged writes.
func (k *killRig) burst(d time.Duration) int {
	var acked sync.WaitGroup
	var n int64
	var nmu sync.Mutex
	count := func() { nmu.Lock(); n++; nmu.Unlock() }
	for _, p := range k.profilers {
		acked.Add(1)
		go func() { defer acked.Done(); k.runProfiler(p, count) }()
	}
	for _, r := range k.responders {
		acked.Add(1)
		go func() { defer acked.Done(); k.runResponder(r, count) }()
	}
	time.Sleep(d)
	_ = k.cmd.Process.Signal(syscall.SIGKILL)
	acked.Wait()
	return int(n)
}

// runProfiler writes until a request fails in transport (the kill).
func (k *killRig) runProfiler(p *profiler, acked func()) {
	for {
		if p.id == "" {
			w := word()
			code, out, err := k.do("POST", "/api/v1/smes", p.token, smeInput(w), 0)
			if err != nil {
				return
			}
			if code != 201 {
				k.t.Errorf("create profile: %d %v", code, out)
				return
			}
			p.id, p.version = out["id"].(string), int(out["version"].(float64))
			k.ackSME(p.id, p.token, p.version, w, false)
			acked()
			continue
		}
		if mrand.IntN(8) == 0 {
			code, out, err := k.do("DELETE", "/api/v1/smes/"+p.id, p.token, nil, p.version)
			if err != nil {
				k.noteSME(p.id, p.token).deleting = true
				return
			}
			if code != 204 {
				k.t.Errorf("delete profile: %d %v", code, out)
				return
			}
			k.ackSME(p.id, p.token, 0, "", true)
			acked()
			p.id = ""
			continue
		}
		w := word()
		code, out, err := k.do("PATCH", "/api/v1/smes/"+p.id, p.token, map[string]any{"summary": smeInput(w)["summary"]}, p.version)
		if err != nil {
			return
		}
		if code != 200 {
			k.t.Errorf("edit profile: %d %v", code, out)
			return
		}
		p.version = int(out["version"].(float64))
		k.ackSME(p.id, p.token, p.version, w, false)
		acked()
	}
}

func (k *killRig) runResponder(r *responder, acked func()) {
	for {
		var todo string
		for _, c := range k.challenges {
			if !r.done[c] {
				todo = c
				break
			}
		}
		w := word()
		proposal := "We will fly inspection drones along every wall; reference " + w + "."
		if todo != "" && (len(r.mine) == 0 || mrand.IntN(3) == 0) {
			code, out, err := k.do("POST", "/api/v1/challenges/"+todo+"/responses", r.token,
				map[string]any{"proposal": proposal, "price": 20000, "currency": "EUR", "durationWeeks": 6}, 0)
			if err != nil {
				return
			}
			r.done[todo] = true
			if code == 409 {
				// Created before the last kill but never acknowledged.
				continue
			}
			if code != 201 {
				k.t.Errorf("respond: %d %v", code, out)
				return
			}
			id := out["id"].(string)
			r.mine = append(r.mine, id)
			r.ver[id] = int(out["version"].(float64))
			k.ackResponse(id, r.token, r.ver[id], w)
			acked()
			continue
		}
		if len(r.mine) == 0 {
			return
		}
		id := r.mine[mrand.IntN(len(r.mine))]
		code, out, err := k.do("PATCH", "/api/v1/responses/"+id, r.token, map[string]any{"proposal": proposal}, r.ver[id])
		if err != nil {
			return
		}
		if code != 200 {
			k.t.Errorf("edit response: %d %v", code, out)
			return
		}
		r.ver[id] = int(out["version"].(float64))
		k.ackResponse(id, r.token, r.ver[id], w)
		acked()
	}
}

func (k *killRig) ackResponse(id, token string, version int, w string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.responses[id] = &ackedResponse{version: version, word: w, token: token}
}

// indexProblems searches each word of this trial and says what is wrong.
func (k *killRig) indexProblems(where, state map[string]string) []string {
	var out []string
	for w := range k.words {
		res := k.must(200, "GET", "/api/v1/smes?q="+url.QueryEscape(w), "", nil)
		items, _ := res["items"].([]any)
		var ids []string
		for _, it := range items {
			ids = append(ids, it.(map[string]any)["id"].(string))
		}
		want := where[w]
		switch {
		case want != "" && (len(ids) != 1 || ids[0] != want):
			out = append(out, fmt.Sprintf("search %q: %v, want the profile %s that has it (%s)", w, ids, want, state[want]))
		case want == "" && len(ids) != 0:
			out = append(out, fmt.Sprintf("search %q: %v, want nothing (deleted or edited profiles)", w, ids))
		}
	}
	return out
}

// verify checks the restarted server against what was acknowledged, and
// returns the number of records checked.
func (k *killRig) verify() int {
	t := k.t
	t.Helper()
	// The profiles' owners may hold one whose creation was not acknowledged.
	for _, p := range k.profilers {
		me := k.must(200, "GET", "/api/v1/me", p.token, nil)
		if id, _ := me["smeId"].(string); id != "" {
			k.noteSME(id, p.token)
		}
	}
	checked := 0
	// where maps each word in a current summary to its profile.
	where := map[string]string{}
	state := map[string]string{} // for messages
	for id, a := range k.smes {
		checked++
		code, got, err := k.do("GET", "/api/v1/smes/"+id, "", nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		if a.deleted {
			if code != 404 {
				t.Errorf("SME %s: deletion was acknowledged, but GET says %d", id, code)
			}
			continue
		}
		if code == 404 {
			if a.version > 0 && !a.deleting {
				t.Errorf("SME %s: LOST — version %d was acknowledged, now 404", id, a.version)
			}
			continue
		}
		if code != 200 {
			t.Fatalf("SME %s: GET %d %v", id, code, got)
		}
		v := int(got["version"].(float64))
		summary, _ := got["summary"].(string)
		if v < a.version {
			t.Errorf("SME %s: LOST — version %d acknowledged, found %d", id, a.version, v)
		} else if v == a.version && a.word != "" && !strings.Contains(summary, a.word) {
			t.Errorf("SME %s: version %d acknowledged with %q, found %q", id, v, a.word, summary)
		}
		if w := wordRe.FindString(summary); w != "" {
			where[w] = id
			k.words[w] = true
			state[id] = fmt.Sprintf("found v%d, v%d acknowledged", v, a.version)
		}
	}
	for id, a := range k.responses {
		checked++
		code, got, err := k.do("GET", "/api/v1/responses/"+id, a.token, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		if code != 200 {
			t.Errorf("response %s: LOST — version %d acknowledged, GET %d", id, a.version, code)
			continue
		}
		v := int(got["version"].(float64))
		if v < a.version {
			t.Errorf("response %s: LOST — version %d acknowledged, found %d", id, a.version, v)
		} else if p, _ := got["proposal"].(string); v == a.version && !strings.Contains(p, a.word) {
			t.Errorf("response %s: version %d acknowledged with %q, found %q", id, v, a.word, p)
		}
	}
	// The index: each word of this trial finds exactly the profile whose
	// current summary has it, or nothing. A dead process may have drawn a
	// change number it never wrote; the change log holds readers at such a gap
	// for its grace period (mongostore.changeGrace, 5s) before skipping it, so
	// the index may take that long (and a sync interval) to catch up.
	start := time.Now()
	for {
		problems := k.indexProblems(where, state)
		if len(problems) == 0 {
			break
		}
		if time.Since(start) > 15*time.Second {
			for _, p := range problems {
				t.Error(p)
			}
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	k.caughtUp = append(k.caughtUp, time.Since(start))
	if t.Failed() {
		t.Logf("server log:\n%s", k.logs)
		t.FailNow()
	}
	return checked
}
