package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"policybot/bot/bottest"
	"policybot/corpus"
	"policybot/handlers"
	"policybot/index"
)

func TestStartAndHelp(t *testing.T) {
	hs := start(t, options{})
	var cmds []struct{ Command, Description string }
	if err := json.Unmarshal([]byte(hs.srv.Commands()), &cmds); err != nil {
		t.Fatalf("setMyCommands: %v (%q)", err, hs.srv.Commands())
	}
	var names []string
	for _, c := range cmds {
		names = append(names, c.Command)
	}
	if got := strings.Join(names, " "); got != "start help ask region privacy" {
		t.Errorf("registered commands %q", got)
	}

	greeting := hs.exchange(1, bottest.Text(bottest.Private(alice), alice, "/start"))[0]
	for _, d := range seeds.Documents() {
		if strings.Contains(d.ID, "redacted") {
			// The redacted copy of the Ankang speech is not listed (handlers' TestStartListing).
			if strings.Contains(greeting.Text, d.Title) {
				t.Errorf("greeting lists the redacted copy %q", d.Title)
			}
			continue
		}
		// Titles in the greeting's script: the Hunan article's in simplified.
		if title := strings.ReplaceAll(d.Title, "堅持“四個并重”統籌做好穩就業工作", "坚持“四个并重”统筹做好稳就业工作"); !strings.Contains(greeting.Text, "《"+title+"》") {
			t.Errorf("greeting does not list %q", title)
		}
		if d.Region != "" && !strings.Contains(greeting.Text, d.Region) {
			t.Errorf("greeting does not name region %q", d.Region)
		}
	}
	_, examples, ok := strings.Cut(greeting.Text, "可以这样问：")
	if !ok || strings.Count(examples, "• ") != 3 {
		t.Errorf("greeting has no three example questions:\n%s", greeting.Text)
	}
	help := hs.exchange(1, bottest.Text(bottest.Private(alice), alice, "/help"))[0]
	for _, want := range []string{"/region 地区名", "/region 清除", "更多结果", "原文 N", "👍", "/ask"} {
		if !strings.Contains(help.Text, want) {
			t.Errorf("help does not say %q:\n%s", want, help.Text)
		}
	}
	priv := hs.exchange(1, bottest.Text(bottest.Private(alice), alice, "/privacy"))[0]
	if !strings.Contains(priv.Text, "180天") || !strings.Contains(priv.Text, "化名") {
		t.Errorf("privacy:\n%s", priv.Text)
	}
}

// TestQuestions asks a question of each intent in a private chat and checks the answer: three
// cited passages with the matched words in bold, the buttons, and the query log's entry.
func TestQuestions(t *testing.T) {
	hs := start(t, options{})
	for _, tc := range []struct {
		q, intent, holds string
	}{
		{"铜仁的创业担保贷款有哪些扶持？", "entitlement", "创业担保贷款"},
		{"铜仁十四五期间城镇新增就业的目标是多少人？", "target", "城镇新增就业20万人"},
		{"湖南的零工市场在哪里，能提供什么服务？", "location", "零工市"},
		{"安康新社区工厂发展得怎么样？", "other", "社区工厂"},
	} {
		t.Run(tc.intent, func(t *testing.T) {
			m := hs.exchange(1, bottest.Text(bottest.Private(alice), alice, tc.q))[0]
			if !strings.HasPrefix(m.Text, "问："+tc.q) {
				t.Errorf("answer does not start with the question:\n%s", m.Text)
			}
			for _, rank := range []string{"\n1. ", "\n2. ", "\n3. "} {
				if !strings.Contains(m.Text, rank) {
					t.Errorf("answer lacks result %q:\n%s", rank, m.Text)
				}
			}
			if !strings.Contains(m.Text, tc.holds) && !strings.Contains(m.Text, "零工市場") {
				t.Errorf("answer does not quote %q:\n%s", tc.holds, m.Text)
			}
			// One title and citation a document, however many of its passages are shown.
			titles, cites := 0, 0
			for _, l := range strings.Split(m.Text, "\n") {
				if strings.HasPrefix(l, "《") {
					titles++
				}
				if strings.Contains(l, " · ") {
					cites++
				}
			}
			if titles == 0 || titles != cites || !strings.Contains(m.HTML, "<b>") {
				t.Errorf("answer lacks citations or bold matches:\n%s", m.HTML)
			}
			for _, label := range []string{"更多结果", "👍", "👎"} {
				if _, ok := m.Button(label); !ok {
					t.Errorf("no button %q", label)
				}
			}
			entries := hs.qlog.all()
			e := entries[len(entries)-1]
			if e.Question != tc.q || e.Intent != tc.intent || !e.Confident || len(e.Results) != 3 ||
				e.UserID != alice.ID || e.ChatType != "private" || e.Script != "simplified" || e.Latency <= 0 {
				t.Errorf("log entry %+v", e)
			}
		})
	}
}

