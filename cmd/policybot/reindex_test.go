package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"policybot/index"
)

// TestReindexVerdicts: the reindex report gives the verdict of each regression question, flags a
// question whose verdict is not the one it expects ("verdict", or answerable true or false), and
// shows a question whose verdict a change moved, before and after.
func TestReindexVerdicts(t *testing.T) {
	root, common := staffCorpus(t)
	set := filepath.Join(root, "regression.jsonl")
	os.WriteFile(set, []byte(`{"id":"hn","q":"湖南全省建成了多少家零工市场？","answerable":true,"gold":["486家零工市"]}
{"id":"bj","q":"北京市最低工资标准是多少？","answerable":false,"gold":[]}
{"id":"sz","q":"深圳人才引进补贴有多少","verdict":"related"}
`), 0o644)
	mustRun(t, append([]string{"index"}, common...)...)
	// The only document about Hunan goes: the corpus no longer knows the place the question names.
	mustRun(t, append(append([]string{"docs", "remove"}, common...), "hunan-2025-stable-employment")...)
	out := mustRun(t, append(append([]string{"reindex"}, common...), "--set", set)...)
	for _, want := range []string{
		"regression questions (" + set + "): 3 asked, ",
		"  verdicts: answer 0, related 0, none 3 (hn bj sz)\n",
		"  ! hn expects answer, gets none: 湖南全省建成了多少家零工市场？\n",
		"  ! sz expects related, gets none: 深圳人才引进补贴有多少\n",
		"  hn 湖南全省建成了多少家零工市场？\n     before: hunan-2025-stable-employment#",
		"[answer, answers it]\n     after:  ",
		"[none, does not answer it] ! expects answer\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "! bj") {
		t.Errorf("a question that gets the verdict it expects is flagged:\n%s", out)
	}
}

// TestExpectations: the verdict a regression question expects, line by line.
func TestExpectations(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.jsonl")
	os.WriteFile(good, []byte(`{"id":"a","q":"x","answerable":true}

{"id":"b","q":"x","answerable":false}
{"id":"c","q":"x","answerable":true,"verdict":"related"}
{"id":"d","q":"x"}
`), 0o644)
	got, err := expectations(good)
	if err != nil {
		t.Fatal(err)
	}
	want := []index.Verdict{index.VerdictAnswer, index.VerdictNone, index.VerdictRelated, ""}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("question %d expects %q, want %q", i+1, got[i], want[i])
		}
	}
	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte(`{"id":"a","q":"x"}`+"\n"+`{"id":"b","q":"x","verdict":"maybe"}`+"\n"), 0o644)
	if _, err := expectations(bad); err == nil || !strings.Contains(err.Error(), "bad.jsonl:2") || !strings.Contains(err.Error(), `"maybe"`) {
		t.Errorf("an unknown verdict: %v", err)
	}
}
