// Package eval measures answer quality on a question set with gold answers (../shared/eval/dev.jsonl's
// format), using exactly the matching rule of ../shared/eval/README.md.
package eval

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
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

// DefaultK is how many passages are scored for each question unless told otherwise.
const DefaultK = 10

// Outcome is what one question got.
type Outcome struct {
	ID         string        `json:"id"`
	Q          string        `json:"q"`
	Answerable bool          `json:"answerable"`
	Rank       int           `json:"rank"` // rank of the first answering passage within the first k, 0 if none
	Verdict    index.Verdict `json:"verdict"`
	Top        []string      `json:"top"` // the passages' ids, best first
}

// Figures are the scores of a group of questions.
type Figures struct {
	Answerable int     `json:"answerable"`
	Hit1       float64 `json:"hit@1"`
	Hit3       float64 `json:"hit@3"`
	MRR5       float64 `json:"mrr@5"`
	MRR10      float64 `json:"mrr@10"`
	RecallK    float64 `json:"recall@k"`
	// NotConfident counts the answerable questions whose verdict was not answer.
	NotConfident int `json:"answerable_rejected"`
	// Answered, Related and None count the answerable questions by verdict.
	Answered int `json:"answerable_answer"`
	Related  int `json:"answerable_related"`
	None     int `json:"answerable_none"`
	// Precision is the share of the questions answered (verdict answer) whose answering passage is
	// within the first three.
	Precision float64 `json:"answer_precision@3"`
}

// Report holds the figures of a run.
type Report struct {
	Questions int `json:"questions"`
	K         int `json:"k"`
	Figures
	Unanswerable    int `json:"unanswerable"`
	UnanswerableRej int `json:"unanswerable_rejected"` // verdict related or none
	// UnansAnswer, UnansRelated and UnansNone count the unanswerable questions by verdict.
	UnansAnswer  int       `json:"unanswerable_answer"`
	UnansRelated int       `json:"unanswerable_related"`
	UnansNone    int       `json:"unanswerable_none"`
	Splits       []Split   `json:"splits,omitempty"`
	Misses       []Miss    `json:"misses"`
	Outcomes     []Outcome `json:"-"`
}

// Split is the figures of the two halves of the questions shuffled by a seed.
type Split struct {
	Seed   uint64     `json:"seed"`
	Halves [2]Figures `json:"halves"`
}

// Miss is a question the run got wrong in some way.
type Miss struct {
	ID      string   `json:"id"`
	Q       string   `json:"q"`
	Problem string   `json:"problem"` // "not in top 1", "not in top k", "none", "answered", "related"
	Rank    int      `json:"rank"`    // rank of the first answering passage, 0 if none in the top k
	Top     []string `json:"top"`     // the top passages' ids
}

// Run asks every question for its best k passages (DefaultK when k <= 0) and scores the answers.
// It returns an error when a search fails.
func Run(ctx context.Context, s Searcher, qs []Question, k int) (*Report, error) {
	if k <= 0 {
		k = DefaultK
	}
	rep := &Report{Questions: len(qs), K: k}
	for _, q := range qs {
		res, err := s.Search(ctx, q.Q, index.Options{K: k})
		if err != nil {
			return nil, fmt.Errorf("eval %s: %w", q.ID, err)
		}
		o := Outcome{ID: q.ID, Q: q.Q, Answerable: q.Answerable, Verdict: res.Verdict}
		for i, h := range res.Hits {
			o.Top = append(o.Top, h.Passage.ID())
			if q.Answerable && o.Rank == 0 && i < k && q.Answers(h.Passage.Text) {
				o.Rank = i + 1
			}
		}
		rep.Outcomes = append(rep.Outcomes, o)
		switch {
		case !q.Answerable && res.Verdict != index.VerdictNone:
			rep.Misses = append(rep.Misses, Miss{ID: q.ID, Q: q.Q, Problem: map[bool]string{true: "answered", false: "related"}[res.Confident], Top: o.Top})
		case !q.Answerable:
		case o.Rank == 0:
			rep.Misses = append(rep.Misses, Miss{ID: q.ID, Q: q.Q, Problem: fmt.Sprintf("not in top %d", k), Top: o.Top})
		case o.Rank > 1:
			rep.Misses = append(rep.Misses, Miss{ID: q.ID, Q: q.Q, Problem: "not in top 1", Rank: o.Rank, Top: o.Top})
		}
		if q.Answerable && res.Verdict == index.VerdictNone {
			rep.Misses = append(rep.Misses, Miss{ID: q.ID, Q: q.Q, Problem: "none", Rank: o.Rank, Top: o.Top})
		}
	}
	rep.Figures = figures(rep.Outcomes)
	for _, o := range rep.Outcomes {
		if o.Answerable {
			continue
		}
		rep.Unanswerable++
		switch o.Verdict {
		case index.VerdictAnswer:
			rep.UnansAnswer++
		case index.VerdictRelated:
			rep.UnansRelated++
		default:
			rep.UnansNone++
		}
	}
	rep.UnanswerableRej = rep.UnansRelated + rep.UnansNone
	return rep, nil
}

