package handlers

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"policybot/index"
)

// ReviewLog is what the admins' chat commands read from the query log, and the one change they make
// (marking a gap resolved). cmd/policybot adapts internal/querylog's Store to it: querylog imports
// handlers, so handlers declares the types it needs. It has one method per command rather than 1-3
// because each command is one query, and splitting it would only give the one adapter several names.
type ReviewLog interface {
	// Summary returns today's figures and the last seven days', days counted in loc.
	Summary(ctx context.Context, now time.Time, loc *time.Location) (LogSummary, error)
	// Unanswered returns the questions asked since since that were not answered directly (the
	// verdict related or none) or rated 👎, grouped when the same question recurs, latest first, at
	// most limit.
	Unanswered(ctx context.Context, since time.Time, limit int) ([]QuestionGroup, error)
	// Top returns the most asked questions from ≤ time < to, grouped, at most limit.
	Top(ctx context.Context, from, to time.Time, limit int) ([]QuestionGroup, error)
	// Resolve marks the group of question id resolved; an error wrapping ErrNoQuestion when there is
	// no such question.
	Resolve(ctx context.Context, id int64) error
	// Export writes the questions asked from ≤ time < to as CSV (UTF-8 with a byte-order mark, a
	// header line, then a record per question) to w, times in loc.
	Export(ctx context.Context, w io.Writer, from, to time.Time, loc *time.Location) error
}

// ErrNoQuestion reports a question id the query log does not hold.
var ErrNoQuestion = errors.New("handlers: no such question")

// PeriodStats are the figures of a period.
type PeriodStats struct {
	From, To     time.Time
	Questions    int
	Users        int // distinct people, by pseudonym
	NotConfident int // not answered directly: Related + None
	Related      int // the verdict related: the documents hold the subject, no passage answers it
	None         int // the verdict none: the documents do not cover it
	Up, Down     int
	P50, P95     time.Duration
	Regions      []NameCount // most asked about first
	Intents      []NameCount
}

// LogSummary is today's figures and the last seven days'.
type LogSummary struct {
	Today, Week PeriodStats
}

// NameCount is how often a value occurs.
type NameCount struct {
	Name string
	N    int
}

// QuestionGroup is a question as asked, perhaps many times (in either script, with other punctuation).
type QuestionGroup struct {
	ID           int64 // the latest question of the group; Resolve takes it
	Question     string
	Intent       string
	Region       string
	Count        int
	Users        int
	NotConfident int // Related + None
	Related      int // asked with the verdict related
	None         int // asked with the verdict none
	Down         int
	Last         time.Time
	// What the bot answered the group's latest question: its verdict and the passages shown
	// (Unanswered only; empty for a question logged before they were kept).
	Verdict index.Verdict
	Results []LogResult
}

// Attachment is a file to send a person.
type Attachment struct {
	Name    string
	Data    []byte
	Caption string
}

// Defaults of Review.
const (
	unansweredDays  = 30
	unansweredLimit = 10
	topDays         = 7
	topLimit        = 10
	exportDays      = 7
	// MaxExport is the largest file an export sends: Telegram takes documents of up to 50 MB from a bot.
	MaxExport = 50 << 20
)

// Review is what admins do in a chat: today's and the week's figures (/stats), the unanswered
// questions with a button each to mark one resolved (/unanswered), the most asked (/top) and the log
// of a date range as a CSV file (/export). It never shows who asked: the log holds pseudonyms only.
// Members are the Telegram user ids of admins; anyone else is refused politely and the attempt
// logged. The console (ChatType "console") is the person at the machine, who is always allowed.
type Review struct {
	Log     ReviewLog
	Members map[int64]bool
	// Location is the calendar days are counted in; nil is time.Local.
	Location *time.Location
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// Logger receives failures and refused attempts; nil discards them.
	Logger *slog.Logger
	// Pseudonym names a person refused an admin command in the log instead of their id (see
	// Staff.Pseudonym); nil leaves them unnamed.
	Pseudonym func(userID int64) string
}

func (r *Review) loc() *time.Location {
	if r.Location == nil {
		return time.Local
	}
	return r.Location
}

func (r *Review) now() time.Time {
	if r.Now == nil {
		return time.Now()
	}
	return r.Now()
}

func (r *Review) log() *slog.Logger {
	if r.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Logger
}

// msgNotAdmin is the refusal of an admin command.
const msgNotAdmin = "抱歉，这个功能只有管理员可以使用。"

// Allowed reports whether who may review the query log.
func (r *Review) Allowed(who Who) bool {
	return who.ChatType == ConsoleChat || r.Members[who.UserID]
}

