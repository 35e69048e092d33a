package handlers

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"policybot/corpus"
	"policybot/index"
	"policybot/internal/pii"
)

var private = Who{UserID: 7, ChatID: 7, ChatType: "private"}

func newHandlers(t *testing.T, cfg Config) *Handlers {
	t.Helper()
	if cfg.Searcher == nil {
		cfg.Searcher = seeds
	}
	if cfg.Now == nil {
		cfg.Now = fixedNow
	}
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// memLog is a query log in memory.
type memLog struct {
	mu      sync.Mutex
	entries []LogEntry
	fail    error
}

func (m *memLog) Record(_ context.Context, e LogEntry) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return 0, m.fail
	}
	m.entries = append(m.entries, e)
	return int64(len(m.entries)), nil
}

func (m *memLog) Rate(context.Context, int64, int) error { return m.fail }

func TestDetectIntent(t *testing.T) {
	for _, tc := range []struct {
		q    string
		want Intent
	}{
		{"失业了能领多少失业保险金？", Entitlement},
		{"大学生创业有补贴吗", Entitlement},
		{"退役军人就业有什么优惠政策", Entitlement},
		{"十四五期间全市城镇新增就业计划多少人", Target},
		{"到2025年技能人才要达到多少", Target},
		{"登记失业率要控制在多少", Target},
		{"哪里可以找零工", Location},
		{"社保卡在哪个窗口办", Location},
		{"有没有找工作的网上平台", Location},
		{"新社区工厂现在怎么样了", Other},
		{"今年的就业形势如何", Other},
	} {
		if got := DetectIntent(tc.q); got != tc.want {
			t.Errorf("DetectIntent(%q) = %s, want %s", tc.q, got, tc.want)
		}
	}
}

// TestExamples: the greeting's examples are drawn from the corpus (one of each kind), and the corpus
// answers each of them.
func TestExamples(t *testing.T) {
	h := newHandlers(t, Config{})
	ctx := context.Background()
	ex := h.examples(ctx)
	if len(ex) != 3 || ex[0].Intent != Entitlement || ex[1].Intent != Target || ex[2].Intent != Location {
		t.Fatalf("examples %+v", ex)
	}
	regions := strings.Join(h.shortRegions(), " ")
	for _, e := range ex {
		a := h.Ask(ctx, private, e.Question)
		if a.Kind != KindResults || len(a.Hits) == 0 {
			t.Errorf("example %q is not answered: %+v", e.Question, a)
		}
		if DetectIntent(e.Question) != e.Intent {
			t.Errorf("example %q reads as %s", e.Question, DetectIntent(e.Question))
		}
		found := false
		for _, r := range strings.Fields(regions) {
			found = found || strings.HasPrefix(e.Question, r)
		}
		if !found {
			t.Errorf("example %q names no region of the corpus (%s)", e.Question, regions)
		}
	}
	start := h.Start(ctx, private)
	for _, e := range ex {
		if !strings.Contains(start.Text, e.Question) {
			t.Errorf("greeting lacks example %q", e.Question)
		}
	}
}

// TestExamplesFollowTheCorpus: another corpus gets other examples, still answered by it.
func TestExamplesFollowTheCorpus(t *testing.T) {
	docs, err := corpus.Load("../corpus/docs")
	if err != nil {
		t.Fatal(err)
	}
	var hunan []*corpus.Document
	for _, d := range docs {
		if strings.HasPrefix(d.ID, "hunan") {
			hunan = append(hunan, d)
		}
	}
	dir := t.TempDir()
	if _, err := index.Build(context.Background(), dir, hunan, index.BuildOptions{Fingerprint: "hunan"}); err != nil {
		t.Fatal(err)
	}
	ix, err := index.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	h := newHandlers(t, Config{Searcher: ix})
	ex := h.examples(context.Background())
	if len(ex) == 0 {
		t.Fatal("no examples for the Hunan document")
	}
	for _, e := range ex {
		if !strings.HasPrefix(e.Question, "湖南") {
			t.Errorf("example %q is not about the only region", e.Question)
		}
		if a := h.Ask(context.Background(), private, e.Question); a.Kind != KindResults {
			t.Errorf("example %q is not answered", e.Question)
		}
	}
	if regions := h.shortRegions(); len(regions) != 1 || regions[0] != "湖南" {
		t.Errorf("regions %v", regions)
	}
}

