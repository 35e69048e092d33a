package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchJSON: the speed benchmark on the shipped corpus prints the object, with figures
// that make sense.
func TestBenchJSON(t *testing.T) {
	queries := filepath.Join(t.TempDir(), "q.txt")
	if err := os.WriteFile(queries, []byte("失业金怎么领\n{\"q\":\"湖南全省建成了多少家零工市场？\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := runCmd(t, nil, "bench", "--corpus", "../../corpus/docs", "--dict", "../../corpus/dict", "--queries", queries, "--rounds", "1", "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	var rep map[string]map[string]float64
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for part, keys := range map[string][]string{
		"index":  {"passages", "mb", "seconds", "mb_per_s", "disk_mb", "rss_mb", "open_seconds"},
		"search": {"p50_ms", "p95_ms", "p99_ms", "max_ms", "rss_mb"},
	} {
		for _, k := range keys {
			if v, ok := rep[part][k]; !ok || v <= 0 {
				t.Errorf("%s.%s = %v, %v; want a positive figure", part, k, v, ok)
			}
		}
	}
	if _, ok := rep["qa"]; ok {
		t.Errorf("qa figures without --qa: %s", out)
	}
	if s := rep["search"]; s["p50_ms"] > s["p99_ms"] || s["p99_ms"] > s["max_ms"] {
		t.Errorf("percentiles out of order: %v", s)
	}
}

// TestBenchQA: the question-answer mode indexes the answers only and scores by id, each answer
// ranked by its best passage.
func TestBenchQA(t *testing.T) {
	dir := t.TempDir()
	answers := filepath.Join(dir, "a.jsonl")
	questions := filepath.Join(dir, "q.jsonl")
	a := []string{
		`{"id": "1", "dept": "人力资源社会保障局", "text": "失业保险金按月发放，领取失业保险金须办理失业登记。"}`,
		`{"id": "2", "dept": "住房公积金管理中心", "text": "住房公积金个人住房贷款期限最长为25年。"}`,
		`{"id": "3", "dept": "医保局", "text": "可以。参保人员在定点零售药店可以使用个人账户支付药品费用。"}`,
		`{"id": "4", "dept": "", "text": ""}`,
	}
	q := []string{
		`{"id": "1", "q": "怎么领取失业保险金？", "gold_ids": ["1"]}`,
		`{"id": "2", "q": "公积金贷款最长能贷多少年？", "gold_ids": ["2"]}`,
		`{"id": "3", "q": "在药店能用医保个人账户吗？", "gold_ids": ["3"]}`,
		`{"id": "5", "q": "护照怎么办理？", "gold_ids": ["9"]}`,
	}
	if err := os.WriteFile(answers, []byte(strings.Join(a, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(questions, []byte(strings.Join(q, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := runCmd(t, nil, "bench", "--qa", answers, "--questions", questions, "--dict", "../../corpus/dict", "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	var rep struct {
		Index, Search json.RawMessage
		QA            map[string]float64
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if rep.Index != nil || rep.Search != nil {
		t.Errorf("speed figures in --qa mode: %s", out)
	}
	want := map[string]float64{"n": 4, "hit@1": 0.75, "mrr@10": 0.75, "recall@10": 0.75}
	for k, v := range want {
		if rep.QA[k] != v {
			t.Errorf("qa %s = %v, want %v (%s)", k, rep.QA[k], v, out)
		}
	}

	// --split scores halves of the questions: for each seed, two halves of two questions whose
	// figures average to the whole set's.
	out, stderr, err = runCmd(t, nil, "bench", "--qa", answers, "--questions", questions, "--dict", "../../corpus/dict", "--json", "--split", "1, 7")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	var split struct {
		QA struct {
			MRR    float64 `json:"mrr@10"`
			Splits []struct {
				Seed   uint64
				Halves [2]struct {
					N   int
					MRR float64 `json:"mrr@10"`
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &split); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(split.QA.Splits) != 2 || split.QA.Splits[0].Seed != 1 || split.QA.Splits[1].Seed != 7 {
		t.Fatalf("splits %+v, want seeds 1 and 7", split.QA.Splits)
	}
	for _, sp := range split.QA.Splits {
		h := sp.Halves
		if h[0].N != 2 || h[1].N != 2 || (h[0].MRR+h[1].MRR)/2 != split.QA.MRR {
			t.Errorf("seed %d: halves %+v, want two of 2 averaging MRR %v", sp.Seed, h, split.QA.MRR)
		}
	}
	text, _, err := runCmd(t, nil, "bench", "--qa", answers, "--questions", questions, "--dict", "../../corpus/dict", "--split", "3")
	if err != nil || !strings.Contains(text, "split 3:  half A (2)") {
		t.Errorf("plain --split output: %v\n%s", err, text)
	}
}

func TestBenchUsage(t *testing.T) {
	for _, args := range [][]string{
		{"bench", "--qa", "a.jsonl"},
		{"bench", "--questions", "q.jsonl"},
		{"bench", "extra"},
		{"bench", "--rounds", "0"},
		{"bench", "--split", "1"},
		{"bench", "--qa", "a.jsonl", "--questions", "q.jsonl", "--split", "x"},
	} {
		if _, _, err := runCmd(t, nil, args...); err == nil || exitCode(err) != 2 {
			t.Errorf("%v: err %v, want a usage error", args, err)
		}
	}
}