// TestOlderAndCurrent: a document older than three years is marked; a recent one is not.
func TestOlderAndCurrent(t *testing.T) {
	hs := start(t, options{})
	m := hs.exchange(1, bottest.Text(bottest.Private(alice), alice, "湖南全省建成了多少家零工市场？"))[0]
	if !strings.Contains(m.Text, "2025") || strings.Contains(m.Text, "较早文件") {
		t.Errorf("the 2025 document is marked as older:\n%s", m.Text)
	}
	// Said once, at the top, however many of the passages shown are older.
	m = hs.exchange(1, bottest.Text(bottest.Private(alice), alice, "铜仁市十四五期间城镇新增就业的目标是多少？"))[0]
	head, _, _ := strings.Cut(m.Text, "《")
	if !strings.Contains(m.Text, "2022-02") || !strings.Contains(head, "较早文件，请以最新政策为准") || strings.Count(m.Text, "较早文件") != 1 {
		t.Errorf("the 2022 document is not marked as older, once, at the top:\n%s", m.Text)
	}
}

func TestTraditional(t *testing.T) {
	hs := start(t, options{})
	m := hs.exchange(1, bottest.Text(bottest.Private(alice), alice, "銅仁市創業擔保貸款有哪些支持？"))[0]
	for _, want := range []string{"問：", "創業擔保貸款", "《銅仁市“十四五”促進城鄉就業創業規劃》", "較早文件"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("traditional answer lacks %q:\n%s", want, m.Text)
		}
	}
	if strings.Contains(m.Text, "创业担保贷款") {
		t.Errorf("traditional answer shows simplified text:\n%s", m.Text)
	}
	if _, ok := m.Button("更多結果"); !ok {
		t.Errorf("buttons not in traditional script: %+v", m.Keyboard)
	}
	// 原文 keeps the document's own script.
	sec := hs.exchange(1, hs.srv.Press(m, alice, sectionButton(t, m)))[0]
	if !strings.Contains(sec.Text, "创业担保贷款") {
		t.Errorf("原文 not in the document's script:\n%s", sec.Text)
	}
	if e := hs.qlog.all()[0]; e.Script != "traditional" {
		t.Errorf("logged script %q", e.Script)
	}
}

func TestNotCovered(t *testing.T) {
	hs := start(t, options{})
	m := hs.exchange(1, bottest.Text(bottest.Private(alice), alice, "怎么办理出国旅游的护照？"))[0]
	for _, want := range []string{"没有涉及", "12333", "比如"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("not-covered answer lacks %q:\n%s", want, m.Text)
		}
	}
	if strings.Contains(m.Text, "《") || strings.Contains(m.Text, "—— ") || m.Keyboard != nil {
		t.Errorf("not-covered answer shows passages or buttons:\n%s\n%+v", m.Text, m.Keyboard)
	}
	if e := hs.qlog.all()[0]; e.Confident || len(e.Results) != 0 {
		t.Errorf("log entry %+v", e)
	}
}

