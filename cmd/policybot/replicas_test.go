package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"policybot/bot/bottest"
	"policybot/corpus"
	"policybot/internal/pgtest"
)

// The replicas test runs only when asked (POLICYBOT_TEST_REPLICAS=1, with POLICYBOT_TEST_PG):
// it builds the binary and runs PostgreSQL, HAProxy and two replicas. .ci/run asks for it.
const (
	replicaSecret = "replicas_share_this_webhook_secret"
	staffID       = 11
	// propagationLimit is how soon both replicas must serve a change (the 10 s).
	propagationLimit = 10 * time.Second
)

// replica is one `policybot serve --store` process in webhook mode.
type replica struct {
	t                   *testing.T
	name                string
	bin, store, data    string
	listen, admin, hook string
	api                 string
	cmd                 *exec.Cmd
	stderr              *syncBuffer
	exited              chan error
}

func (r *replica) start() {
	r.t.Helper()
	r.cmd = exec.Command(r.bin, "serve", "--store", r.store, "--dict", "../../corpus/dict", "--data", r.data,
		"--webhook-url", r.hook, "--listen", r.listen, "--admin-addr", r.admin, "--store-check", "2s")
	r.cmd.Env = append(os.Environ(), "TELEGRAM_BOT_TOKEN="+testToken, "TELEGRAM_API_URL="+r.api,
		"TELEGRAM_WEBHOOK_SECRET="+replicaSecret, "POLICYBOT_STAFF="+strconv.Itoa(staffID),
		"POLICYBOT_ADMIN_TOKEN="+adminToken, "POLICYBOT_STORE=", "POLICYBOT_LOG_SECRET=replicas-share-this-pseudonym-key")
	r.stderr = &syncBuffer{}
	r.cmd.Stderr = r.stderr
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	r.exited = make(chan error, 1)
	go func() { r.exited <- r.cmd.Wait() }()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if _, _, err := r.healthz(); err == nil {
			return
		}
		select {
		case err := <-r.exited:
			r.t.Fatalf("replica %s exited: %v\n%s", r.name, err, r.stderr.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("replica %s did not become healthy:\n%s", r.name, r.stderr.String())
		}
	}
}

// healthz returns the corpus version and index the replica says it serves.
func (r *replica) healthz() (version int64, index string, err error) {
	c := http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get("http://" + r.admin + "/healthz")
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return 0, "", fmt.Errorf("healthz %d: %s", resp.StatusCode, b)
	}
	var v string
	if _, err := fmt.Sscanf(string(b), "ok corpus=%s index=%s", &v, &index); err != nil {
		return 0, "", fmt.Errorf("healthz %q: %v", b, err)
	}
	version, err = strconv.ParseInt(v, 10, 64)
	return version, index, err
}

// kill ends the replica with SIGKILL, as a crash would.
func (r *replica) kill() {
	r.cmd.Process.Kill()
	<-r.exited
}

// stop ends the replica with SIGTERM and checks that it stopped cleanly, without the token in its
// log.
func (r *replica) stop() {
	r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-r.exited:
		if err != nil {
			r.t.Errorf("replica %s: %v\n%s", r.name, err, r.stderr.String())
		}
	case <-time.After(time.Minute):
		r.cmd.Process.Kill()
		r.t.Errorf("replica %s did not stop", r.name)
	}
	if log := r.stderr.String(); strings.Contains(log, testToken) || strings.Contains(log, "serve_test-TOKEN") {
		r.t.Errorf("the token is in replica %s's log", r.name)
	}
}

// replicaPrereqs returns HAProxy's program, skipping the test unless asked to run it, failing it in
// CI when HAProxy is missing (pgtest.URL does the same for PostgreSQL).
func replicaPrereqs(t *testing.T) (haproxy string) {
	if os.Getenv("POLICYBOT_TEST_REPLICAS") != "1" {
		t.Skip("set POLICYBOT_TEST_REPLICAS=1 and POLICYBOT_TEST_PG to run two replicas behind HAProxy (.ci/run does)")
	}
	haproxy, err := exec.LookPath("haproxy")
	if err != nil {
		pgtest.Unavailable(t, "no haproxy (apt-get install haproxy): %v", err)
	}
	return haproxy
}

