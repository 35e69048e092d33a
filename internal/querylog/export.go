package querylog

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// The export formats.
const (
	CSV   = "csv"
	JSONL = "jsonl"
)

// exportColumns are the CSV header, and the keys of a JSONL line. verdict came last, after the
// columns of earlier versions, so that a spreadsheet reading those by position still finds them.
var exportColumns = []string{"id", "time", "user", "chat_type", "question", "script", "intent", "region",
	"confident", "results", "latency_ms", "rating", "verdict"}

// exportLine is one JSONL line.
type exportLine struct {
	ID        int64        `json:"id"`
	Time      string       `json:"time"`
	User      string       `json:"user"`
	ChatType  string       `json:"chat_type"`
	Question  string       `json:"question"`
	Script    string       `json:"script"`
	Intent    string       `json:"intent"`
	Region    string       `json:"region"`
	Confident bool         `json:"confident"`
	Results   []jsonResult `json:"results"`
	LatencyMS float64      `json:"latency_ms"`
	Rating    int          `json:"rating"`
	Verdict   string       `json:"verdict"`
}

// Export writes the questions f selects, oldest first, to w in format: CSV (UTF-8 with a byte-order
// mark so that Excel reads the Chinese right; times in loc as 2006-01-02 15:04:05; results as
// "doc › section" joined by "; "; rating up, down or empty; verdict answer, related or none) or JSONL (one JSON object a line, times
// in RFC 3339, rating +1, -1 or 0). The user column is the pseudonym, never an id. It returns an
// error for an unknown format or when reading or writing fails.
func (s *Store) Export(ctx context.Context, w io.Writer, f Filter, format string, loc *time.Location) error {
	if loc == nil {
		loc = time.Local
	}
	bw := bufio.NewWriter(w)
	var write func(Row) error
	var finish func() error
	switch format {
	case CSV:
		if _, err := bw.WriteString("\uFEFF"); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		cw := csv.NewWriter(bw)
		cw.UseCRLF = true // what Excel writes and expects
		if err := cw.Write(exportColumns); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		write = func(r Row) error {
			res := make([]string, len(r.Results))
			for i, x := range r.Results {
				res[i] = x.DocID
				if x.Section != "" {
					res[i] += " › " + x.Section
				}
			}
			rating := map[int]string{1: "up", -1: "down"}[r.Rating]
			confident := "no"
			if r.Confident {
				confident = "yes"
			}
			return cw.Write([]string{strconv.FormatInt(r.ID, 10), r.Time.In(loc).Format(time.DateTime), r.UserKey,
				cell(r.ChatType), cell(r.Question), cell(r.Script), cell(r.Intent), cell(r.Region), confident,
				cell(strings.Join(res, "; ")), strconv.FormatFloat(ms(r.Latency), 'f', 1, 64), rating, string(r.Verdict)})
		}
		finish = func() error { cw.Flush(); return cw.Error() }
	case JSONL:
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		write = func(r Row) error {
			return enc.Encode(exportLine{ID: r.ID, Time: r.Time.In(loc).Format(time.RFC3339), User: r.UserKey,
				ChatType: r.ChatType, Question: r.Question, Script: r.Script, Intent: r.Intent, Region: r.Region,
				Confident: r.Confident, Results: toJSONResults(r.Results), LatencyMS: ms(r.Latency), Rating: r.Rating,
				Verdict: string(r.Verdict)})
		}
		finish = func() error { return nil }
	default:
		return fmt.Errorf("export: unknown format %q (want csv or jsonl)", format)
	}
	if err := s.Each(ctx, f, write); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := finish(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// cell keeps a spreadsheet from taking text that citizens typed for a formula: a cell starting with
// = + - @ or a control character gets a leading apostrophe (OWASP's advice on CSV injection).
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// ms is d in milliseconds, rounded to a tenth.
func ms(d time.Duration) float64 {
	return float64(d.Round(100*time.Microsecond)) / float64(time.Millisecond)
}