// TestButtons presses 更多结果, 原文 and the ratings.
func TestButtons(t *testing.T) {
	hs := start(t, options{})
	chat := bottest.Private(alice)
	first := hs.exchange(1, bottest.Text(chat, alice, "失业保险金标准是多少？"))[0]

	press := hs.srv.Press(first, alice, "更多结果")
	more := hs.exchange(1, press)[0]
	if !strings.Contains(more.Text, "\n4. ") || strings.Contains(more.Text, "\n1. ") {
		t.Errorf("更多结果 does not show results 4 to 6:\n%s", more.Text)
	}
	if toast, ok := hs.srv.Toast(press.CallbackQuery.ID); !ok || toast != "" {
		t.Errorf("callback query not answered (%q, %v)", toast, ok)
	}
	label := sectionButton(t, first)
	sec := hs.exchange(1, hs.srv.Press(first, alice, label))[0]
	if !strings.HasPrefix(sec.Text, "原文") {
		t.Errorf("原文:\n%s", sec.Text)
	}
	// The section holds the passage shown, every piece of it.
	n := strings.TrimPrefix(label, "原文 ")
	_, shown, _ := strings.Cut(first.Text, "\n"+n+". ")
	shown, _, _ = strings.Cut(shown, "\n\n")
	lines := strings.Split(shown, "\n")
	for _, piece := range strings.Split(lines[len(lines)-1], "……") {
		if !strings.Contains(sec.Text, piece) {
			t.Errorf("原文 does not hold the passage's %q:\n%s", piece, sec.Text)
		}
	}

	up := hs.srv.Press(first, alice, "👍")
	hs.srv.Push(up)
	if !hs.srv.Wait(10*time.Second, func() bool { _, ok := hs.srv.Toast(up.CallbackQuery.ID); return ok }) {
		t.Fatal("👍 not acknowledged")
	}
	if toast, _ := hs.srv.Toast(up.CallbackQuery.ID); !strings.Contains(toast, "谢谢") {
		t.Errorf("👍 toast %q", toast)
	}
	// The keyboard then shows the rating recorded in place of the pair; pressing it records nothing.
	if !hs.srv.Wait(10*time.Second, func() bool { return len(hs.srv.Requests("editMessageReplyMarkup")) > 0 }) {
		t.Fatal("the keyboard was not changed after 👍")
	}
	edit := hs.srv.Requests("editMessageReplyMarkup")[0]
	kb, err := bottest.CheckKeyboard(edit.Params["reply_markup"])
	if err != nil || edit.Params["message_id"] != strconv.Itoa(first.MessageID) {
		t.Fatalf("edit %+v: %v", edit.Params, err)
	}
	var got []string
	for _, row := range kb.InlineKeyboard {
		for _, b := range row {
			got = append(got, b.Text)
		}
	}
	if g := strings.Join(got, " "); !strings.HasSuffix(g, "更多结果 👍 已评") || strings.Contains(g, "👎") {
		t.Errorf("keyboard after 👍: %q", g)
	}
	again := hs.srv.Press(bottest.Sent{MessageID: first.MessageID, ChatID: first.ChatID, Keyboard: kb}, alice, "👍 已评")
	hs.srv.Push(again)
	hs.srv.Wait(10*time.Second, func() bool { _, ok := hs.srv.Toast(again.CallbackQuery.ID); return ok })
	if toast, _ := hs.srv.Toast(again.CallbackQuery.ID); !strings.Contains(toast, "已经评价过") {
		t.Errorf("second press toast %q", toast)
	}

	down := hs.srv.Press(more, bob, "👎")
	hs.srv.Push(down)
	hs.srv.Wait(10*time.Second, func() bool { _, ok := hs.srv.Toast(down.CallbackQuery.ID); return ok })
	hs.qlog.mu.Lock()
	ratings := hs.qlog.ratings[1]
	hs.qlog.mu.Unlock()
	if len(ratings) != 2 || ratings[0] != 1 || ratings[1] != -1 {
		t.Errorf("ratings of the question: %v", ratings)
	}

	// A button whose state is gone is answered with a toast, not silence.
	stale := hs.srv.Press(first, alice, "更多结果")
	stale.CallbackQuery.Data = "m:AAAAAAAAAAA:3"
	hs.srv.Push(stale)
	hs.srv.Wait(10*time.Second, func() bool { _, ok := hs.srv.Toast(stale.CallbackQuery.ID); return ok })
	if toast, _ := hs.srv.Toast(stale.CallbackQuery.ID); !strings.Contains(toast, "过期") {
		t.Errorf("stale button toast %q", toast)
	}
}

