package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"policybot/bot/bottest"
	"policybot/corpus"
	"policybot/handlers"
	"policybot/internal/audit"
	"policybot/internal/faulttest"
	"policybot/internal/querylog"
)

const adminToken = "test-admin-token-0123456789abcdef"

// running is `policybot serve` in this process against a fake Bot API.
type running struct {
	t      *testing.T
	srv    *bottest.Server
	docs   string // the corpus folder, a copy of the shipped one
	data   string
	admin  string // the admin page's base URL, "" when off
	stderr *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

// copyCorpus copies the shipped corpus into a new folder and returns it.
func copyCorpus(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "docs")
	if err := faulttest.Copy("../../corpus/docs", dst); err != nil {
		t.Fatal(err)
	}
	return dst
}

// startServe runs serve on a copy of the shipped corpus with the given extra environment, staff 11
// and admin 12, the admin page on a free address; it is stopped (and must stop cleanly) when the test
// ends.
func startServe(t *testing.T, extra map[string]string) *running {
	t.Helper()
	s := &running{t: t, srv: bottest.New(t, testToken, "staff_test_bot"), docs: copyCorpus(t), data: t.TempDir(),
		stderr: &syncBuffer{}, done: make(chan error, 1)}
	env := map[string]string{"TELEGRAM_BOT_TOKEN": testToken, "TELEGRAM_API_URL": s.srv.URL,
		"POLICYBOT_STAFF": "11", "POLICYBOT_ADMINS": "12", "POLICYBOT_ADMIN_TOKEN": adminToken}
	for k, v := range extra {
		env[k] = v
	}
	addr := freeAddr(t)
	s.admin = "http://" + addr
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	args := []string{"policybot", "serve", "--corpus", s.docs, "--dict", "../../corpus/dict", "--data", s.data, "--admin-addr", addr}
	go func() {
		s.done <- run(ctx, args, func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, s.stderr)
	}()
	if !s.srv.Wait(2*time.Minute, func() bool { return len(s.srv.Requests("getUpdates")) > 0 }) {
		t.Fatalf("serve did not start:\n%s", s.stderr.String())
	}
	t.Cleanup(s.stop)
	return s
}

// stop stops serve as SIGTERM does and checks that it stopped cleanly, in order, without the token
// or a citizen's question in its log.
func (s *running) stop() {
	s.cancel()
	select {
	case err := <-s.done:
		if err != nil {
			s.t.Errorf("serve: %v\n%s", err, s.stderr.String())
		}
		s.done <- nil
	case <-time.After(time.Minute):
		s.t.Fatal("serve did not stop")
	}
	log := s.stderr.String()
	for _, bad := range []string{testToken, "serve_test-TOKEN", adminToken, "零工市场", "北京市最低工资"} {
		if strings.Contains(log, bad) {
			s.t.Errorf("%q is in the log:\n%s", bad, log)
		}
	}
	if !strings.Contains(log, "index closed; bye") {
		s.t.Errorf("no clean shutdown:\n%s", log)
	}
}

// say sends text from user in a private chat and returns the first n messages sent to that chat
// after it.
func (s *running) say(user int64, text string, n int) []bottest.Sent {
	s.t.Helper()
	u := bottest.Person(user, "U"+strconv.FormatInt(user, 10))
	before := len(s.srv.Sent())
	s.srv.Push(bottest.Text(bottest.Private(u), u, text))
	var out []bottest.Sent
	ok := s.srv.Wait(time.Minute, func() bool {
		out = out[:0]
		for _, m := range s.srv.Sent()[before:] {
			if m.ChatID == user {
				out = append(out, m)
			}
		}
		return len(out) >= n
	})
	if !ok {
		s.t.Fatalf("%d messages to %d after %q, want %d", len(out), user, text, n)
	}
	return out[:n]
}

