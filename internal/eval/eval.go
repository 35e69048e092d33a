// Package eval measures answer quality on a question set with gold answers (../shared/eval/dev.jsonl's
// format), using exactly the matching rule of ../shared/eval/README.md.
package eval

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"policybot/index"
)

// Question is one question of a set.
type Question struct {
	ID         string `json:"id"`
	Q          string `json:"q"`
	Intent     string `json:"intent"`
	Answerable bool   `json:"answerable"`
	Gold       []Gold `json:"-"`
}

// Gold is one acceptable answer: a string found in the normalised passage, or a regular expression
// (RE2, used as written) matched against the normalised passage.
type Gold struct {
	Text string
	Re   *regexp.Regexp
}

// Load reads a question set, one JSON object a line. It returns an error naming the line for a line
// it cannot read or a regular expression that does not compile.
func Load(path string) ([]Question, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read question set: %w", err)
	}
	defer f.Close()
	var out []Question
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var raw struct {
			Question
			Gold []json.RawMessage `json:"gold"`
		}
		if err := json.Unmarshal([]byte(line), &raw); err != nil {
			return nil, fmt.Errorf("read %s:%d: %w", path, n, err)
		}
		q := raw.Question
		for _, g := range raw.Gold {
			var s string
			if json.Unmarshal(g, &s) == nil {
				q.Gold = append(q.Gold, Gold{Text: Normalize(s)})
				continue
			}
			var re struct {
				Re string `json:"re"`
			}
			if err := json.Unmarshal(g, &re); err != nil || re.Re == "" {
				return nil, fmt.Errorf("read %s:%d: gold entry %s is neither a string nor {\"re\":...}", path, n, g)
			}
			rx, err := regexp.Compile(re.Re)
			if err != nil {
				return nil, fmt.Errorf("read %s:%d: %w", path, n, err)
			}
			q.Gold = append(q.Gold, Gold{Re: rx})
		}
		out = append(out, q)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return out, nil
}

// Normalize applies the set's normalisation: Unicode NFKC, then every whitespace, punctuation,
// symbol and control character (categories Z*, P*, S*, C*) dropped except '.' and '%'.
func Normalize(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '.' || r == '%' {
			return r
		}
		if unicode.In(r, unicode.Z, unicode.P, unicode.S, unicode.C) {
			return -1
		}
		return r
	}, norm.NFKC.String(s))
}

// Answers reports whether a passage's text answers the question: some gold entry occurs in it.
func (q *Question) Answers(text string) bool {
	t := Normalize(text)
	for _, g := range q.Gold {
		if g.Re != nil && g.Re.MatchString(t) || g.Re == nil && g.Text != "" && strings.Contains(t, g.Text) {
			return true
		}
	}
	return false
}

// Searcher answers a question; *index.Index is one.
type Searcher interface {
	Search(ctx context.Context, question string, opt index.Options) (*index.Result, error)
}

// Report holds the figures of a run.
type Report struct {
	Questions          int     `json:"questions"`
	Answerable         int     `json:"answerable"`
	Hit1               float64 `json:"hit@1"`
	Hit3               float64 `json:"hit@3"`
	MRR5               float64 `json:"mrr@5"`
	Unanswerable       int     `json:"unanswerable"`
	UnanswerableRej    int     `json:"unanswerable_rejected"`
	AnswerableRejected int     `json:"answerable_rejected"`
	Misses             []Miss  `json:"misses"`
}

// Miss is a question the run got wrong in some way.
type Miss struct {
	ID      string   `json:"id"`
	Q       string   `json:"q"`
	Problem string   `json:"problem"` // "not in top 1", "not in top 5", "rejected", "answered"
	Rank    int      `json:"rank"`    // rank of the first answering passage, 0 if none in the top 5
	Top     []string `json:"top"`     // the top passages' ids
}

