package admin

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"policybot/handlers"
	"policybot/index"
	"policybot/internal/querylog"
)

// testToken is the admin token of the tests.
const testToken = "test-admin-token-0123456789"

// cst is China Standard Time, the admins' calendar.
var cst = time.FixedZone("CST", 8*3600)

// seedNow is the fixed "now" of the seeded log: a Tuesday afternoon.
var seedNow = time.Date(2026, 3, 10, 16, 20, 0, 0, cst)

// asked is a question people ask in the seeded log, with what the bot made of it.
type asked struct {
	q, intent, region string
	confident         float64 // chance the answer is confident (the verdict answer)
	related           float64 // chance an answer that is not confident is related rather than none
	weight            int
}

var seedQuestions = []asked{
	{"失业金怎么领？", "entitlement", "", 0.95, 0.9, 9},
	{"失業金怎麼領取", "entitlement", "", 0.9, 0.9, 3},
	{"灵活就业人员社保补贴怎么申请", "entitlement", "", 0.9, 0.8, 6},
	{"创业担保贷款额度是多少", "entitlement", "", 0.9, 0.8, 6},
	{"高校毕业生到基层就业有什么补贴", "entitlement", "", 0.85, 0.8, 5},
	{"铜仁十四五期间城镇新增就业目标是多少？", "target", "铜仁", 0.95, 0.5, 4},
	{"湖南全省建成了多少家零工市场", "target", "湖南", 0.95, 0.5, 3},
	{"易地搬迁群众想自己创业有什么支持", "entitlement", "铜仁", 0.9, 0.8, 4},
	{"安康市稳岗返还政策", "entitlement", "安康", 0.8, 0.7, 3},
	{"广元的就业见习补贴标准", "entitlement", "广元", 0.7, 0.7, 2},
	{"零工市场在哪里", "location", "", 0.5, 0.9, 3},
	{"怎么申请办理护照？", "other", "", 0.0, 0.0, 2},
	{"深圳人才引进补贴有多少", "entitlement", "深圳", 0.0, 0.0, 2},
	{"退休金怎么算", "entitlement", "", 0.1, 0.6, 3},
	{"住房公积金贷款额度", "entitlement", "", 0.05, 0.2, 2},
	{"我的手机13812345678，失业登记在哪里办", "location", "", 0.3, 0.5, 1},
	// Long ones, as people type on a phone, and a pasted address with no place to break a line.
	{"我是2023年从外省回铜仁的高校毕业生，现在想在老家开一家小店，请问能不能申请创业担保贷款，额度和贴息分别是多少，需要准备哪些材料？", "entitlement", "铜仁", 0.6, 0.8, 2},
	{"http://rsj.tongren.gov.cn/zwgk/xxgkml/zcwj/202203/t20220315_73108125_employment_subsidy.html这个文件说的补贴怎么领", "entitlement", "铜仁", 0.3, 0.8, 1},
}

// seedResults are the passages shown for a question in the seeded log: titles and excerpts as the
// shipped corpus has them, long enough to test the layout on a phone.
var seedResults = []handlers.LogResult{
	{DocID: "tongren-14th-five-year-employment-plan", Section: "第四章 主要任务 › 三、建立就业创业助力乡村振兴机制 › 专栏2 易地搬迁就业帮扶计划",
		Title: "铜仁市“十四五”促进城乡就业创业规划", Excerpt: "鼓励易地搬迁群众自主创业,通过创业带动就业,对自主创业符合条件的,给予创业担保贷款。支持创业园区建设,推动具备创业能力和意愿的易地搬迁群众优先入驻……"},
	{DocID: "hunan-four-emphases-2025", Section: "04 坚持线上服务和线下服务并重",
		Title: "坚持“四个并重”统筹做好稳就业工作", Excerpt: "大力推进零工市场建设,为用工主体及求职者提供以“即时快招”为核心的“1+6”免费公共服务。"},
}

// seedTitles is the index's titles of the seeded log's documents, for rows logged without one.
func seedTitles(id string) string {
	for _, r := range seedResults {
		if r.DocID == id {
			return r.Title
		}
	}
	return ""
}

// seed records about a month of plausible questions, the same every run, ending at seedNow.
func seed(t testing.TB, s *querylog.Store) int {
	t.Helper()
	rng := rand.New(rand.NewPCG(5, 2026))
	total := 0
	for _, q := range seedQuestions {
		total += q.weight
	}
	l := querylog.NewLog(s, []byte("seed secret for the admin tests"), querylog.LogOptions{})
	ctx := context.Background()
	n := 0
	for day := 29; day >= 0; day-- {
		date := seedNow.AddDate(0, 0, -day)
		perDay := 14 + rng.IntN(14)
		if wd := date.Weekday(); wd == time.Saturday || wd == time.Sunday {
			perDay /= 2
		}
		for i := range perDay {
			at := time.Date(date.Year(), date.Month(), date.Day(), 8+rng.IntN(10), rng.IntN(60), 0, 0, cst)
			if day == 0 && at.After(seedNow) {
				at = seedNow.Add(-time.Duration(i+1) * time.Minute)
			}
			pick := rng.IntN(total)
			var q asked
			for _, q = range seedQuestions {
				if pick < q.weight {
					break
				}
				pick -= q.weight
			}
			e := handlers.LogEntry{Time: at, UserID: int64(1000 + rng.IntN(60)), ChatType: "private", Question: q.q,
				Script: "simplified", Intent: q.intent, Region: q.region, Confident: rng.Float64() < q.confident,
				Latency: time.Duration(60+rng.IntN(500)+rng.IntN(3)*rng.IntN(900)) * time.Millisecond,
				Results: seedResults}
			if i%7 == 3 {
				// As questions logged before titles and excerpts were kept.
				e.Results = []handlers.LogResult{{DocID: seedResults[0].DocID, Section: seedResults[0].Section}}
			}
			switch {
			case e.Confident:
				e.Verdict = index.VerdictAnswer
			case rng.Float64() < q.related:
				e.Verdict = index.VerdictRelated
			default:
				e.Verdict, e.Results = index.VerdictNone, nil
			}
			if rng.IntN(5) == 0 {
				e.ChatType = "group"
			}
			id, err := l.Record(ctx, e)
			if err != nil {
				t.Fatal(err)
			}
			n++
			switch r := rng.IntN(10); {
			case r == 0 || (!e.Confident && r < 4):
				l.Rate(ctx, id, -1)
			case r < 3 && e.Confident:
				l.Rate(ctx, id, 1)
			}
		}
	}
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}
	return n
}

// newSeeded returns an admin page over a seeded log, served by a test server, and how many
// questions the log holds.
func newSeeded(t testing.TB) (*httptest.Server, *querylog.Store, int) {
	t.Helper()
	s, err := querylog.Open(context.Background(), filepath.Join(t.TempDir(), querylog.FileName), querylog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	n := seed(t, s)
	h, err := New(Config{Token: testToken, Store: s, Location: cst, Clock: func() time.Time { return seedNow }, Titles: seedTitles})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, s, n
}

// get fetches path from srv with the headers given as name, value pairs.
func get(t testing.TB, srv *httptest.Server, path string, headers ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// entryFor is a question answered with verdict in d.
func entryFor(verdict index.Verdict, d time.Duration) handlers.LogEntry {
	return handlers.LogEntry{Time: time.Now(), UserID: 77, ChatType: "private", Question: "测试问题", Script: "simplified",
		Intent: "other", Verdict: verdict, Confident: verdict == index.VerdictAnswer, Latency: d}
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }
