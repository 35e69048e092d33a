package handlers

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"policybot/index"
)

// verdictSearcher searches the shipped corpus and gives the result the verdict it is told, as the
// index's rule may for some question, so that these tests do not hang on where that rule draws its
// lines. coverage, when set, is the coverage of the first passages in turn (the others are dropped):
// it decides which passages after the first are worth showing.
type verdictSearcher struct {
	Searcher
	verdict   index.Verdict
	confident bool
	coverage  []float64
}

func (v verdictSearcher) Search(ctx context.Context, q string, opt index.Options) (*index.Result, error) {
	res, err := v.Searcher.Search(ctx, q, opt)
	if err != nil {
		return nil, err
	}
	r := *res
	r.Verdict, r.Confident, r.Reason = v.verdict, v.confident, ""
	if v.verdict != index.VerdictAnswer {
		r.Reason = "最相关的段落只覆盖问题的40%"
	}
	if v.coverage != nil {
		r.Hits = append([]index.Hit(nil), r.Hits[:min(len(r.Hits), len(v.coverage))]...)
		for i := range r.Hits {
			r.Hits[i].Coverage = v.coverage[i]
		}
	}
	return &r, nil
}

// labels are the labels of an answer's buttons, separated by spaces.
func labels(a Answer) string {
	var out []string
	for _, act := range a.Actions {
		out = append(out, act.Label)
	}
	return strings.Join(out, " ")
}

// buttons are the labels of an answer's buttons other than 原文 N (which is offered only where it
// adds text: TestSectionOffered), separated by spaces.
func buttons(a Answer) string {
	var out []string
	for _, act := range a.Actions {
		if act.Kind != ActionSection {
			out = append(out, act.Label)
		}
	}
	return strings.Join(out, " ")
}

// ranks are the ranks of an answer's passages, separated by spaces.
func ranks(a Answer) string {
	var out []string
	for _, h := range a.Hits {
		out = append(out, fmt.Sprint(h.Rank))
	}
	return strings.Join(out, " ")
}

// TestVerdicts: what a person gets for each verdict, and what the query log is told.
func TestVerdicts(t *testing.T) {
	const q = "铜仁的创业担保贷款有哪些扶持？"
	fair := []float64{0.5, 0.4, 0.4, 0.35, 0.1} // four passages worth showing, a fifth not
	for _, tc := range []struct {
		name     string
		s        verdictSearcher
		kind     Kind
		text     string // the answer's Text: the caveat, or part of the refusal
		ranks    string
		labels   string
		footer   string
		verdict  index.Verdict
		results  int
		moreFrom int // the page 更多结果 opens, 0 when there is none
	}{
		{"answer", verdictSearcher{verdict: index.VerdictAnswer, confident: true, coverage: fair},
			KindResults, "", "1 2 3", "更多结果 👍 👎", "第1–3条，共4条", index.VerdictAnswer, 3, 3},
		{"related: the best two, the rest behind 更多结果", verdictSearcher{verdict: index.VerdictRelated, coverage: fair},
			KindRelated, msgRelated, "1 2", "更多结果 👍 👎", "第1–2条，共4条", index.VerdictRelated, 2, 2},
		{"related: one passage worth showing", verdictSearcher{verdict: index.VerdictRelated, coverage: []float64{0.45, 0.2, 0.1}},
			KindRelated, msgRelated, "1", "👍 👎", "第1–1条，共1条", index.VerdictRelated, 1, 0},
		{"none: the refusal, no passages", verdictSearcher{verdict: index.VerdictNone, coverage: fair},
			KindNotCovered, "12333", "", "", "", index.VerdictNone, 0, 0},
		{"a searcher without verdicts: confident is answer", verdictSearcher{confident: true, coverage: fair},
			KindResults, "", "1 2 3", "更多结果 👍 👎", "第1–3条，共4条", index.VerdictAnswer, 3, 3},
		{"a searcher without verdicts: not confident is none", verdictSearcher{coverage: fair},
			KindNotCovered, "12333", "", "", "", index.VerdictNone, 0, 0},
		{"related without passages is none", verdictSearcher{verdict: index.VerdictRelated, coverage: []float64{}},
			KindNotCovered, "12333", "", "", "", index.VerdictNone, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.s.Searcher = seeds
			lg := &memLog{}
			h := newHandlers(t, Config{Searcher: tc.s, Log: lg})
			ctx := context.Background()
			a := h.Ask(ctx, private, q)
			if a.Kind != tc.kind || ranks(a) != tc.ranks || buttons(a) != tc.labels || a.Footer != tc.footer {
				t.Errorf("kind %d, ranks %q, buttons %q, footer %q; want %d, %q, %q, %q",
					a.Kind, ranks(a), buttons(a), a.Footer, tc.kind, tc.ranks, tc.labels, tc.footer)
			}
			if tc.text == "" && a.Text != "" || !strings.Contains(a.Text, tc.text) {
				t.Errorf("text %q, want %q", a.Text, tc.text)
			}
			if tc.kind == KindRelated && !strings.HasPrefix(a.Text, "没有找到直接回答这个问题的内容") {
				t.Errorf("a related answer without its caveat: %q", a.Text)
			}
			if len(lg.entries) != 1 {
				t.Fatalf("%d log entries", len(lg.entries))
			}
			e := lg.entries[0]
			if e.Verdict != tc.verdict || e.Confident != (tc.verdict == index.VerdictAnswer) || len(e.Results) != tc.results {
				t.Errorf("logged verdict %q, confident %v, %d results; want %q, %d", e.Verdict, e.Confident, len(e.Results), tc.verdict, tc.results)
			}
			for i, r := range e.Results {
				if r.DocID != a.Hits[i].DocID {
					t.Errorf("logged result %d is %s, shown %s", i+1, r.DocID, a.Hits[i].DocID)
				}
			}
			if tc.moreFrom == 0 {
				return
			}
			// The next page goes on after the last passage shown, and a related answer's keeps the caveat.
			more := h.More(ctx, private, a.ID, tc.moreFrom)
			if more.Kind != tc.kind || more.Text != a.Text || more.Hits[0].Rank != tc.moreFrom+1 || strings.Contains(labels(more), "更多结果") {
				t.Errorf("更多结果: kind %d, text %q, ranks %q, buttons %q", more.Kind, more.Text, ranks(more), labels(more))
			}
		})
	}
}

// TestRelatedTraditional: a question in traditional script gets the caveat in traditional script,
// like the rest of the answer.
func TestRelatedTraditional(t *testing.T) {
	h := newHandlers(t, Config{Searcher: verdictSearcher{Searcher: seeds, verdict: index.VerdictRelated, coverage: []float64{0.5, 0.4, 0.4}}})
	a := h.Ask(context.Background(), private, "銅仁市創業擔保貸款有哪些支持？")
	if a.Kind != KindRelated || a.Text != "沒有找到直接回答這個問題的內容，以下段落可能有關：" {
		t.Errorf("kind %d, caveat %q", a.Kind, a.Text)
	}
	if !strings.HasPrefix(a.Title, "問：") || buttons(a) != "更多結果 👍 👎" {
		t.Errorf("title %q, buttons %q", a.Title, buttons(a))
	}
}
