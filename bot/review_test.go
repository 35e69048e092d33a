package bot

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"policybot/bot/bottest"
	"policybot/handlers"
	"policybot/index"
)

// fakeReview is a query log for the admin commands, in memory. (The real one, internal/querylog, is
// tested through `policybot serve` in cmd/policybot.)
type fakeReview struct {
	mu       sync.Mutex
	groups   []handlers.QuestionGroup
	resolved []int64
	exported [][2]time.Time
}

func (f *fakeReview) Summary(_ context.Context, now time.Time, loc *time.Location) (handlers.LogSummary, error) {
	y, m, d := now.In(loc).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, loc)
	return handlers.LogSummary{
		Today: handlers.PeriodStats{From: today, To: today.AddDate(0, 0, 1), Questions: 4, Users: 3, NotConfident: 1, Related: 1, Up: 2, Down: 1,
			P50: 40 * time.Millisecond, P95: 1500 * time.Millisecond, Regions: []handlers.NameCount{{Name: "湖南省", N: 2}},
			Intents: []handlers.NameCount{{Name: "entitlement", N: 3}, {Name: "location", N: 1}}},
		Week: handlers.PeriodStats{From: today.AddDate(0, 0, -6), To: today.AddDate(0, 0, 1), Questions: 30, Users: 12, NotConfident: 6, Related: 2, None: 4},
	}, nil
}

func (f *fakeReview) Unanswered(_ context.Context, since time.Time, limit int) ([]handlers.QuestionGroup, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []handlers.QuestionGroup
	for _, g := range f.groups {
		done := false
		for _, id := range f.resolved {
			done = done || id == g.ID
		}
		if !done && len(out) < limit {
			out = append(out, g)
		}
	}
	return out, nil
}

func (f *fakeReview) Top(_ context.Context, from, to time.Time, limit int) ([]handlers.QuestionGroup, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.groups[:min(limit, len(f.groups))], nil
}

func (f *fakeReview) Resolve(_ context.Context, id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, g := range f.groups {
		if g.ID == id {
			f.resolved = append(f.resolved, id)
			return nil
		}
	}
	return fmt.Errorf("resolve %d: %w", id, handlers.ErrNoQuestion)
}

func (f *fakeReview) Export(_ context.Context, w io.Writer, from, to time.Time, _ *time.Location) error {
	f.mu.Lock()
	f.exported = append(f.exported, [2]time.Time{from, to})
	f.mu.Unlock()
	_, err := io.WriteString(w, "\uFEFFid,question\r\n1,\"失业金, 怎么领\"\r\n2,<b>&\r\n")
	return err
}

// reviewOptions is a bot whose admin is admin and whose query log is f.
func reviewOptions(t *testing.T, f *fakeReview) options {
	roles, err := ParseRoles(fmt.Sprint(staffer.ID), fmt.Sprint(admin.ID))
	if err != nil {
		t.Fatal(err)
	}
	return options{roles: roles, review: &handlers.Review{Log: f, Members: roles.IDs(Admin), Now: fixedNow, Location: time.UTC}}
}