// Run asks every question and scores the answers.
func Run(ctx context.Context, s Searcher, qs []Question) (*Report, error) {
	rep := &Report{Questions: len(qs)}
	var hit1, hit3 int
	var mrr float64
	for _, q := range qs {
		res, err := s.Search(ctx, q.Q, index.Options{K: 5})
		if err != nil {
			return nil, fmt.Errorf("eval %s: %w", q.ID, err)
		}
		var top []string
		for _, h := range res.Hits {
			top = append(top, h.Passage.ID())
		}
		if !q.Answerable {
			rep.Unanswerable++
			if res.Confident {
				rep.Misses = append(rep.Misses, Miss{ID: q.ID, Q: q.Q, Problem: "answered", Top: top})
			} else {
				rep.UnanswerableRej++
			}
			continue
		}
		rep.Answerable++
		rank := 0
		for i, h := range res.Hits {
			if i < 5 && q.Answers(h.Passage.Text) {
				rank = i + 1
				break
			}
		}
		switch {
		case rank == 1:
			hit1++
		case rank == 0:
			rep.Misses = append(rep.Misses, Miss{ID: q.ID, Q: q.Q, Problem: "not in top 5", Top: top})
		default:
			rep.Misses = append(rep.Misses, Miss{ID: q.ID, Q: q.Q, Problem: "not in top 1", Rank: rank, Top: top})
		}
		if rank >= 1 && rank <= 3 {
			hit3++
		}
		if rank > 0 {
			mrr += 1 / float64(rank)
		}
		if !res.Confident {
			rep.AnswerableRejected++
			rep.Misses = append(rep.Misses, Miss{ID: q.ID, Q: q.Q, Problem: "rejected", Rank: rank, Top: top})
		}
	}
	if rep.Answerable > 0 {
		n := float64(rep.Answerable)
		rep.Hit1, rep.Hit3, rep.MRR5 = round(float64(hit1)/n), round(float64(hit3)/n), round(mrr/n)
	}
	return rep, nil
}

func round(x float64) float64 { return float64(int(x*1000+0.5)) / 1000 }

// Print writes the report for a person.
func (r *Report) Print(w io.Writer) {
	fmt.Fprintf(w, "questions: %d (%d answerable, %d unanswerable)\n", r.Questions, r.Answerable, r.Unanswerable)
	fmt.Fprintf(w, "hit@1: %.3f\nhit@3: %.3f\nMRR@5: %.3f\n", r.Hit1, r.Hit3, r.MRR5)
	fmt.Fprintf(w, "unanswerable rejected: %d/%d\n", r.UnanswerableRej, r.Unanswerable)
	fmt.Fprintf(w, "answerable wrongly rejected: %d/%d\n", r.AnswerableRejected, r.Answerable)
	if len(r.Misses) == 0 {
		return
	}
	fmt.Fprintln(w, "misses:")
	for _, m := range r.Misses {
		rank := ""
		if m.Rank > 0 {
			rank = fmt.Sprintf(" (first answer at rank %d)", m.Rank)
		}
		fmt.Fprintf(w, "  %s %s: %s%s; top: %s\n", m.ID, m.Q, m.Problem, rank, strings.Join(m.Top, ", "))
	}
}

// Floors are the lowest acceptable figures (and the most answerable questions that may be wrongly
// rejected). A figure absent from the file is not checked.
type Floors struct {
	Hit1               *float64 `json:"hit@1,omitempty"`
	Hit3               *float64 `json:"hit@3,omitempty"`
	MRR5               *float64 `json:"mrr@5,omitempty"`
	UnanswerableRej    *int     `json:"unanswerable_rejected,omitempty"`
	MaxAnswerableRejct *int     `json:"max_answerable_rejected,omitempty"`
}

// LoadFloors reads a floors file (JSON).
func LoadFloors(path string) (*Floors, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read floors: %w", err)
	}
	var f Floors
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("read floors %s: %w", path, err)
	}
	return &f, nil
}

// Check returns one line for each figure below its floor; none means the report holds.
func (f *Floors) Check(r *Report) []string {
	var out []string
	below := func(name string, got, floor float64) {
		out = append(out, fmt.Sprintf("%s %.3f is below its floor %.3f", name, got, floor))
	}
	if f.Hit1 != nil && r.Hit1 < *f.Hit1 {
		below("hit@1", r.Hit1, *f.Hit1)
	}
	if f.Hit3 != nil && r.Hit3 < *f.Hit3 {
		below("hit@3", r.Hit3, *f.Hit3)
	}
	if f.MRR5 != nil && r.MRR5 < *f.MRR5 {
		below("MRR@5", r.MRR5, *f.MRR5)
	}
	if f.UnanswerableRej != nil && r.UnanswerableRej < *f.UnanswerableRej {
		out = append(out, fmt.Sprintf("unanswerable rejected %d is below its floor %d", r.UnanswerableRej, *f.UnanswerableRej))
	}
	if f.MaxAnswerableRejct != nil && r.AnswerableRejected > *f.MaxAnswerableRejct {
		out = append(out, fmt.Sprintf("answerable wrongly rejected %d is above its ceiling %d", r.AnswerableRejected, *f.MaxAnswerableRejct))
	}
	return out
}
