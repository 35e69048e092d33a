package admin

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"policybot/handlers"
	"policybot/index"
	"policybot/internal/querylog"
)

func TestNewNeedsToken(t *testing.T) {
	s, err := querylog.Open(context.Background(), filepath.Join(t.TempDir(), querylog.FileName), querylog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := New(Config{Store: s}); !errors.Is(err, ErrNoToken) {
		t.Errorf("no token: %v", err)
	}
	if _, err := New(Config{Store: s, Token: "short"}); !errors.Is(err, ErrShortToken) {
		t.Errorf("short token: %v", err)
	}
	if _, err := New(Config{Token: testToken}); err == nil {
		t.Error("no store: no error")
	}
}

func TestAuth(t *testing.T) {
	srv, _, _ := newSeeded(t)
	bearer := []string{"Authorization", "Bearer " + testToken}
	for _, tc := range []struct {
		name    string
		path    string
		headers []string
		want    int
	}{
		{"healthz is open", "/healthz", nil, 200},
		{"style sheet is open", "/admin.css", nil, 200},
		{"login form is open", "/login", nil, 200},
		{"page without token", "/", nil, 401},
		{"metrics without token", "/metrics", nil, 401},
		{"export without token", "/export?format=csv", nil, 401},
		{"page with wrong token", "/", []string{"Authorization", "Bearer not-the-token-at-all"}, 401},
		{"page with token as basic auth", "/", []string{"Authorization", "Basic " + testToken}, 401},
		{"page with a token prefix", "/", []string{"Authorization", "Bearer " + testToken[:20]}, 401},
		{"forged cookie", "/", []string{"Cookie", cookieName + "=99999999999.AAAA"}, 401},
		{"page with token", "/", bearer, 200},
		{"lower-case scheme", "/", []string{"Authorization", "bearer " + testToken}, 200},
		{"metrics with token", "/metrics", bearer, 200},
		{"export with token", "/export?format=jsonl", bearer, 200},
		{"unknown page", "/nothing", bearer, 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := get(t, srv, tc.path, tc.headers...)
			if resp.StatusCode != tc.want {
				t.Errorf("%s: %d, want %d", tc.path, resp.StatusCode, tc.want)
			}
			if resp.Header.Get("Content-Security-Policy") == "" {
				t.Error("no Content-Security-Policy")
			}
		})
	}
	// A browser without a session is shown the login form, with 401.
	resp := get(t, srv, "/")
	body, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(body), `name="token"`) || strings.Contains(string(body), "daily-chart") {
		t.Errorf("401 page is not the login form:\n%s", body)
	}
}