func TestAskLongQuestion(t *testing.T) {
	lg := &memLog{}
	h := newHandlers(t, Config{Log: lg})
	q := strings.Repeat("铜仁的创业担保贷款有哪些扶持？", 150)
	a := h.Ask(context.Background(), private, q)
	if a.Kind != KindResults || len(a.Notes) == 0 || !strings.Contains(a.Notes[0], "300") {
		t.Fatalf("answer %+v", a)
	}
	if n := utf8.RuneCountInString(lg.entries[0].Question); n != 300 {
		t.Errorf("logged %d characters", n)
	}
	if n := utf8.RuneCountInString(strings.TrimPrefix(a.Title, "问：")); n > titleRunes+1 {
		t.Errorf("title echoes %d characters", n)
	}
}

// TestNotCovered: questions about places the corpus does not know, and one with no words to search
// for, get the refusal; none is logged.
func TestNotCovered(t *testing.T) {
	lg := &memLog{}
	h := newHandlers(t, Config{Log: lg})
	for _, q := range []string{"深圳人才引进补贴有多少", "北京市最低工资标准是多少？", "？？？"} {
		a := h.Ask(context.Background(), private, q)
		if a.Kind != KindNotCovered || len(a.Hits) != 0 || len(a.Actions) != 0 || !strings.Contains(a.Text, "12333") {
			t.Errorf("%q: %+v", q, a)
		}
	}
	for _, e := range lg.entries {
		if e.Confident || e.Verdict != index.VerdictNone || len(e.Results) != 0 {
			t.Errorf("log entry %+v", e)
		}
	}
}

func TestEmptyQuestion(t *testing.T) {
	h := newHandlers(t, Config{})
	if a := h.Ask(context.Background(), private, " \n\t "); a.Kind != KindText || !strings.Contains(a.Text, "例如") {
		t.Errorf("empty question: %+v", a)
	}
}

// failing is a searcher whose searches fail.
type failing struct{ Searcher }

func (failing) Search(context.Context, string, index.Options) (*index.Result, error) {
	return nil, errors.New("bleve: index closed")
}

// TestFailures: a person never sees a Go error; the process log gets the detail but not the question.
func TestFailures(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	h := newHandlers(t, Config{Searcher: failing{seeds}, Logger: logger})
	a := h.Ask(context.Background(), private, "失业金怎么领")
	if a.Kind != KindText || strings.Contains(a.Text, "bleve") || !strings.Contains(a.Text, "稍后再试") {
		t.Errorf("answer %+v", a)
	}
	if !strings.Contains(buf.String(), "index closed") || strings.Contains(buf.String(), "失业金") {
		t.Errorf("log:\n%s", buf.String())
	}

	buf.Reset()
	h = newHandlers(t, Config{Log: &memLog{fail: errors.New("disk full")}, Logger: logger})
	a = h.Ask(context.Background(), private, "失业金怎么领")
	if a.Kind != KindResults || a.ID == "" {
		t.Errorf("no answer when the log fails: %+v", a)
	}
	if !strings.Contains(buf.String(), "disk full") {
		t.Errorf("log failure not logged:\n%s", buf.String())
	}
	if got := h.Feedback(context.Background(), private, a.ID, 1); !strings.Contains(got, "谢谢") {
		t.Errorf("feedback when the log fails: %q", got)
	}
}