// refuse logs a refused attempt, naming the person by pseudonym, and answers it.
func (r *Review) refuse(who Who, action string) Answer {
	user := "not-admin"
	if r.Pseudonym != nil {
		user = "pseudonym:" + r.Pseudonym(who.UserID)
	}
	r.log().Warn("admin action refused: not an admin", "user", user, "action", action)
	return Answer{Kind: KindText, Text: msgNotAdmin}
}

// failed logs err and answers with a short message.
func (r *Review) failed(action string, err error) Answer {
	r.log().Error("admin action failed", "action", action, "err", err)
	return Answer{Kind: KindText, Text: "抱歉，暂时读不到提问记录，请稍后再试。"}
}

// Stats answers with today's and the last seven days' figures: questions, people, how many were
// answered, related but not answered directly, and not answered, ratings, latency, and the regions
// and intents most asked about.
func (r *Review) Stats(ctx context.Context, who Who) Answer {
	if !r.Allowed(who) {
		return r.refuse(who, "stats")
	}
	sum, err := r.Log.Summary(ctx, r.now(), r.loc())
	if err != nil {
		return r.failed("stats", err)
	}
	var b strings.Builder
	r.period(&b, "今天", sum.Today)
	b.WriteString("\n\n")
	r.period(&b, "最近7天", sum.Week)
	b.WriteString("\n\n/unanswered 查看待处理的问题；/top 最常问的问题；/export 导出记录。")
	return Answer{Kind: KindText, Title: "提问统计", Text: b.String()}
}

// period writes one period's figures.
func (r *Review) period(b *strings.Builder, name string, s PeriodStats) {
	last := s.To.Add(-time.Nanosecond).In(r.loc())
	if s.From.In(r.loc()).Format(time.DateOnly) == last.Format(time.DateOnly) {
		fmt.Fprintf(b, "%s（%s）\n", name, last.Format("1月2日"))
	} else {
		fmt.Fprintf(b, "%s（%s–%s）\n", name, s.From.In(r.loc()).Format("1月2日"), last.Format("1月2日"))
	}
	if s.Questions == 0 {
		b.WriteString("还没有人提问。")
		return
	}
	share := func(n int) float64 { return 100 * float64(n) / float64(s.Questions) }
	answered := s.Questions - s.Related - s.None
	fmt.Fprintf(b, "提问%d次，%d人：%s%d次（%.0f%%），%s%d次（%.0f%%），%s%d次（%.0f%%）\n", s.Questions, s.Users,
		NameAnswer, answered, share(answered), NameRelated, s.Related, share(s.Related), NameNone, s.None, share(s.None))
	fmt.Fprintf(b, "评价：%s👍 %d，%s👎 %d\n", RatingName(1), s.Up, RatingName(-1), s.Down)
	fmt.Fprintf(b, "用时：中位数%s，95%%在%s以内", seconds(s.P50), seconds(s.P95))
	if len(s.Regions) > 0 {
		b.WriteString("\n" + LabelRegion + "：" + counts(s.Regions, nil))
	}
	if len(s.Intents) > 0 {
		b.WriteString("\n" + LabelIntent + "：" + counts(s.Intents, IntentName))
	}
}

func seconds(d time.Duration) string {
	if d < time.Second {
		return strconv.FormatInt(d.Milliseconds(), 10) + "毫秒"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "秒"
}

func counts(cs []NameCount, name func(string) string) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		n := c.Name
		if name != nil {
			n = name(n)
		}
		parts[i] = fmt.Sprintf("%s %d", n, c.N)
	}
	return strings.Join(parts, "、")
}

