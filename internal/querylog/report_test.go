package querylog

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"policybot/handlers"
	"policybot/index"
)

// cst is China Standard Time, the admins' calendar in these tests.
var cst = time.FixedZone("CST", 8*3600)

func TestStats(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openAt(t, b.target(t))
		now := time.Date(2026, 3, 10, 15, 0, 0, 0, cst)
		var entries []handlers.LogEntry
		// Today: 20 questions from 4 people, latencies 10..200 ms, every fourth not answered: three
		// related (0, 8, 16), two none (4, 12).
		for i := range 20 {
			e := entry(now.Add(-time.Duration(i)*time.Minute), int64(i%4), fmt.Sprintf("今天的问题%d", i), i%4 != 0)
			if i%8 == 0 {
				e.Verdict = index.VerdictRelated
			}
			e.Latency = time.Duration(10*(i+1)) * time.Millisecond
			e.Region = []string{"铜仁", "铜仁", "湖南", ""}[i%4]
			e.Intent = []string{"entitlement", "target", "entitlement", "other"}[i%4]
			entries = append(entries, e)
		}
		// Earlier this week (three days ago): 10 questions from 2 other people, all confident, 1 s.
		for i := range 10 {
			e := entry(now.AddDate(0, 0, -3), int64(100+i%2), "本周的问题", true)
			e.Latency = time.Second
			e.Region = "安康"
			entries = append(entries, e)
		}
		// Eight days ago, and just after midnight tomorrow: in neither period.
		entries = append(entries, entry(now.AddDate(0, 0, -8), 200, "上周的问题", false),
			entry(time.Date(2026, 3, 11, 0, 0, 1, 0, cst), 201, "明天的问题", false))
		ids := record(t, s, entries...)
		l := NewLog(s, testSecret, LogOptions{})
		l.Rate(ctx, ids[0], 1)
		l.Rate(ctx, ids[1], 1)
		l.Rate(ctx, ids[2], -1)
		l.Rate(ctx, ids[25], -1)
		l.Close(ctx)

		sum, err := s.Summary(ctx, now, cst)
		if err != nil {
			t.Fatal(err)
		}
		today, week := sum.Today, sum.Week
		if today.Questions != 20 || today.Users != 4 || today.NotConfident != 5 || today.Related != 3 || today.None != 2 ||
			today.Up != 2 || today.Down != 1 {
			t.Errorf("today %+v", today)
		}
		// Nearest rank: the 10th and 19th of 10, 20, … 200 ms.
		if today.P50 != 100*time.Millisecond || today.P95 != 190*time.Millisecond {
			t.Errorf("today p50 %v p95 %v", today.P50, today.P95)
		}
		if fmt.Sprint(today.Regions) != "[{铜仁 10} {湖南 5}]" {
			t.Errorf("today regions %v", today.Regions)
		}
		if fmt.Sprint(today.Intents) != "[{entitlement 10} {other 5} {target 5}]" {
			t.Errorf("today intents %v", today.Intents)
		}
		if today.NotConfidentShare() != 0.25 {
			t.Errorf("share %v", today.NotConfidentShare())
		}
		if week.Questions != 30 || week.Users != 6 || week.NotConfident != 5 || week.Related != 3 || week.None != 2 ||
			week.Up != 2 || week.Down != 2 {
			t.Errorf("week %+v", week)
		}
		if week.P95 != time.Second || fmt.Sprint(week.Regions) != "[{安康 10} {铜仁 10} {湖南 5}]" {
			t.Errorf("week p95 %v regions %v", week.P95, week.Regions)
		}
		if !week.From.Equal(time.Date(2026, 3, 4, 0, 0, 0, 0, cst)) || !week.To.Equal(time.Date(2026, 3, 11, 0, 0, 0, 0, cst)) {
			t.Errorf("week from %v to %v", week.From, week.To)
		}
		// An empty period.
		empty, err := s.Stats(ctx, now.AddDate(1, 0, 0), now.AddDate(1, 0, 1))
		if err != nil || empty.Questions != 0 || empty.P95 != 0 || empty.NotConfidentShare() != 0 {
			t.Errorf("empty period %+v %v", empty, err)
		}
	})
}