func TestLimiter(t *testing.T) {
	l := newLimiter(3, time.Minute)
	t0 := fixedNow()
	for i := 0; i < 3; i++ {
		if !l.allow(1, t0.Add(time.Duration(i)*time.Second)) {
			t.Fatalf("question %d refused", i+1)
		}
	}
	if l.allow(1, t0.Add(10*time.Second)) {
		t.Error("fourth question in a minute allowed")
	}
	if !l.allow(2, t0.Add(10*time.Second)) {
		t.Error("another person refused")
	}
	if !l.allow(1, t0.Add(61*time.Second)) {
		t.Error("refused after the first question left the window")
	}
	if unlimited := newLimiter(-1, time.Minute); !unlimited.allow(1, t0) {
		t.Error("no limit refused")
	}
	h := newHandlers(t, Config{RateLimit: 2})
	for i, want := range []Kind{KindResults, KindResults, KindText} {
		if a := h.Ask(context.Background(), private, "失业金怎么领"); a.Kind != want {
			t.Errorf("question %d: kind %d, want %d", i+1, a.Kind, want)
		}
	}
	if a := h.Ask(context.Background(), Who{ChatType: ConsoleChat}, "失业金怎么领"); a.Kind != KindResults {
		t.Error("the console is rate-limited")
	}
}

func TestMemorySessions(t *testing.T) {
	m := NewMemorySessions(time.Hour, 2)
	now := fixedNow()
	m.now = func() time.Time { return now }
	ctx := context.Background()
	a, _ := m.Put(ctx, Session{Question: "a"})
	b, _ := m.Put(ctx, Session{Question: "b"})
	if len(a) != 11 || a == b {
		t.Errorf("ids %q %q", a, b)
	}
	if s, err := m.Get(ctx, a); err != nil || s.Question != "a" {
		t.Errorf("Get(a) = %+v, %v", s, err)
	}
	c, _ := m.Put(ctx, Session{Question: "c"}) // drops the oldest
	if _, err := m.Get(ctx, a); !errors.Is(err, ErrNoSession) {
		t.Errorf("the oldest session was kept beyond the maximum: %v", err)
	}
	now = now.Add(2 * time.Hour)
	if _, err := m.Get(ctx, c); !errors.Is(err, ErrNoSession) {
		t.Errorf("an expired session was returned: %v", err)
	}
}

func TestOlder(t *testing.T) {
	h := newHandlers(t, Config{})
	for _, tc := range []struct {
		date string
		old  bool
	}{
		{"2022-02", true}, {"2021", true}, {"2023-11-21", true}, {"2023-11-22", false}, {"2023-11", false},
		{"2023", false}, {"2025", false}, {"", false}, {"二〇二二年", false}, {"2022-13", false},
	} {
		if got := h.older(tc.date); got != tc.old {
			t.Errorf("older(%q) = %v, want %v (now %s)", tc.date, got, tc.old, fixedNow().Format("2006-01-02"))
		}
	}
}

// TestScripts: an answer is shown in the script of the question, its highlights on the same words;
// 原文 keeps the document's script.
func TestScripts(t *testing.T) {
	h := newHandlers(t, Config{})
	ctx := context.Background()
	trad := h.Ask(ctx, private, "湖南全省建成了多少家零工市場？")
	simp := h.Ask(ctx, private, "湖南全省建成了多少家零工市场？")
	if trad.Kind != KindResults || simp.Kind != KindResults {
		t.Fatalf("not answered: %+v / %+v", trad, simp)
	}
	for _, tc := range []struct {
		a          Answer
		want, not  string
		wantLabels string
	}{
		{trad, "零工市場", "零工市场", "更多結果"},
		{simp, "零工市场", "零工市場", "更多结果"},
	} {
		h0 := tc.a.Hits[0]
		if !strings.Contains(h0.Text, tc.want) || strings.Contains(h0.Text, tc.not) {
			t.Errorf("passage not in the question's script:\n%s", h0.Text)
		}
		for _, s := range h0.Highlights {
			if w := h0.Text[s.Start:s.End]; !utf8.ValidString(w) || w == "" {
				t.Errorf("highlight %v off the words: %q", s, w)
			}
		}
		found := false
		for _, s := range h0.Highlights {
			found = found || strings.Contains(h0.Text[s.Start:s.End], "零工市")
		}
		if !found {
			t.Errorf("零工市场 not bold: %v", h0.Highlights)
		}
		labels := ""
		for _, act := range tc.a.Actions {
			labels += act.Label
		}
		if !strings.Contains(labels, tc.wantLabels) {
			t.Errorf("labels %q", labels)
		}
	}
	sec := h.Section(ctx, private, simp.ID, 1)
	if sec.Kind != KindSection || !strings.Contains(sec.Hits[0].Text, "零工市場") {
		t.Errorf("原文 not in the document's own script: %+v", sec)
	}
}

