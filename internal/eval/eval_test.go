package eval

import (
	"context"
	"testing"

	"policybot/corpus"
	"policybot/index"
)

// fake answers each question with fixed passages.
type fake map[string][]string

func (f fake) Search(_ context.Context, q string, opt index.Options) (*index.Result, error) {
	res := &index.Result{Query: q, Verdict: index.VerdictNone}
	switch {
	case len(f[q]) > 1:
		res.Verdict, res.Confident = index.VerdictAnswer, true
	case len(f[q]) == 1:
		res.Verdict = index.VerdictRelated
	}
	for i, t := range f[q] {
		if i == opt.K {
			break
		}
		res.Hits = append(res.Hits, index.Hit{Rank: i + 1, Passage: &corpus.Passage{DocID: "d", Seq: i, Text: t}})
	}
	return res, nil
}

func TestRun(t *testing.T) {
	qs := []Question{
		{ID: "a", Q: "a", Answerable: true, Gold: []Gold{{Text: "答案"}}},
		{ID: "b", Q: "b", Answerable: true, Gold: []Gold{{Text: "答案"}}},
		{ID: "c", Q: "c", Answerable: true, Gold: []Gold{{Text: "答案"}}},
		{ID: "d", Q: "d", Answerable: false},
	}
	s := fake{
		"a": {"答案。"},
		"b": {"x", "y", "z", "w", "v", "u", "答 案"}, // rank 7: in MRR@10 and recall@10, not MRR@5
		"c": {"x"},
	}
	rep, err := Run(context.Background(), s, qs, 10)
	if err != nil {
		t.Fatal(err)
	}
	// a: related, right at rank 1; b: answer, right at rank 7; c: related, wrong.
	want := Figures{Answerable: 3, Hit1: 0.333, Hit3: 0.333, MRR5: 0.333, MRR10: round((1 + 1.0/7) / 3), RecallK: 0.667,
		NotConfident: 2, Answered: 1, Related: 2, Precision: 0}
	if rep.Figures != want {
		t.Errorf("figures %+v, want %+v", rep.Figures, want)
	}
	if rep.Unanswerable != 1 || rep.UnanswerableRej != 1 || rep.UnansNone != 1 {
		t.Errorf("unanswerable %d rejected %d none %d, want 1, 1 and 1", rep.Unanswerable, rep.UnanswerableRej, rep.UnansNone)
	}
	// With k = 5 the rank-7 answer is not found.
	if rep5, _ := Run(context.Background(), s, qs, 5); rep5.RecallK != 0.333 {
		t.Errorf("recall@5 %.3f, want 0.333", rep5.RecallK)
	}
	rep.AddSplits([]uint64{1, 2})
	for _, sp := range rep.Splits {
		if n := sp.Halves[0].Answerable + sp.Halves[1].Answerable; n != 3 {
			t.Errorf("split %d: halves hold %d answerable questions, want 3", sp.Seed, n)
		}
	}
	floor, precision, none := 0.5, 0.6, 0
	if below := (&Floors{MRR10: &floor, MinPrecision: &precision, MaxAnswerableNone: &none}).Check(rep); len(below) != 2 {
		t.Errorf("floor check %v, want two lines (MRR@10 and precision)", below)
	}
}
