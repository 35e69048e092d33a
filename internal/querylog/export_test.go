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
			Results: []handlers.LogResult{{DocID: "tongren-plan", Section: "第四章 › 专栏2"}, {DocID: "hunan-2025"}}}
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
			{"id", "time", "user", "chat_type", "question", "script", "intent", "region", "confident", "results", "latency_ms", "rating", "verdict"},
			{itoa(ids[0]), "2026-03-02 09:30:00", pseudonym(testSecret, 42), "private", "铜仁的创业担保贷款，额度是多少？\"最高\"吗",
				"simplified", "entitlement", "铜仁", "yes", "tongren-plan › 第四章 › 专栏2; hunan-2025", "85.3", "", "answer"},
			{itoa(ids[1]), "2026-03-02 23:00:00", pseudonym(testSecret, 43), "group", "'=HYPERLINK(\"http://x\")，我的电话[电话]",
				"simplified", "other", "", "no", "", "2000.0", "down", "related"},
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
			len(first.Results) != 2 || first.Results[0].Section != "第四章 › 专栏2" || first.LatencyMS != 85.3 || !first.Confident ||
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
