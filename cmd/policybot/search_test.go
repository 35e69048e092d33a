package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"policybot/corpus"
	"policybot/index"
)

// TestSearchVerdict: every line of search --json says the verdict and why at its top level, beside
// confident, and lists the passages found whatever the verdict; the text output says the verdict
// under the question when it is not answer.
func TestSearchVerdict(t *testing.T) {
	args := seedArgs(t)
	batch := filepath.Join(t.TempDir(), "q.txt")
	// One question the documents answer, one about a place they do not know.
	if err := os.WriteFile(batch, []byte("湖南全省建成了多少家零工市场？\n北京市最低工资标准是多少？\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := runCmd(t, nil, append([]string{"search", "--json", "-k", "2", "--batch", batch}, args...)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines:\n%s", len(lines), out)
	}
	for i, want := range []struct {
		verdict, reason string
		confident       bool
	}{{"answer", "", true}, {"none", "文件不涉及北京市", false}} {
		var line map[string]any
		if err := json.Unmarshal([]byte(lines[i]), &line); err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"verdict", "reason", "confident"} {
			if _, ok := line[key]; !ok {
				t.Errorf("line %d has no %q: %s", i+1, key, lines[i])
			}
		}
		if line["verdict"] != want.verdict || line["reason"] != want.reason || line["confident"] != want.confident {
			t.Errorf("line %d: verdict %v, reason %v, confident %v; want %s, %q, %v", i+1, line["verdict"], line["reason"], line["confident"],
				want.verdict, want.reason, want.confident)
		}
		if rs, _ := line["results"].([]any); len(rs) != 2 {
			t.Errorf("line %d lists %d results, want 2", i+1, len(rs))
		}
	}

	text, _, err := runCmd(t, nil, append([]string{"search", "-k", "1"}, append(args, "北京市最低工资标准是多少？")...)...)
	if err != nil || !strings.Contains(text, "问：北京市最低工资标准是多少？\n（未能回答 [none]：现有文件没有涉及这个问题；以下是最接近的段落，不是答案。原因：文件不涉及北京市）\n") {
		t.Errorf("text of a none result (%v):\n%s", err, text)
	}
	text, _, err = runCmd(t, nil, append([]string{"search", "-k", "1"}, append(args, "湖南全省建成了多少家零工市场？")...)...)
	if err != nil || !strings.HasPrefix(text, "问：湖南全省建成了多少家零工市场？\n\n1. 《") {
		t.Errorf("text of an answer (%v):\n%s", err, text)
	}
}

// TestSearchRelated: a related result, which the shipped corpus gives only as the verdict's rule
// decides, prints and encodes as related.
func TestSearchRelated(t *testing.T) {
	d := &corpus.Document{ID: "tongren-plan", Meta: corpus.Meta{Title: "铜仁市“十四五”促进城乡就业创业规划", Issuer: "铜仁市人力资源和社会保障局", Date: "2022-02"}}
	p := &corpus.Passage{DocID: d.ID, Seq: 3, Text: "失业保险金标准逐步提高。"}
	r := &index.Result{Query: "失业了每个月能领多少钱", Verdict: index.VerdictRelated, Reason: "最相关的段落只覆盖问题的40%",
		Hits: []index.Hit{{Rank: 1, Passage: p, Doc: d, Score: 3.2, Coverage: 0.4}}}
	var b bytes.Buffer
	printResult(&b, r)
	if want := "问：失业了每个月能领多少钱\n（有关但未直接回答 [related]：以下段落可能有关，但没有直接回答这个问题。原因：最相关的段落只覆盖问题的40%）\n"; !strings.HasPrefix(b.String(), want) {
		t.Errorf("text:\n%s\nwant it to open with\n%s", b.String(), want)
	}
	b.Reset()
	if err := writeJSON(&b, toJSON(r)); err != nil {
		t.Fatal(err)
	}
	if want := `{"query":"失业了每个月能领多少钱","verdict":"related","reason":"最相关的段落只覆盖问题的40%","confident":false,"results":[{"rank":1,`; !strings.HasPrefix(b.String(), want) {
		t.Errorf("JSON:\n%s\nwant it to open with\n%s", b.String(), want)
	}
}