// Unanswered answers with the questions of the last 30 days that were not answered directly (related
// or none, each counted under its name) or rated 👎, the same question asked again grouped in one
// item, latest first, each with a button to mark it resolved (once the corpus answers it, or it is
// out of scope).
func (r *Review) Unanswered(ctx context.Context, who Who) Answer {
	if !r.Allowed(who) {
		return r.refuse(who, "unanswered")
	}
	since := r.now().AddDate(0, 0, -unansweredDays)
	groups, err := r.Log.Unanswered(ctx, since, unansweredLimit)
	if err != nil {
		return r.failed("unanswered", err)
	}
	a := Answer{Kind: KindText, Title: fmt.Sprintf("待处理的问题（最近%d天%s、%s或收到差评）", unansweredDays, NameRelated, NameNone)}
	if len(groups) == 0 {
		a.Text = "没有待处理的问题。"
		return a
	}
	var b strings.Builder
	for i, g := range groups {
		if i > 0 {
			b.WriteString("\n\n")
		}
		fmt.Fprintf(&b, "%d. %s\n", i+1, g.Question)
		var parts []string
		parts = append(parts, IntentName(g.Intent))
		if g.Region != "" {
			parts = append(parts, g.Region)
		}
		parts = append(parts, fmt.Sprintf("%d次，%d人", g.Count, g.Users))
		parts = append(parts, verdictCounts(g)...)
		if g.Down > 0 {
			parts = append(parts, fmt.Sprintf("差评%d", g.Down))
		}
		parts = append(parts, "最近 "+g.Last.In(r.loc()).Format("01-02 15:04"))
		b.WriteString("   " + strings.Join(parts, " · "))
		if g.Verdict != "" {
			b.WriteString("\n   " + answeredAs(g))
		}
		a.Actions = append(a.Actions, Action{Kind: ActionResolve, Label: fmt.Sprintf("✅ %d", i+1), Arg: i + 1, Ref: strconv.FormatInt(g.ID, 10)})
	}
	a.Text = b.String()
	a.Footer = "文件已能回答、或不属于服务范围的，按对应编号的 ✅ 标记为已解决；再有人问到且仍答不好时会重新列出。"
	return a
}

// answeredAs says what the bot answered g's latest question: its verdict and the first passage
// shown, by its document's title (its id for a question logged before titles were kept).
func answeredAs(g QuestionGroup) string {
	out := "最近一次答复：" + VerdictName(g.Verdict)
	if len(g.Results) == 0 {
		return out + "，没有给出段落"
	}
	r := g.Results[0]
	name := r.Title
	if name == "" {
		name = r.DocID
	}
	out += "，《" + name + "》"
	if r.Section != "" {
		out += " " + r.Section
	}
	if len(g.Results) > 1 {
		out += fmt.Sprintf(" 等%d段", len(g.Results))
	}
	return out
}

// verdictCounts says how often a group was asked with the verdicts related and none, those it had.
func verdictCounts(g QuestionGroup) []string {
	var out []string
	if g.Related > 0 {
		out = append(out, fmt.Sprintf("%s%d", NameRelated, g.Related))
	}
	if g.None > 0 {
		out = append(out, fmt.Sprintf("%s%d", NameNone, g.None))
	}
	return out
}