// TestSection: 原文 is the text of the innermost section of the passage.
func TestSection(t *testing.T) {
	h := newHandlers(t, Config{})
	ctx := context.Background()
	a := h.Ask(ctx, private, "铜仁市十四五期间城镇新增就业的目标是多少？")
	if a.Kind != KindResults {
		t.Fatalf("%+v", a)
	}
	for rank := 1; rank <= len(a.Hits); rank++ {
		sec := h.Section(ctx, private, a.ID, rank)
		p := seeds.Passage(a.Hits[rank-1].PassageID)
		d := seeds.Document(p.DocID)
		want := strings.TrimSpace(p.Text)
		if n := len(p.Path); n > 0 {
			want = strings.TrimSpace(d.Text[p.Path[n-1].Start:p.Path[n-1].End])
		}
		if sec.Kind != KindSection || sec.Hits[0].Text != want && !strings.HasPrefix(want, sec.Hits[0].Text) {
			t.Errorf("section of result %d:\n%s\nwant\n%s", rank, sec.Hits[0].Text, want)
		}
		if !p.Rebuilt && !strings.Contains(sec.Hits[0].Text, strings.TrimSpace(p.Text)) && len(sec.Notes) == 0 {
			t.Errorf("section of result %d does not hold the passage", rank)
		}
	}
	if got := h.Section(ctx, private, a.ID, 99); got.Kind != KindText {
		t.Errorf("rank out of range: %+v", got)
	}
	if got := h.More(ctx, private, "nope", 3); got.Kind != KindText || !strings.Contains(got.Text, "过期") {
		t.Errorf("unknown session: %+v", got)
	}
}

// changed is a searcher whose documents changed since a session was saved.
type changed struct{ Searcher }

func (c changed) Document(id string) *corpus.Document {
	d := *c.Searcher.Document(id)
	d.Hash = "new"
	return &d
}

func TestDocumentChanged(t *testing.T) {
	sessions := NewMemorySessions(0, 0)
	ctx := context.Background()
	a := newHandlers(t, Config{Sessions: sessions}).Ask(ctx, private, "失业金怎么领")
	later := newHandlers(t, Config{Sessions: sessions, Searcher: changed{seeds}})
	if got := later.More(ctx, private, a.ID, 3); got.Kind != KindText || !strings.Contains(got.Text, "已更新") {
		t.Errorf("more of changed documents: %+v", got)
	}
	if got := later.Section(ctx, private, a.ID, 1); got.Kind != KindText || !strings.Contains(got.Text, "已更新") {
		t.Errorf("section of a changed document: %+v", got)
	}
}

