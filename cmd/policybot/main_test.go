package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// runCmd runs the program with args and returns its stdout and stderr.
func runCmd(t *testing.T, env map[string]string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), append([]string{"policybot"}, args...), func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), err
}

// seedArgs points a command at the shipped corpus and a fresh data folder.
func seedArgs(t *testing.T) []string {
	return []string{"--corpus", "../../corpus/docs", "--data", t.TempDir()}
}

func TestSearchJSON(t *testing.T) {
	args := seedArgs(t)
	out, stderr, err := runCmd(t, nil, append([]string{"search", "--json", "-k", "3"}, append(args, "湖南全省建成了多少家零工市场？")...)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	var res searchJSON
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if res.Query != "湖南全省建成了多少家零工市场？" || !res.Confident || len(res.Results) != 3 {
		t.Fatalf("result %+v", res)
	}
	for i, r := range res.Results {
		if r.Rank != i+1 || r.DocID == "" || r.Title == "" || r.Text == "" || r.Source == "" || r.Region == "" {
			t.Errorf("result %d incomplete: %+v", i, r)
		}
		for _, h := range r.Highlights {
			if h.Start < 0 || h.End > len(r.Text) || h.Start >= h.End {
				t.Errorf("result %d highlight %+v outside %d bytes", i, h, len(r.Text))
			}
		}
	}
	if !strings.Contains(res.Results[0].Text, "486家零工市場") || res.Results[0].DocID != "hunan-2025-stable-employment" {
		t.Errorf("top result %+v", res.Results[0])
	}
	// The text is quoted as the document writes it: traditional script stays traditional.
	if strings.Contains(res.Results[0].Text, "零工市场") {
		t.Errorf("text converted to simplified: %s", res.Results[0].Text)
	}
}

// TestSearchBatch: one JSON line for each line of the batch, in order, blank lines included (an
// empty result), so that output line N answers input line N; a line over a megabyte is answered for
// its beginning, marked cut, and the lines after it are answered too.
func TestSearchBatch(t *testing.T) {
	args := seedArgs(t)
	batch := filepath.Join(t.TempDir(), "q.txt")
	huge := "失业金怎么领" + strings.Repeat("领", 1<<20)
	qs := []string{"失业金怎么领", "", "怎么申请办理护照？", "   ", huge, `+广元 "创业担保贷款" title:x`, ""}
	if err := os.WriteFile(batch, []byte(strings.Join(qs, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := runCmd(t, nil, append([]string{"search", "--json", "--batch", batch}, args...)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(qs) {
		t.Fatalf("%d lines, want %d: %.300s", len(lines), len(qs), out)
	}
	for i, l := range lines {
		var res searchJSON
		if err := json.Unmarshal([]byte(l), &res); err != nil {
			t.Fatal(err)
		}
		want := strings.TrimSpace(qs[i])
		switch {
		case qs[i] == huge:
			if !strings.HasPrefix(res.Query, "失业金怎么领领") || len(res.Query) > maxBatchQuestion || !utf8.ValidString(res.Query) || !res.Cut || len(res.Results) == 0 {
				t.Errorf("line %d: the huge line answered as %q (%d bytes), cut %v, %d results", i, res.Query[:30], len(res.Query), res.Cut, len(res.Results))
			}
		case res.Query != want || res.Cut:
			t.Errorf("line %d answers %q, want %q", i, res.Query, want)
		case want == "" && (res.Confident || res.Results == nil || len(res.Results) != 0 || l != `{"query":"","verdict":"none","reason":"空行","confident":false,"results":[]}`):
			t.Errorf("line %d, blank: %s", i, l)
		case want != "" && len(res.Results) == 0:
			t.Errorf("line %d: no results", i)
		}
	}
}

func TestEval(t *testing.T) {
	args := seedArgs(t)
	out, stderr, err := runCmd(t, nil, append([]string{"eval", "--json", "--set", "testdata/questions.jsonl"}, args...)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	var rep struct {
		Questions, Answerable, Unanswerable int
		UnanswerableRejected                int     `json:"unanswerable_rejected"`
		Hit3                                float64 `json:"hit@3"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Questions != 4 || rep.Answerable != 3 || rep.Unanswerable != 1 || rep.UnanswerableRejected != 1 || rep.Hit3 != 1 {
		t.Errorf("report %s", out)
	}
	floors := filepath.Join(t.TempDir(), "floors.json")
	os.WriteFile(floors, []byte(`{"hit@1": 1.01}`), 0o644)
	_, stderr, err = runCmd(t, nil, append([]string{"eval", "--set", "testdata/questions.jsonl", "--floors", floors}, args...)...)
	if !errors.Is(err, errFailed) || exitCode(err) != 1 || !strings.Contains(stderr, "below its floor") {
		t.Errorf("floor above reach: err %v, stderr %s", err, stderr)
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"frobnicate"}, {"search"}, {"search", "--nope", "x"}, {"eval"}} {
		_, _, err := runCmd(t, nil, args...)
		if exitCode(err) != 2 {
			t.Errorf("%v: err %v, want a usage error", args, err)
		}
	}
	if _, _, err := runCmd(t, nil, "search", "-h"); err != nil {
		t.Errorf("-h: %v", err)
	}
}

// TestBrokenFile: a file that is not text is named in the log and left out; the rest is indexed.
func TestBrokenFile(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile("../../corpus/docs/guangyuan-2021-employment-center-plan.txt")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "good.txt"), src, 0o644)
	os.WriteFile(filepath.Join(dir, "broken.txt"), []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), 0o644)
	os.WriteFile(filepath.Join(dir, "empty.md"), nil, 0o644)
	out, stderr, err := runCmd(t, nil, "index", "--corpus", dir, "--data", t.TempDir())
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if !strings.Contains(out, "indexed 1 documents") || !strings.Contains(stderr, "broken.txt") || !strings.Contains(stderr, "empty.md") {
		t.Errorf("stdout %q\nstderr %q", out, stderr)
	}
}