// get fetches a path of the admin page with the admin token.
func (s *running) get(path string) (int, string) {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.admin+path, nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// metric returns the value of a Prometheus sample on /metrics, -1 when it is not there.
func (s *running) metric(name string) float64 {
	s.t.Helper()
	_, body := s.get("/metrics")
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` ([0-9.e+]+)$`).FindStringSubmatch(body)
	if m == nil {
		return -1
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

// store opens the query log serve writes, as a second connection (as the admin page or another
// replica would), closed when the test ends.
func (s *running) store() *querylog.Store {
	s.t.Helper()
	st, err := querylog.Open(context.Background(), querylog.Path(s.data), querylog.Options{})
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { st.Close() })
	return st
}

// waitLogged waits until the query log holds n questions.
func (s *running) waitLogged(st *querylog.Store, n int) {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, total, err := st.Find(context.Background(), querylog.Filter{}, 0, 1)
		if err == nil && total >= n {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the query log holds %d questions, want %d (err %v)", total, n, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestServeStaffAndAdmin runs `policybot serve` with its real parts (corpus folder, live index,
// SQLite query log, admin page) against a fake Bot API: citizens ask (the button state kept in the
// shared store), a staff member adds a PDF that citizens are then answered from, a citizen's document
// and staff command are refused, and an admin reviews the log (/stats, /unanswered and its resolve
// button, /top, /export as CSV) while /metrics counts it all.
func TestServeStaffAndAdmin(t *testing.T) {
	s := startServe(t, nil)
	st := s.store()
	const citizen, staff, admin = 1001, 11, 12

	// Citizens ask; the answer's buttons work from the shared store.
	ans := s.say(citizen, "湖南全省建成了多少家零工市场？", 1)[0]
	if !strings.Contains(ans.Text, "486家零工市") {
		t.Fatalf("answer:\n%s", ans.Text)
	}
	more, ok := ans.Button("更多结果")
	if !ok {
		t.Fatal("no 更多结果 button")
	}
	// The state reaches the shared store just after the answer, written by a writer of its own.
	id := strings.Split(more.CallbackData, ":")[1]
	deadline := time.Now().Add(30 * time.Second)
	for _, err := st.GetState(context.Background(), "answer:"+id); err != nil; _, err = st.GetState(context.Background(), "answer:"+id) {
		if time.Now().After(deadline) {
			t.Fatalf("the button state is not in the shared store: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	before := len(s.srv.Sent())
	s.srv.Push(s.srv.Press(ans, bottest.Person(citizen, "A"), "更多结果"))
	if next := s.srv.WaitSent(before+1, time.Minute)[before]; !strings.Contains(next.Text, "\n4. ") {
		t.Errorf("更多结果:\n%s", next.Text)
	}
	s.say(citizen, "北京市最低工资标准是多少？", 1)
	s.say(citizen+1, "北京市最低工资标准是多少", 1)

	// A citizen's document and staff command: refused, logged and audited with the user id.
	pdf, err := os.ReadFile("../../corpus/testdata/notice.pdf")
	if err != nil {
		t.Fatal(err)
	}
	doc := s.srv.Upload("2024毕业生就业通知.pdf", "application/pdf", pdf)
	before = len(s.srv.Sent())
	c := bottest.Person(citizen, "A")
	s.srv.Push(bottest.DocumentMessage(bottest.Private(c), c, doc, ""))
	if m := s.srv.WaitSent(before+1, time.Minute)[before]; !strings.Contains(m.Text, "只有工作人员") {
		t.Errorf("citizen's document: %q", m.Text)
	}
	if m := s.say(citizen, "/reindex", 1)[0]; !strings.Contains(m.Text, "只有工作人员") {
		t.Errorf("citizen's /reindex: %q", m.Text)
	}
	if len(s.srv.Requests("getFile")) != 0 {
		t.Error("a citizen's document was fetched")
	}

	// The staff member adds it; citizens are answered from it at once.
	before = len(s.srv.Sent())
	w := bottest.Person(staff, "W")
	s.srv.Push(bottest.DocumentMessage(bottest.Private(w), w, doc, "类型：通知"))
	reply := s.srv.WaitSent(before+1, time.Minute)[before]
	if !strings.Contains(reply.Text, "文号：铜人社发〔2024〕12号") || !strings.Contains(reply.Text, "现在可以检索到这份文件") {
		t.Errorf("staff's document:\n%s", reply.Text)
	}
	if m := s.say(citizen, "铜仁离校未就业高校毕业生的1131服务是什么？", 1)[0]; !strings.Contains(m.Text, "1次政策宣讲") {
		t.Errorf("not answered from the added document:\n%s", m.Text)
	}
	entries, err := audit.New(filepath.Join(s.data, AuditFile)).Read()
	if err != nil {
		t.Fatal(err)
	}
	var trail []string
	for _, e := range entries {
		trail = append(trail, e.Who+" "+e.Action)
	}
	// The citizen refused is named by the pseudonym the query log gives them, never by id; staff by id.
	secret, err := querylog.Secret(s.data, "")
	if err != nil {
		t.Fatal(err)
	}
	keys := querylog.NewLog(st, secret, querylog.LogOptions{})
	key := keys.Pseudonym(citizen)
	keys.Close(context.Background())
	for _, want := range []string{"telegram-pseudonym:" + key + " denied", "telegram:11 add", "telegram:11 reindex"} {
		if !strings.Contains(strings.Join(trail, "\n"), want) {
			t.Errorf("audit trail lacks %q: %v", want, trail)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(s.data, AuditFile)); strings.Contains(string(b), "1001") {
		t.Errorf("the audit trail holds a citizen's id:\n%s", b)
	}

	// The admin reviews the log.
	s.waitLogged(st, 4)
	if m := s.say(citizen, "/stats", 1)[0]; !strings.Contains(m.Text, "只有管理员") {
		t.Errorf("citizen's /stats: %q", m.Text)
	}
	stats := s.say(admin, "/stats", 1)[0]
	if !strings.Contains(stats.Text, "提问4次，2人：已回答2次（50%），有关但未直接回答0次（0%），未能回答2次（50%）") {
		t.Errorf("/stats:\n%s", stats.Text)
	}
	un := s.say(admin, "/unanswered", 1)[0]
	if !strings.Contains(un.Text, "1. 北京市最低工资标准是多少") || !strings.Contains(un.Text, "2次，2人 · 未能回答2") || strings.Contains(un.Text, "2. ") {
		t.Errorf("/unanswered:\n%s", un.Text)
	}
	press := s.srv.Press(un, bottest.Person(admin, "L"), "✅ 1")
	s.srv.Push(press)
	s.srv.Wait(time.Minute, func() bool { _, ok := s.srv.Toast(press.CallbackQuery.ID); return ok })
	if toast, _ := s.srv.Toast(press.CallbackQuery.ID); !strings.Contains(toast, "已标记为已解决") {
		t.Errorf("resolve: %q", toast)
	}
	if un := s.say(admin, "/unanswered", 1)[0]; !strings.Contains(un.Text, "没有待处理的问题") {
		t.Errorf("/unanswered after resolving:\n%s", un.Text)
	}
	if top := s.say(admin, "/top", 1)[0]; !strings.Contains(top.Text, "1. 北京市最低工资标准是多少") || !strings.Contains(top.Text, "（2次，2人；未能回答2）") {
		t.Errorf("/top:\n%s", top.Text)
	}

	before = len(s.srv.Documents())
	s.say(admin, "/export", 0)
	if !s.srv.Wait(time.Minute, func() bool { return len(s.srv.Documents()) > before }) {
		t.Fatal("/export sent no document")
	}
	exp := s.srv.Documents()[before]
	today := time.Now().Format(time.DateOnly)
	if exp.ChatID != admin || !strings.HasSuffix(exp.FileName, "_"+today+".csv") || !strings.Contains(exp.Caption, "共4条") {
		t.Errorf("export %q, caption %q", exp.FileName, exp.Caption)
	}
	csv := string(exp.Data)
	// In Chinese, as admins read the log everywhere; documents by title.
	if !strings.HasPrefix(csv, "\uFEFF编号,时间,用户化名,聊天类型,问题,文字,问题类型,地区,确切回答,结果,耗时（毫秒）,评价,判断\r\n") {
		t.Errorf("CSV header:\n%.300s", csv)
	}
	for _, want := range []string{"湖南全省建成了多少家零工市场？", "北京市最低工资标准是多少？", "1131服务", ",私聊,", ",办事地点,", ",已回答\r\n", ",未能回答\r\n",
		"坚持“四个并重”统筹做好稳就业工作 › "} {
		if !strings.Contains(csv, want) {
			t.Errorf("CSV lacks %q:\n%s", want, csv)
		}
	}
	if strings.Contains(csv, ",1001,") || strings.Contains(csv, ",1002,") {
		t.Errorf("a raw user id is in the export:\n%s", csv)
	}

	// Metrics were fed by the answers and the reindex; /healthz is open.
	if v := s.metric("policybot_questions_total"); v != 4 {
		t.Errorf("policybot_questions_total %v, want 4", v)
	}
	if v := s.metric("policybot_questions_not_confident_total"); v != 2 {
		t.Errorf("policybot_questions_not_confident_total %v, want 2", v)
	}
	for verdict, want := range map[string]float64{"answer": 2, "related": 0, "none": 2} {
		if v := s.metric(`policybot_answers_total{verdict="` + verdict + `"}`); v != want {
			t.Errorf("policybot_answers_total{verdict=%q} %v, want %v", verdict, v, want)
		}
	}
	if v := s.metric("policybot_answer_latency_seconds_count"); v != 4 {
		t.Errorf("policybot_answer_latency_seconds_count %v, want 4", v)
	}
	if v := s.metric("policybot_reindex_duration_seconds_count"); v != 1 {
		t.Errorf("policybot_reindex_duration_seconds_count %v, want 1", v)
	}
	if v := s.metric("policybot_querylog_write_failures_total"); v != 0 {
		t.Errorf("policybot_querylog_write_failures_total %v, want 0", v)
	}
	// It names the corpus (a folder's: the start of its fingerprint) and the index served.
	resp, err := http.Get(s.admin + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("/healthz: %v %v", resp, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !regexp.MustCompile(`^ok corpus=[0-9a-f]{12} index=\S+\n$`).Match(body) {
		t.Errorf("/healthz: %q", body)
	}
}

// lockDB holds the SQLite database at path locked (BEGIN EXCLUSIVE) from another connection, as
// another process would, until unlock is called (or the test ends).
func lockDB(t testing.TB, path string) (unlock func()) {
	t.Helper()
	ctx := context.Background()
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(100)")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	unlock = func() {
		once.Do(func() {
			conn.ExecContext(ctx, "ROLLBACK")
			conn.Close()
			db.Close()
		})
	}
	t.Cleanup(unlock)
	return unlock
}

// TestServeLogLocked: while the query log's database is locked by another writer, citizens are still
// answered (the button state falls back to memory, so the buttons still work), and the lost writes are
// logged and counted in policybot_querylog_write_failures_total.
func TestServeLogLocked(t *testing.T) {
	s := startServe(t, nil)
	s.say(1001, "失业金怎么领", 1)
	unlock := lockDB(t, querylog.Path(s.data))
	ans := s.say(1001, "湖南全省建成了多少家零工市场？", 1)[0]
	if !strings.Contains(ans.Text, "486家零工市") {
		t.Errorf("no answer while the log is locked:\n%s", ans.Text)
	}
	before := len(s.srv.Sent())
	s.srv.Push(s.srv.Press(ans, bottest.Person(1001, "A"), "原文 1"))
	if m := s.srv.WaitSent(before+1, time.Minute)[before]; !strings.HasPrefix(m.Text, "原文") {
		t.Errorf("原文 while the log is locked:\n%s", m.Text)
	}
	deadline := time.Now().Add(time.Minute)
	for s.metric("policybot_querylog_write_failures_total") < 1 {
		if time.Now().After(deadline) {
			t.Fatalf("no write failure counted:\n%s", s.stderr.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	unlock()
	if !strings.Contains(s.stderr.String(), "query log write failed") {
		t.Errorf("the lost write is not logged:\n%s", s.stderr.String())
	}
}

// TestServeSwapsIndex: serve keeps answering while a reindex builds and publishes a new index, and
// then answers from the new one. The reindex is held at the moment its index is built and not yet
// published (a test hook), so the questions asked meanwhile are sure to be answered from the old one;
// questions keep coming from other people throughout.
func TestServeSwapsIndex(t *testing.T) {
	s := startServe(t, nil)
	const q = "星火零工驿站提供哪些服务？"
	if m := s.say(1001, q, 1)[0]; strings.Contains(m.Text, "免费提供求职登记") {
		t.Fatalf("answered before the document exists:\n%s", m.Text)
	}
	// A new document, as `policybot docs add` puts it in the corpus folder.
	doc := "关于建设星火零工驿站的通知\n一、星火零工驿站免费提供求职登记、岗位推荐和劳动权益咨询服务。\n二、2026年全市建成星火零工驿站30个。\n"
	folder := &corpus.Folder{Dir: s.docs}
	if _, err := folder.Add(context.Background(), []corpus.AddRequest{{Name: "xinghuo.txt", Data: []byte(doc)}}); err != nil {
		t.Fatal(err)
	}

	// People keep asking throughout; every question must be answered.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	asked, failed := 0, []string{}
	for i := range 2 {
		user := bottest.Person(int64(3000+i), "P")
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				// A fresh person each round, so the rate limit does not apply.
				user.ID += 10
				before := len(s.srv.Sent())
				s.srv.Push(bottest.Text(bottest.Private(user), user, "铜仁十四五期间城镇新增就业的目标是多少？"))
				ok := s.srv.Wait(time.Minute, func() bool {
					for _, m := range s.srv.Sent()[before:] {
						if m.ChatID == user.ID {
							return true
						}
					}
					return false
				})
				mu.Lock()
				asked++
				if !ok {
					failed = append(failed, fmt.Sprint(user.ID))
				}
				mu.Unlock()
			}
		})
	}

	built, release := make(chan struct{}), make(chan struct{})
	staff := newStaff(context.Background(), &env{getenv: func(string) string { return "" }, stderr: io.Discard, log: slog.New(slog.DiscardHandler)},
		Config{Corpus: s.docs, Data: s.data, Dict: "../../corpus/dict"})
	staff.Pause = func(step string) {
		if step == "built" {
			close(built)
			<-release
		}
	}
	type result struct {
		rep *handlers.ReindexReport
		err error
	}
	done := make(chan result, 1)
	go func() {
		rep, err := staff.Reindex(context.Background(), handlers.CLIActor("test"), handlers.ReindexOptions{})
		done <- result{rep, err}
	}()
	select {
	case <-built:
	case r := <-done:
		t.Fatalf("the reindex ended before publishing: %+v %v", r.rep, r.err)
	}
	// The new index is built beside the live one: answers still come from the old.
	time.Sleep(1500 * time.Millisecond) // more than the watcher's interval
	if m := s.say(1002, q, 1)[0]; strings.Contains(m.Text, "免费提供求职登记") {
		t.Errorf("answered from an index not yet published:\n%s", m.Text)
	}
	close(release)
	r := <-done
	if r.err != nil || r.rep.Manifest == nil || strings.Join(r.rep.Added, ",") != "xinghuo" {
		t.Fatalf("reindex: %+v %v", r.rep, r.err)
	}
	// The watcher swaps the new index in within a second or so.
	deadline := time.Now().Add(30 * time.Second)
	for user := int64(5000); ; user++ {
		m := s.say(user, q, 1)[0]
		if strings.Contains(m.Text, "免费提供求职登记") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still not answered from the new index:\n%s\n%s", m.Text, s.stderr.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	t.Logf("%d questions asked during the reindex", asked)
	if asked == 0 || len(failed) > 0 {
		t.Errorf("%d questions asked during the reindex; unanswered: %v", asked, failed)
	}
	if !strings.Contains(s.stderr.String(), "serving a new index") {
		t.Errorf("no swap logged:\n%s", s.stderr.String())
	}
}

// TestServeBadAdminToken: with --admin-addr but no (or a short) POLICYBOT_ADMIN_TOKEN, serve refuses to
// start.
func TestServeBadAdminToken(t *testing.T) {
	srv := bottest.New(t, testToken, "token_test_bot")
	for _, token := range []string{"", "short"} {
		env := map[string]string{"TELEGRAM_BOT_TOKEN": testToken, "TELEGRAM_API_URL": srv.URL, "POLICYBOT_ADMIN_TOKEN": token}
		_, stderr, err := runWith(context.Background(), env, "", append([]string{"serve", "--admin-addr", freeAddr(t)}, seedArgs(t)...)...)
		if err == nil || !strings.Contains(err.Error(), "POLICYBOT_ADMIN_TOKEN") {
			t.Errorf("token %q: %v\n%s", token, err, stderr)
		}
	}
	if n := len(srv.Requests("getUpdates")); n != 0 {
		t.Errorf("the bot started (%d polls)", n)
	}
}
