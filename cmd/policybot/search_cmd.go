package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"policybot/corpus"
	"policybot/handlers"
	"policybot/index"
)

// searchJSON is the JSON form of a search result. Verdict is answer, related or none, and Reason
// says why it is not answer ("" when it is); Confident is true exactly for answer.
type searchJSON struct {
	Query     string       `json:"query"`
	Verdict   string       `json:"verdict"`
	Reason    string       `json:"reason"`
	ReadAs    []string     `json:"read_as,omitempty"`
	Confident bool         `json:"confident"`
	Results   []resultJSON `json:"results"`
	Cut       bool         `json:"cut,omitempty"` // a batch line longer than maxBatchQuestion, answered for its beginning
}

type resultJSON struct {
	Rank       int          `json:"rank"`
	DocID      string       `json:"doc_id"`
	Title      string       `json:"title"`
	Section    string       `json:"section"`
	Text       string       `json:"text"`
	Score      float64      `json:"score"`
	Issuer     string       `json:"issuer"`
	Region     string       `json:"region"`
	Date       string       `json:"date"`
	URL        string       `json:"url"`
	Source     string       `json:"source"`
	Highlights []index.Span `json:"highlights"`
	// Status is "repealed" or "superseded" for a document no longer in force, left out for one in
	// force; SupersededBy is the id of the document that replaced or repealed it, when known.
	Status       string `json:"status,omitempty"`
	SupersededBy string `json:"superseded_by,omitempty"`
}

func toJSON(r *index.Result) searchJSON {
	out := searchJSON{Query: r.Query, Verdict: string(r.Verdict), Reason: r.Reason, ReadAs: r.ReadAs, Confident: r.Confident, Results: []resultJSON{}}
	for _, h := range r.Hits {
		hl := h.Highlights
		if hl == nil {
			hl = []index.Span{}
		}
		out.Results = append(out.Results, resultJSON{
			Rank: h.Rank, DocID: h.Doc.ID, Title: h.Doc.Title, Section: h.Passage.Section(), Text: h.Passage.Text,
			Score: h.Score, Issuer: h.Doc.Issuer, Region: h.Doc.Region, Date: h.Doc.Date, URL: h.Doc.URL,
			Source: h.Doc.Source, Highlights: hl, Status: h.Doc.Status, SupersededBy: h.Doc.SupersededBy,
		})
	}
	return out
}

// cmdSearch answers one question, or each line of a batch file.
func cmdSearch(ctx context.Context, e *env, args []string) error {
	var cfg Config
	fs := flags("search", e, &cfg)
	k := fs.Int("k", 5, "number of passages")
	asJSON := fs.Bool("json", false, "print JSON")
	batch := fs.String("batch", "", "file of questions, one a line (with --json: one JSON object a line)")
	if err := parse(e, fs, args, &cfg); err != nil {
		return err
	}
	question := strings.TrimSpace(strings.Join(fs.Args(), " "))
	if (question == "") == (*batch == "") {
		return fmt.Errorf("%w: give a QUESTION or --batch FILE", errUsage)
	}
	if *k < 1 {
		return fmt.Errorf("%w: -k must be at least 1", errUsage)
	}
	ix, err := openIndex(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer ix.Close()
	opt := index.Options{K: *k}
	if *batch == "" {
		res, err := ix.Search(ctx, question, opt)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(e.stdout, toJSON(res))
		}
		printResult(e.stdout, res)
		return nil
	}
	f, err := os.Open(*batch)
	if err != nil {
		return err
	}
	defer f.Close()
	return searchBatch(ctx, ix, opt, f, e.stdout, *asJSON)
}

// maxBatchQuestion is the most bytes of a batch line that are answered; the rest of a longer line is
// read past. A person's question is far shorter (the bot answers the first 300 characters).
const maxBatchQuestion = 4096