func TestDaily(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openAt(t, b.target(t))
		now := time.Date(2026, 3, 10, 12, 0, 0, 0, cst)
		record(t, s,
			// 23:30 on the 1st in China is 15:30 UTC on the 1st; 00:30 on the 2nd is still the 1st in UTC.
			entry(time.Date(2026, 3, 1, 23, 30, 0, 0, cst), 1, "a", true),
			entry(time.Date(2026, 3, 2, 0, 30, 0, 0, cst), 1, "b", false),
			related(time.Date(2026, 3, 2, 8, 0, 0, 0, cst), 1, "b2"),
			entry(time.Date(2026, 3, 2, 9, 0, 0, 0, cst), 2, "c", true),
			entry(time.Date(2026, 3, 10, 11, 0, 0, 0, cst), 3, "d", false),
			entry(time.Date(2026, 2, 28, 23, 59, 0, 0, cst), 4, "before the period", false),
		)
		days, err := s.Daily(ctx, now, 10, cst)
		if err != nil {
			t.Fatal(err)
		}
		if len(days) != 10 || !days[0].Date.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, cst)) {
			t.Fatalf("%d days from %v", len(days), days[0].Date)
		}
		got := map[string]string{}
		for _, d := range days {
			if d.Questions > 0 {
				got[d.Date.Format(time.DateOnly)] = fmt.Sprintf("%d+%d=%d/%d", d.Related, d.None, d.NotConfident, d.Questions)
			}
		}
		if fmt.Sprint(got) != "map[2026-03-01:0+0=0/1 2026-03-02:1+1=2/3 2026-03-10:0+1=1/1]" {
			t.Errorf("per day %v", got)
		}
	})
}

func TestUnansweredAndResolve(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openAt(t, b.target(t))
		now := time.Now()
		ago := func(m int) time.Time { return now.Add(-time.Duration(m) * time.Minute) }
		ids := record(t, s,
			// The same question four times, in both scripts and with different punctuation; once it
			// got related (before a reindex, say), twice none.
			entry(ago(50), 1, "怎么申请办理护照？", false),
			related(ago(40), 2, "怎麼申請辦理護照"),
			entry(ago(30), 2, "怎么申请 办理护照?", false),
			entry(ago(35), 3, "怎么申请办理护照", true), // confident and not rated 👎: not a gap
			// Answered confidently but rated 👎.
			entry(ago(20), 4, "失业金领多久", true),
			// Answered well.
			entry(ago(10), 5, "创业担保贷款额度", true),
			// Not confident, but before the period asked for.
			entry(now.AddDate(0, 0, -40), 6, "很久以前的问题", false),
		)
		l := NewLog(s, testSecret, LogOptions{})
		l.Rate(ctx, ids[4], -1)
		l.Rate(ctx, ids[5], 1)
		l.Close(ctx)

		gaps, err := s.Unanswered(ctx, now.AddDate(0, 0, -30), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(gaps) != 2 {
			t.Fatalf("gaps %+v", gaps)
		}
		if g := gaps[0]; g.ID != ids[4] || g.Question != "失业金领多久" || g.Count != 1 || g.Down != 1 || g.NotConfident != 0 ||
			g.Related != 0 || g.None != 0 {
			t.Errorf("first gap %+v", g)
		}
		if g := gaps[1]; g.ID != ids[2] || g.Question != "怎么申请 办理护照?" || g.Count != 3 || g.Users != 2 || g.NotConfident != 3 ||
			g.Related != 1 || g.None != 2 ||
			!g.Last.Equal(ago(30).Truncate(time.Microsecond)) {
			t.Errorf("second gap %+v", g)
		}

		// Resolving any question of a group resolves the group.
		if err := s.Resolve(ctx, ids[0]); err != nil {
			t.Fatal(err)
		}
		if err := s.Resolve(ctx, 12345); !errors.Is(err, ErrNotFound) {
			t.Errorf("resolving an unknown question: %v", err)
		}
		gaps, _ = s.Unanswered(ctx, now.AddDate(0, 0, -30), 10)
		if len(gaps) != 1 || gaps[0].ID != ids[4] {
			t.Fatalf("after resolving: %+v", gaps)
		}
		// Missed again after it was resolved, it comes back, counting only the new miss.
		again := record(t, s, entry(time.Now().Add(time.Minute), 7, "怎么申请办理护照！", false))
		gaps, _ = s.Unanswered(ctx, now.AddDate(0, 0, -30), 10)
		if len(gaps) != 2 || gaps[0].ID != again[0] || gaps[0].Count != 1 {
			t.Fatalf("after a new miss: %+v", gaps)
		}
		// The limit.
		if gaps, _ := s.Unanswered(ctx, now.AddDate(0, 0, -30), 1); len(gaps) != 1 {
			t.Errorf("limit 1: %d gaps", len(gaps))
		}
	})
}