// Resolve marks the question group of question id resolved and returns the words to acknowledge it.
func (r *Review) Resolve(ctx context.Context, who Who, id string) string {
	if !r.Allowed(who) {
		return r.refuse(who, "resolve").Text
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err == nil {
		err = r.Log.Resolve(ctx, n)
	} else {
		err = fmt.Errorf("resolve %q: %w", id, ErrNoQuestion)
	}
	switch {
	case errors.Is(err, ErrNoQuestion):
		r.log().Info("resolve: no such question (purged?)", "id", id)
		return "这条记录已不存在（可能已过保存期限）。"
	case err != nil:
		r.failed("resolve", err)
		return "没能标记，请稍后再试。"
	}
	return "已标记为已解决。"
}

// Top answers with the most asked questions of the last days (arg: how many days, 7 when empty).
func (r *Review) Top(ctx context.Context, who Who, arg string) Answer {
	if !r.Allowed(who) {
		return r.refuse(who, "top")
	}
	days := topDays
	if arg = strings.TrimSpace(arg); arg != "" {
		n, err := strconv.Atoi(strings.TrimSuffix(arg, "天"))
		if err != nil || n < 1 || n > 366 {
			return Answer{Kind: KindText, Text: "用法：/top 最近7天最常问的问题；/top 30 最近30天。"}
		}
		days = n
	}
	now := r.now().In(r.loc())
	y, m, d := now.Date()
	from, to := time.Date(y, m, d-days+1, 0, 0, 0, 0, r.loc()), time.Date(y, m, d+1, 0, 0, 0, 0, r.loc())
	groups, err := r.Log.Top(ctx, from, to, topLimit)
	if err != nil {
		return r.failed("top", err)
	}
	a := Answer{Kind: KindText, Title: fmt.Sprintf("最近%d天最常问的问题", days)}
	if len(groups) == 0 {
		a.Text = "这段时间没有人提问。"
		return a
	}
	var lines []string
	for i, g := range groups {
		line := fmt.Sprintf("%d. %s（%d次，%d人", i+1, g.Question, g.Count, g.Users)
		if vs := verdictCounts(g); len(vs) > 0 {
			line += "；" + strings.Join(vs, "，")
		}
		lines = append(lines, line+"）")
	}
	a.Text = strings.Join(lines, "\n")
	return a
}

// Export answers with the query log of a date range as a CSV file (UTF-8 with a byte-order mark, so
// that Excel opens it right). arg is empty (the last 7 days), a number of days ("30"), a first day
// ("2026-03-01", up to today) or a first and last day ("2026-03-01 2026-03-31"; the last day
// included). When there is nothing to send, the answer says why and the attachment is nil.
func (r *Review) Export(ctx context.Context, who Who, arg string) (*Attachment, Answer) {
	if !r.Allowed(who) {
		return nil, r.refuse(who, "export")
	}
	from, to, ok := r.dateRange(arg)
	if !ok {
		return nil, Answer{Kind: KindText, Text: "用法：/export 最近7天；/export 30 最近30天；/export 2026-03-01 从该日至今；/export 2026-03-01 2026-03-31 指定起止日期（含当天）。"}
	}
	var buf bytes.Buffer
	err := r.Log.Export(ctx, &limitWriter{w: &buf, n: MaxExport}, from, to, r.loc())
	if errors.Is(err, errTooBig) {
		return nil, Answer{Kind: KindText, Text: fmt.Sprintf("这段时间的记录超过%dMB，请缩短日期范围，或在服务器上用 policybot logs export 导出。", MaxExport>>20)}
	}
	if err != nil {
		return nil, r.failed("export", err)
	}
	n, err := records(buf.Bytes())
	if err != nil {
		return nil, r.failed("export", err)
	}
	first, last := from.Format(time.DateOnly), to.AddDate(0, 0, -1).Format(time.DateOnly)
	if n == 0 {
		return nil, Answer{Kind: KindText, Text: fmt.Sprintf("%s 至 %s 没有提问记录。", first, last)}
	}
	return &Attachment{
		Name:    "questions-" + first + "_" + last + ".csv",
		Data:    buf.Bytes(),
		Caption: fmt.Sprintf("提问记录 %s 至 %s，共%d条（CSV，可用 Excel 打开；“用户化名”列是化名编号，不是账号）。", first, last, n),
	}, Answer{}
}

// records counts the records of a CSV export after its header.
func records(b []byte) (int, error) {
	cr := csv.NewReader(bytes.NewReader(b))
	cr.ReuseRecord = true
	n := -1
	for {
		_, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return max(n, 0), nil
		}
		if err != nil {
			return 0, fmt.Errorf("read the export back: %w", err)
		}
		n++
	}
}

// dateRange reads an export's range: from the first day's midnight to the midnight after the last.
func (r *Review) dateRange(arg string) (from, to time.Time, ok bool) {
	loc := r.loc()
	now := r.now().In(loc)
	y, m, d := now.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, loc)
	fields := strings.Fields(strings.NewReplacer("至", " ", "到", " ", "~", " ").Replace(arg))
	switch len(fields) {
	case 0:
		return today.AddDate(0, 0, -exportDays+1), today.AddDate(0, 0, 1), true
	case 1:
		if n, err := strconv.Atoi(strings.TrimSuffix(fields[0], "天")); err == nil {
			if n < 1 || n > 3660 {
				return from, to, false
			}
			return today.AddDate(0, 0, -n+1), today.AddDate(0, 0, 1), true
		}
		f, err := time.ParseInLocation(time.DateOnly, fields[0], loc)
		if err != nil || f.After(today) {
			return from, to, false
		}
		return f, today.AddDate(0, 0, 1), true
	case 2:
		f, err1 := time.ParseInLocation(time.DateOnly, fields[0], loc)
		l, err2 := time.ParseInLocation(time.DateOnly, fields[1], loc)
		if err1 != nil || err2 != nil || l.Before(f) {
			return from, to, false
		}
		return f, l.AddDate(0, 0, 1), true
	}
	return from, to, false
}

// errTooBig stops an export that would not fit in a Telegram document.
var errTooBig = errors.New("handlers: export too large")

// limitWriter writes up to n bytes to w, then fails.
type limitWriter struct {
	w io.Writer
	n int
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if len(p) > l.n {
		return 0, errTooBig
	}
	l.n -= len(p)
	return l.w.Write(p)
}

// Help says what admins can do in the chat.
func (r *Review) Help() string {
	return "管理员：/stats 今天和最近7天的统计；/unanswered 待处理的问题（可逐条标记已解决）；/top 最常问的问题（/top 30 最近30天）；" +
		"/export 导出最近7天的提问记录为 CSV 文件（/export 2026-03-01 2026-03-31 指定日期）。记录里没有提问人的账号。"
}
