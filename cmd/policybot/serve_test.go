package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"policybot/bot/bottest"
	"policybot/internal/querylog"
)

const testToken = "424242:AAF-serve_test-TOKEN"

// syncBuffer is a buffer written by one goroutine and read by another.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runWith runs the program with stdin and env, returning its stdout, stderr and error.
func runWith(ctx context.Context, env map[string]string, stdin string, args ...string) (string, string, error) {
	var out, errb syncBuffer
	err := run(ctx, append([]string{"policybot"}, args...), func(k string) string { return env[k] }, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), err
}

// TestChat: the console chat answers questions from stdin with the bot's answer text, the buttons
// typed as words, and exits cleanly at the end of input.
func TestChat(t *testing.T) {
	in := "失业金怎么领\n更多\n原文 2\n👍\n👎\n/region 湖南\n零工市場在哪裡？\n/help\n"
	args := seedArgs(t)
	out, stderr, err := runWith(context.Background(), nil, in, append([]string{"chat"}, args...)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	// The questions are in the query log, as the console's, rated as they were.
	st, err := querylog.Open(context.Background(), querylog.Path(args[3]), querylog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, _, err := st.Find(context.Background(), querylog.Filter{}, 0, 10)
	if err != nil || len(rows) != 2 {
		t.Fatalf("logged %d questions (%v), want 2", len(rows), err)
	}
	if r := rows[1]; r.Question != "失业金怎么领" || r.ChatType != "console" || r.Rating != 1 || !r.Confident {
		t.Errorf("logged %+v", r)
	}
	for _, want := range []string{
		"可以这样问：", "问：失业金怎么领", "\n1. ", "\n《", "〔更多结果〕〔👍〕〔👎〕",
		"\n4. ", "\n原文\n", "谢谢您的反馈！〔👍 已评〕", "您已经评价过这条回答，谢谢！〔👍 已评〕", "好的，以后优先查找“湖南”", "問：零工市場在哪裡？", "零工市場", "使用说明",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("chat output lacks %q", want)
		}
	}
	if strings.Contains(stderr, "失业金") {
		t.Errorf("a question reached the process log:\n%s", stderr)
	}

	// A phone number written with dots (issue 12's reproduction) reaches no file of the query log,
	// neither in the question nor in its normalised form.
	if _, stderr, err := runWith(context.Background(), nil, "电话138.1234.5678 失业金\n", append([]string{"chat"}, args...)...); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	files, err := filepath.Glob(filepath.Join(args[3], "querylog.db*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no query log: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("13812345678")) || bytes.Contains(b, []byte("1234")) {
			t.Errorf("%s holds the phone number", f)
		}
	}
}

// TestServeWithoutToken: without a token, serve says so and runs the console chat.
func TestServeWithoutToken(t *testing.T) {
	out, stderr, err := runWith(context.Background(), nil, "创业担保贷款\n", append([]string{"serve"}, seedArgs(t)...)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, "TELEGRAM_BOT_TOKEN is not set") || !strings.Contains(out, "问：创业担保贷款") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", out, stderr)
	}
}

func TestServeUsage(t *testing.T) {
	env := map[string]string{"TELEGRAM_BOT_TOKEN": testToken}
	for _, tc := range []struct {
		env  map[string]string
		args []string
	}{
		{env, []string{"serve", "--webhook-url", "https://bot.example/hook"}},
		{env, []string{"serve", "--listen", ":8443"}},
		{map[string]string{"TELEGRAM_BOT_TOKEN": testToken, "TELEGRAM_WEBHOOK_SECRET": "has spaces"}, []string{"serve", "--webhook-url", "https://x/h", "--listen", ":0"}},
		{env, []string{"serve", "extra"}},
		{nil, []string{"chat", "extra"}},
	} {
		if _, _, err := runWith(context.Background(), tc.env, "", tc.args...); exitCode(err) != 2 {
			t.Errorf("%v: %v, want a usage error", tc.args, err)
		}
	}
	env["POLICYBOT_STAFF"] = "12,abc"
	if _, _, err := runWith(context.Background(), env, "", append([]string{"serve"}, seedArgs(t)...)...); err == nil || !strings.Contains(err.Error(), "POLICYBOT_STAFF") {
		t.Errorf("bad staff list: %v", err)
	}
}