func TestTop(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openAt(t, b.target(t))
		now := time.Now()
		var entries []handlers.LogEntry
		for i := range 5 {
			entries = append(entries, entry(now.Add(-time.Duration(i)*time.Minute), int64(i), "失业金怎么领？", true))
		}
		for i := range 3 {
			entries = append(entries, entry(now.Add(-time.Duration(i)*time.Minute), 1, "失業金可以領多久", i == 0))
		}
		entries[len(entries)-1].Verdict = index.VerdictRelated
		entries = append(entries, entry(now, 9, "创业贷款", true), entry(now.AddDate(0, 0, -10), 9, "旧问题", true))
		record(t, s, entries...)
		top, err := s.Top(ctx, now.AddDate(0, 0, -7), now.Add(time.Hour), 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(top) != 2 || top[0].Question != "失业金怎么领？" || top[0].Count != 5 || top[0].Users != 5 ||
			top[1].Count != 3 || top[1].Users != 1 || top[1].NotConfident != 2 || top[1].Related != 1 || top[1].None != 1 ||
			top[0].Related+top[0].None != 0 {
			t.Errorf("top %+v", top)
		}
	})
}

// TestTopGroups: /top and the page's most asked questions show near-identical questions as one row
// (a stray number, other script or punctuation, a closing particle), under their most frequent
// wording, counting people once; different years stay apart.
func TestTopGroups(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openAt(t, b.target(t))
		now := time.Now()
		var entries []handlers.LogEntry
		at := func(i int) time.Time { return now.Add(-time.Duration(i) * time.Minute) }
		for i := 2; i <= 9; i++ {
			entries = append(entries, entry(at(i), int64(i%3), "失业保险稳岗返还"+strconv.Itoa(i), true))
		}
		entries = append(entries,
			entry(at(20), 7, "失业保险稳岗返还", true), entry(at(21), 8, "失业保险稳岗返还", false),
			entry(at(22), 9, "失業保險穩崗返還？", true), entry(at(1), 9, "失业保险稳岗返还呢", true),
			entry(at(30), 4, "2023年就业目标", true), entry(at(31), 5, "2024年就业目标", true),
			entry(at(32), 6, "2024年就业目标", true))
		record(t, s, entries...)
		top, err := s.Top(ctx, now.AddDate(0, 0, -7), now.Add(time.Hour), 10)
		if err != nil {
			t.Fatal(err)
		}
		type row struct {
			q        string
			n, users int
		}
		var got []row
		for _, g := range top {
			got = append(got, row{g.Question, g.Count, g.Users})
		}
		want := []row{{"失业保险稳岗返还", 12, 6}, {"2024年就业目标", 2, 2}, {"2023年就业目标", 1, 1}}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("top\n got %v\nwant %v", got, want)
		}
		if len(top) > 0 && (top[0].None != 1 || top[0].Verdict != index.VerdictAnswer || top[0].Last.Unix() != at(1).Unix()) {
			t.Errorf("the group's figures: %+v", top[0])
		}
		// The limit applies to groups.
		if top, err := s.Top(ctx, now.AddDate(0, 0, -7), now.Add(time.Hour), 1); err != nil || len(top) != 1 || top[0].Count != 12 {
			t.Errorf("top 1: %+v %v", top, err)
		}
	})
}

