package bot

import (
	"strings"
	"testing"
	"time"

	"policybot/bot/bottest"
)

// TestPressLimit: a person pressing 原文 sixty times at once gets the burst's sections, and a notice
// to wait for the rest; nothing more is sent for them. Another person's presses are not affected.
func TestPressLimit(t *testing.T) {
	hs := start(t, options{pressBurst: 3, pressEvery: time.Hour})
	ans := hs.exchange(1, bottest.Text(bottest.Private(alice), alice, "失业金怎么领"))[0]
	before := len(hs.srv.Sent())
	var presses []bottest.Update
	label := sectionButton(t, ans)
	for range 60 {
		presses = append(presses, hs.srv.Press(ans, alice, label))
	}
	hs.srv.Push(presses...)
	// Every press is answered: three with a section, the rest with the notice.
	toasts := func() (fast, ok int) {
		for _, p := range presses {
			text, answered := hs.srv.Toast(p.CallbackQuery.ID)
			switch {
			case answered && text == msgTooFast:
				fast++
			case answered:
				ok++
			}
		}
		return
	}
	if !hs.srv.Wait(30*time.Second, func() bool { fast, ok := toasts(); return fast+ok == len(presses) }) {
		t.Fatal("not every press was answered")
	}
	if fast, ok := toasts(); fast != 57 || ok != 3 {
		t.Errorf("%d presses refused, %d answered; want 57 and 3", fast, ok)
	}
	hs.srv.WaitSent(before+3, 20*time.Second)
	if n := len(hs.srv.Sent()) - before; n != 3 {
		t.Errorf("%d messages sent for 60 presses, want 3", n)
	}
	// Bob is not held back by Alice's presses.
	bobs := hs.exchange(1, bottest.Text(bottest.Private(bob), bob, "失业金怎么领"))[0]
	if sec := hs.exchange(1, hs.srv.Press(bobs, bob, sectionButton(t, bobs)))[0]; !strings.HasPrefix(sec.Text, "原文") {
		t.Errorf("Bob's 原文: %q", sec.Text)
	}
}

// TestSendLimits: with the answers worked out, messages wait for the send limiters rather than go
// out past them: to a group, no more than its per-group allowance; in all, no more than the overall
// one. (The limiters are set so low that the held messages cannot go out during the test.)
func TestSendLimits(t *testing.T) {
	for _, tc := range []struct {
		name  string
		o     options
		chat  func(bottest.User) bottest.Chat
		allow int
	}{
		{"per group", options{groupPerMinute: 2, grace: time.Second}, func(bottest.User) bottest.Chat { return team }, 2},
		{"overall", options{sendRate: 0.001, grace: time.Second}, bottest.Private, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hs := start(t, tc.o)
			for i := range 5 {
				u := bottest.Person(int64(3000+i), "P")
				hs.srv.Push(bottest.Text(tc.chat(u), u, "/ask 失业金怎么领"))
			}
			// All five questions are answered by the handlers (and logged)…
			if !hs.srv.Wait(30*time.Second, func() bool { return hs.qlog.count() == 5 && len(hs.srv.Sent()) >= tc.allow }) {
				t.Fatalf("%d questions answered, %d messages sent", hs.qlog.count(), len(hs.srv.Sent()))
			}
			// …but only the limiter's allowance went out.
			if n := len(hs.srv.Requests("sendMessage")); n != tc.allow {
				t.Errorf("%d messages sent, want %d", n, tc.allow)
			}
		})
	}
}