// TestGroups: in a group the bot answers only when mentioned, replied to, or asked with /ask.
func TestGroups(t *testing.T) {
	hs := start(t, options{})
	chatter := bottest.Text(team, alice, "大家好，今天下午开会")
	mention := bottest.Text(team, bob, "@"+botName+" 失业金怎么领？")
	other := bottest.Text(team, alice, "/help@some_other_bot")
	sent := hs.exchange(1, chatter, mention, other)
	if sent[0].ReplyTo != mention.Message.MessageID || !strings.HasPrefix(sent[0].Text, "问：失业金怎么领？") {
		t.Errorf("answer to the mention: reply to %d, text:\n%s", sent[0].ReplyTo, sent[0].Text)
	}
	ask := hs.exchange(1, bottest.Text(team, alice, "/ask@"+botName+" 创业担保贷款怎么申请"))[0]
	if !strings.HasPrefix(ask.Text, "问：创业担保贷款怎么申请") {
		t.Errorf("/ask@bot:\n%s", ask.Text)
	}
	ask = hs.exchange(1, bottest.Text(team, alice, "/ask 零工市场在哪里"))[0]
	if !strings.HasPrefix(ask.Text, "问：零工市场在哪里") {
		t.Errorf("/ask:\n%s", ask.Text)
	}
	reply := hs.exchange(1, bottest.Reply(team, bob, bottest.Message{MessageID: ask.MessageID, From: &hs.srv.Me, Chat: team, Date: 1}, "那铜仁呢？"))[0]
	if !strings.HasPrefix(reply.Text, "问：那铜仁呢？") {
		t.Errorf("reply to the bot:\n%s", reply.Text)
	}
	help := hs.exchange(1, bottest.Text(team, bob, "/help@"+botName))[0]
	if !strings.HasPrefix(help.Text, "使用说明") {
		t.Errorf("/help@bot:\n%s", help.Text)
	}
	hs.srv.Push(bottest.StickerMessage(team, bob), bottest.Text(team, bob, "谢谢 @someone_else 的分享"))
	hs.shutdown()
	if n := len(hs.srv.Sent()); n != 5 {
		t.Errorf("%d messages sent in the group, want 5 (chatter, stickers and other bots' commands are not answered): %v", n, hs.srv.Sent())
	}
}

func TestNonText(t *testing.T) {
	hs := start(t, options{})
	m := hs.exchange(1, bottest.StickerMessage(bottest.Private(alice), alice))[0]
	if !strings.Contains(m.Text, "请用文字输入您的问题") {
		t.Errorf("sticker answer:\n%s", m.Text)
	}
	m = hs.exchange(1, bottest.Text(bottest.Private(alice), alice, "/frobnicate"))[0]
	if !strings.Contains(m.Text, "不认识这个命令") {
		t.Errorf("unknown command answer:\n%s", m.Text)
	}
}

// TestHostileText: a 2,000-character question and one with markup are answered, escaped, within
// Telegram's limits (the fake server refuses anything else).
func TestHostileText(t *testing.T) {
	hs := start(t, options{})
	long := strings.Repeat("我想了解失业保险金的领取条件和标准，", 120)[:0]
	for utf8.RuneCountInString(long) < 2000 {
		long += "我想了解失业保险金的领取条件和标准，"
	}
	m := hs.exchange(1, bottest.Text(bottest.Private(alice), alice, long))[0]
	if !strings.Contains(m.Text, "只按前300字作答") || !strings.Contains(m.Text, "\n1. ") {
		t.Errorf("long question:\n%s", m.Text)
	}
	if e := hs.qlog.all()[0]; utf8.RuneCountInString(e.Question) != 300 {
		t.Errorf("logged question of %d characters, want 300", utf8.RuneCountInString(e.Question))
	}
	q := `<script>alert("x")</script> 失业金 & 创业贷款 <b>怎么</b>领？`
	m = hs.exchange(1, bottest.Text(bottest.Private(alice), alice, q))[0]
	if !strings.Contains(m.HTML, "&lt;script&gt;") || !strings.Contains(m.HTML, "&amp;") || strings.Contains(m.HTML, "<script") {
		t.Errorf("markup in the question is not escaped:\n%s", m.HTML)
	}
	if !strings.Contains(m.Text, `<script>alert("x")</script>`) {
		t.Errorf("the question does not read as written:\n%s", m.Text)
	}
}

