package querylog

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"policybot/handlers"
	"policybot/index"
)

// Stats are the figures admins look at for a period.
type Stats struct {
	From, To     time.Time
	Questions    int
	Users        int // distinct pseudonyms
	NotConfident int // questions not answered directly: Related + None
	Related      int // questions with the verdict related
	None         int // questions with the verdict none
	Up, Down     int // 👍 and 👎 given to the period's questions
	P50, P95     time.Duration
	Regions      []Count // most asked about, at most five
	Intents      []Count // all intents, most frequent first
}

// Count is how often a value occurs.
type Count struct {
	Name string
	N    int
}

// NotConfidentShare is the share of questions not answered directly (related or none), 0 when there
// were no questions.
func (s Stats) NotConfidentShare() float64 {
	if s.Questions == 0 {
		return 0
	}
	return float64(s.NotConfident) / float64(s.Questions)
}

// Summary is today's figures and the last seven days'.
type Summary struct {
	Today, Week Stats
}

// Today returns the calendar day of now in loc: from its midnight to the next.
func Today(now time.Time, loc *time.Location) (from, to time.Time) {
	return LastDays(now, 1, loc)
}

// LastDays returns the n calendar days in loc that end with today: from the midnight n-1 days
// before today's to the midnight after today.
func LastDays(now time.Time, n int, loc *time.Location) (from, to time.Time) {
	if loc == nil {
		loc = time.Local
	}
	y, m, d := now.In(loc).Date()
	return time.Date(y, m, d-n+1, 0, 0, 0, 0, loc), time.Date(y, m, d+1, 0, 0, 0, 0, loc)
}

// Summary returns the figures of today and of the last seven days (today included), days counted
// in loc.
func (s *Store) Summary(ctx context.Context, now time.Time, loc *time.Location) (Summary, error) {
	var sum Summary
	var err error
	from, to := Today(now, loc)
	if sum.Today, err = s.Stats(ctx, from, to); err != nil {
		return sum, err
	}
	from, to = LastDays(now, 7, loc)
	sum.Week, err = s.Stats(ctx, from, to)
	return sum, err
}

