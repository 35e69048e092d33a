package querylog

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"policybot/handlers"
	"policybot/index"
	"policybot/internal/pii"
)

// Row is one question as the log keeps it.
type Row struct {
	ID        int64
	Time      time.Time
	UserKey   string // the pseudonym of the person who asked (see Secret)
	ChatType  string
	Question  string // as asked, phone and 身份证 numbers masked
	Script    string
	Intent    string
	Region    string
	Confident bool          // Verdict is answer
	Verdict   index.Verdict // answer, related or none
	Results   []handlers.LogResult
	Latency   time.Duration
	Rating    int // +1 👍, -1 👎, 0 not rated
}

// jsonResult is how a result is stored (in the results column) and exported. Title and excerpt
// came later: rows written before them have neither, and read back with both empty; an earlier
// version reading a newer row ignores them. So the column needed no migration.
type jsonResult struct {
	Doc     string `json:"doc"`
	Section string `json:"section"`
	Title   string `json:"title,omitempty"`
	Excerpt string `json:"excerpt,omitempty"`
}

func toJSONResults(rs []handlers.LogResult) []jsonResult {
	out := make([]jsonResult, len(rs))
	for i, r := range rs {
		out[i] = jsonResult{Doc: r.DocID, Section: r.Section, Title: r.Title, Excerpt: r.Excerpt}
	}
	return out
}

// Filter selects questions. The zero value selects all.
type Filter struct {
	From, To  time.Time // From ≤ time < To; zero means unbounded
	Text      string    // words the question contains, in either script, ignoring punctuation
	Intent    string    // "" for any
	Region    string    // "" for any; "-" for questions without a region
	Confident string    // "yes", "no" or "" for any
	Verdict   string    // "answer", "related", "none" or "" for any
	Rating    string    // "up", "down", "none" or "" for any
}

// where returns the SQL condition and arguments of f, with ? placeholders.
func (s *Store) where(f Filter) (string, []any) {
	var conds []string
	var args []any
	if !f.From.IsZero() {
		conds, args = append(conds, "ts >= ?"), append(args, micros(f.From))
	}
	if !f.To.IsZero() {
		conds, args = append(conds, "ts < ?"), append(args, micros(f.To))
	}
	if t := normalize(s.script, pii.Mask(f.Text)); t != "" {
		conds, args = append(conds, `norm LIKE ? ESCAPE '\'`), append(args, "%"+escapeLike(t)+"%")
	}
	if f.Intent != "" {
		conds, args = append(conds, "intent = ?"), append(args, f.Intent)
	}
	switch f.Region {
	case "":
	case "-":
		conds = append(conds, "region = ''")
	default:
		conds, args = append(conds, "region = ?"), append(args, f.Region)
	}
	switch f.Confident {
	case "yes":
		conds = append(conds, "confident = 1")
	case "no":
		conds = append(conds, "confident = 0")
	}
	if f.Verdict != "" {
		conds, args = append(conds, verdictSQL+" = ?"), append(args, f.Verdict)
	}
	switch f.Rating {
	case "up":
		conds = append(conds, "rating > 0")
	case "down":
		conds = append(conds, "rating < 0")
	case "none":
		conds = append(conds, "rating = 0")
	}
	if len(conds) == 0 {
		return "1 = 1", nil
	}
	return strings.Join(conds, " AND "), args
}

// escapeLike escapes LIKE's wildcards in s.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// verdictSQL is a question's verdict. A row written without one (by a replica of an earlier version
// still running while the others are upgraded) has the column's default, the empty string, and is
// read as answer when it was confident, else none, as the migration that added the column did.
const verdictSQL = `(CASE WHEN verdict <> '' THEN verdict WHEN confident = 1 THEN 'answer' ELSE 'none' END)`

const rowColumns = `id, ts, user_key, chat_type, question, script, intent, region, confident, results, latency_us, rating, ` + verdictSQL

func scanRow(rows *sql.Rows) (Row, error) {
	var r Row
	var ts, lat int64
	var conf int
	var res, verdict string
	if err := rows.Scan(&r.ID, &ts, &r.UserKey, &r.ChatType, &r.Question, &r.Script, &r.Intent, &r.Region,
		&conf, &res, &lat, &r.Rating, &verdict); err != nil {
		return r, err
	}
	r.Verdict = index.Verdict(verdict)
	r.Time, r.Confident, r.Latency = fromMicros(ts), conf != 0, time.Duration(lat)*time.Microsecond
	var jr []jsonResult
	if err := json.Unmarshal([]byte(res), &jr); err != nil {
		return r, fmt.Errorf("results of question %d: %w", r.ID, err)
	}
	for _, x := range jr {
		r.Results = append(r.Results, handlers.LogResult{DocID: x.Doc, Section: x.Section, Title: x.Title, Excerpt: x.Excerpt})
	}
	return r, nil
}

// Find returns the questions f selects, newest first, skipping offset and returning at most limit,
// and how many f selects in all.
func (s *Store) Find(ctx context.Context, f Filter, offset, limit int) ([]Row, int, error) {
	cond, args := s.where(f)
	var total int
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM queries WHERE `+cond), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("find questions: %w", err)
	}
	var out []Row
	err := s.each(ctx, s.q(`SELECT `+rowColumns+` FROM queries WHERE `+cond+` ORDER BY ts DESC, id DESC LIMIT ? OFFSET ?`),
		append(args, limit, offset), func(r Row) error { out = append(out, r); return nil })
	if err != nil {
		return nil, 0, fmt.Errorf("find questions: %w", err)
	}
	return out, total, nil
}

// Each calls fn for each question f selects, oldest first, stopping at fn's first error, which it
// returns.
func (s *Store) Each(ctx context.Context, f Filter, fn func(Row) error) error {
	cond, args := s.where(f)
	if err := s.each(ctx, s.q(`SELECT `+rowColumns+` FROM queries WHERE `+cond+` ORDER BY ts, id`), args, fn); err != nil {
		return fmt.Errorf("read questions: %w", err)
	}
	return nil
}

func (s *Store) each(ctx context.Context, query string, args []any, fn func(Row) error) error {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Question returns the question with id, or ErrNotFound.
func (s *Store) Question(ctx context.Context, id int64) (Row, error) {
	var out *Row
	err := s.each(ctx, s.q(`SELECT `+rowColumns+` FROM queries WHERE id = ?`), []any{id},
		func(r Row) error { out = &r; return nil })
	if err != nil {
		return Row{}, fmt.Errorf("question %d: %w", id, err)
	}
	if out == nil {
		return Row{}, fmt.Errorf("question %d: %w", id, ErrNotFound)
	}
	return *out, nil
}

// Choices lists the intents and regions recorded since from, most frequent first, for filters.
func (s *Store) Choices(ctx context.Context, from time.Time) (intents, regions []string, err error) {
	for _, col := range []string{"intent", "region"} {
		rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+col+` FROM queries WHERE ts >= ? AND `+col+` <> ''
			GROUP BY `+col+` ORDER BY COUNT(*) DESC, `+col+` LIMIT 50`), micros(from))
		if err != nil {
			return nil, nil, fmt.Errorf("list %ss: %w", col, err)
		}
		var list []string
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return nil, nil, fmt.Errorf("list %ss: %w", col, err)
			}
			list = append(list, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, fmt.Errorf("list %ss: %w", col, err)
		}
		if col == "intent" {
			intents = list
		} else {
			regions = list
		}
	}
	return intents, regions, nil
}