// figures scores the answerable questions among os.
func figures(outs []Outcome) Figures {
	var f Figures
	var hit1, hit3, mrr5, mrr10, recall, right float64
	for _, o := range outs {
		if !o.Answerable {
			continue
		}
		f.Answerable++
		switch o.Verdict {
		case index.VerdictAnswer:
			f.Answered++
			if o.Rank >= 1 && o.Rank <= 3 {
				right++
			}
		case index.VerdictRelated:
			f.Related++
		default:
			f.None++
		}
		if o.Rank == 0 {
			continue
		}
		recall++
		r := 1 / float64(o.Rank)
		mrr10 += r
		if o.Rank <= 5 {
			mrr5 += r
		}
		if o.Rank <= 3 {
			hit3++
		}
		if o.Rank == 1 {
			hit1++
		}
	}
	if n := float64(f.Answerable); n > 0 {
		f.Hit1, f.Hit3, f.MRR5, f.MRR10, f.RecallK = round(hit1/n), round(hit3/n), round(mrr5/n), round(mrr10/n), round(recall/n)
	}
	f.NotConfident = f.Answerable - f.Answered
	if f.Answered > 0 {
		f.Precision = round(right / float64(f.Answered))
	}
	return f
}

// AddSplits shuffles the questions once for each seed and scores the questions at even and at odd
// places apart: a change of method that helps on both halves of several shuffles is less likely to be
// fitted to particular questions.
func (r *Report) AddSplits(seeds []uint64) {
	for _, seed := range seeds {
		outs := append([]Outcome(nil), r.Outcomes...)
		rand.New(rand.NewPCG(seed, 0)).Shuffle(len(outs), func(i, j int) { outs[i], outs[j] = outs[j], outs[i] })
		var halves [2][]Outcome
		for i, o := range outs {
			halves[i%2] = append(halves[i%2], o)
		}
		r.Splits = append(r.Splits, Split{Seed: seed, Halves: [2]Figures{figures(halves[0]), figures(halves[1])}})
	}
}

func round(x float64) float64 { return float64(int(x*1000+0.5)) / 1000 }

// Print writes the report for a person.
func (r *Report) Print(w io.Writer) {
	fmt.Fprintf(w, "questions: %d (%d answerable, %d unanswerable), %d passages each\n", r.Questions, r.Answerable, r.Unanswerable, r.K)
	if r.Answerable > 0 {
		fmt.Fprintf(w, "hit@1: %.3f\nhit@3: %.3f\nMRR@5: %.3f\nMRR@10: %.3f\nrecall@%d: %.3f\n", r.Hit1, r.Hit3, r.MRR5, r.MRR10, r.K, r.RecallK)
		fmt.Fprintf(w, "answerable: %d answer, %d related, %d none; of those answered, %.3f have the answer in the first 3\n",
			r.Answered, r.Related, r.None, r.Precision)
	}
	if r.Unanswerable > 0 {
		fmt.Fprintf(w, "unanswerable: %d answer, %d related, %d none\n", r.UnansAnswer, r.UnansRelated, r.UnansNone)
	}
	for _, sp := range r.Splits {
		a, b := sp.Halves[0], sp.Halves[1]
		fmt.Fprintf(w, "split %d: hit@1 %.3f / %.3f, MRR@10 %.3f / %.3f, answered %d / %d, precision %.3f / %.3f\n",
			sp.Seed, a.Hit1, b.Hit1, a.MRR10, b.MRR10, a.Answered, b.Answered, a.Precision, b.Precision)
	}
	if len(r.Misses) == 0 {
		return
	}
	fmt.Fprintln(w, "misses:")
	for _, m := range r.Misses {
		rank := ""
		if m.Rank > 0 {
			rank = fmt.Sprintf(" (first answer at rank %d)", m.Rank)
		}
		top := m.Top
		if len(top) > 5 {
			top = top[:5]
		}
		fmt.Fprintf(w, "  %s %s: %s%s; top: %s\n", m.ID, m.Q, m.Problem, rank, strings.Join(top, ", "))
	}
}

// Floors are the lowest acceptable figures (and the most answerable questions that may be wrongly
// rejected). A figure absent from the file is not checked.
type Floors struct {
	Hit1               *float64 `json:"hit@1,omitempty"`
	Hit3               *float64 `json:"hit@3,omitempty"`
	MRR5               *float64 `json:"mrr@5,omitempty"`
	MRR10              *float64 `json:"mrr@10,omitempty"`
	RecallK            *float64 `json:"recall@k,omitempty"`
	UnanswerableRej    *int     `json:"unanswerable_rejected,omitempty"`
	MaxAnswerableRejct *int     `json:"max_answerable_rejected,omitempty"`
	// Verdict floors: the most answerable questions that may get none (a count, or a share of the
	// answerable), the least unanswerable ones that must get none (count or share), the largest share
	// of unanswerable ones that may get answer, and the least precision of answer.
	MaxAnswerableNone      *int     `json:"max_answerable_none,omitempty"`
	MaxAnswerableNoneShare *float64 `json:"max_answerable_none_share,omitempty"`
	MinUnanswerableNone    *int     `json:"min_unanswerable_none,omitempty"`
	MinUnansNoneShare      *float64 `json:"min_unanswerable_none_share,omitempty"`
	MaxUnansAnswerShare    *float64 `json:"max_unanswerable_answer_share,omitempty"`
	MinPrecision           *float64 `json:"answer_precision@3,omitempty"`
}

// LoadFloors reads a floors file (JSON). It returns an error for a file it cannot read or parse.
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
	below := func(name string, got float64, floor *float64) {
		if floor != nil && got < *floor {
			out = append(out, fmt.Sprintf("%s %.3f is below its floor %.3f", name, got, *floor))
		}
	}
	below("hit@1", r.Hit1, f.Hit1)
	below("hit@3", r.Hit3, f.Hit3)
	below("MRR@5", r.MRR5, f.MRR5)
	below("MRR@10", r.MRR10, f.MRR10)
	below(fmt.Sprintf("recall@%d", r.K), r.RecallK, f.RecallK)
	if f.UnanswerableRej != nil && r.UnanswerableRej < *f.UnanswerableRej {
		out = append(out, fmt.Sprintf("unanswerable rejected %d is below its floor %d", r.UnanswerableRej, *f.UnanswerableRej))
	}
	if f.MaxAnswerableRejct != nil && r.NotConfident > *f.MaxAnswerableRejct {
		out = append(out, fmt.Sprintf("answerable wrongly rejected %d is above its ceiling %d", r.NotConfident, *f.MaxAnswerableRejct))
	}
	above := func(name string, got, ceiling float64) {
		out = append(out, fmt.Sprintf("%s %.3f is above its ceiling %.3f", name, got, ceiling))
	}
	share := func(n, of int) float64 {
		if of == 0 {
			return 0
		}
		return float64(n) / float64(of)
	}
	if f.MaxAnswerableNone != nil && r.None > *f.MaxAnswerableNone {
		out = append(out, fmt.Sprintf("answerable questions that got none, %d, is above its ceiling %d", r.None, *f.MaxAnswerableNone))
	}
	if c := f.MaxAnswerableNoneShare; c != nil && share(r.None, r.Answerable) > *c {
		above("share of answerable questions that got none", share(r.None, r.Answerable), *c)
	}
	if f.MinUnanswerableNone != nil && r.UnansNone < *f.MinUnanswerableNone {
		out = append(out, fmt.Sprintf("unanswerable questions that got none, %d, is below its floor %d", r.UnansNone, *f.MinUnanswerableNone))
	}
	if fl := f.MinUnansNoneShare; fl != nil && share(r.UnansNone, r.Unanswerable) < *fl {
		below("share of unanswerable questions that got none", share(r.UnansNone, r.Unanswerable), fl)
	}
	if c := f.MaxUnansAnswerShare; c != nil && share(r.UnansAnswer, r.Unanswerable) > *c {
		above("share of unanswerable questions that got answer", share(r.UnansAnswer, r.Unanswerable), *c)
	}
	below("precision of answer (right passage in the first 3)", r.Precision, f.MinPrecision)
	return out
}
