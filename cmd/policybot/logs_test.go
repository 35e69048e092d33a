package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"policybot/handlers"
	"policybot/index"
	"policybot/internal/admin"
	"policybot/internal/querylog"
)

// seedLog records questions into DATA/querylog.db: three today (answer, none, related), one
// yesterday, one 40 days ago.
func seedLog(t *testing.T, data string) (today time.Time) {
	t.Helper()
	ctx := context.Background()
	s, err := querylog.Open(ctx, querylog.Path(data), querylog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Now()
	y, m, d := now.Date()
	today = time.Date(y, m, d, 0, 0, 0, 0, time.Local)
	l := querylog.NewLog(s, []byte("cli test secret, long enough"), querylog.LogOptions{})
	for _, e := range []handlers.LogEntry{
		{Time: today.Add(time.Minute), UserID: 1, ChatType: "private", Question: "失业金怎么领？", Script: "simplified",
			Intent: "entitlement", Confident: true, Latency: 80 * time.Millisecond,
			Results: []handlers.LogResult{{DocID: "doc-a", Section: "一、"}}},
		{Time: today.Add(2 * time.Minute), UserID: 2, ChatType: "group", Question: "怎么申请办理护照？电话13812345678",
			Script: "simplified", Intent: "other", Region: "北京", Latency: 300 * time.Millisecond},
		{Time: today.Add(3 * time.Minute), UserID: 4, ChatType: "private", Question: "失业了每个月能领多少钱", Script: "simplified",
			Intent: "entitlement", Verdict: index.VerdictRelated, Latency: 100 * time.Millisecond,
			Results: []handlers.LogResult{{DocID: "doc-a", Section: "二、"}}},
		{Time: today.Add(-time.Hour), UserID: 1, ChatType: "private", Question: "昨天的问题", Script: "simplified",
			Intent: "target", Confident: true, Latency: time.Second},
		{Time: today.AddDate(0, 0, -40), UserID: 3, ChatType: "private", Question: "四十天前的问题", Script: "simplified",
			Intent: "other", Latency: time.Second},
	} {
		if _, err := l.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}
	return today
}

func TestLogsExport(t *testing.T) {
	data := t.TempDir()
	today := seedLog(t, data)
	day := today.Format(time.DateOnly)
	out, stderr, err := runCmd(t, nil, "logs", "export", "--data", data, "--since", day, "--until", day)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if !strings.HasPrefix(out, "\uFEFF") {
		t.Error("CSV without a byte-order mark")
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || recs[1][4] != "失业金怎么领？" || recs[2][4] != "怎么申请办理护照？电话[电话]" || recs[2][7] != "北京" {
		t.Fatalf("export of today:\n%s", out)
	}
	if v := recs[0][6] + " " + recs[1][6] + " " + recs[2][6]; v != "问题类型 待遇补贴 其他" {
		t.Errorf("the intent column: %s", v)
	}
	if v := recs[0][12] + " " + recs[1][12] + " " + recs[2][12] + " " + recs[3][12]; v != "判断 已回答 未能回答 有关但未直接回答" {
		t.Errorf("the verdict column: %s", v)
	}

	// JSONL, into a file, from yesterday on.
	file := filepath.Join(t.TempDir(), "log.jsonl")
	if _, stderr, err := runCmd(t, nil, "logs", "export", "--data", data, "--format", "jsonl", "--out", file,
		"--since", today.AddDate(0, 0, -1).Format(time.DateOnly)); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines:\n%s", len(lines), b)
	}
	var first, last map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first["question"] != "昨天的问题" || first["verdict"] != "answer" {
		t.Errorf("first line %v %v", first, err)
	}
	if err := json.Unmarshal([]byte(lines[3]), &last); err != nil || last["verdict"] != "related" || last["confident"] != false {
		t.Errorf("last line %v %v", last, err)
	}

	for _, args := range [][]string{
		{"--since", "yesterday"},
		{"--format", "xlsx"},
		{"--since", day, "--until", today.AddDate(0, 0, -1).Format(time.DateOnly)},
		{"extra"},
	} {
		if _, _, err := runCmd(t, nil, append([]string{"logs", "export", "--data", data}, args...)...); !errors.Is(err, errUsage) {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
	// No log: an error, and no empty log made.
	empty := t.TempDir()
	if _, _, err := runCmd(t, nil, "logs", "export", "--data", empty); err == nil || !strings.Contains(err.Error(), "no query log") {
		t.Errorf("export without a log: %v", err)
	}
	if _, err := os.Stat(querylog.Path(empty)); err == nil {
		t.Error("export made an empty log")
	}
}

func TestLogsStats(t *testing.T) {
	data := t.TempDir()
	seedLog(t, data)
	out, stderr, err := runCmd(t, nil, "logs", "stats", "--data", data, "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	var got map[string]statsJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	today, week := got["today"], got["last_7_days"]
	if today.Questions != 3 || today.Users != 3 || today.Answer != 1 || today.Related != 1 || today.None != 1 || today.NotConfident != 2 ||
		today.P95MS != 300 || today.Regions["北京"] != 1 {
		t.Errorf("today %+v", today)
	}
	if week.Questions != 4 || week.Users != 3 || week.Answer != 2 || week.Intents["target"] != 1 {
		t.Errorf("week %+v", week)
	}
	out, _, err = runCmd(t, nil, "logs", "stats", "--data", data)
	// In the vocabulary of the chat, the page and the CSV (handlers' names), not the log's codes.
	for _, want := range []string{"今天（", "问题 3，提问人数 3，", "已回答 1（33%），有关但未直接回答 1（33%），未能回答 1（33%）",
		"地区：北京 1", "问题类型：待遇补贴 2、其他 1", "最近7天（", "问题类型：待遇补贴 2、其他 1、目标指标 1"} {
		if err != nil || !strings.Contains(out, want) {
			t.Errorf("text stats %v: no %q in\n%s", err, want, out)
		}
	}
	if strings.Contains(out, "entitlement") || strings.Contains(out, "related") {
		t.Errorf("text stats show the log's codes:\n%s", out)
	}
}

func TestLogsPurge(t *testing.T) {
	data := t.TempDir()
	seedLog(t, data)
	out, stderr, err := runCmd(t, nil, "logs", "purge", "--data", data, "--log-retention", "30")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if !strings.HasPrefix(out, "purged 1 questions") {
		t.Errorf("purge said %q", out)
	}
	out, _, _ = runCmd(t, nil, "logs", "export", "--data", data, "--format", "jsonl")
	if strings.Count(out, "\n") != 4 || strings.Contains(out, "四十天前") {
		t.Errorf("after purge:\n%s", out)
	}
	if _, _, err := runCmd(t, nil, "logs", "purge", "--data", data, "--log-retention", "0"); !errors.Is(err, errUsage) {
		t.Errorf("retention 0: %v", err)
	}
	if _, _, err := runCmd(t, nil, "logs", "nonsense"); !errors.Is(err, errUsage) {
		t.Errorf("unknown logs command: %v", err)
	}
}

// testEnv is an env for calling the wiring helpers directly.
func testEnv(vars map[string]string) *env {
	return &env{getenv: func(k string) string { return vars[k] }, stdin: strings.NewReader(""), stdout: io.Discard,
		stderr: io.Discard, log: slog.New(slog.DiscardHandler)}
}

func TestStartQueryLog(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	data := t.TempDir()
	cfg := Config{Data: data}
	m := admin.NewMetrics()
	store, qlog, err := startQueryLog(ctx, testEnv(nil), cfg, logConfig{Retention: 180}, m)
	if err != nil {
		t.Fatal(err)
	}
	id, err := qlog.Record(ctx, handlers.LogEntry{UserID: 12345678901, ChatType: "console", Question: "测试", Confident: true})
	if err != nil || id == 0 {
		t.Fatalf("record: %d %v", id, err)
	}
	if err := qlog.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if r, err := store.Question(ctx, id); err != nil || r.Question != "测试" {
		t.Errorf("recorded %+v %v", r, err)
	}
	store.Close()
	// The key was generated into the data folder, for the next run.
	if _, err := os.Stat(filepath.Join(data, querylog.SecretFile)); err != nil {
		t.Error(err)
	}

	// Replicas on PostgreSQL must share the key through configuration.
	_, _, err = startQueryLog(ctx, testEnv(nil), cfg, logConfig{DB: "postgres://u:p@127.0.0.1:1/db", Retention: 180}, m)
	if err == nil || !strings.Contains(err.Error(), "POLICYBOT_LOG_SECRET") {
		t.Errorf("postgres without a shared secret: %v", err)
	}
	if _, _, err := startQueryLog(ctx, testEnv(nil), cfg, logConfig{Retention: 0}, m); !errors.Is(err, errUsage) {
		t.Errorf("retention 0: %v", err)
	}
}

func TestAdminServer(t *testing.T) {
	ctx := context.Background()
	store, err := querylog.Open(ctx, querylog.Path(t.TempDir()), querylog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	m := admin.NewMetrics()
	// Off unless an address is given.
	if srv, err := adminServer(testEnv(nil), "", nil, store, m, nil, nil, nil); srv != nil || err != nil {
		t.Errorf("no address: %v %v", srv, err)
	}
	// Not served without the token.
	if _, err := adminServer(testEnv(nil), "127.0.0.1:0", nil, store, m, nil, nil, nil); !errors.Is(err, admin.ErrNoToken) {
		t.Errorf("no token: %v", err)
	}
	srv, err := adminServer(testEnv(map[string]string{"POLICYBOT_ADMIN_TOKEN": "an admin token for the test"}), "127.0.0.1:0", nil, store, m, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler)
	defer ts.Close()
	for _, tc := range []struct {
		token string
		want  int
	}{{"", 401}, {"an admin token for the test", 200}} {
		req, _ := http.NewRequest("GET", ts.URL+"/metrics", nil)
		if tc.token != "" {
			req.Header.Set("Authorization", "Bearer "+tc.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("token %q: %d, want %d", tc.token, resp.StatusCode, tc.want)
		}
	}
}

func TestParseProxies(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"127.0.0.0/8,::1", "[127.0.0.0/8 ::1/128]", true},
		{"10.0.0.5 192.168.1.0/24", "[10.0.0.5/32 192.168.1.0/24]", true},
		{"none", "[]", true},
		{"", "[]", true},
		{"proxy.example", "", false},
	} {
		got, err := parseProxies(tc.in)
		if (err == nil) != tc.ok || tc.ok && fmt.Sprint(got) != tc.want {
			t.Errorf("parseProxies(%q) = %v, %v; want %s", tc.in, got, err, tc.want)
		}
	}
}