// TestServe runs `policybot serve` in process against a fake Bot API, by long polling and by webhook.
func TestServe(t *testing.T) {
	args := seedArgs(t)
	for _, mode := range []string{"polling", "webhook"} {
		t.Run(mode, func(t *testing.T) {
			srv := bottest.New(t, testToken, "serve_test_bot")
			env := map[string]string{"TELEGRAM_BOT_TOKEN": testToken, "TELEGRAM_API_URL": srv.URL}
			a := args
			if mode == "webhook" {
				addr := freeAddr(t)
				a = append([]string{"--webhook-url", "http://" + addr + "/hook", "--listen", addr}, args...)
			}
			ctx, cancel := context.WithCancel(context.Background())
			var stderr string
			done := make(chan error, 1)
			go func() {
				var err error
				_, stderr, err = runWith(ctx, env, "", append([]string{"serve"}, a...)...)
				done <- err
			}()
			u := bottest.Text(bottest.Private(bottest.Person(77, "A")), bottest.Person(77, "A"), "湖南全省建成了多少家零工市场？")
			if mode == "webhook" {
				if !srv.Wait(60*time.Second, func() bool { h, _ := srv.Webhook(); return h != "" }) {
					t.Fatal("no webhook set")
				}
				if status, err := srv.Deliver(ctx, u); err != nil || status != 200 {
					t.Fatalf("delivery: %d %v", status, err)
				}
			} else {
				srv.Push(u)
			}
			sent := srv.WaitSent(1, 60*time.Second)
			if !strings.Contains(sent[0].Text, "486家零工市") {
				t.Errorf("answer:\n%s", sent[0].Text)
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if strings.Count(stderr, "listening for updates") != 1 || strings.Contains(stderr, testToken) || strings.Contains(stderr, "serve_test-TOKEN") {
				t.Errorf("stderr:\n%s", stderr)
			}
			if !strings.Contains(srv.Commands(), `"region"`) {
				t.Errorf("commands not registered: %s", srv.Commands())
			}
		})
	}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestServeBinary builds the real binary, runs `policybot serve` against a fake Bot API, gets an
// answer; then `policybot docs add` and `policybot reindex`, run as other processes, publish a new
// index, which the running bot answers from; SIGTERM stops it.
func TestServeBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "policybot")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	srv := bottest.New(t, testToken, "binary_test_bot")
	docs, data := copyCorpus(t), t.TempDir()
	dirs := []string{"--corpus", docs, "--dict", "../../corpus/dict", "--data", data}
	cmd := exec.Command(bin, append([]string{"serve"}, dirs...)...)
	cmd.Env = append(os.Environ(), "TELEGRAM_BOT_TOKEN="+testToken, "TELEGRAM_API_URL="+srv.URL, "POLICYBOT_STAFF=1,2", "POLICYBOT_ADMINS=2")
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	me := bottest.Person(88, "B")
	srv.Push(bottest.Text(bottest.Private(me), me, "/start"), bottest.Text(bottest.Private(me), me, "铜仁十四五期间城镇新增就业的目标是多少？"))
	sent := srv.WaitSent(2, 2*time.Minute)
	var answer bottest.Sent
	for _, m := range sent {
		if strings.HasPrefix(m.Text, "问：") {
			answer = m
		}
	}
	if !strings.Contains(answer.Text, "城镇新增就业20万人") {
		t.Errorf("answer:\n%s", answer.Text)
	}

	// Staff change the corpus and reindex from the command line while the bot runs.
	file := filepath.Join(t.TempDir(), "xinghuo.txt")
	os.WriteFile(file, []byte("关于建设星火零工驿站的通知\n一、星火零工驿站免费提供求职登记、岗位推荐和劳动权益咨询服务。\n"), 0o644)
	for _, args := range [][]string{append(append([]string{"docs", "add"}, dirs...), file), append([]string{"reindex"}, dirs...)} {
		if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	deadline := time.Now().Add(time.Minute)
	for id := int64(200); ; id++ {
		u := bottest.Person(id, "C")
		n := len(srv.Sent())
		srv.Push(bottest.Text(bottest.Private(u), u, "星火零工驿站提供哪些服务？"))
		m := srv.WaitSent(n+1, time.Minute)[n]
		if strings.Contains(m.Text, "免费提供求职登记") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the bot does not answer from the new index:\n%s\n%s", m.Text, stderr.String())
		}
		time.Sleep(300 * time.Millisecond)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v\n%s", err, stderr.String())
	}
	log := stderr.String()
	if strings.Count(log, "listening for updates") != 1 || !strings.Contains(log, "serving a new index") || !strings.Contains(log, "index closed") {
		t.Errorf("stderr:\n%s", log)
	}
	if strings.Contains(log, testToken) || strings.Contains(log, "serve_test-TOKEN") || strings.Contains(log, "城镇新增就业") || strings.Contains(log, "星火") {
		t.Errorf("the token or a question is in the log:\n%s", log)
	}
}
