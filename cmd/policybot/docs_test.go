package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"policybot/internal/audit"
)

// staffCorpus copies the shipped corpus and dictionaries to a temporary folder and returns the
// common flags pointing at it and at a fresh data folder.
func staffCorpus(t *testing.T) (root string, args []string) {
	t.Helper()
	root = t.TempDir()
	for _, sub := range []string{"docs", "dict"} {
		src := filepath.Join("../../corpus", sub)
		entries, err := os.ReadDir(src)
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Join(root, "corpus", sub), 0o755)
		for _, e := range entries {
			b, _ := os.ReadFile(filepath.Join(src, e.Name()))
			os.WriteFile(filepath.Join(root, "corpus", sub, e.Name()), b, 0o644)
		}
	}
	return root, []string{"--corpus", filepath.Join(root, "corpus", "docs"), "--data", filepath.Join(root, "data")}
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, stderr, err := runCmd(t, nil, args...)
	if err != nil {
		t.Fatalf("%v: %v\n%s\n%s", args, err, out, stderr)
	}
	return out
}

// TestDocsCommands walks a member of staff through the command line: add a PDF (metadata shown
// back), refuse a duplicate, correct the metadata, reindex, search, replace, remove, restore, purge;
// every change in the audit trail.
func TestDocsCommands(t *testing.T) {
	root, common := staffCorpus(t)
	mustRun(t, append([]string{"index"}, common...)...)
	pdf := filepath.Join(root, "关于做好2024年高校毕业生就业创业工作的通知.pdf")
	b, err := os.ReadFile("../../corpus/testdata/notice.pdf")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(pdf, b, 0o644)
	id := "关于做好2024年高校毕业生就业创业工作的通知"

	out := mustRun(t, append(append([]string{"docs", "add"}, common...), "--kind", "通知", pdf, "-v")...)
	for _, want := range []string{"added " + id + " (pdf,", "issuer:   铜仁市人力资源和社会保障局", "date:     2024-03-15", "number:   铜人社发〔2024〕12号", "kind:     通知", "policybot reindex"} {
		if !strings.Contains(out, want) {
			t.Errorf("docs add output lacks %q:\n%s", want, out)
		}
	}
	out = mustRun(t, append([]string{"docs", "list"}, common...)...)
	if !hasLine(out, id, "not indexed") {
		t.Errorf("list before reindex:\n%s", out)
	}

	// The same document again is refused, naming the one it duplicates; nothing changes.
	copyPath := filepath.Join(root, "copy.pdf")
	os.WriteFile(copyPath, b, 0o644)
	_, stderr, err := runCmd(t, nil, append(append([]string{"docs", "add"}, common...), copyPath)...)
	if exitCode(err) != 1 || !strings.Contains(stderr, "refused copy.pdf: the same text as document "+id) {
		t.Errorf("duplicate: %v\n%s", err, stderr)
	}
	// Flags after the files are read as flags (the file is then refused as before).
	if _, stderr, err := runCmd(t, nil, append(append([]string{"docs", "add"}, common...), copyPath, "--title", "x")...); exitCode(err) != 1 || !strings.Contains(stderr, "refused copy.pdf") {
		t.Errorf("flags after files: %v\n%s", err, stderr)
	}

	mustRun(t, append(append([]string{"docs", "edit"}, common...), "--region", "贵州省铜仁市", id)...)
	out = mustRun(t, append(append([]string{"docs", "show"}, common...), id)...)
	if !strings.Contains(out, "region:   贵州省铜仁市") || !strings.Contains(out, id+".orig.pdf") || !strings.Contains(out, "passages:") {
		t.Errorf("show:\n%s", out)
	}

	out = mustRun(t, append(append([]string{"reindex"}, common...), "--set", "testdata/questions.jsonl")...)
	for _, want := range []string{"reindexed (incremental)", "1 added, 0 changed, 0 removed, 5 unchanged", "added: " + id, "regression questions (testdata/questions.jsonl): 4 asked, 0 changed"} {
		if !strings.Contains(out, want) {
			t.Errorf("reindex output lacks %q:\n%s", want, out)
		}
	}
	out = mustRun(t, append(append([]string{"search", "--json", "-k", "1"}, common...), "高校毕业生创业担保贷款最高多少？")...)
	var res searchJSON
	if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.Results) == 0 || res.Results[0].DocID != id || res.Results[0].Region != "贵州省铜仁市" {
		t.Errorf("search after reindex: %v %s", err, out)
	}

	// A revised version replaces it, keeping its id; the old one goes to the trash.
	src, _ := os.ReadFile("../../corpus/testdata/notice-source.txt")
	revised := filepath.Join(root, "revised.txt")
	os.WriteFile(revised, []byte(strings.Replace(string(src), "最高30万元", "最高50万元", 1)), 0o644)
	_, stderr, err = runCmd(t, nil, append(append([]string{"docs", "add"}, common...), revised)...)
	if exitCode(err) != 1 || !strings.Contains(stderr, "--replace "+id) {
		t.Errorf("near-duplicate without --replace: %v\n%s", err, stderr)
	}
	out = mustRun(t, append(append([]string{"docs", "add"}, common...), "--replace", id, revised)...)
	// Without -v, one line for the change (and the hint to reindex).
	if !strings.HasPrefix(out, "replaced "+id+" with "+id+" 《") || strings.Count(out, "\n") != 2 {
		t.Errorf("replace:\n%s", out)
	}
	out = mustRun(t, append([]string{"docs", "list"}, common...)...)
	if !hasLine(out, id, "changed") || !hasLine(out, "hunan-2025-stable-employment", "indexed") {
		t.Errorf("list after the replacement, before reindexing:\n%s", out)
	}
	out = mustRun(t, append([]string{"reindex"}, common...)...)
	if !strings.Contains(out, "0 added, 1 changed, 0 removed") {
		t.Errorf("reindex after replace:\n%s", out)
	}

	mustRun(t, append(append([]string{"docs", "remove"}, common...), "hunan-2025-stable-employment")...)
	out = mustRun(t, append([]string{"docs", "list"}, common...)...)
	if !strings.Contains(out, "in the trash") || !strings.Contains(out, "still searchable until the next reindex") {
		t.Errorf("list with trash:\n%s", out)
	}
	mustRun(t, append(append([]string{"docs", "restore"}, common...), "hunan-2025-stable-employment")...)
	out = mustRun(t, append([]string{"docs", "purge"}, common...)...)
	if !strings.Contains(out, "deleted "+id) {
		t.Errorf("purge (the replaced version):\n%s", out)
	}
	if _, _, err := runCmd(t, nil, append(append([]string{"docs", "show"}, common...), "nope")...); err == nil {
		t.Error("show of an unknown id worked")
	}

	trail, err := audit.New(filepath.Join(root, "data", AuditFile)).Read()
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range trail {
		if !strings.HasPrefix(e.Who, "cli:") {
			t.Errorf("entry by %q", e.Who)
		}
		actions = append(actions, e.Action)
	}
	want := "add refused refused edit reindex refused replace reindex remove restore purge"
	if strings.Join(actions, " ") != want {
		t.Errorf("audit trail: %s\nwant         %s", strings.Join(actions, " "), want)
	}
}

// hasLine reports whether some line of out holds every one of parts.
func hasLine(out string, parts ...string) bool {
	for _, l := range strings.Split(out, "\n") {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(l, p)
		}
		if ok {
			return true
		}
	}
	return false
}