// TestTooManyRequests: a 429 is retried after its retry_after; a 5xx after a backoff; a 403 is
// dropped.
func TestTooManyRequests(t *testing.T) {
	hs := start(t, options{})
	hs.srv.Fail("sendMessage", bottest.TooManyRequests(1))
	m := hs.exchange(1, bottest.Text(bottest.Private(alice), alice, "失业金怎么领"))[0]
	reqs := hs.srv.Requests("sendMessage")
	if len(reqs) != 2 || reqs[0].Status != 429 || reqs[1].Status != 200 {
		t.Fatalf("sendMessage calls: %+v", reqs)
	}
	if gap := reqs[1].Time.Sub(reqs[0].Time); gap < time.Second {
		t.Errorf("retried %v after a 429 asking for 1s", gap)
	}
	if !strings.HasPrefix(m.Text, "问：失业金怎么领") {
		t.Errorf("answer after 429:\n%s", m.Text)
	}

	hs.srv.Fail("sendMessage", bottest.ServerError(502), bottest.ServerError(503))
	hs.exchange(1, bottest.Text(bottest.Private(alice), alice, "创业担保贷款"))
	if reqs := hs.srv.Requests("sendMessage")[2:]; len(reqs) != 3 || reqs[0].Status != 502 || reqs[1].Status != 503 || reqs[2].Status != 200 {
		t.Errorf("sendMessage calls after 5xx: %+v", reqs)
	}

	hs.srv.Fail("sendMessage", bottest.Blocked())
	hs.srv.Push(bottest.Text(bottest.Private(bob), bob, "零工市场"))
	hs.srv.Wait(10*time.Second, func() bool { return len(hs.srv.Requests("sendMessage")) == 6 })
	hs.shutdown()
	if n := len(hs.srv.Requests("sendMessage")); n != 6 {
		t.Errorf("a 403 was retried: %d sendMessage calls, want 6", n)
	}
	if !strings.Contains(hs.logs.String(), "blocked the bot") {
		t.Errorf("403 not logged:\n%s", hs.logs.String())
	}
}

// TestPollingRetryAfter: long polling waits out a 429's retry_after (the library alone would retry
// after 100 ms).
func TestPollingRetryAfter(t *testing.T) {
	srv := bottest.New(t, testToken, botName)
	srv.Fail("getUpdates", bottest.TooManyRequests(2))
	hs := &harness{t: t, srv: srv, qlog: &fakeLog{}, logs: &logBuffer{}, done: make(chan error, 1)}
	b := hs.newBot(options{})
	ctx, cancel := context.WithCancel(context.Background())
	hs.stop = cancel
	go func() { hs.done <- b.Run(ctx) }()
	defer hs.shutdown()
	if !srv.Wait(10*time.Second, func() bool { return len(srv.Requests("getUpdates")) >= 2 }) {
		t.Fatal("polling did not resume after a 429")
	}
	reqs := srv.Requests("getUpdates")
	if gap := reqs[1].Time.Sub(reqs[0].Time); reqs[0].Status != 429 || gap < 2*time.Second {
		t.Errorf("polled again %v after a 429 asking for 2s (first status %d)", gap, reqs[0].Status)
	}
}

func TestRateLimit(t *testing.T) {
	hs := start(t, options{})
	var us []bottest.Update
	for i := 0; i < handlers.DefaultRateLimit+1; i++ {
		us = append(us, bottest.Text(bottest.Private(alice), alice, "创业担保贷款"))
	}
	sent := hs.exchange(len(us), us...)
	polite := 0
	for _, m := range sent {
		if strings.Contains(m.Text, "请稍等片刻再问") {
			polite++
		}
	}
	if polite != 1 {
		t.Errorf("%d polite refusals among %d questions in a minute, want 1", polite, len(us))
	}
	// Someone else is not held back.
	m := hs.exchange(1, bottest.Text(bottest.Private(bob), bob, "创业担保贷款"))[0]
	if !strings.HasPrefix(m.Text, "问：") {
		t.Errorf("another person is limited too:\n%s", m.Text)
	}
}

// slowSearcher holds searches for questions holding "慢" until released, to keep an answer in flight.
type slowSearcher struct {
	handlers.Searcher
	started chan struct{}
	release chan struct{}
}

func (s *slowSearcher) Search(ctx context.Context, q string, opt index.Options) (*index.Result, error) {
	if strings.Contains(q, "慢") {
		close(s.started)
		<-s.release
	}
	return s.Searcher.Search(ctx, q, opt)
}