func TestFind(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openAt(t, b.target(t))
		now := time.Now()
		e1 := entry(now.Add(-3*time.Hour), 1, "铜仁的创业担保贷款怎么申请？", true)
		e1.Region, e1.Intent = "铜仁", "entitlement"
		e2 := entry(now.Add(-2*time.Hour), 2, "湖南零工市场有多少家", false)
		e2.Region, e2.Intent = "湖南", "target"
		e3 := related(now.Add(-1*time.Hour), 3, "創業擔保貸款利率 100%_off")
		e3.Intent = "entitlement"
		ids := record(t, s, e1, e2, e3)
		l := NewLog(s, testSecret, LogOptions{})
		l.Rate(ctx, ids[1], -1)
		l.Close(ctx)
		for _, tc := range []struct {
			name string
			f    Filter
			want []int64 // newest first
		}{
			{"all", Filter{}, []int64{ids[2], ids[1], ids[0]}},
			{"text in either script", Filter{Text: "创业担保贷款"}, []int64{ids[2], ids[0]}},
			{"text ignores punctuation and spaces", Filter{Text: "担保 贷款，怎么"}, []int64{ids[0]}},
			{"punctuation in the search is ignored", Filter{Text: "100%_"}, []int64{ids[2]}},
			{"percent alone matches no wildcard", Filter{Text: "%"}, []int64{ids[2], ids[1], ids[0]}},
			{"intent", Filter{Intent: "target"}, []int64{ids[1]}},
			{"region", Filter{Region: "铜仁"}, []int64{ids[0]}},
			{"no region", Filter{Region: "-"}, []int64{ids[2]}},
			{"not confident", Filter{Confident: "no"}, []int64{ids[2], ids[1]}},
			{"confident", Filter{Confident: "yes"}, []int64{ids[0]}},
			{"verdict answer", Filter{Verdict: "answer"}, []int64{ids[0]}},
			{"verdict related", Filter{Verdict: "related"}, []int64{ids[2]}},
			{"verdict none", Filter{Verdict: "none"}, []int64{ids[1]}},
			{"rated down", Filter{Rating: "down"}, []int64{ids[1]}},
			{"not rated", Filter{Rating: "none"}, []int64{ids[2], ids[0]}},
			{"period", Filter{From: now.Add(-150 * time.Minute), To: now.Add(-90 * time.Minute)}, []int64{ids[1]}},
			{"combined", Filter{Text: "贷款", Confident: "no"}, []int64{ids[2]}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				rows, total, err := s.Find(ctx, tc.f, 0, 10)
				if err != nil {
					t.Fatal(err)
				}
				var got []int64
				for _, r := range rows {
					got = append(got, r.ID)
				}
				if fmt.Sprint(got) != fmt.Sprint(tc.want) || total != len(tc.want) {
					t.Errorf("got %v (total %d), want %v", got, total, tc.want)
				}
			})
		}
		// Paging.
		rows, total, err := s.Find(ctx, Filter{}, 1, 1)
		if err != nil || total != 3 || len(rows) != 1 || rows[0].ID != ids[1] {
			t.Errorf("page 2 of size 1: %v total %d %v", rows, total, err)
		}
		intents, regions, err := s.Choices(ctx, now.AddDate(0, 0, -1))
		if err != nil || fmt.Sprint(intents) != "[entitlement target]" || fmt.Sprint(regions) != "[湖南 铜仁]" {
			t.Errorf("choices %v %v %v", intents, regions, err)
		}
	})
}
