package querylog

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"policybot/handlers"
	"policybot/index"
)

func TestExport(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openAt(t, b.target(t))
		day := time.Date(2026, 3, 2, 0, 0, 0, 0, cst)
		e1 := handlers.LogEntry{Time: day.Add(9*time.Hour + 30*time.Minute), UserID: 42, ChatType: "private",
			Question: "铜仁的创业担保贷款，额度是多少？\"最高\"吗", Script: "simplified", Intent: "entitlement", Region: "铜仁",
			Confident: true, Latency: 85250 * time.Microsecond,
			Results: []handlers.LogResult{{DocID: "tongren-plan", Section: "第四章 › 专栏2", Title: "铜仁市“十四五”促进城乡就业创业规划",
				Excerpt: "鼓励易地搬迁群众自主创业"}, {DocID: "hunan-2025"}}}
		e2 := handlers.LogEntry{Time: day.Add(23 * time.Hour), UserID: 43, ChatType: "group",
			Question: "=HYPERLINK(\"http://x\")，我的电话0856-5221234", Script: "simplified", Intent: "other",
			Verdict: index.VerdictRelated, Latency: 2 * time.Second}
		e3 := entry(day.AddDate(0, 0, 1), 44, "第二天的问题", true)
		ids := record(t, s, e1, e2, e3)
		l := NewLog(s, testSecret, LogOptions{})
		l.Rate(ctx, ids[1], -1)
		l.Close(ctx)
		f := Filter{From: day, To: day.AddDate(0, 0, 1)}

		var buf bytes.Buffer
		if err := s.Export(ctx, &buf, f, CSV, cst); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if !strings.HasPrefix(out, "\uFEFF") {
			t.Fatalf("no byte-order mark: %q", out[:10])
		}
		if !strings.Contains(out, "\r\n") {
			t.Error("lines do not end in CRLF")
		}
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\uFEFF"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		want := [][]string{
			{"编号", "时间", "用户化名", "聊天类型", "问题", "文字", "问题类型", "地区", "确切回答", "结果", "耗时（毫秒）", "评价", "判断"},
			// A result with a title is named by it; one without (as rows logged before titles were
			// kept) by its document id.
			{itoa(ids[0]), "2026-03-02 09:30:00", pseudonym(testSecret, 42), "私聊", "铜仁的创业担保贷款，额度是多少？\"最高\"吗",
				"简体", "待遇补贴", "铜仁", "是", "铜仁市“十四五”促进城乡就业创业规划 › 第四章 › 专栏2; hunan-2025", "85.3", "", "已回答"},
			{itoa(ids[1]), "2026-03-02 23:00:00", pseudonym(testSecret, 43), "群组", "'=HYPERLINK(\"http://x\")，我的电话[电话]",
				"简体", "其他", "", "否", "", "2000.0", "差评", "有关但未直接回答"},
		}
		if len(recs) != len(want) {
			t.Fatalf("%d records, want %d:\n%s", len(recs), len(want), out)
		}
		for i := range want {
			if strings.Join(recs[i], "|") != strings.Join(want[i], "|") {
				t.Errorf("record %d\n got %q\nwant %q", i, recs[i], want[i])
			}
		}

		buf.Reset()
		if err := s.Export(ctx, &buf, f, JSONL, cst); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		if len(lines) != 2 {
			t.Fatalf("%d JSONL lines:\n%s", len(lines), buf.String())
		}
		var first exportLine
		if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
			t.Fatal(err)
		}
		if first.ID != ids[0] || first.Time != "2026-03-02T09:30:00+08:00" || first.Question != e1.Question ||
			len(first.Results) != 2 || first.Results[0].Section != "第四章 › 专栏2" || first.Results[0].Excerpt != "鼓励易地搬迁群众自主创业" ||
			first.Results[1].Title != "" || first.LatencyMS != 85.3 || !first.Confident ||
			first.Verdict != "answer" {
			t.Errorf("first line %+v", first)
		}
		if !strings.Contains(lines[1], `"rating":-1`) || !strings.Contains(lines[1], `"verdict":"related"`) || strings.Contains(lines[1], `\u003c`) {
			t.Errorf("second line %s", lines[1])
		}
		if err := s.Export(ctx, &buf, f, "xlsx", cst); err == nil {
			t.Error("exported an unknown format")
		}
	})
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// TestResultsOldAndNew reads a row written as earlier versions wrote the results column (document
// and section only) beside one written now (with title and excerpt): both read back, the old one
// with its title and excerpt empty, on both databases.
func TestResultsOldAndNew(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openAt(t, b.target(t))
		at := time.Date(2026, 3, 2, 9, 0, 0, 0, cst)
		if _, err := s.db.ExecContext(ctx, s.q(`INSERT INTO queries
			(id, ts, user_key, chat_type, question, norm, script, intent, region, confident, verdict, results, latency_us)
			VALUES (?, ?, 'k', 'private', '旧问题', '旧问题', 'simplified', 'other', '', 1, 'answer', ?, 1000)`),
			1, micros(at), `[{"doc":"old-doc","section":"第一章"}]`); err != nil {
			t.Fatal(err)
		}
		e := entry(at.Add(time.Hour), 7, "新问题", true)
		e.Results = []handlers.LogResult{{DocID: "new-doc", Section: "第二章", Title: "新文件", Excerpt: "段落的开头……"}}
		record(t, s, e)
		rows, _, err := s.Find(ctx, Filter{}, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]handlers.LogResult{}
		for _, r := range rows {
			if len(r.Results) != 1 {
				t.Fatalf("%s: results %+v", r.Question, r.Results)
			}
			got[r.Question] = r.Results[0]
		}
		if want := (handlers.LogResult{DocID: "old-doc", Section: "第一章"}); got["旧问题"] != want {
			t.Errorf("old row: %+v, want %+v", got["旧问题"], want)
		}
		if want := e.Results[0]; got["新问题"] != want {
			t.Errorf("new row: %+v, want %+v", got["新问题"], want)
		}
	})
}
