package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"policybot/handlers"
	"policybot/index"
)

// cmdReindex brings the index up to date with the corpus folder and reports what changed.
func cmdReindex(ctx context.Context, e *env, args []string) error {
	var cfg Config
	fs := flags("reindex", e, &cfg)
	full := fs.Bool("full", false, "rebuild every document, not only the changed ones")
	set := fs.String("set", "", "regression questions (JSONL, eval format; default regression.jsonl beside the corpus folder)")
	if err := parse(e, fs, args, &cfg); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: reindex takes no arguments", errUsage)
	}
	s := newStaff(ctx, e, cfg)
	qs, setPath, err := loadQuestions(*set, cfg)
	if err != nil {
		return err
	}
	s.Questions = qs
	opt := handlers.ReindexOptions{Full: *full}
	var bar *progressbar.ProgressBar
	if f, ok := terminal(e.stdout); ok {
		// The total is known once the documents to index are: a bar of documents, with passages
		// and MB/s beside it.
		opt.Total = func(docs int) {
			bar = newBar(f, docs, "indexing")
		}
		opt.Progress = func(docs, passages int, bytes int64) {
			if bar != nil {
				bar.Describe(fmt.Sprintf("indexing: %d passages, %.1f MB", passages, float64(bytes)/(1<<20)))
				bar.Set(docs)
			}
		}
	}
	rep, err := s.Reindex(ctx, actor(e), opt)
	if bar != nil {
		bar.Finish()
	}
	if err != nil {
		return err
	}
	printReindex(e.stdout, rep, setPath)
	return nil
}

// terminal returns w as a file when it is a terminal, where a progress bar can be drawn.
func terminal(w io.Writer) (*os.File, bool) {
	f, ok := w.(*os.File)
	return f, ok && term.IsTerminal(int(f.Fd()))
}

// newBar is a progress bar on f counting to total (documents or files), with the rate and the time
// left; it clears itself when done.
func newBar(f *os.File, total int, what string) *progressbar.ProgressBar {
	return progressbar.NewOptions(total,
		progressbar.OptionSetWriter(f),
		progressbar.OptionSetDescription(what),
		progressbar.OptionSetWidth(30),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100_000_000), // 0.1 s
		progressbar.OptionClearOnFinish(),
	)
}

// printReindex writes a reindex report for a person.
func printReindex(w io.Writer, rep *handlers.ReindexReport, set string) {
	up := rep.UpdateReport
	for _, u := range rep.Unreadable {
		fmt.Fprintf(w, "left out (cannot be read): %s\n", u)
	}
	if up.Manifest == nil {
		fmt.Fprintf(w, "nothing changed: the index is up to date (%d documents, %d passages)\n", up.Unchanged, up.Passages)
		return
	}
	mode := "incremental"
	if up.Full {
		mode = "full: " + up.Why
	}
	fmt.Fprintf(w, "reindexed (%s) in %.1fs: %d added, %d changed, %d removed, %d unchanged documents\n",
		mode, up.Seconds, len(up.Added), len(up.Changed), len(up.Removed), up.Unchanged)
	mbs := 0.0
	if up.Seconds > 0 {
		mbs = float64(up.Bytes) / (1 << 20) / up.Seconds
	}
	fmt.Fprintf(w, "passages: %d in the index, %d cut and indexed (%.1f KB of text, %.2f MB/s); published as %s\n",
		up.Passages, up.Cut, float64(up.Bytes)/(1<<10), mbs, up.Manifest.Name)
	for _, l := range []struct {
		what string
		ids  []string
	}{{"added", up.Added}, {"changed", up.Changed}, {"removed", up.Removed}} {
		if len(l.ids) > 0 {
			fmt.Fprintf(w, "  %s: %s\n", l.what, strings.Join(l.ids, ", "))
		}
	}
	if rep.Questions == 0 {
		fmt.Fprintln(w, "regression questions: none (give --set FILE to see which answers a change moves)")
		return
	}
	fmt.Fprintf(w, "regression questions (%s): %d asked, %d changed their top answer or verdict\n", set, rep.Questions, len(rep.Changes))
	if len(rep.Verdicts) > 0 {
		fmt.Fprintf(w, "  verdicts: %s\n", verdictCounts(rep.Verdicts))
	}
	for _, q := range rep.Verdicts {
		if q.Unexpected() {
			fmt.Fprintf(w, "  ! %s expects %s, gets %s: %s\n", q.ID, q.Expect, q.Verdict, q.Question)
		}
	}
	for _, c := range rep.Changes {
		fmt.Fprintf(w, "  %s %s\n", c.ID, c.Question)
		fmt.Fprintf(w, "     before: %s\n", describe(c.Before, c.Judged))
		after := describe(c.After, c.Judged)
		if c.Unexpected() {
			after += " ! expects " + string(c.Expect)
		}
		fmt.Fprintf(w, "     after:  %s\n", after)
	}
}

// verdictCounts counts the questions of each verdict, naming those not answered:
// "answer 26, related 2 (d07 d19), none 3 (d29 d30 d31)".
func verdictCounts(qs []handlers.QuestionVerdict) string {
	var parts []string
	for _, v := range []index.Verdict{index.VerdictAnswer, index.VerdictRelated, index.VerdictNone} {
		var ids []string
		for _, q := range qs {
			if q.Verdict == v {
				ids = append(ids, q.ID)
			}
		}
		part := fmt.Sprintf("%s %d", v, len(ids))
		if v != index.VerdictAnswer && len(ids) > 0 {
			part += " (" + strings.Join(ids, " ") + ")"
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, ", ")
}

// describe says a regression question's top answer and its verdict in one line.
func describe(a handlers.TopAnswer, judged bool) string {
	if a.Passage == "" {
		if a.Verdict == "" {
			return "(no answer)"
		}
		return "(no passage) [" + string(a.Verdict) + "]"
	}
	text := []rune(strings.ReplaceAll(a.Text, "\n", " "))
	if len(text) > 40 {
		text = append(text[:40], '…')
	}
	notes := []string{string(a.Verdict)}
	if judged {
		if a.Right {
			notes = append(notes, "answers it")
		} else {
			notes = append(notes, "does not answer it")
		}
	}
	note := ""
	if len(notes) > 0 {
		note = " [" + strings.Join(notes, ", ") + "]"
	}
	return fmt.Sprintf("%s 《%s》 %s%s", a.Passage, a.Title, string(text), note)
}