func TestRegion(t *testing.T) {
	h := newHandlers(t, Config{})
	ctx := context.Background()
	if a := h.Region(ctx, private, "北京"); !strings.Contains(a.Text, "没有“北京”") {
		t.Errorf("unknown region: %s", a.Text)
	}
	if a := h.Region(ctx, private, "广元市"); !strings.Contains(a.Text, "好的") {
		t.Errorf("known region: %s", a.Text)
	}
	if a := h.Region(ctx, private, ""); !strings.Contains(a.Text, "广元市") {
		t.Errorf("current region: %s", a.Text)
	}
	a := h.Ask(ctx, private, "创业担保贷款取消了哪些反担保")
	if len(a.Notes) == 0 || !strings.Contains(a.Notes[0], "广元") || !strings.Contains(a.Hits[0].DocID, "guangyuan") {
		t.Errorf("answer with a region: notes %v, first %s", a.Notes, a.Hits[0].DocID)
	}
	other := Who{UserID: 8, ChatID: 8, ChatType: "private"}
	if b := h.Ask(ctx, other, "创业担保贷款取消了哪些反担保"); strings.Contains(strings.Join(b.Notes, ""), "优先查找") {
		t.Errorf("another person's region applied: %v", b.Notes)
	}
	h.Region(ctx, private, "清除")
	if a := h.Region(ctx, private, ""); !strings.Contains(a.Text, "没有限定") {
		t.Errorf("after clearing: %s", a.Text)
	}
}

func TestPrivacy(t *testing.T) {
	with := newHandlers(t, Config{Log: &memLog{}, Retention: 90 * 24 * time.Hour}).Privacy(context.Background(), private)
	without := newHandlers(t, Config{}).Privacy(context.Background(), private)
	if !strings.Contains(with.Text, "90天") || !strings.Contains(without.Text, "不保存提问记录") {
		t.Errorf("privacy:\n%s\n---\n%s", with.Text, without.Text)
	}
}