// searchBatch answers each line of in. With asJSON it writes one JSON object a line, one for each
// line of in, so that output line N answers input line N: an empty line gets an empty result
// (`{"query":"","confident":false,"results":[]}`), a line longer than maxBatchQuestion bytes is
// answered for its beginning and marked "cut". Without it, it prints the answers to non-empty lines.
func searchBatch(ctx context.Context, ix *index.Index, opt index.Options, in io.Reader, out io.Writer, asJSON bool) error {
	r := bufio.NewReader(in)
	w := bufio.NewWriter(out)
	defer w.Flush()
	for {
		line, cut, err := readLine(r, maxBatchQuestion)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		q := strings.TrimSpace(line)
		var res *index.Result
		if q != "" {
			if res, err = ix.Search(ctx, q, opt); err != nil {
				return err
			}
		}
		if !asJSON {
			if res != nil {
				printResult(w, res)
				fmt.Fprintln(w)
			}
			continue
		}
		js := searchJSON{Verdict: string(index.VerdictNone), Reason: "空行", Results: []resultJSON{}}
		if res != nil {
			js = toJSON(res)
		}
		js.Cut = cut
		if err := writeJSON(w, js); err != nil {
			return err
		}
	}
}

// readLine reads a line of r without its line end, at most max bytes of it (cut at a character's
// start), and reads past the rest. It returns io.EOF at the end of the input, and the last line even
// when it has no line end.
func readLine(r *bufio.Reader, max int) (line string, cut bool, err error) {
	var b []byte
	read := false
	for {
		chunk, more, err := r.ReadLine()
		if err == io.EOF && read {
			break
		}
		if err != nil {
			return "", false, err
		}
		read = true
		if room := max - len(b); room > 0 {
			if len(chunk) > room {
				chunk, cut = chunk[:room], true
			}
			b = append(b, chunk...)
		} else if len(chunk) > 0 {
			cut = true
		}
		if !more {
			break
		}
	}
	if cut {
		// Not in the middle of a character.
		for k := 1; k < utf8.UTFMax && len(b) > 0; k++ {
			if r, size := utf8.DecodeLastRune(b); r != utf8.RuneError || size != 1 {
				break
			}
			b = b[:len(b)-1]
		}
	}
	return string(b), cut, nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// printResult writes a result for a person reading a terminal: when the verdict is not answer, a
// line under the question says which it is and why.
func printResult(w io.Writer, r *index.Result) {
	fmt.Fprintf(w, "问：%s\n", r.Query)
	if len(r.ReadAs) > 0 {
		fmt.Fprintf(w, "（按文件的说法理解：%s）\n", strings.Join(r.ReadAs, "，"))
	}
	closest := ""
	if len(r.Hits) > 0 {
		closest = "以下是最接近的段落，不是答案。"
	}
	switch r.Verdict {
	case index.VerdictRelated:
		fmt.Fprintf(w, "（%s [related]：以下段落可能有关，但没有直接回答这个问题。%s）\n", handlers.NameRelated, reasonNote(r.Reason))
	case index.VerdictNone:
		fmt.Fprintf(w, "（%s [none]：现有文件没有涉及这个问题；%s%s）\n", handlers.NameNone, closest, reasonNote(r.Reason))
	}
	for _, h := range r.Hits {
		fmt.Fprintf(w, "\n%d. 《%s》 %s\n", h.Rank, h.Doc.Title, h.Passage.Section())
		if label := corpus.StatusLabel(h.Doc.Status); label != "" {
			if h.Doc.SupersededBy != "" {
				label += "：" + h.Doc.SupersededBy
			}
			fmt.Fprintf(w, "   【%s】\n", label)
		}
		fmt.Fprintf(w, "   %s\n", strings.ReplaceAll(h.Passage.Text, "\n", "\n   "))
		var cite []string
		for _, s := range []string{h.Doc.Issuer, h.Doc.Region, h.Doc.Date} {
			if s != "" {
				cite = append(cite, s)
			}
		}
		fmt.Fprintf(w, "   —— %s  [%s, score %.2f]\n", strings.Join(cite, " · "), h.Passage.ID(), h.Score)
	}
}

func reasonNote(reason string) string {
	if reason == "" {
		return ""
	}
	return "原因：" + reason
}
