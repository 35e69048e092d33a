package handlers

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"policybot/corpus"
	"policybot/index"
)

// TestCutPassage: a short passage is shown whole; a long one is cut to the sentences around the
// question's words, each piece verbatim, …… where text is left out, the words still on their spans.
func TestCutPassage(t *testing.T) {
	long := "认真贯彻落实党中央、国务院关于扩大失业保险保障范围、更好保障失业人员基本生活的决策部署,确保失业人员待遇应发尽发、应保尽保。" +
		"加快落实失业保险稳岗返还政策,支持参保企业不裁员、少裁员,延长大龄失业人员领取失业保险金期限,进一步扩大保障范围,畅通失业保险待遇申领渠道。" +
		"“十三五”期间,全市失业保险金标准逐年提高,从2015年1120元提高到2020年1611元,失业保险稳就业保民生作用逐年提升。"
	for _, tc := range []struct {
		name    string
		text    string
		words   []string
		figures bool
		want    string // a piece the excerpt must hold
		cut     bool
	}{
		{"short", "鼓励易地搬迁群众自主创业。", []string{"自主创业"}, false, "鼓励易地搬迁群众自主创业。", false},
		{"the sentence with most words", long, []string{"失业保险金", "标准"}, true, "从2015年1120元提高到2020年1611元", true},
		{"no word: the start", long, nil, false, "认真贯彻落实党中央", true},
		{"one long sentence: its clauses", strings.Repeat("加强职业技能培训,", 30) + "对符合条件的给予创业担保贷款," + strings.Repeat("推进就业服务,", 30) + "。",
			[]string{"创业担保贷款"}, false, "对符合条件的给予创业担保贷款", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var spans []index.Span
			for _, w := range tc.words {
				for at := 0; ; {
					i := strings.Index(tc.text[at:], w)
					if i < 0 {
						break
					}
					spans = append(spans, index.Span{Start: at + i, End: at + i + len(w)})
					at += i + len(w)
				}
			}
			spans = sortSpans(spans)
			ex := cutPassage(tc.text, spans, tc.figures)
			if ex.cut != tc.cut || !strings.Contains(ex.text, tc.want) {
				t.Fatalf("cut %v, text %q; want cut %v and %q", ex.cut, ex.text, tc.cut, tc.want)
			}
			if !tc.cut {
				return
			}
			if n := utf8.RuneCountInString(ex.text); n > excerptRunes+2*utf8.RuneCountInString(elision) {
				t.Errorf("excerpt of %d characters: %q", n, ex.text)
			}
			for _, piece := range strings.Split(ex.text, elision) {
				if !strings.Contains(tc.text, piece) {
					t.Errorf("piece %q is not in the passage as written", piece)
				}
			}
			if !strings.HasPrefix(ex.text, elision) && !strings.HasPrefix(tc.text, ex.text[:len(ex.text)-len(elision)]) {
				t.Errorf("cut after the start without ……: %q", ex.text)
			}
			for _, s := range ex.spans {
				if w := ex.text[s.Start:s.End]; !contains(tc.words, w) {
					t.Errorf("span %v holds %q, not a word of the question", s, w)
				}
			}
		})
	}
}

func contains(ws []string, w string) bool {
	for _, x := range ws {
		if x == w {
			return true
		}
	}
	return false
}

func sortSpans(s []index.Span) []index.Span {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j].Start < s[j-1].Start; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}

// TestPhoneAnswer: an answer on the shipped corpus notes once, at the top, that its documents are
// older; bolds only the question's specific words, a few a passage; and shows no passage longer
// than a cut one.
func TestPhoneAnswer(t *testing.T) {
	h := newHandlers(t, Config{})
	a := h.Ask(context.Background(), private, "易地搬迁群众想自己创业有什么支持？")
	if a.Kind != KindResults || len(a.Hits) == 0 {
		t.Fatalf("not answered: %+v", a)
	}
	older := 0
	for _, n := range a.Notes {
		older += strings.Count(n, markOlder)
	}
	if older != 1 {
		t.Errorf("较早文件 said %d times in the notes %q, want once", older, a.Notes)
	}
	for _, ht := range a.Hits {
		if len(ht.Highlights) == 0 || len(ht.Highlights) > maxRuns {
			t.Errorf("result %d: %d bold runs", ht.Rank, len(ht.Highlights))
		}
		for _, s := range ht.Highlights {
			if w := ht.Text[s.Start:s.End]; index.Generic(w) || w == "支持" || utf8.RuneCountInString(w) < 2 {
				t.Errorf("result %d: %q in bold", ht.Rank, w)
			}
		}
		if n := utf8.RuneCountInString(ht.Text); n > longPassage {
			t.Errorf("result %d: %d characters shown", ht.Rank, n)
		}
	}
}

// TestSectionOffered: 原文 N is offered exactly when it shows more than result N does, on the
// development questions' first pages.
func TestSectionOffered(t *testing.T) {
	h := newHandlers(t, Config{})
	ctx := context.Background()
	offered, not := 0, 0
	for _, q := range []string{
		"铜仁市十四五期间城镇新增就业的目标是多少？", "铜仁的失业保险金标准提高到了多少？", "易地搬迁群众想自己创业有什么支持？",
		"公益性岗位有多少比例用于安置搬迁群众？", "广元的创业担保贷款取消了哪些反担保要求？", "湖南全省建成了多少家零工市场？",
	} {
		a := h.Ask(ctx, private, q)
		has := map[int]bool{}
		for _, act := range a.Actions {
			if act.Kind == ActionSection {
				has[act.Arg] = true
			}
		}
		for _, ht := range a.Hits {
			sec := h.Section(ctx, private, a.ID, ht.Rank)
			if len(sec.Hits) != 1 {
				t.Fatalf("%s: 原文 %d: %+v", q, ht.Rank, sec)
			}
			// The section's heading is shown in the path already: it adds nothing.
			whole := sec.Hits[0].Text
			path := strings.Split(sec.Hits[0].Section, corpus.SectionSep)
			whole = whole[headingPrefix(whole, path[len(path)-1]):]
			shown := strings.ReplaceAll(ht.Text, elision, "")
			adds := utf8.RuneCountInString(strings.TrimSpace(whole)) > utf8.RuneCountInString(strings.TrimSpace(shown))
			if has[ht.Rank] != adds {
				t.Errorf("%s: 原文 %d offered %v, but it adds text: %v\nshown: %s\n原文: %s", q, ht.Rank, has[ht.Rank], adds, ht.Text, sec.Hits[0].Text)
			}
			if has[ht.Rank] {
				offered++
			} else {
				not++
			}
		}
	}
	if offered == 0 || not == 0 {
		t.Errorf("原文 offered %d times, not %d times: the questions should see both", offered, not)
	}
}
