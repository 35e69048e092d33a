package handlers

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"policybot/index"
)

func TestNames(t *testing.T) {
	for _, tc := range []struct {
		name, got, want string
	}{
		{"verdict answer", VerdictName(index.VerdictAnswer), "已回答"},
		{"verdict related", VerdictName(index.VerdictRelated), "有关但未直接回答"},
		{"verdict none", VerdictName(index.VerdictNone), "未能回答"},
		{"verdict unknown", VerdictName("maybe"), "maybe"},
		{"intent entitlement", IntentName(string(Entitlement)), "待遇补贴"},
		{"intent target", IntentName(string(Target)), "目标指标"},
		{"intent location", IntentName(string(Location)), "办事地点"},
		{"intent other", IntentName(string(Other)), "其他"},
		{"intent empty", IntentName(""), ""},
		{"rating up", RatingName(1), "好评"},
		{"rating down", RatingName(-1), "差评"},
		{"rating none", RatingName(0), ""},
		{"chat private", ChatTypeName("private"), "私聊"},
		{"chat console", ChatTypeName(ConsoleChat), "控制台"},
		{"script traditional", ScriptName("traditional"), "繁体"},
		{"script simplified", ScriptName("simplified"), "简体"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("%q, want %q", tc.got, tc.want)
			}
		})
	}
	// Every intent DetectIntent tells has a Chinese name of its own.
	seen := map[string]Intent{}
	for _, in := range []Intent{Entitlement, Target, Location, Other} {
		n := IntentName(string(in))
		if n == string(in) || seen[n] != "" {
			t.Errorf("intent %s is named %q (also %q)", in, n, seen[n])
		}
		seen[n] = in
	}
}

// TestAskLogsTitles: what the query log records of an answer names each passage's document by
// title and keeps a short excerpt of it, so that admins can read what was answered.
func TestAskLogsTitles(t *testing.T) {
	lg := &memLog{}
	h := newHandlers(t, Config{Log: lg})
	a := h.Ask(context.Background(), private, "易地搬迁群众想自己创业有什么支持？")
	if a.Kind != KindResults || len(lg.entries) != 1 {
		t.Fatalf("answer %v, %d entries", a.Kind, len(lg.entries))
	}
	rs := lg.entries[0].Results
	if len(rs) != len(a.Hits) || len(rs) == 0 {
		t.Fatalf("%d results logged for %d shown", len(rs), len(a.Hits))
	}
	for i, r := range rs {
		ht := a.Hits[i]
		if r.DocID != ht.DocID || r.Title != ht.Title || r.Title == "" {
			t.Errorf("result %d: %+v, shown %s 《%s》", i, r, ht.DocID, ht.Title)
		}
		if r.Excerpt == "" || utf8.RuneCountInString(r.Excerpt) > ExcerptRunes+2 {
			t.Errorf("result %d: excerpt %q", i, r.Excerpt)
		}
		if start := strings.TrimSuffix(r.Excerpt, "……"); !strings.HasPrefix(strings.Join(strings.Fields(ht.Text), " "), start) {
			t.Errorf("result %d: excerpt %q is not the start of the text shown %q", i, r.Excerpt, ht.Text)
		}
	}
}

func TestLogExcerpt(t *testing.T) {
	long := strings.Repeat("就业", ExcerptRunes)
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"短的段落。", "短的段落。"},
		{"两行\n文字", "两行 文字"},
		{long, long[:len("就")*ExcerptRunes] + "……"},
	} {
		if got := logExcerpt(tc.in); got != tc.want {
			t.Errorf("logExcerpt(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
