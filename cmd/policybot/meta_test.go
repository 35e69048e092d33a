package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// statusCorpus copies the validity fixtures of package corpus (excerpts of laws from lawref: two
// versions of 监察法, 学位法 and the 学位条例 it repeals, …) and a work report without a sidecar into a
// temporary corpus folder, and returns the common flags pointing at it and at a fresh data folder.
func statusCorpus(t *testing.T) []string {
	t.Helper()
	root := t.TempDir()
	docs, dict := filepath.Join(root, "corpus", "docs"), filepath.Join(root, "corpus", "dict")
	os.MkdirAll(docs, 0o755)
	os.MkdirAll(dict, 0o755)
	entries, err := os.ReadDir("../../corpus/testdata/status")
	if err != nil {
		t.Fatal(err)
	}
	files := []string{"../../corpus/testdata/meta/2023年政府工作报告.txt"}
	for _, e := range entries {
		files = append(files, filepath.Join("../../corpus/testdata/status", e.Name()))
	}
	for _, src := range append(files, "../../corpus/dict/userdict.txt", "../../corpus/dict/synonyms.txt") {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		dst := docs
		if strings.Contains(src, "/dict/") {
			dst = dict
		}
		os.WriteFile(filepath.Join(dst, filepath.Base(src)), b, 0o644)
	}
	return []string{"--corpus", docs, "--data", filepath.Join(root, "data")}
}

// TestDocsShowSources: docs show prints each field with where it came from, for a law read from its
// title and history lines and a work report named by its file; docs edit --status marks a document
// in force or not against what the corpus implies, and refuses what is not a status.
func TestDocsShowSources(t *testing.T) {
	common := statusCorpus(t)
	show := func(id string) string {
		return mustRun(t, append(append([]string{"docs", "show"}, common...), id)...)
	}
	out := show("监察法(2018-03-20)")
	for _, want := range [][]string{
		{"title:", "中华人民共和国监察法", "[title line]"},
		{"issuer:", "全国人民代表大会", "[history line]"},
		{"region:", "全国", "[kind]"},
		{"date:", "2018-03-20", "[history line]"},
		{"kind:", "法律", "[history line]"},
		{"status:", "superseded by 监察法(2024-12-25)", "[newer version]"},
	} {
		if !hasLine(out, want...) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	out = show("2023年政府工作报告")
	for _, want := range [][]string{
		{"title:", "2023年政府工作报告", "[file name]"},
		{"date:", "2023-03-05", "[text]"},
		{"issuer:", "国务院", "[text]"},
		{"kind:", "工作报告", "[title]"},
		{"status:", "in force"},
	} {
		if !hasLine(out, want...) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}

	edit := append([]string{"docs", "edit"}, common...)
	for _, bad := range [][]string{{"--status", "abolished"}, {"--status", "in-force", "--superseded-by", "学位法(2024-04-26)"}} {
		if _, _, err := runCmd(t, nil, append(append(edit, bad...), "监察法(2018-03-20)")...); exitCode(err) != 2 || !strings.Contains(err.Error(), "--s") {
			t.Errorf("edit %v: %v", bad, err)
		}
	}
	if _, _, err := runCmd(t, nil, append(edit, "--superseded-by", "nope", "监察法(2018-03-20)")...); exitCode(err) != 1 {
		t.Errorf("edit --superseded-by an unknown id: %v", err)
	}
	mustRun(t, append(edit, "--status", "in-force", "监察法(2018-03-20)")...)
	if out := show("监察法(2018-03-20)"); !hasLine(out, "status:", "in force", "[docs edit]") {
		t.Errorf("after --status in-force:\n%s", out)
	}
	mustRun(t, append(edit, "--status", "superseded", "--superseded-by", "监察法(2024-12-25)", "监察法(2018-03-20)")...)
	if out := show("监察法(2018-03-20)"); !hasLine(out, "status:", "superseded by 监察法(2024-12-25)", "[docs edit]") {
		t.Errorf("after --status superseded:\n%s", out)
	}
	if out := mustRun(t, append([]string{"docs", "list"}, common...)...); !hasLine(out, "学位条例(2004-08-28)", "[repealed]") || hasLine(out, "学位法(2024-04-26)", "[") {
		t.Errorf("list:\n%s", out)
	}
}

// TestSearchStatus: search labels a passage of a document no longer in force, in text and in JSON
// ("status" left out for a document in force); the chat labels it too.
func TestSearchStatus(t *testing.T) {
	common := statusCorpus(t)
	q := "具有一定学术水平的公民可以申请学位吗"
	out := mustRun(t, append(append([]string{"search", "--json", "-k", "3"}, common...), q)...)
	var res struct {
		Results []map[string]any `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.Results) == 0 {
		t.Fatalf("%v: %s", err, out)
	}
	seen := map[string]bool{}
	for _, r := range res.Results {
		id := r["doc_id"].(string)
		seen[id] = true
		switch id {
		case "学位条例(2004-08-28)":
			if r["status"] != "repealed" || r["superseded_by"] != "学位法(2024-04-26)" {
				t.Errorf("%s: status %v by %v", id, r["status"], r["superseded_by"])
			}
		default:
			if _, ok := r["status"]; ok {
				t.Errorf("%s: status %v for a document in force", id, r["status"])
			}
		}
	}
	if !seen["学位条例(2004-08-28)"] {
		t.Fatalf("the repealed 学位条例 is not among the results: %s", out)
	}
	out = mustRun(t, append(append([]string{"search", "-k", "3"}, common...), q)...)
	if !strings.Contains(out, "【已废止：学位法(2024-04-26)】") {
		t.Errorf("search text lacks the label:\n%s", out)
	}
	out, stderr, err := runWith(context.Background(), nil, q+"\n", append([]string{"chat"}, common...)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if !strings.Contains(out, "⚠️ 已废止（由《中华人民共和国学位法》（2024-04-26）废止）") {
		t.Errorf("chat lacks the label:\n%s", out)
	}
	// The greeting lists the documents in force only.
	if !strings.Contains(out, "• 《中华人民共和国学位法》") || strings.Contains(out, "• 《中华人民共和国学位条例》") {
		t.Errorf("greeting:\n%s", out)
	}
}
