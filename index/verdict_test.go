package index

import (
	"fmt"
	"slices"
	"testing"
)

// TestVerdicts checks the three verdicts on the shipped corpus, for questions asked as citizens ask
// them: answer when a passage answers, related when the documents hold the subject but not the
// answer, none when they do not hold it; and that what is shown holds what was asked.
func TestVerdicts(t *testing.T) {
	tests := []struct {
		q    string
		want []Verdict
		// one of the first two passages holds one of these
		holds []string
	}{
		// Answerable questions once refused (issue 11): the answer is there.
		{"稳岗返还资金发了多少", []Verdict{VerdictAnswer}, []string{"8809.08", "1.3亿元"}},
		{"失业了每个月能领多少钱", []Verdict{VerdictAnswer, VerdictRelated}, []string{"1611元"}},
		{"打零工去哪里找活", []Verdict{VerdictAnswer, VerdictRelated}, []string{"零工市场", "零工市場"}},
		// Unrelated passages once shown as answers: the documents do not say.
		{"退休金怎么算", []Verdict{VerdictNone, VerdictRelated}, nil},
		{"我被公司辞退了怎么办", []Verdict{VerdictNone, VerdictRelated}, nil},
		{"湖南就业困难人员有哪些帮扶", []Verdict{VerdictNone, VerdictRelated}, nil},
		// More of each.
		{"铜仁十四五期间要新增多少城镇就业", []Verdict{VerdictAnswer}, []string{"城镇新增就业20万人"}},
		{"农民工回乡创业能有啥扶持", []Verdict{VerdictAnswer, VerdictRelated}, []string{"返乡创业", "返鄉創業"}},
		{"北京的公租房怎么申请", []Verdict{VerdictNone}, nil},      // a place the documents never name
		{"铜仁2031年城镇新增就业目标", []Verdict{VerdictNone}, nil}, // a year they never name
		{"怎么给孩子办出生证明", []Verdict{VerdictNone}, nil},
		{"驾驶证到期了怎么换证", []Verdict{VerdictNone}, nil},
		{"创业担保贷款的电话是多少", []Verdict{VerdictNone}, nil}, // a number no passage gives
	}
	for _, tc := range tests {
		res := search(t, tc.q)
		if !slices.Contains(tc.want, res.Verdict) {
			t.Errorf("%s: verdict %s (%s), want one of %v; top %v", tc.q, res.Verdict, res.Reason, tc.want, top(res))
			continue
		}
		if res.Confident != (res.Verdict == VerdictAnswer) {
			t.Errorf("%s: confident %v with verdict %s", tc.q, res.Confident, res.Verdict)
		}
		if tc.holds != nil && !anyHolds(res, 2, tc.holds...) {
			t.Errorf("%s: the first two passages hold none of %v: %v", tc.q, tc.holds, top(res))
		}
	}
}

// TestGenericOnly: a passage that matches only generic words is never an answer.
func TestGenericOnly(t *testing.T) {
	for _, q := range []string{"政策有哪些", "公司怎么办理", "经济发展的情况"} {
		if res := search(t, q); res.Verdict == VerdictAnswer {
			t.Errorf("%s: answered from generic words: %v", q, top(res))
		}
	}
}

// TestMistyped: a word typed with a wrong character of the right sound finds the corpus's word.
func TestMistyped(t *testing.T) {
	for _, tc := range []struct{ q, holds, region string }{
		{"农名工返乡创业有哪些扶持", "农民工", ""},   // ming for min
		{"一次性创业补帖怎么申请", "补贴", ""},     // 帖 for 贴
		{"同仁的城镇新增就业目标", "", "贵州省铜仁市"}, // a region mistyped
	} {
		res := search(t, tc.q)
		if tc.holds != "" && !anyHolds(res, 3, tc.holds) {
			t.Errorf("%s: no passage with %s in the first three: %v", tc.q, tc.holds, top(res))
		}
		if tc.region != "" && (len(res.Hits) == 0 || res.Hits[0].Doc.Region != tc.region) {
			t.Errorf("%s: top %v, want a passage of %s", tc.q, top(res), tc.region)
		}
	}
	// Read as the region it mistypes, 同仁 weighs less as the word it also is (一视同仁), so that
	// the region's passages about the question come first.
	q := shared.analyse("同仁乡镇上有没有办社保找工作的地方")
	weight := map[string]float64{}
	for _, te := range q.terms {
		weight[te.text] = te.weight
	}
	if weight["同仁"] >= weight["铜仁"] {
		t.Errorf("同仁 weighs %.2f, its reading 铜仁 %.2f", weight["同仁"], weight["铜仁"])
	}
	if got := shared.soundAlikes("社保", 2); len(got) != 0 {
		t.Errorf("社保 is a corpus word, yet sounds like %v", got)
	}
}