// startHAProxy runs HAProxy in front of the replicas' webhook servers on addr: round robin, each
// replica checked by its /healthz every 200 ms, a request whose replica fails before answering
// sent again to another (the body is buffered for that).
func startHAProxy(t *testing.T, haproxy, addr string, rs ...*replica) {
	var servers strings.Builder
	for _, r := range rs {
		_, port, _ := strings.Cut(r.admin, ":")
		fmt.Fprintf(&servers, "\tserver %s %s check port %s inter 200ms fall 1 rise 2\n", r.name, r.listen, port)
	}
	cfg := fmt.Sprintf(`global
	maxconn 512
defaults
	mode http
	timeout connect 500ms
	timeout client 60s
	timeout server 60s
	timeout queue 10s
	retries 3
	option redispatch 1
	retry-on conn-failure empty-response response-timeout 502 503
	option http-buffer-request
frontend telegram
	bind %s
	default_backend replicas
backend replicas
	balance roundrobin
	option httpchk GET /healthz
	http-check expect status 200
%s`, addr, servers.String())
	path := filepath.Join(t.TempDir(), "haproxy.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(haproxy, "-c", "-f", path).CombinedOutput(); err != nil {
		t.Fatalf("haproxy -c: %v\n%s\n%s", err, out, cfg)
	}
	cmd := exec.Command(haproxy, "-db", "-f", path)
	var stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/")
		if err == nil {
			resp.Body.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("haproxy does not answer on %s: %v\n%s", addr, err, stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestReplicasFollowTheStore runs the corpus in PostgreSQL, two `policybot serve` replicas as
// processes in webhook mode, HAProxy in front of them and a fake Bot API that posts updates through
// HAProxy: a document a staff member sends through one replica is served by both within 10 s, a
// removal likewise, and while one replica is killed during a stream of questions the other answers
// them all; the killed one, restarted, catches up with a change made while it was down. It reports
// the propagation times measured.
func TestReplicasFollowTheStore(t *testing.T) {
	haproxy := replicaPrereqs(t)
	store := pgtest.URL(t, "replicas_")
	ctx := context.Background()

	bin := filepath.Join(t.TempDir(), "policybot")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	if out, err := exec.Command(bin, "store", "import", "--store", store, "--corpus", "../../corpus/docs",
		"--data", t.TempDir()).CombinedOutput(); err != nil {
		t.Fatalf("store import: %v\n%s", err, out)
	}
	db, err := pgx.Connect(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	version := func() (v int64, at time.Time) {
		t.Helper()
		if err := db.QueryRow(ctx, "SELECT version, at FROM corpus_changes ORDER BY version DESC LIMIT 1").Scan(&v, &at); err != nil {
			t.Fatal(err)
		}
		return v, at
	}

	api := bottest.New(t, testToken, "replicas_test_bot")
	lb := freeAddr(t)
	hook := "http://" + lb + "/telegram"
	var rs []*replica
	for _, name := range []string{"a", "b"} {
		r := &replica{t: t, name: name, bin: bin, store: store, data: t.TempDir(), listen: freeAddr(t), admin: freeAddr(t), hook: hook, api: api.URL}
		r.start()
		rs = append(rs, r)
	}
	a, b := rs[0], rs[1]
	defer func() {
		for _, r := range rs {
			r.stop()
		}
	}()
	startHAProxy(t, haproxy, lb, a, b)
	if u, secret := api.Webhook(); u != hook || secret != replicaSecret {
		t.Fatalf("webhook %q with secret %q", u, secret)
	}

	// deliver posts an update to url as Telegram does: again, after a pause, until it is answered 200.
	var resent atomic.Int64
	deliver := func(u bottest.Update, url string) {
		t.Helper()
		deadline := time.Now().Add(time.Minute)
		for {
			status, err := api.DeliverWithSecret(ctx, u, url, replicaSecret)
			if err == nil && status == 200 {
				return
			}
			resent.Add(1)
			if time.Now().After(deadline) {
				t.Fatalf("update not taken: %d, %v", status, err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	var citizen int64 = 5000
	var cmu sync.Mutex
	newCitizen := func() bottest.User {
		cmu.Lock()
		defer cmu.Unlock()
		citizen++
		return bottest.Person(citizen, "C")
	}
	// answerTo waits for the answer sent to user's chat.
	answerTo := func(user int64, timeout time.Duration) (string, bool) {
		var text string
		ok := api.Wait(timeout, func() bool {
			for _, m := range api.Sent() {
				if m.ChatID == user && strings.HasPrefix(m.Text, "问：") {
					text = m.Text
					return true
				}
			}
			return false
		})
		return text, ok
	}
	// ask asks replica r directly (not through HAProxy) and returns its answer.
	ask := func(r *replica, q string) string {
		t.Helper()
		u := newCitizen()
		deliver(bottest.Text(bottest.Private(u), u, q), "http://"+r.listen+"/telegram")
		text, ok := answerTo(u.ID, 30*time.Second)
		if !ok {
			t.Fatalf("replica %s did not answer %q", r.name, q)
		}
		return text
	}
	staff := bottest.Person(staffID, "W")
	// staffSays sends a staff message through HAProxy and waits for the reply that contains want.
	staffSays := func(u bottest.Update, want string) string {
		t.Helper()
		before := len(api.Sent())
		deliver(u, hook)
		var reply string
		if !api.Wait(2*time.Minute, func() bool {
			for _, m := range api.Sent()[before:] {
				if m.ChatID == staffID && strings.Contains(m.Text, want) {
					reply = m.Text
					return true
				}
			}
			return false
		}) {
			t.Fatalf("no staff reply with %q:\n%v\n--- a:\n%s\n--- b:\n%s", want, api.Sent()[before:], a.stderr.String(), b.stderr.String())
		}
		return reply
	}
	// watch starts measuring, from now, how long each replica of rs takes to serve a version of the
	// store after from (its /healthz, polled every 10 ms); the function it returns waits for all of
	// them and returns the times, the version and when the change was recorded.
	type served struct {
		took []time.Duration
		v    int64
		at   time.Time
		err  error
	}
	watch := func(from int64, rs ...*replica) func() ([]time.Duration, int64, time.Time) {
		began := time.Now()
		res := make(chan served, 1)
		go func() {
			out := served{took: make([]time.Duration, len(rs))}
			conn, err := pgx.Connect(ctx, store)
			if err != nil {
				res <- served{err: err}
				return
			}
			defer conn.Close(ctx)
			deadline := began.Add(2 * time.Minute)
			for {
				err := conn.QueryRow(ctx, "SELECT version, at FROM corpus_changes ORDER BY version DESC LIMIT 1").Scan(&out.v, &out.at)
				if err != nil {
					res <- served{err: err}
					return
				}
				done := out.v > from
				for i, r := range rs {
					if out.took[i] != 0 {
						continue
					}
					if got, _, err := r.healthz(); err == nil && out.v > from && got == out.v {
						out.took[i] = time.Since(began)
					} else {
						done = false
					}
				}
				if done {
					res <- out
					return
				}
				if time.Now().After(deadline) {
					out.err = fmt.Errorf("version %d (from %d) not served by every replica in 2 minutes; took %v", out.v, from, out.took)
					res <- out
					return
				}
				time.Sleep(10 * time.Millisecond)
			}
		}()
		return func() ([]time.Duration, int64, time.Time) {
			t.Helper()
			r := <-res
			if r.err != nil {
				t.Fatal(r.err)
			}
			return r.took, r.v, r.at
		}
	}

	const question = "铜仁离校未就业高校毕业生的1131服务是什么？"
	const fromDoc = "1次政策宣讲"
	pdf, err := os.ReadFile("../../corpus/testdata/notice.pdf")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if got := ask(r, question); strings.Contains(got, fromDoc) {
			t.Fatalf("replica %s answers from the document before it is added:\n%s", r.name, got)
		}
	}
	v0, _ := version()

	// 1. A staff member sends a document through HAProxy, so to one replica; both serve it.
	doc := api.Upload("2024毕业生就业通知.pdf", "application/pdf", pdf)
	id := corpus.IDFor(doc.FileName)
	began := time.Now()
	wait := watch(v0, a, b)
	staffSays(bottest.DocumentMessage(bottest.Private(staff), staff, doc, "类型：通知"), "现在可以检索到这份文件")
	took, v1, at1 := wait()
	addTook := took
	addAfterCommit := make([]time.Duration, len(took))
	for i := range took {
		addAfterCommit[i] = maxDur(0, took[i]-at1.Sub(began))
	}
	t.Logf("upload: version %d committed %.2fs after the staff's message; served by a after %.2fs, by b after %.2fs",
		v1, at1.Sub(began).Seconds(), took[0].Seconds(), took[1].Seconds())
	for i, r := range rs {
		if took[i] > propagationLimit {
			t.Errorf("replica %s served the upload after %v, more than %v", r.name, took[i], propagationLimit)
		}
		if got := ask(r, question); !strings.Contains(got, fromDoc) {
			t.Errorf("replica %s does not answer from the uploaded document:\n%s", r.name, got)
		}
	}

	// 2. A removal through HAProxy disappears from both.
	wait = watch(v1, a, b)
	staffSays(bottest.Text(bottest.Private(staff), staff, "/remove "+id), "已将 "+id)
	took, v2, _ := wait()
	removeTook := took
	t.Logf("removal: version %d served by a after %.2fs, by b after %.2fs", v2, took[0].Seconds(), took[1].Seconds())
	for i, r := range rs {
		if took[i] > propagationLimit {
			t.Errorf("replica %s served the removal after %v, more than %v", r.name, took[i], propagationLimit)
		}
		if got := ask(r, question); strings.Contains(got, fromDoc) {
			t.Errorf("replica %s still answers from the removed document:\n%s", r.name, got)
		}
	}

	// 3. b is killed (SIGKILL) during a stream of questions through HAProxy, sent by eight senders
	// at once so that some are in b's hands when it dies: every one is answered.
	const stream, senders, killAfter = 64, 8, 16
	users := make([]int64, stream)
	for i := range users {
		users[i] = newCitizen().ID
	}
	var delivered atomic.Int64
	killed := make(chan int64)
	go func() {
		for delivered.Load() < killAfter {
			time.Sleep(time.Millisecond)
		}
		b.kill()
		killed <- delivered.Load()
	}()
	var wg sync.WaitGroup
	for w := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < stream; i += senders {
				u := bottest.Person(users[i], "C")
				deliver(bottest.Text(bottest.Private(u), u, "铜仁十四五期间城镇新增就业的目标是多少？"), hook)
				delivered.Add(1)
			}
		}()
	}
	wg.Wait()
	killedAt := <-killed
	answered, twice := 0, 0
	for _, u := range users {
		if text, ok := answerTo(u, 30*time.Second); ok && strings.Contains(text, "城镇新增就业") {
			answered++
		}
		n := 0
		for _, m := range api.Sent() {
			if m.ChatID == u && strings.HasPrefix(m.Text, "问：") {
				n++
			}
		}
		if n > 1 {
			twice++
		}
	}
	if answered != stream {
		t.Errorf("%d of %d questions answered while replica b was killed", answered, stream)
	}
	t.Logf("stream: %d of %d questions answered, replica b killed after %d were answered 200 (%d deliveries refused and sent again, as Telegram does; %d answered twice: b answered, died before its 200, and HAProxy sent the update to a)",
		answered, stream, killedAt, resent.Load(), twice)

	// While b is down the document comes back (through HAProxy, so a); b, restarted, catches up.
	staffSays(bottest.Text(bottest.Private(staff), staff, "/restore "+id), "已恢复 "+id)
	if _, _, err := b.healthz(); err == nil {
		t.Fatal("replica b answers its health check while killed")
	}
	wait = watch(v2, b)
	b.start()
	took, v3, _ := wait()
	catchUp := took[0]
	t.Logf("restart: replica b serves version %d %.2fs after it was started", v3, catchUp.Seconds())
	if got := ask(b, question); !strings.Contains(got, fromDoc) {
		t.Errorf("replica b, restarted, does not answer from the document restored while it was down:\n%s", got)
	}
	va, ia, _ := a.healthz()
	vb, ib, _ := b.healthz()
	if va != vb || va != v3 {
		t.Errorf("replicas disagree: a corpus=%d index=%s, b corpus=%d index=%s, store %d", va, ia, vb, ib, v3)
	}
	t.Logf("replicas: upload served by a %.2fs, b %.2fs after the staff's message (%.2fs, %.2fs after the change was recorded); removal a %.2fs, b %.2fs; %d/%d answered with b killed; b caught up %.2fs after restart",
		addTook[0].Seconds(), addTook[1].Seconds(), addAfterCommit[0].Seconds(), addAfterCommit[1].Seconds(),
		removeTook[0].Seconds(), removeTook[1].Seconds(), answered, stream, catchUp.Seconds())
}

func maxDur(a, b time.Duration) time.Duration {
	if a > b {
		return a
	}
	return b
}
