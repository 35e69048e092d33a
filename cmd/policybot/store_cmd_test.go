package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"policybot/internal/pgtest"
	"strings"
	"testing"
)

// testStore returns the URL of a new schema of POLICYBOT_TEST_PG for a corpus store; the test is
// skipped without one, and fails in CI.
func testStore(t *testing.T) string {
	t.Helper()
	return pgtest.URL(t, "store_")
}

// TestStoreCommands moves the shipped corpus into the store, changes it with docs commands run as
// if on three machines (three data folders), each seeing the others' changes, and exports it.
func TestStoreCommands(t *testing.T) {
	store := testStore(t)
	root := t.TempDir()
	at := func(machine string) []string {
		return []string{"--store", store, "--dict", "../../corpus/dict", "--data", filepath.Join(root, machine)}
	}
	out := mustRun(t, "store", "import", "--store", store, "--corpus", "../../corpus/docs", "--data", filepath.Join(root, "m0"))
	if !strings.Contains(out, "imported ../../corpus/docs") || !strings.Contains(out, "version") {
		t.Errorf("store import: %s", out)
	}

	file := filepath.Join(root, "xinghuo.txt")
	os.WriteFile(file, []byte("关于建设星火零工驿站的通知\n一、星火零工驿站免费提供求职登记、岗位推荐和劳动权益咨询服务。\n"), 0o644)
	out = mustRun(t, append(append([]string{"docs", "add"}, at("m1")...), file)...)
	if !strings.Contains(out, "added xinghuo") || !strings.Contains(out, "replicas following it") {
		t.Errorf("docs add --store: %s", out)
	}
	// Another machine searches the store's corpus, with the new document.
	out = mustRun(t, append(append([]string{"search", "-k", "1"}, at("m2")...), "星火零工驿站提供哪些服务？")...)
	if !strings.Contains(out, "免费提供求职登记") {
		t.Errorf("search --store on another machine does not find the added document:\n%s", out)
	}
	mustRun(t, append(append([]string{"docs", "remove"}, at("m2")...), "xinghuo")...)
	out = mustRun(t, append([]string{"docs", "list"}, at("m1")...)...)
	if !strings.Contains(out, "in the trash") || !hasLine(out, "xinghuo", "removed") || !hasLine(out, "tongren-14th-five-year-employment-plan") {
		t.Errorf("docs list --store after a removal elsewhere:\n%s", out)
	}
	out = mustRun(t, "store", "status", "--store", store, "--data", filepath.Join(root, "m3"))
	if !strings.Contains(out, "last change: remove xinghuo by cli:") || !strings.Contains(out, "audit entries: 3") {
		t.Errorf("store status:\n%s", out)
	}

	exported := filepath.Join(root, "out", "docs")
	mustRun(t, "store", "export", "--store", store, "--data", filepath.Join(root, "m3"), exported)
	for _, p := range []string{"tongren-14th-five-year-employment-plan.txt", "tongren-14th-five-year-employment-plan.meta.json", "../regression.jsonl"} {
		if _, err := os.Stat(filepath.Join(exported, p)); err != nil {
			t.Errorf("export: %v", err)
		}
	}
	if _, err := os.Stat(filepath.Join(exported, "xinghuo.txt")); err == nil {
		t.Error("export: the removed document is among the documents")
	}
	if trash, _ := filepath.Glob(filepath.Join(exported, ".trash", "*", "xinghuo.txt")); len(trash) != 1 {
		t.Errorf("export: the removed document is not in the trash: %v", trash)
	}
	// --replace puts the exported folder in place of what the store holds: the same corpus.
	out = mustRun(t, "store", "import", "--replace", "--store", store, "--corpus", exported, "--data", filepath.Join(root, "m0"))
	if !strings.Contains(out, "imported") {
		t.Errorf("store import --replace: %s", out)
	}
	if out := mustRun(t, append([]string{"docs", "list"}, at("m1")...)...); !hasLine(out, "xinghuo", "removed") {
		t.Errorf("docs list after importing the export:\n%s", out)
	}

	for _, args := range [][]string{
		{"store", "import", "--store", store, "--corpus", "../../corpus/docs", "--data", filepath.Join(root, "m0")}, // without --replace
		{"docs", "list", "--store", "mysql://x/y"},
		{"store", "import", "--corpus", "../../corpus/docs"},
		{"store", "export", "--store", store},
		{"store", "nothing"},
	} {
		if _, _, err := runCmd(t, nil, args...); !errors.Is(err, errUsage) {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
}

// TestStoreDownChatAnswers: a replica (here the console chat) started while the corpus store cannot
// be reached answers from the local copy it last synced, and says so in its log; a change to the
// corpus, which needs the store, fails plainly and changes nothing.
func TestStoreDownChatAnswers(t *testing.T) {
	store := testStore(t)
	data := t.TempDir()
	mustRun(t, "store", "import", "--store", store, "--corpus", "../../corpus/docs", "--data", t.TempDir())
	args := []string{"--dict", "../../corpus/dict", "--data", data}
	mustRun(t, append([]string{"search", "-k", "1", "--store", store}, append(args, "失业金怎么领")...)...)

	// The same database at an address nothing listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	u, err := url.Parse(store)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = fmt.Sprintf("127.0.0.1:%d", port)
	down := u.String()

	out, stderr, err := runWith(context.Background(), nil, "失业金怎么领\n", append([]string{"chat", "--store", down}, args...)...)
	if err != nil {
		t.Fatalf("chat with the store down: %v\n%s", err, stderr)
	}
	if !strings.Contains(out, "失业保险") || !strings.Contains(stderr, "answering from its local copy") {
		t.Errorf("chat with the store down did not answer from the local copy:\n%s\n%s", out, stderr)
	}
	_, stderr, err = runCmd(t, nil, append([]string{"docs", "remove", "--store", down}, append(args, "hunan-2025-stable-employment")...)...)
	if err == nil {
		t.Errorf("docs remove with the store down succeeded: %s", stderr)
	}
	if out := mustRun(t, append([]string{"docs", "list", "--store", store}, args...)...); !hasLine(out, "hunan-2025-stable-employment", "indexed") {
		t.Errorf("the document is gone from the store:\n%s", out)
	}
	// With no local copy there is nothing to answer from: chat says the store cannot be reached.
	if _, _, err := runWith(context.Background(), nil, "失业金怎么领\n", "chat", "--store", down, "--data", t.TempDir()); err == nil {
		t.Error("chat with the store down and no local copy started")
	}
}