// TestGracefulShutdown: on shutdown the bot stops taking updates, finishes the answer in flight,
// and only then returns.
func TestGracefulShutdown(t *testing.T) {
	slow := &slowSearcher{Searcher: seeds, started: make(chan struct{}), release: make(chan struct{})}
	hs := start(t, options{searcher: slow})
	hs.srv.Push(bottest.Text(bottest.Private(alice), alice, "慢慢说，失业金怎么领？"))
	<-slow.started
	hs.stop() // SIGTERM
	late := hs.srv.Push(bottest.Text(bottest.Private(bob), bob, "创业担保贷款"))[0]
	select {
	case <-hs.done:
		t.Fatal("Run returned with an answer in flight")
	case <-time.After(300 * time.Millisecond):
	}
	close(slow.release)
	select {
	case err := <-hs.done:
		if err != nil {
			t.Fatal(err)
		}
		close(hs.done)
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return after the answer in flight finished")
	}
	sent := hs.srv.Sent()
	if len(sent) != 1 || sent[0].ChatID != alice.ID || !strings.Contains(sent[0].Text, "失业金") {
		t.Errorf("sent %v, want only the answer in flight", sent)
	}
	// The answered update is confirmed, so that a restart does not answer it again; the one that
	// came after shutdown is left for the next run.
	if p := hs.srv.Pending(); len(p) != 1 || p[0].UpdateID != late.UpdateID {
		t.Errorf("updates left unconfirmed: %+v, want only the late one", p)
	}
}

// panicky panics when asked about 崩溃.
type panicky struct{ handlers.Searcher }

func (p panicky) Search(ctx context.Context, q string, opt index.Options) (*index.Result, error) {
	if strings.Contains(q, "崩溃") {
		panic("search exploded")
	}
	return p.Searcher.Search(ctx, q, opt)
}

func TestPanicRecovered(t *testing.T) {
	hs := start(t, options{searcher: panicky{seeds}})
	m := hs.exchange(1, bottest.Text(bottest.Private(alice), alice, "崩溃了怎么办"))[0]
	if !strings.Contains(m.Text, "出错了") {
		t.Errorf("after a panic:\n%s", m.Text)
	}
	if !strings.Contains(hs.logs.String(), "search exploded") {
		t.Errorf("panic not logged:\n%s", hs.logs.String())
	}
	m = hs.exchange(1, bottest.Text(bottest.Private(alice), alice, "失业金怎么领"))[0]
	if !strings.HasPrefix(m.Text, "问：失业金怎么领") {
		t.Errorf("the bot stopped serving after a panic:\n%s", m.Text)
	}
}

// TestQueryLogFailure: the citizen gets the answer when the log cannot be written.
func TestQueryLogFailure(t *testing.T) {
	hs := start(t, options{failLog: true})
	m := hs.exchange(1, bottest.Text(bottest.Private(alice), alice, "失业金怎么领"))[0]
	if !strings.Contains(m.Text, "\n1. ") {
		t.Errorf("no answer when the log fails:\n%s", m.Text)
	}
	if !strings.Contains(hs.logs.String(), "database is locked") {
		t.Errorf("log failure not logged:\n%s", hs.logs.String())
	}
	if strings.Contains(hs.logs.String(), "失业金怎么领") {
		t.Errorf("the question is in the process log:\n%s", hs.logs.String())
	}
}

// TestRoles: a command that needs a role is refused, politely and logged, to those without it.
func TestRoles(t *testing.T) {
	roles, err := ParseRoles("1002, 1003", "1003")
	if err != nil {
		t.Fatal(err)
	}
	hs := start(t, options{roles: roles})
	hs.bot.cmds["reindex"] = command{name: "reindex", role: Staff, run: func(context.Context, *Bot, handlers.Who, string) handlers.Answer {
		return handlers.Answer{Kind: handlers.KindText, Text: "开始重建索引"}
	}}
	hs.bot.cmds["stats"] = command{name: "stats", role: Admin, run: func(context.Context, *Bot, handlers.Who, string) handlers.Answer {
		return handlers.Answer{Kind: handlers.KindText, Text: "统计"}
	}}
	for _, tc := range []struct {
		who  bottest.User
		cmd  string
		want string
	}{
		{alice, "/reindex", "只有工作人员"},
		{bob, "/reindex", "开始重建索引"},
		{bob, "/stats", "只有管理员"},
		{bottest.Person(1003, "Carol"), "/stats", "统计"},
		{bottest.Person(1003, "Carol"), "/reindex", "开始重建索引"},
	} {
		m := hs.exchange(1, bottest.Text(bottest.Private(tc.who), tc.who, tc.cmd))[0]
		if !strings.Contains(m.Text, tc.want) {
			t.Errorf("%d %s: %q, want %q", tc.who.ID, tc.cmd, m.Text, tc.want)
		}
	}
	// A citizen is named by pseudonym, staff by id.
	if !strings.Contains(hs.logs.String(), "command refused") || !strings.Contains(hs.logs.String(), "user=pseudonym:"+pseudonym(1001)) ||
		strings.Contains(hs.logs.String(), "1001") || !strings.Contains(hs.logs.String(), "user=1002") {
		t.Errorf("refusal not logged by pseudonym:\n%s", hs.logs.String())
	}
}