// Stats returns the figures of the questions asked from ≤ time < to.
func (s *Store) Stats(ctx context.Context, from, to time.Time) (Stats, error) {
	st := Stats{From: from, To: to}
	fail := func(err error) (Stats, error) { return st, fmt.Errorf("stats: %w", err) }
	span := []any{micros(from), micros(to)}
	err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*), COUNT(DISTINCT user_key), `+verdictSums+`,
		COALESCE(SUM(CASE WHEN rating > 0 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN rating < 0 THEN 1 ELSE 0 END), 0)
		FROM queries WHERE ts >= ? AND ts < ?`), span...).Scan(&st.Questions, &st.Users, &st.Related, &st.None, &st.Up, &st.Down)
	if err != nil {
		return fail(err)
	}
	st.NotConfident = st.Related + st.None
	if st.Questions > 0 {
		// Nearest-rank percentiles, the same on both databases.
		for _, p := range []struct {
			q   float64
			out *time.Duration
		}{{0.50, &st.P50}, {0.95, &st.P95}} {
			rank := int(math.Ceil(p.q * float64(st.Questions)))
			var us int64
			if err := s.db.QueryRowContext(ctx, s.q(`SELECT latency_us FROM queries WHERE ts >= ? AND ts < ?
				ORDER BY latency_us LIMIT 1 OFFSET ?`), micros(from), micros(to), rank-1).Scan(&us); err != nil {
				return fail(err)
			}
			*p.out = time.Duration(us) * time.Microsecond
		}
	}
	if st.Regions, err = s.counts(ctx, "region", 5, span); err != nil {
		return fail(err)
	}
	if st.Intents, err = s.counts(ctx, "intent", 20, span); err != nil {
		return fail(err)
	}
	return st, nil
}

// verdictSums are two columns: how many of the questions selected have the verdict related, and
// how many none.
const verdictSums = `COALESCE(SUM(CASE WHEN ` + verdictSQL + ` = 'related' THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN ` + verdictSQL + ` = 'none' THEN 1 ELSE 0 END), 0)`

// counts returns the most frequent non-empty values of col in the period span.
func (s *Store) counts(ctx context.Context, col string, limit int, span []any) ([]Count, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+col+`, COUNT(*) FROM queries WHERE ts >= ? AND ts < ? AND `+col+` <> ''
		GROUP BY `+col+` ORDER BY COUNT(*) DESC, `+col+` LIMIT ?`), append(span, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Count
	for rows.Next() {
		var c Count
		if err := rows.Scan(&c.Name, &c.N); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Day is one calendar day's questions.
type Day struct {
	Date          time.Time // midnight in the location asked for
	Questions     int
	NotConfident  int // Related + None
	Related, None int // questions with the verdict related, none
}

// NotConfidentShare is the share of the day's questions not answered directly (related or none).
func (d Day) NotConfidentShare() float64 {
	if d.Questions == 0 {
		return 0
	}
	return float64(d.NotConfident) / float64(d.Questions)
}

// quarter is the width of the buckets Daily counts in: every time zone's offset is a whole number
// of quarter hours, so each bucket falls in one local day.
const quarter = 15 * time.Minute

// Daily returns the questions of each of the n calendar days (in loc) ending today, oldest first,
// days without questions included.
func (s *Store) Daily(ctx context.Context, now time.Time, n int, loc *time.Location) ([]Day, error) {
	from, to := LastDays(now, n, loc)
	days := make([]Day, 0, n)
	index := map[string]int{}
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		index[d.Format(time.DateOnly)] = len(days)
		days = append(days, Day{Date: d})
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT ts / ?, COUNT(*), `+verdictSums+`
		FROM queries WHERE ts >= ? AND ts < ? GROUP BY 1`), quarter.Microseconds(), micros(from), micros(to))
	if err != nil {
		return nil, fmt.Errorf("questions per day: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var bucket int64
		var q, related, none int
		if err := rows.Scan(&bucket, &q, &related, &none); err != nil {
			return nil, fmt.Errorf("questions per day: %w", err)
		}
		day := fromMicros(bucket * quarter.Microseconds()).In(from.Location()).Format(time.DateOnly)
		if i, ok := index[day]; ok {
			days[i].Questions += q
			days[i].Related += related
			days[i].None += none
			days[i].NotConfident += related + none
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("questions per day: %w", err)
	}
	return days, nil
}

// Group is a question as asked, possibly many times: recurrences are the questions that are the
// same once script, width, case, spaces and punctuation are folded.
type Group struct {
	ID           int64 // the latest question of the group (Resolve takes it)
	Question     string
	Intent       string
	Region       string
	Count        int // questions in the group (for Unanswered: those related, none or rated 👎)
	Users        int // distinct pseudonyms among them
	NotConfident int // Related + None
	Related      int // asked with the verdict related
	None         int // asked with the verdict none
	Down         int
	Last         time.Time
	// What the bot answered the latest question of the group: its verdict and the passages shown
	// (title and excerpt empty for a question logged before they were kept).
	Verdict index.Verdict
	Results []handlers.LogResult
}

// Unanswered returns the gaps: groups of questions asked since since that were not answered directly
// (the verdict related or none) or rated 👎, latest first, at most limit. A group an admin resolved is left out until
// it is asked (and missed) again after the resolution.
func (s *Store) Unanswered(ctx context.Context, since time.Time, limit int) ([]Group, error) {
	groups, err := s.groups(ctx, `SELECT q.norm, COUNT(*), COUNT(DISTINCT q.user_key), `+verdictSums+`,
		COALESCE(SUM(CASE WHEN q.rating < 0 THEN 1 ELSE 0 END), 0), MAX(q.ts), MAX(q.id)
		FROM queries q LEFT JOIN resolved r ON r.norm = q.norm
		WHERE (`+verdictSQL+` <> 'answer' OR q.rating < 0) AND q.ts >= ? AND (r.norm IS NULL OR q.ts > r.ts)
		GROUP BY q.norm ORDER BY MAX(q.ts) DESC, MAX(q.id) DESC LIMIT ?`, micros(since), limit)
	if err != nil {
		return nil, fmt.Errorf("unanswered questions: %w", err)
	}
	return groups, nil
}

// Top returns the most asked questions from ≤ time < to, most asked first, at most limit. Questions
// are grouped more loosely than Unanswered groups them: the same question once script, width, case,
// spaces and punctuation are folded, and also once stray digits and closing particles are dropped
// (see topicKey), so that 失业保险稳岗返还2 … 失业保险稳岗返还9 are one row. A group's Question is
// its most frequent wording (the latest of those equally frequent); its intent, region, verdict and
// results are those of its latest question.
func (s *Store) Top(ctx context.Context, from, to time.Time, limit int) ([]Group, error) {
	fail := func(err error) ([]Group, error) { return nil, fmt.Errorf("top questions: %w", err) }
	// One row a wording and person: few enough to fold in Go, and people are counted once a group.
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT norm, question, user_key, COUNT(*), `+verdictSums+`,
		COALESCE(SUM(CASE WHEN rating < 0 THEN 1 ELSE 0 END), 0), MAX(ts), MAX(id)
		FROM queries WHERE ts >= ? AND ts < ? GROUP BY norm, question, user_key`), micros(from), micros(to))
	if err != nil {
		return fail(err)
	}
	type wording struct {
		n    int
		last int64
	}
	type topic struct {
		g      Group
		users  map[string]bool
		forms  map[string]*wording
		last   int64
		lastID int64
	}
	topics := map[string]*topic{}
	for rows.Next() {
		var norm, question, user string
		var n, related, none, down int
		var last, id int64
		if err := rows.Scan(&norm, &question, &user, &n, &related, &none, &down, &last, &id); err != nil {
			rows.Close()
			return fail(err)
		}
		key := topicKey(norm)
		tp := topics[key]
		if tp == nil {
			tp = &topic{users: map[string]bool{}, forms: map[string]*wording{}}
			topics[key] = tp
		}
		tp.g.Count += n
		tp.g.Related += related
		tp.g.None += none
		tp.g.Down += down
		tp.users[user] = true
		if last > tp.last || (last == tp.last && id > tp.lastID) {
			tp.last, tp.lastID = last, id
		}
		w := tp.forms[question]
		if w == nil {
			w = &wording{}
			tp.forms[question] = w
		}
		w.n += n
		w.last = max(w.last, last)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fail(err)
	}
	out := make([]Group, 0, len(topics))
	for _, tp := range topics {
		g := tp.g
		g.Users, g.NotConfident = len(tp.users), g.Related+g.None
		g.ID, g.Last = tp.lastID, fromMicros(tp.last)
		var best *wording
		for q, w := range tp.forms {
			if best == nil || w.n > best.n || (w.n == best.n && (w.last > best.last || (w.last == best.last && q < g.Question))) {
				best, g.Question = w, q
			}
		}
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if !a.Last.Equal(b.Last) {
			return a.Last.After(b.Last)
		}
		return a.ID > b.ID
	})
	out = out[:min(len(out), limit)]
	if err := s.latest(ctx, out, false); err != nil {
		return fail(err)
	}
	return out, nil
}

// groups runs a grouping query (norm, count, users, related, none, down, last ts, last id) and fills
// in each group's latest wording.
func (s *Store) groups(ctx context.Context, query string, args ...any) ([]Group, error) {
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, err
	}
	var out []Group
	for rows.Next() {
		var g Group
		var norm string
		var last int64
		if err := rows.Scan(&norm, &g.Count, &g.Users, &g.Related, &g.None, &g.Down, &last, &g.ID); err != nil {
			rows.Close()
			return nil, err
		}
		g.NotConfident = g.Related + g.None
		g.Last = fromMicros(last)
		out = append(out, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}
	if err := s.latest(ctx, out, true); err != nil {
		return nil, err
	}
	return out, nil
}

// latest fills in each group's intent, region, verdict and results from its latest question (ID),
// and with wording set its Question too.
func (s *Store) latest(ctx context.Context, gs []Group, wording bool) error {
	if len(gs) == 0 {
		return nil
	}
	ids := make([]any, len(gs))
	for i, g := range gs {
		ids[i] = g.ID
	}
	latest := map[int64]Row{}
	err := s.each(ctx, s.q(`SELECT `+rowColumns+` FROM queries WHERE id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`), ids,
		func(r Row) error { latest[r.ID] = r; return nil })
	if err != nil {
		return err
	}
	for i := range gs {
		r := latest[gs[i].ID]
		if wording {
			gs[i].Question = r.Question
		}
		gs[i].Intent, gs[i].Region = r.Intent, r.Region
		gs[i].Verdict, gs[i].Results = r.Verdict, r.Results
	}
	return nil
}

// Resolve marks the group of question id resolved (the corpus now answers it, or it is out of
// scope): Unanswered leaves it out until it is missed again. It returns ErrNotFound when there is
// no question id.
func (s *Store) Resolve(ctx context.Context, id int64) error {
	var norm string
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT norm FROM queries WHERE id = ?`), id).Scan(&norm); err != nil {
		if isNoRows(err) {
			return fmt.Errorf("resolve question %d: %w", id, ErrNotFound)
		}
		return fmt.Errorf("resolve question %d: %w", id, err)
	}
	if _, err := s.db.ExecContext(ctx, s.q(`INSERT INTO resolved (norm, ts) VALUES (?, ?)
		ON CONFLICT (norm) DO UPDATE SET ts = excluded.ts`), norm, micros(time.Now())); err != nil {
		return fmt.Errorf("resolve question %d: %w", id, err)
	}
	return nil
}
