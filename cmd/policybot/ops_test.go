package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServeAdminWithoutToken: serve --admin-addr without a Telegram token serves the admin page
// beside the console chat, and keeps it up after the end of input until it is stopped.
func TestServeAdminWithoutToken(t *testing.T) {
	addr := freeAddr(t)
	env := map[string]string{"POLICYBOT_ADMIN_TOKEN": adminToken}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type result struct {
		out, stderr string
		err         error
	}
	done := make(chan result, 1)
	go func() {
		out, stderr, err := runWith(ctx, env, "失业金怎么领\n", append([]string{"serve", "--admin-addr", addr}, seedArgs(t)...)...)
		done <- result{out, stderr, err}
	}()
	ok := false
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline) && !ok; time.Sleep(200 * time.Millisecond) {
		req, _ := http.NewRequest("GET", "http://"+addr+"/", nil)
		req.Header.Set("Authorization", "Bearer "+adminToken)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			ok = resp.StatusCode == http.StatusOK
		}
	}
	if !ok {
		cancel()
		r := <-done
		t.Fatalf("the admin page never answered: %v\n%s", r.err, r.stderr)
	}
	select {
	case r := <-done:
		t.Fatalf("serve returned at the end of input, the page with it: %v\n%s", r.err, r.stderr)
	case <-time.After(time.Second):
	}
	cancel()
	r := <-done
	if r.err != nil || !strings.Contains(r.out, "问：失业金怎么领") || !strings.Contains(r.stderr, "admin page beside it") {
		t.Errorf("err %v\nstdout:\n%s\nstderr:\n%s", r.err, r.out, r.stderr)
	}
}

// TestServeBadAdminTokenWithoutBot: without a Telegram token too, a missing or short admin token
// refuses before anything starts: no chat, no index built.
func TestServeBadAdminTokenWithoutBot(t *testing.T) {
	for _, token := range []string{"", "short"} {
		args := seedArgs(t)
		out, stderr, err := runWith(context.Background(), map[string]string{"POLICYBOT_ADMIN_TOKEN": token}, "失业金怎么领\n",
			append([]string{"serve", "--admin-addr", freeAddr(t)}, args...)...)
		if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), "POLICYBOT_ADMIN_TOKEN") || out != "" {
			t.Errorf("token %q: %v\nstdout:\n%s\nstderr:\n%s", token, err, out, stderr)
		}
	}
}

// TestFlagsAnywhere: flags are read after the arguments too, and after -- everything is an argument.
func TestFlagsAnywhere(t *testing.T) {
	args := seedArgs(t)
	out, stderr, err := runCmd(t, nil, "search", "失业金怎么领", "-k", "1", "--json", args[0], args[1], args[2], args[3])
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	var res struct {
		Query   string
		Results []json.RawMessage
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Query != "失业金怎么领" || len(res.Results) != 1 {
		t.Errorf("search QUESTION -k 1 --json: %v, %+v\n%s", err, res, out)
	}
	out, _, err = runCmd(t, nil, append([]string{"search", "--json"}, append(args, "--", "-k")...)...)
	if err != nil || !strings.Contains(out, `"query":"-k"`) {
		t.Errorf("search -- -k: %v\n%s", err, out)
	}
}

// TestFlagsFromEnv: a flag takes its value from POLICYBOT_NAME (the common flags everywhere, every
// flag of serve and chat); the command line wins.
func TestFlagsFromEnv(t *testing.T) {
	args := seedArgs(t)
	env := map[string]string{"POLICYBOT_CORPUS": args[1], "POLICYBOT_DATA": args[3]}
	if _, stderr, err := runCmd(t, env, "search", "--json", "失业金怎么领"); err != nil {
		t.Fatalf("POLICYBOT_CORPUS and POLICYBOT_DATA: %v\n%s", err, stderr)
	}
	env["POLICYBOT_LOG_RETENTION"] = "0"
	if _, _, err := runWith(context.Background(), env, "", "chat"); err == nil || exitCode(err) != 2 {
		t.Errorf("POLICYBOT_LOG_RETENTION=0: %v, want a usage error", err)
	}
	if _, _, err := runWith(context.Background(), env, "", "chat", "--log-retention", "30"); err != nil {
		t.Errorf("--log-retention 30 over POLICYBOT_LOG_RETENTION=0: %v", err)
	}
}

// TestVersion: version names the program and the Go it was built with.
func TestVersion(t *testing.T) {
	out, _, err := runCmd(t, nil, "version")
	if err != nil || !strings.HasPrefix(out, "policybot ") || !strings.Contains(out, " go1.") {
		t.Errorf("version: %v %q", err, out)
	}
}

// TestCheckDate: docs add and docs edit take real dates only.
func TestCheckDate(t *testing.T) {
	for _, v := range []string{"2023", "2022-02", "2024-02-29", "-"} {
		if err := checkDate(v); err != nil {
			t.Errorf("checkDate(%q): %v", v, err)
		}
	}
	for _, v := range []string{"2021-13-45", "2021-02-30", "2023-02-29", "2021-13", "21-01-01", "2021/01/01", "1066", "二〇二二年", ""} {
		if err := checkDate(v); err == nil {
			t.Errorf("checkDate(%q) accepted", v)
		} else if strings.Contains(err.Error(), "out of range") || strings.Contains(err.Error(), "parsing time") {
			t.Errorf("checkDate(%q) = %q: Go's wording, not what a date is", v, err)
		}
	}
	args := seedArgs(t)
	if _, _, err := runCmd(t, nil, append([]string{"docs", "edit", "--date", "2021-13-45", "hunan-2025-stable-employment"}, args...)...); exitCode(err) != 2 {
		t.Errorf("docs edit --date 2021-13-45: %v, want a usage error", err)
	}
}

// TestPrivateFiles: the files that hold questions — the query log with its -wal and -shm, its key,
// an export — are readable by their owner only, whatever the umask; a log made world-readable
// before is tightened when opened.
func TestPrivateFiles(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	args := seedArgs(t)
	data := args[3]
	if _, stderr, err := runWith(context.Background(), nil, "失业金怎么领\n", append([]string{"chat"}, args...)...); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if err := os.Chmod(filepath.Join(data, "querylog.db"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, err := runWith(context.Background(), nil, "创业担保贷款\n", append([]string{"chat"}, args...)...); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	export := filepath.Join(t.TempDir(), "questions.csv")
	if _, stderr, err := runCmd(t, nil, append([]string{"logs", "export", "--out", export}, args...)...); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	files, _ := filepath.Glob(filepath.Join(data, "querylog.*"))
	if len(files) < 2 {
		t.Fatalf("query log files: %v", files)
	}
	for _, f := range append(files, export) {
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v (%v), want 0600", filepath.Base(f), fi.Mode().Perm(), err)
		}
	}
}

// TestJSONLogs: POLICYBOT_LOG_FORMAT=json writes the process log as one JSON object a line.
func TestJSONLogs(t *testing.T) {
	env := map[string]string{"POLICYBOT_LOG_FORMAT": "json", "POLICYBOT_LOG": "debug"}
	_, stderr, err := runCmd(t, env, append([]string{"index"}, seedArgs(t)...)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(lines) == 0 || lines[0] == "" {
		t.Fatal("nothing logged")
	}
	for _, l := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil || rec["msg"] == nil || rec["level"] == nil {
			t.Errorf("not a JSON log line: %q (%v)", l, err)
		}
	}
}