func TestParseRoles(t *testing.T) {
	for _, tc := range []struct {
		staff, admins string
		ok            bool
		user          int64
		want          Role
	}{
		{"", "", true, 1, Citizen},
		{"1,2", "", true, 2, Staff},
		{"1 2;3", "3", true, 3, Admin},
		{"", "7", true, 7, Admin},
		{"12, abc", "", false, 0, Citizen},
		{"", "-5", false, 0, Citizen},
	} {
		r, err := ParseRoles(tc.staff, tc.admins)
		if (err == nil) != tc.ok {
			t.Errorf("ParseRoles(%q, %q): %v", tc.staff, tc.admins, err)
			continue
		}
		if got := r.Of(tc.user); got != tc.want {
			t.Errorf("ParseRoles(%q, %q).Of(%d) = %v, want %v", tc.staff, tc.admins, tc.user, got, tc.want)
		}
		if tc.want == Admin && !r.Allows(tc.user, Staff) {
			t.Errorf("an admin is not staff")
		}
	}
}

// TestWebhook runs the bot in webhook mode: it registers the URL and secret, answers updates posted
// with the secret (saying 200 once answered), and refuses (401) those without it.
func TestWebhook(t *testing.T) {
	srv := bottest.New(t, testToken, botName)
	hs := &harness{t: t, srv: srv, qlog: &fakeLog{}, logs: &logBuffer{}, done: make(chan error, 1)}
	b := hs.newBot(options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	public := "http://" + addr + "/telegram/hook"
	ctx, cancel := context.WithCancel(context.Background())
	hs.stop = cancel
	go func() { hs.done <- b.RunWebhook(ctx, addr, public, "s3cret_-Token") }()
	defer hs.shutdown()
	if !srv.Wait(10*time.Second, func() bool { u, _ := srv.Webhook(); return u != "" }) {
		t.Fatal("no setWebhook")
	}
	hook, secret := srv.Webhook()
	if hook != public || secret != "s3cret_-Token" {
		t.Errorf("webhook %q with secret %q", hook, secret)
	}
	for _, bad := range []string{"", "wrong"} {
		status, err := srv.DeliverWithSecret(ctx, bottest.Text(bottest.Private(alice), alice, "失业金怎么领"), hook, bad)
		if err != nil || status != 401 {
			t.Errorf("secret %q: status %d, %v; want 401", bad, status, err)
		}
	}
	status, err := srv.Deliver(ctx, bottest.Text(bottest.Private(alice), alice, "失业金怎么领"))
	if err != nil || status != 200 {
		t.Fatalf("delivery: %d, %v", status, err)
	}
	// The 200 comes once the update is answered: a replica that dies before has not taken it.
	if n := len(srv.Sent()); n != 1 {
		t.Errorf("the delivery was answered 200 with %d messages sent, want 1 (the answer)", n)
	}
	sent := srv.WaitSent(1, 20*time.Second)
	if !strings.HasPrefix(sent[0].Text, "问：失业金怎么领") {
		t.Errorf("webhook answer:\n%s", sent[0].Text)
	}
	hs.shutdown()
	if n := len(srv.Sent()); n != 1 {
		t.Errorf("%d messages; the refused deliveries were answered", n)
	}
}

// TestTokenNeverLogged: failures whose errors carry the request URL (with the token in it) are logged
// and returned without the token.
func TestTokenNeverLogged(t *testing.T) {
	logs := &logBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	h, err := handlers.New(handlers.Config{Searcher: seeds})
	if err != nil {
		t.Fatal(err)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "http://" + ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err = New(ctx, Config{Token: testToken, ServerURL: dead, Handlers: h, Logger: logger})
	if err == nil {
		t.Fatal("New succeeded against a closed port")
	}
	for _, s := range []string{err.Error(), logs.String()} {
		if strings.Contains(s, testToken) || strings.Contains(s, "AAH-test") {
			t.Errorf("token leaked: %s", s)
		}
	}
	if !strings.Contains(logs.String(), "getMe") {
		t.Errorf("the failures were not logged:\n%s", logs.String())
	}
	srv := bottest.New(t, "999:other-token", botName)
	if _, err := New(context.Background(), Config{Token: testToken, ServerURL: srv.URL, Handlers: h, Logger: logger}); err == nil ||
		!strings.Contains(err.Error(), "refused the bot token") {
		t.Errorf("a refused token: %v", err)
	}
}

// TestConcurrentUpdates: many people at once get their own answers (run with -race).
func TestConcurrentUpdates(t *testing.T) {
	hs := start(t, options{})
	var us []bottest.Update
	qs := []string{"失业金怎么领", "创业担保贷款", "零工市场在哪里", "高校毕业生就业帮扶", "技能培训补贴"}
	for i := 0; i < 20; i++ {
		u := bottest.Person(int64(5000+i), "P")
		us = append(us, bottest.Text(bottest.Private(u), u, qs[i%len(qs)]))
	}
	got := map[int64]string{}
	for _, m := range hs.exchange(len(us), us...) {
		got[m.ChatID] = m.Text
	}
	for i, u := range us {
		if !strings.HasPrefix(got[u.Message.Chat.ID], "问："+qs[i%len(qs)]) {
			t.Errorf("person %d got %q", u.Message.Chat.ID, got[u.Message.Chat.ID])
		}
	}
}

// TestLongSection: 原文 of a section longer than a message is sent over several messages, each within
// Telegram's limits, together holding the whole section.
func TestLongSection(t *testing.T) {
	dir := t.TempDir()
	var body strings.Builder
	body.WriteString("《测试市稳就业若干措施》\n\n第一章 创业扶持\n\n")
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&body, "（%d）对符合条件的返乡创业人员，按规定给予一次性创业补贴%d000元，并提供创业担保贷款贴息、场地租金减免和创业培训等扶持，所需资金从就业补助资金中列支，具体办法由各区县人力资源和社会保障部门会同财政部门另行制定并向社会公布。\n\n", i, i)
	}
	os.WriteFile(filepath.Join(dir, "test-measures.txt"), []byte(body.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "test-measures.meta.json"), []byte(`{"title":"测试市稳就业若干措施","issuer":"测试市人社局","region":"测试省测试市","date":"2026-03","url":"https://example.gov.cn/measures.html"}`), 0o644)
	docs, err := corpus.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	if _, err := index.Build(context.Background(), data, docs, index.BuildOptions{Fingerprint: "long"}); err != nil {
		t.Fatal(err)
	}
	ix, err := index.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	hs := start(t, options{searcher: ix})
	m := hs.exchange(1, bottest.Text(bottest.Private(alice), alice, "返乡创业一次性创业补贴是多少？"))[0]
	if !strings.Contains(m.Text, "查看原文件") || !strings.Contains(m.HTML, `<a href="https://example.gov.cn/measures.html">`) {
		t.Errorf("no link to the document:\n%s", m.HTML)
	}
	if strings.Contains(m.Text, "较早文件") {
		t.Errorf("a document of 2026 is marked as older")
	}
	before := len(hs.srv.Sent())
	hs.srv.Push(hs.srv.Press(m, alice, "原文 1"))
	want := strings.TrimSpace(docs[0].Text[strings.Index(docs[0].Text, "第一章"):])
	if !hs.srv.Wait(20*time.Second, func() bool {
		var all strings.Builder
		for _, s := range hs.srv.Sent()[before:] {
			all.WriteString(s.Text)
		}
		return strings.Contains(strings.ReplaceAll(all.String(), "\n", ""), strings.ReplaceAll(want[len("第一章 创业扶持"):], "\n", ""))
	}) {
		t.Fatalf("the section was not sent whole")
	}
	parts := hs.srv.Sent()[before:]
	if len(parts) < 2 {
		t.Errorf("a section of %d characters in %d message(s)", utf8.RuneCountInString(want), len(parts))
	}
}

// sectionButton is the label of the first 原文 button under m (原文 is offered only where it adds
// text); it fails the test when there is none.
func sectionButton(t *testing.T, m bottest.Sent) string {
	t.Helper()
	if m.Keyboard != nil {
		for _, row := range m.Keyboard.InlineKeyboard {
			for _, b := range row {
				if strings.HasPrefix(b.Text, "原文") {
					return b.Text
				}
			}
		}
	}
	t.Fatalf("no 原文 button under:\n%s", m.Text)
	return ""
}
