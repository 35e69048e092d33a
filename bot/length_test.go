package bot

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"policybot/handlers"
	"policybot/internal/eval"
)

// maxMedianAnswer is the most characters the median console answer to an answerable development
// question may hold (issue 13: about one phone screen).
const maxMedianAnswer = 690

// devSet is ../shared/eval/dev.jsonl beside the repository; the test skips without it unless CI is set.
func devSet(t *testing.T) []eval.Question {
	t.Helper()
	path := filepath.Join("..", "..", "shared", "eval", "dev.jsonl")
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the development questions: %v", err)
		}
		t.Skipf("the development questions: %v", err)
	}
	qs, err := eval.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return qs
}

// TestAnswerLength prints the median length of the console chat's answers to the answerable
// development questions (the text between two answer separators, in characters) and fails above
// maxMedianAnswer; and it checks that no answer loses the answer passage: every gold string a
// passage on the first page holds is still shown.
func TestAnswerLength(t *testing.T) {
	qs := devSet(t)
	h, err := handlers.New(handlers.Config{Searcher: seeds, RateLimit: -1, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	who := handlers.Who{ChatType: handlers.ConsoleChat}
	var lens []int
	for _, q := range qs {
		if !q.Answerable {
			continue
		}
		a := h.Ask(ctx, who, q.Q)
		text := ConsoleText(a)
		lens = append(lens, utf8.RuneCountInString(strings.TrimSpace(text)))
		// The gold the first page's passages hold, whole, must be in what is shown.
		whole := false
		for _, ht := range a.Hits {
			if p := seeds.Passage(ht.PassageID); p != nil && q.Answers(p.Text) {
				whole = true
			}
		}
		if whole && !q.Answers(text) {
			t.Errorf("%s %s: a passage shown holds the answer, the text shown does not:\n%s", q.ID, q.Q, text)
		}
		if testing.Verbose() {
			t.Logf("%s %d\n%s", q.ID, lens[len(lens)-1], text)
		}
	}
	if len(lens) == 0 {
		t.Fatal("no answerable question")
	}
	sort.Ints(lens)
	median := lens[len(lens)/2]
	if len(lens)%2 == 0 {
		median = (lens[len(lens)/2-1] + lens[len(lens)/2]) / 2
	}
	t.Logf("console answers to %d answerable development questions: median %d characters (min %d, max %d)", len(lens), median, lens[0], lens[len(lens)-1])
	if median > maxMedianAnswer {
		t.Errorf("median answer %d characters, want at most %d", median, maxMedianAnswer)
	}
}
