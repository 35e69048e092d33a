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

	"policybot/handlers"
)

// The export formats.
const (
	CSV   = "csv"
	JSONL = "jsonl"
)

// exportColumns are the keys of a JSONL line. verdict came last, after the columns of earlier
// versions, so that a spreadsheet reading those by position still finds them.
var exportColumns = []string{"id", "time", "user", "chat_type", "question", "script", "intent", "region",
	"confident", "results", "latency_ms", "rating", "verdict"}

// csvColumns are the CSV header, in Chinese as admins read the log everywhere (handlers' names), in
// the order of exportColumns.
var csvColumns = []string{"编号", "时间", "用户化名", "聊天类型", "问题", "文字", handlers.LabelIntent, handlers.LabelRegion,
	"确切回答", "结果", "耗时（毫秒）", handlers.LabelRating, handlers.LabelVerdict}

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

// Export writes the questions f selects, oldest first, to w in format: CSV or JSONL. The CSV is for
// people, in a spreadsheet: UTF-8 with a byte-order mark so that Excel reads the Chinese right, CRLF
// line ends, a Chinese header (csvColumns) and Chinese values named as everywhere else (handlers'
// IntentName, VerdictName, RatingName, ChatTypeName, ScriptName; 是/否 for confident), times in loc
// as 2006-01-02 15:04:05, results as "title › section" joined by "; " (the document id when the
// row has no title). JSONL is for programs: one JSON object a line with the English keys of
// exportColumns and the codes the log stores (entitlement, answer…), times in RFC 3339, rating +1,
// -1 or 0, results as a list with their titles and excerpts. The user column is the pseudonym, never
// an id. It returns an error for an unknown format or when reading or writing fails.
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
		if err := cw.Write(csvColumns); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		write = func(r Row) error {
			res := make([]string, len(r.Results))
			for i, x := range r.Results {
				res[i] = x.Title
				if res[i] == "" {
					res[i] = x.DocID
				}
				if x.Section != "" {
					res[i] += " › " + x.Section
				}
			}
			confident := "否"
			if r.Confident {
				confident = "是"
			}
			return cw.Write([]string{strconv.FormatInt(r.ID, 10), r.Time.In(loc).Format(time.DateTime), r.UserKey,
				cell(handlers.ChatTypeName(r.ChatType)), cell(r.Question), cell(handlers.ScriptName(r.Script)),
				cell(handlers.IntentName(r.Intent)), cell(r.Region), confident, cell(strings.Join(res, "; ")),
				strconv.FormatFloat(ms(r.Latency), 'f', 1, 64), handlers.RatingName(r.Rating), handlers.VerdictName(r.Verdict)})
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