func TestAdminCommands(t *testing.T) {
	f := &fakeReview{}
	for i := range 12 {
		f.groups = append(f.groups, handlers.QuestionGroup{ID: 7_000_000_000_000_000_000 + int64(i), Question: fmt.Sprintf("北京<%d>&怎么办？", i),
			Intent: "other", Count: 3, Users: 2, NotConfident: 3, Related: 1, None: 2, Last: fixedNow(), Verdict: index.VerdictNone})
	}
	f.groups[0].Verdict = index.VerdictRelated
	f.groups[0].Results = []handlers.LogResult{
		{DocID: "tongren-plan", Title: "铜仁市“十四五”促进城乡就业创业规划", Section: "第四章 › 2.积极发挥失业保险保障作用"},
		{DocID: "hunan-2025-stable-employment", Section: "01"},
	}
	hs := start(t, reviewOptions(t, f))
	me := bottest.Private(admin)

	stats := hs.exchange(1, bottest.Text(me, admin, "/stats"))[0]
	for _, want := range []string{"今天（11月22日）", "提问4次，3人：已回答3次（75%），有关但未直接回答1次（25%），未能回答0次（0%）",
		"好评👍 2，差评👎 1", "中位数40毫秒，95%在1.5秒以内", "地区：湖南省 2", "类型：待遇补贴 3、办事地点 1", "最近7天（11月16日–11月22日）",
		"提问30次，12人：已回答24次（80%），有关但未直接回答2次（7%），未能回答4次（13%）"} {
		if !strings.Contains(stats.Text, want) {
			t.Errorf("/stats lacks %q:\n%s", want, stats.Text)
		}
	}

	un := hs.exchange(1, bottest.Text(me, admin, "/unanswered"))[0]
	if !strings.Contains(un.Text, "待处理的问题（最近30天有关但未直接回答、未能回答或收到差评）") ||
		!strings.Contains(un.Text, "1. 北京<0>&怎么办？\n   其他 · 3次，2人 · 有关但未直接回答1 · 未能回答2 · 最近") ||
		!strings.Contains(un.Text, "\n   最近一次答复：有关但未直接回答，《铜仁市“十四五”促进城乡就业创业规划》 第四章 › 2.积极发挥失业保险保障作用 等2段\n") ||
		!strings.Contains(un.Text, "2. 北京<1>&怎么办？\n   其他 · 3次，2人 · 有关但未直接回答1 · 未能回答2 · 最近 11-22 ") ||
		!strings.Contains(un.Text, "\n   最近一次答复：未能回答，没有给出段落") ||
		!strings.Contains(un.Text, "10. 北京<9>&怎么办？") || strings.Contains(un.Text, "北京<10>") {
		t.Errorf("/unanswered:\n%s", un.Text)
	}
	if un.Keyboard == nil || len(un.Keyboard.InlineKeyboard) != 2 || len(un.Keyboard.InlineKeyboard[0]) != 5 {
		t.Fatalf("/unanswered keyboard %+v", un.Keyboard)
	}
	press := hs.srv.Press(un, admin, "✅ 2")
	hs.srv.Push(press)
	if !hs.srv.Wait(10*time.Second, func() bool { _, ok := hs.srv.Toast(press.CallbackQuery.ID); return ok }) {
		t.Fatal("no answer to the resolve button")
	}
	if toast, _ := hs.srv.Toast(press.CallbackQuery.ID); !strings.Contains(toast, "已标记为已解决") {
		t.Errorf("toast %q", toast)
	}
	if len(f.resolved) != 1 || f.resolved[0] != f.groups[1].ID {
		t.Errorf("resolved %v, want [%d]", f.resolved, f.groups[1].ID)
	}
	un = hs.exchange(1, bottest.Text(me, admin, "/unanswered"))[0]
	if strings.Contains(un.Text, "北京<1>") || !strings.Contains(un.Text, "北京<10>") {
		t.Errorf("a resolved question is still listed:\n%s", un.Text)
	}

	// A citizen pressing an admin's button (forwarded, or in a shared chat) changes nothing.
	press = hs.srv.Press(un, bob, "✅ 1")
	hs.srv.Push(press)
	hs.srv.Wait(10*time.Second, func() bool { _, ok := hs.srv.Toast(press.CallbackQuery.ID); return ok })
	if toast, _ := hs.srv.Toast(press.CallbackQuery.ID); !strings.Contains(toast, "只有管理员") || len(f.resolved) != 1 {
		t.Errorf("a citizen's press: toast %q, resolved %v", toast, f.resolved)
	}

	top := hs.exchange(1, bottest.Text(me, admin, "/top 30"))[0]
	if !strings.Contains(top.Text, "最近30天最常问的问题") || !strings.Contains(top.Text, "1. 北京<0>&怎么办？（3次，2人；有关但未直接回答1，未能回答2）") {
		t.Errorf("/top:\n%s", top.Text)
	}

	hs.srv.Push(bottest.Text(me, admin, "/export 2026-11-01 2026-11-15"))
	if !hs.srv.Wait(10*time.Second, func() bool { return len(hs.srv.Documents()) == 1 }) {
		t.Fatal("no document sent")
	}
	doc := hs.srv.Documents()[0]
	if doc.ChatID != admin.ID || doc.FileName != "questions-2026-11-01_2026-11-15.csv" || !strings.HasPrefix(string(doc.Data), "\uFEFFid,question\r\n") ||
		!strings.Contains(doc.Caption, "共2条") {
		t.Errorf("export: %+v\n%s", doc, doc.Data)
	}
	if got := f.exported[0]; !got[0].Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) || !got[1].Equal(time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("exported %v", got)
	}
	m := hs.exchange(1, bottest.Text(me, admin, "/export 2026-13-01"))[0]
	if !strings.Contains(m.Text, "用法：/export") {
		t.Errorf("bad date: %q", m.Text)
	}
	help := hs.exchange(1, bottest.Text(me, admin, "/help"))[0]
	if !strings.Contains(help.Text, "管理员：/stats") {
		t.Errorf("admin help:\n%s", help.Text)
	}
}

// TestAdminRefusals: citizens and staff get a polite refusal for each admin command, logged with
// their user id; in a group, even an admin is asked to use a private chat (the log is not for the
// group's eyes).
func TestAdminRefusals(t *testing.T) {
	f := &fakeReview{groups: []handlers.QuestionGroup{{ID: 1, Question: "秘密问题", Last: fixedNow()}}}
	hs := start(t, reviewOptions(t, f))
	for _, who := range []bottest.User{alice, staffer} {
		for _, cmd := range []string{"/stats", "/unanswered", "/top", "/export"} {
			m := hs.exchange(1, bottest.Text(bottest.Private(who), who, cmd))[0]
			if !strings.Contains(m.Text, "只有管理员") || strings.Contains(m.Text, "秘密问题") {
				t.Errorf("%s by %d: %q", cmd, who.ID, m.Text)
			}
		}
	}
	if len(hs.srv.Documents()) != 0 || len(f.exported) != 0 {
		t.Errorf("exported for a non-admin")
	}
	// The citizen is named by pseudonym, the staff member by id.
	if !strings.Contains(hs.logs.String(), "user=pseudonym:"+pseudonym(1001)) || strings.Contains(hs.logs.String(), "1001") ||
		!strings.Contains(hs.logs.String(), "user=2001") {
		t.Errorf("refusals not logged as expected:\n%s", hs.logs.String())
	}
	m := hs.exchange(1, bottest.Text(team, admin, "/unanswered@"+botName))[0]
	if !strings.Contains(m.Text, "私聊") || strings.Contains(m.Text, "秘密问题") {
		t.Errorf("/unanswered in a group: %q", m.Text)
	}
}