func TestShortName(t *testing.T) {
	for in, want := range map[string]string{"贵州省铜仁市": "铜仁", "湖南省": "湖南", "陕西省安康市": "安康",
		"广西壮族自治区南宁市": "南宁", "黔东南苗族侗族自治州凯里市": "凯里", "北京市": "北京"} {
		if got := shortName(in); got != want {
			t.Errorf("shortName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestNoQuestionInProcessLog: whatever happens, the process log never holds a question.
func TestNoQuestionInProcessLog(t *testing.T) {
	var buf bytes.Buffer
	h := newHandlers(t, Config{Logger: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), Log: &memLog{fail: errors.New("x")}})
	h.Ask(context.Background(), private, "我的身份证号是多少才能领失业金")
	if strings.Contains(buf.String(), "身份证") {
		t.Errorf("question in the log:\n%s", buf.String())
	}
}

// TestAskCutNumber: a long question cut at the limit in the middle of a number leaves the whole
// number out, so that no part of it reaches the query log unmasked.
func TestAskCutNumber(t *testing.T) {
	lg := &memLog{}
	h := newHandlers(t, Config{Log: lg})
	q := strings.Repeat("失", 295) + "电话138.1234.5678，失业金怎么领"
	h.Ask(context.Background(), private, q)
	if got := lg.entries[0].Question; strings.ContainsAny(got, "0123456789") || !strings.HasSuffix(got, "电话") {
		t.Errorf("logged %q", got[len(got)-20:])
	}
}

// FuzzCleanQuestion: a cleaned question is valid UTF-8 without control characters, format characters
// or runs of white space, trimmed, and cleaning it again changes nothing; cutting it keeps at most the
// limit's characters, a prefix of it, and never ends inside a number the cut split.
func FuzzCleanQuestion(f *testing.F) {
	for _, s := range []string{"失业金怎么领", "  失业金\t\n怎么领？ ", "\u200b\u202e电话138.1234.5678", "\xff\xfe创业\x00贷款", "ＡＢＣ　１２３"} {
		f.Add(s, 10)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		q := cleanQuestion(s)
		if !utf8.ValidString(q) || q != strings.TrimSpace(q) || strings.Contains(q, "  ") {
			t.Fatalf("cleanQuestion(%q) = %q", s, q)
		}
		if strings.ContainsFunc(q, func(r rune) bool {
			return r != ' ' && (unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r))
		}) {
			t.Fatalf("cleanQuestion(%q) = %q keeps a control or format character", s, q)
		}
		if again := cleanQuestion(q); again != q {
			t.Fatalf("cleaning %q twice: %q then %q", s, q, again)
		}
		if n < 0 || n > 1000 {
			return
		}
		c := cutQuestion(q, n)
		if utf8.RuneCountInString(c) > n || !strings.HasPrefix(q, c) {
			t.Fatalf("cutQuestion(%q, %d) = %q", q, n, c)
		}
		if rest := q[len(c):]; rest != "" && c != "" {
			last, _ := utf8.DecodeLastRuneInString(c)
			next, _ := utf8.DecodeRuneInString(strings.TrimLeft(rest, " "))
			if pii.InNumber(last) && pii.InNumber(next) && last != ' ' {
				t.Fatalf("cutQuestion(%q, %d) = %q ends inside a number", q, n, c)
			}
		}
	})
}

// TestHeadingPrefix checks the display rule: a passage shown under its section path does not repeat
// the heading the path ends with.
func TestHeadingPrefix(t *testing.T) {
	tests := []struct{ text, heading, want string }{
		{"第三条 非法吸收或者变相吸收公众存款。", "第三条", "非法吸收或者变相吸收公众存款。"},
		{"第三条……具有下列情形之一的：", "第三条", "……具有下列情形之一的："},
		{"01\n坚持线上服务和线下服务并重\n大力推进零工市场建设。", "01 坚持线上服务和线下服务并重", "大力推进零工市场建设。"},
		{"1.就业形势持续稳定发展。不断扩大就业容量。", "1.就业形势持续稳定发展", "不断扩大就业容量。"},
		{"专栏2 易地搬迁就业帮扶计划", "专栏2 易地搬迁就业帮扶计划", "专栏2 易地搬迁就业帮扶计划"},
		{"第三十条 澳门居民的人格尊严不受侵犯。", "第三条", "第三十条 澳门居民的人格尊严不受侵犯。"},
		{"鼓励易地搬迁群众自主创业。", "专栏2 易地搬迁就业帮扶计划", "鼓励易地搬迁群众自主创业。"},
	}
	for _, tc := range tests {
		if got := tc.text[headingPrefix(tc.text, tc.heading):]; got != tc.want {
			t.Errorf("%q under %q shows %q, want %q", tc.text, tc.heading, got, tc.want)
		}
	}
	spans := shiftSpans([]index.Span{{Start: 0, End: 3}, {Start: 6, End: 12}, {Start: 15, End: 21}}, 9)
	if want := []index.Span{{Start: 0, End: 3}, {Start: 6, End: 12}}; !slices.Equal(spans, want) {
		t.Errorf("shifted spans %v, want %v", spans, want)
	}
}

// TestStartListing: /start lists the documents in force, not the redacted copy of one, in the
// script the person's client reports: titles too.
func TestStartListing(t *testing.T) {
	h := newHandlers(t, Config{})
	ctx := context.Background()
	for _, tc := range []struct {
		lang     string
		has, not []string
	}{
		{"", []string{"您好", "《坚持“四个并重”统筹做好稳就业工作》", "《铜仁市“十四五”促进城乡就业创业规划》"}, []string{"脱敏", "堅持", "為"}},
		{"zh-hans", []string{"《坚持“四个并重”统筹做好稳就业工作》"}, []string{"脱敏"}},
		{"zh-hant", []string{"您好", "《堅持“四個並重”統籌做好穩就業工作》", "《銅仁市“十四五”促進城鄉就業創業規劃》"}, []string{"脫敏", "坚持", "铜仁市"}},
		{"zh-HK", []string{"《堅持“四個並重”統籌做好穩就業工作》"}, []string{"脫敏"}},
	} {
		a := h.Start(ctx, Who{UserID: 3, ChatType: "private", Lang: tc.lang})
		for _, want := range tc.has {
			if !strings.Contains(a.Title+a.Text, want) {
				t.Errorf("lang %q: /start lacks %q:\n%s", tc.lang, want, a.Text)
			}
		}
		for _, not := range tc.not {
			if strings.Contains(a.Text, not) {
				t.Errorf("lang %q: /start holds %q:\n%s", tc.lang, not, a.Text)
			}
		}
	}
}