func TestLogin(t *testing.T) {
	srv, _, _ := newSeeded(t)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(path string, form url.Values) *http.Response {
		t.Helper()
		resp, err := c.PostForm(srv.URL+path, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	getPage := func() int {
		t.Helper()
		resp, err := c.Get(srv.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	if resp := post("/login", url.Values{"token": {"wrong token, long enough"}}); resp.StatusCode != 401 || len(resp.Cookies()) != 0 {
		t.Fatalf("wrong token: %d, cookies %v", resp.StatusCode, resp.Cookies())
	}
	resp := post("/login", url.Values{"token": {testToken}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	var session *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == cookieName {
			session = ck
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Path != "/" {
		t.Fatalf("session cookie %+v", session)
	}
	if strings.Contains(session.Value, testToken) {
		t.Error("the cookie holds the token")
	}
	if code := getPage(); code != 200 {
		t.Fatalf("page with the session: %d", code)
	}
	// A cookie of another token does not open the page.
	other := &auth{token: []byte("another token of some length"), now: func() time.Time { return seedNow }}
	req, _ := http.NewRequest("GET", srv.URL+"/", nil)
	req.AddCookie(other.newSession(req))
	if r, err := http.DefaultClient.Do(req); err != nil || r.StatusCode != 401 {
		t.Errorf("another token's session: %v %v", r.StatusCode, err)
	}
	// An expired session does not either.
	past := &auth{token: []byte(testToken), now: func() time.Time { return seedNow.Add(-sessionLength - time.Minute) }}
	req, _ = http.NewRequest("GET", srv.URL+"/", nil)
	req.AddCookie(past.newSession(req))
	if r, err := http.DefaultClient.Do(req); err != nil || r.StatusCode != 401 {
		t.Errorf("expired session: %v %v", r.StatusCode, err)
	}
	if resp := post("/logout", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if code := getPage(); code != 401 {
		t.Errorf("page after logout: %d", code)
	}
	// Guessing is cut short.
	for range maxFailures {
		post("/login", url.Values{"token": {"guess guess guess guess"}})
	}
	if resp := post("/login", url.Values{"token": {testToken}}); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("login after %d failures: %d", maxFailures, resp.StatusCode)
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	srv, s, _ := newSeeded(t)
	gaps, err := s.Unanswered(context.Background(), seedNow.AddDate(0, 0, -30), 5)
	if err != nil || len(gaps) == 0 {
		t.Fatalf("gaps %v %v", gaps, err)
	}
	resolve := func(origin string) int {
		req, _ := http.NewRequest("POST", srv.URL+"/resolve", strings.NewReader("id="+strconv.FormatInt(gaps[0].ID, 10)))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "Bearer "+testToken)
		if origin != "" {
			req.Header.Set("Origin", origin)
			req.Header.Set("Sec-Fetch-Site", "cross-site")
		}
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := resolve("https://evil.example"); code != http.StatusForbidden {
		t.Errorf("cross-site resolve: %d", code)
	}
	if code := resolve(""); code != http.StatusSeeOther {
		t.Errorf("same-site resolve: %d", code)
	}
	after, _ := s.Unanswered(context.Background(), seedNow.AddDate(0, 0, -30), 5)
	if len(after) > 0 && after[0].ID == gaps[0].ID {
		t.Error("the resolved gap is still listed")
	}
}

func TestExportDownload(t *testing.T) {
	srv, s, n := newSeeded(t)
	bearer := []string{"Authorization", "Bearer " + testToken}
	resp := get(t, srv, "/export?format=csv", bearer...)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("%d %v", resp.StatusCode, resp.Header)
	}
	if !strings.HasPrefix(string(body), "\uFEFF") {
		t.Error("no byte-order mark")
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(body), "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != n+1 || recs[0][4] != "问题" {
		t.Fatalf("%d records for %d questions; header %v", len(recs), n, recs[0])
	}
	// The masked phone number went into the log masked, and comes out masked.
	for _, r := range recs {
		if strings.Contains(r[4], "13812345678") {
			t.Errorf("raw phone number exported: %v", r)
		}
	}

	// The table's filter applies to the download: one day, not confident.
	resp = get(t, srv, "/export?format=csv&from=2026-03-09&to=2026-03-09&confident=no", bearer...)
	body, _ = io.ReadAll(resp.Body)
	recs, err = csv.NewReader(strings.NewReader(strings.TrimPrefix(string(body), "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 3, 9, 0, 0, 0, 0, cst)
	_, want, _ := s.Find(context.Background(), querylog.Filter{From: from, To: from.AddDate(0, 0, 1), Confident: "no"}, 0, 1)
	if len(recs)-1 != want || want == 0 {
		t.Errorf("filtered export has %d rows, want %d", len(recs)-1, want)
	}
	for _, r := range recs[1:] {
		if !strings.HasPrefix(r[1], "2026-03-09 ") || r[8] != "否" {
			t.Errorf("row outside the filter: %v", r)
		}
	}
	for _, bad := range []string{"/export?format=xlsx", "/export?format=csv&from=yesterday"} {
		if resp := get(t, srv, bad, bearer...); resp.StatusCode != 400 {
			t.Errorf("%s: %d", bad, resp.StatusCode)
		}
	}
}

func TestMetrics(t *testing.T) {
	s, err := querylog.Open(context.Background(), filepath.Join(t.TempDir(), querylog.FileName), querylog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m := NewMetrics()
	// The metrics observe the query log's write path.
	l := querylog.NewLog(s, []byte("a secret of sixteen+ bytes"), querylog.LogOptions{Observer: m})
	seedLog := func(verdict index.Verdict, d time.Duration) {
		if _, err := l.Record(context.Background(), entryFor(verdict, d)); err != nil {
			t.Fatal(err)
		}
	}
	seedLog(index.VerdictAnswer, 800*time.Microsecond)
	seedLog(index.VerdictRelated, 700*time.Millisecond)
	seedLog(index.VerdictNone, 3*time.Second)
	seedLog(index.VerdictRelated, 80*time.Millisecond)
	l.Close(context.Background())
	m.WriteFailed()
	m.Reindexed(42 * time.Second)
	h, err := New(Config{Token: testToken, Store: s, Metrics: m})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", "/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	rec := newRecorder()
	h.ServeHTTP(rec, req)
	out := rec.Body.String()
	for _, want := range []string{
		"policybot_questions_total 4",
		`policybot_answers_total{verdict="answer"} 1`,
		`policybot_answers_total{verdict="related"} 2`,
		`policybot_answers_total{verdict="none"} 1`,
		"policybot_questions_not_confident_total 3",
		`policybot_answer_latency_seconds_bucket{le="0.0005"} 0`,
		`policybot_answer_latency_seconds_bucket{le="0.001"} 1`,
		`policybot_answer_latency_seconds_bucket{le="0.05"} 1`,
		`policybot_answer_latency_seconds_bucket{le="1"} 3`,
		"policybot_answer_latency_seconds_count 4",
		"policybot_reindex_duration_seconds_count 1",
		"policybot_reindex_duration_seconds_sum 42",
		"policybot_querylog_write_failures_total 1",
		"go_goroutines",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestDashboardHTML(t *testing.T) {
	srv, s, n := newSeeded(t)
	resp := get(t, srv, "/", "Authorization", "Bearer "+testToken)
	doc, err := html.Parse(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	text := func(id string) string {
		var out strings.Builder
		var walk func(*html.Node, bool)
		walk = func(nd *html.Node, in bool) {
			if nd.Type == html.ElementNode {
				for _, a := range nd.Attr {
					if a.Key == "id" && a.Val == id {
						in = true
					}
				}
			}
			if in && nd.Type == html.TextNode {
				out.WriteString(nd.Data)
			}
			for c := nd.FirstChild; c != nil; c = c.NextSibling {
				walk(c, in)
			}
		}
		walk(doc, false)
		return out.String()
	}
	sum, err := s.Summary(context.Background(), seedNow, cst)
	if err != nil {
		t.Fatal(err)
	}
	today := text("stats-today")
	if !strings.Contains(today, strconv.Itoa(sum.Today.Questions)) || !strings.Contains(today, strconv.Itoa(sum.Today.Users)) {
		t.Errorf("today's figures %q lack %d questions, %d users", today, sum.Today.Questions, sum.Today.Users)
	}
	// Related and none are counted apart, each under its name, with its share.
	week := text("stats-week")
	if sum.Week.Related == 0 || sum.Week.None == 0 {
		t.Fatalf("the seeded week has %d related, %d none", sum.Week.Related, sum.Week.None)
	}
	for _, want := range []string{
		fmt.Sprintf("有关但未直接回答%d %.0f%%", sum.Week.Related, 100*float64(sum.Week.Related)/float64(sum.Week.Questions)),
		fmt.Sprintf("未能回答%d %.0f%%", sum.Week.None, 100*float64(sum.Week.None)/float64(sum.Week.Questions)),
	} {
		if !strings.Contains(week, want) {
			t.Errorf("the week's figures lack %q:\n%s", want, week)
		}
	}
	// The queue has a column for each, and counts each group's questions under them.
	gaps, err := s.Unanswered(context.Background(), seedNow.AddDate(0, 0, -30), gapLimit)
	if err != nil {
		t.Fatal(err)
	}
	queue := cells(doc, "unanswered")
	if len(queue) != len(gaps)+1 || strings.Join(queue[0], "|") != "问题（最近一次的说法；点开看回答）|次数|人数|有关但未直接回答|未能回答|差评|最近|" {
		t.Fatalf("the queue: %q", queue)
	}
	for i, g := range gaps {
		want := fmt.Sprintf("%d|%d|%d|%d|%d", g.Count, g.Users, g.Related, g.None, g.Down)
		if got := strings.Join(queue[i+1][1:6], "|"); got != want {
			t.Errorf("queue row %d (%s): %s, want %s", i+1, g.Question, got, want)
		}
	}
	if top := cells(doc, "top"); len(top) < 2 || strings.Join(top[0], "|") != "问题（最常见的说法）|次数|人数|有关但未直接回答|未能回答" {
		t.Errorf("the most asked: %q", top)
	}
	// The table says each question's verdict, and filters by it.
	resp = get(t, srv, "/?verdict=related", "Authorization", "Bearer "+testToken)
	filtered, err := html.Parse(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	_, related, _ := s.Find(context.Background(), querylog.Filter{Verdict: "related"}, 0, 1)
	rows := cells(filtered, "questions-table")
	if related == 0 || len(rows) != 1+min(related, pageSize) || rows[0][4] != "判断" {
		t.Fatalf("%d rows of %d related questions: %q", len(rows)-1, related, rows[:min(len(rows), 3)])
	}
	for _, r := range rows[1:] {
		if r[4] != "有关但未直接回答" {
			t.Errorf("a row of the related filter: %q", r)
		}
	}
	if total := text("total"); total != "共 "+strconv.Itoa(n)+" 条" {
		t.Errorf("table total %q, want %d", total, n)
	}
	if gaps := text("unanswered"); !strings.Contains(gaps, "怎么申请办理护照？") || !strings.Contains(gaps, "[电话]") || strings.Contains(gaps, "13812345678") {
		t.Errorf("unanswered queue: %s", gaps)
	}
	// A question typed with markup is shown as text.
	l := querylog.NewLog(s, []byte("a secret of sixteen+ bytes"), querylog.LogOptions{})
	e := entryFor(index.VerdictNone, time.Second)
	e.Time, e.Question = seedNow.Add(-time.Minute), `<script>alert(1)</script><b>失业金</b>`
	l.Record(context.Background(), e)
	l.Close(context.Background())
	resp = get(t, srv, "/", "Authorization", "Bearer "+testToken)
	body, _ := io.ReadAll(resp.Body)
	if strings.Contains(string(body), "<script>alert") || !strings.Contains(string(body), "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("markup in a question is not escaped")
	}
}

// cells are the texts of the cells (th and td) of each row of the table inside the element with id.
func cells(doc *html.Node, id string) [][]string {
	var out [][]string
	each(doc, id, "tr", func(tr *html.Node) {
		var row []string
		for c := tr.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && (c.Data == "td" || c.Data == "th") {
				row = append(row, strings.TrimSpace(textOf(c)))
			}
		}
		out = append(out, row)
	})
	return out
}

// each calls f, in document order, with every element named tag inside the element with id (or
// that element itself), not looking inside those it calls f with.
func each(doc *html.Node, id, tag string, f func(*html.Node)) {
	var walk func(*html.Node, bool)
	walk = func(nd *html.Node, in bool) {
		if nd.Type == html.ElementNode {
			for _, a := range nd.Attr {
				if a.Key == "id" && a.Val == id {
					in = true
				}
			}
			if in && nd.Data == tag {
				f(nd)
				return
			}
		}
		for c := nd.FirstChild; c != nil; c = c.NextSibling {
			walk(c, in)
		}
	}
	walk(doc, false)
}

// textOf is the text inside nd.
func textOf(nd *html.Node) string {
	if nd.Type == html.TextNode {
		return nd.Data
	}
	var b strings.Builder
	for c := nd.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(textOf(c))
	}
	return b.String()
}

// answeredOf is what the page shows of each question under the element with id, in order: the
// question (the details' summary) and, inside, what the bot answered.
type answeredOf struct{ question, reply string }

func answeredIn(doc *html.Node, id string) []answeredOf {
	var out []answeredOf
	each(doc, id, "details", func(d *html.Node) {
		var a answeredOf
		for c := d.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			if c.Data == "summary" {
				a.question = textOf(c)
			} else {
				a.reply += textOf(c)
			}
		}
		out = append(out, a)
	})
	return out
}

// TestDashboardAnswered: each question of the unanswered queue and of the log opens to what the bot
// answered it: the verdict, named as everywhere else, and the first passages by document title
// (not id) with their excerpts. Questions logged before titles were kept are named by the index's
// title (Config.Titles).
func TestDashboardAnswered(t *testing.T) {
	srv, s, _ := newSeeded(t)
	resp := get(t, srv, "/", "Authorization", "Bearer "+testToken)
	doc, err := html.Parse(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	gaps, err := s.Unanswered(ctx, seedNow.AddDate(0, 0, -30), gapLimit)
	if err != nil {
		t.Fatal(err)
	}
	rows, _, err := s.Find(ctx, querylog.Filter{}, 0, pageSize)
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		question string
		verdict  index.Verdict
		results  []handlers.LogResult
	}
	var gapWants, rowWants []want
	for _, g := range gaps {
		gapWants = append(gapWants, want{g.Question, g.Verdict, g.Results})
	}
	for _, r := range rows {
		rowWants = append(rowWants, want{r.Question, r.Verdict, r.Results})
	}
	withExcerpt, byIndex := 0, 0
	for _, tc := range []struct {
		id    string
		wants []want
	}{{"unanswered", gapWants}, {"questions-table", rowWants}} {
		t.Run(tc.id, func(t *testing.T) {
			got := answeredIn(doc, tc.id)
			if len(got) != len(tc.wants) || len(got) == 0 {
				t.Fatalf("%d questions open to their answer, want %d", len(got), len(tc.wants))
			}
			for i, w := range tc.wants {
				g := got[i]
				if g.question != w.question {
					t.Errorf("%d: question %q, want %q", i, g.question, w.question)
				}
				if !strings.Contains(g.reply, "判断"+handlers.VerdictName(w.verdict)) {
					t.Errorf("%d (%s): reply %q lacks its verdict %s", i, w.question, g.reply, handlers.VerdictName(w.verdict))
				}
				if strings.Contains(g.reply, "tongren-14th") || strings.Contains(g.reply, "hunan-four") {
					t.Errorf("%d: a document shown by its id: %q", i, g.reply)
				}
				for _, r := range w.results {
					if !strings.Contains(g.reply, seedTitles(r.DocID)) {
						t.Errorf("%d: reply %q lacks the title of %s", i, g.reply, r.DocID)
					}
					if r.Excerpt != "" {
						withExcerpt++
						if !strings.Contains(g.reply, r.Excerpt) {
							t.Errorf("%d: reply %q lacks the excerpt %q", i, g.reply, r.Excerpt)
						}
					}
					if r.Title == "" {
						byIndex++
					}
				}
				if len(w.results) == 0 && !strings.Contains(g.reply, "没有给出段落") {
					t.Errorf("%d: reply without passages says %q", i, g.reply)
				}
			}
		})
	}
	if withExcerpt == 0 || byIndex == 0 {
		t.Errorf("the seeded log has %d results with excerpts and %d without titles: test both", withExcerpt, byIndex)
	}
	// The table's first-result column names documents by title too.
	for _, r := range cells(doc, "questions-table")[1:] {
		if strings.Contains(r[7], "-") {
			t.Errorf("first result shown as an id: %q", r)
		}
	}
}

// TestStatus: with a Status, /healthz names the corpus version and the index (still without a
// token), and /metrics carries both as labels of policybot_corpus_info.
func TestStatus(t *testing.T) {
	s, err := querylog.Open(context.Background(), filepath.Join(t.TempDir(), querylog.FileName), querylog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	version := "7"
	h, err := New(Config{Store: s, Token: testToken, Status: func() (string, string) { return version, "20261205T070000-ab12" }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	body := func(path string, headers ...string) string {
		resp := get(t, srv, path, headers...)
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		return string(b)
	}
	if got := body("/healthz"); got != "ok corpus=7 index=20261205T070000-ab12\n" {
		t.Errorf("/healthz: %q", got)
	}
	version = "8"
	if got := body("/healthz"); got != "ok corpus=8 index=20261205T070000-ab12\n" {
		t.Errorf("/healthz after a change: %q", got)
	}
	want := `policybot_corpus_info{corpus="8",index="20261205T070000-ab12"} 1`
	if got := body("/metrics", "Authorization", "Bearer "+testToken); !strings.Contains(got, want) {
		t.Errorf("/metrics has no %s", want)
	}
}