// TestSoundAlikesOrder: a mistyped word is read as the same corpus words every time, the most
// frequent first, whatever order the homophones come in.
func TestSoundAlikesOrder(t *testing.T) {
	n := 0
	for _, w := range []string{"下香", "四钟", "第依", "补帖", "不住"} {
		all := shared.soundAlikes(w, 100)
		if len(all) < 2 {
			continue
		}
		n++
		for i := 1; i < len(all); i++ {
			a, _ := shared.fwd.lookup(all[i-1])
			b, _ := shared.fwd.lookup(all[i])
			if a > b {
				t.Errorf("%s reads as %v: %s is more frequent than %s", w, all, all[i], all[i-1])
			}
		}
		if got := shared.soundAlikes(w, 2); !slices.Equal(got, all[:2]) {
			t.Errorf("%s reads as %v, but the first two of all its readings are %v", w, got, all[:2])
		}
	}
	if n == 0 {
		t.Fatal("no word here sounds like two corpus words")
	}
}

// TestShortened: a word shortened by the first characters of its parts, as Chinese shortens words,
// finds the corpus's full word; a word that shortens nothing finds nothing.
func TestShortened(t *testing.T) {
	for _, tc := range []struct{ word, want string }{
		{"创贷", "创业担保贷款"}, {"失业金", "失业保险金"}, {"稳岗", "稳岗返还"},
	} {
		if got := shared.expansions(tc.word, 2); !slices.Contains(got, tc.want) {
			t.Errorf("%s expands to %v, want %s among them", tc.word, got, tc.want)
		}
	}
	for _, w := range []string{"驾车", "公租房", "大雾"} {
		if got := shared.expansions(w, 2); len(got) != 0 {
			t.Errorf("%s expands to %v", w, got)
		}
	}
	res := search(t, "农名工申请创贷要什么条件")
	if !anyHolds(res, 3, "创业担保贷款") || res.Verdict == VerdictNone {
		t.Errorf("农名工申请创贷要什么条件: verdict %s, top %v", res.Verdict, top(res))
	}
	if want := []string{"农名工→农民工", "创贷→创业担保贷款"}; !slices.Equal(res.ReadAs, want) {
		t.Errorf("read as %v, want %v", res.ReadAs, want)
	}
}

// TestOwnNumbers: a person's phone, 身份证 number or e-mail typed into a question changes neither its
// verdict nor its passages; it is not a subject the documents lack.
func TestOwnNumbers(t *testing.T) {
	for _, tc := range []struct{ q, with string }{
		{"失业金怎么领", "我电话138.1234.5678，失业金怎么领"},
		{"铜仁的创业担保贷款有什么政策", "身份证号码110105194912310029，铜仁的创业担保贷款有什么政策"},
		{"湖南的零工市场在哪里", "湖南的零工市场在哪里？我的邮箱：wang@example.com"},
	} {
		plain, with := search(t, tc.q), search(t, tc.with)
		if plain.Verdict != with.Verdict || fmt.Sprint(top(plain)) != fmt.Sprint(top(with)) {
			t.Errorf("%s: %s %v; with a number, %s: %s %v", tc.q, plain.Verdict, top(plain), tc.with, with.Verdict, top(with))
		}
		if with.Verdict == VerdictNone {
			t.Errorf("%s: none (%s)", tc.with, with.Reason)
		}
	}
}
