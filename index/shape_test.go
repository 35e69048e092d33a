package index

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"policybot/corpus"
)

func TestDefinitionSubject(t *testing.T) {
	for _, tc := range []struct{ q, want string }{
		{"什么是非全日制用工？", "非全日制用工"},
		{"请问什么叫工作年限", "工作年限"},
		{"“视同缴费年限”是什么意思？", "视同缴费年限"},
		{"工龄是指什么?", "工龄"},
		{"何谓灵活就业", "灵活就业"},
		{"失业保险金怎么领？", ""},
		{"什么是？", ""},
		{"什么时候可以领取养老金？", ""},
		{strings.Repeat("很长的背景", 20) + "工伤劳动能力鉴定是什么", "景很长的背景很长的背景很长的背景工伤劳动能力鉴定"},
	} {
		if got := definitionSubject(tc.q); got != tc.want {
			t.Errorf("definitionSubject(%q) = %q, want %q", tc.q, got, tc.want)
		}
	}
}

func TestDefines(t *testing.T) {
	for _, tc := range []struct {
		text, subject string
		want          float64
	}{
		{"非全日制用工，是指以小时计酬为主的用工形式。", "非全日制用工", 1},
		{"劳动能力鉴定是指劳动功能障碍程度的等级鉴定。", "工伤劳动能力鉴定", 0.75},
		{"这种贷款叫组合贷款。", "组合贷款", 1},
		{"计件工资指对已做工作按计件单价支付的劳动报酬。", "计件工资", 1},
		{"非全日制用工双方当事人可以随时终止用工。", "非全日制用工", 0},
		{"工龄是否连续计算，由单位确认。", "工龄", 0},
		{"", "工龄", 0},
	} {
		if got := defines(tc.text, tc.subject); got != tc.want {
			t.Errorf("defines(%q, %q) = %v, want %v", tc.text, tc.subject, got, tc.want)
		}
	}
}

func TestIntroduction(t *testing.T) {
	if len(attributes) > 32 {
		t.Fatalf("%d attributes do not fit the 32 bits of a passage's set", len(attributes))
	}
	if as := introduction("失业保险金怎么领"); as != 0 {
		t.Errorf("introduction without an attribute: %v", as)
	}
	asked := introduction("申请创业担保贷款需要什么条件和材料？")
	for text, want := range map[string]bool{
		"申请人应当具备以下条件：（一）……": true,
		"需提交下列材料：身份证、申请表。":  true,
		"申请条件放宽后，申请人更多。":    false,
		"应当具备以下资格：……":       false,
	} {
		if got := introduces(text, asked); got != want {
			t.Errorf("%q matches %v, want %v", text, got, want)
		}
	}
}

func TestReplyFits(t *testing.T) {
	for _, tc := range []struct {
		q, text string
		want    bool
	}{
		{"看病可以不带社保卡了吗？", "是的，可以只用医保电子凭证。", true},
		{"看病可以不带社保卡了吗？", "可以。", true},
		{"看病可以不带社保卡了吗？", "不需要了。手工报销时不再提供社保卡。", false},
		{"医保电子凭证能否继续使用？", "可以继续使用。", true},
		{"异地就医需要备案吗？", "不需要，备案到统筹区即可。", true},
		{"异地就医备案有有效期限制吗？", "不需要，备案到统筹区即可。", false},
		{"异地就医备案有有效期限制吗？", "没有。", true},
		{"此次住院的费用是否可以执行新冠肺炎政策？", "不区分。只要诊断为确诊，都执行该政策。", false},
		{"是否区分确诊和疑似？", "不区分。", true},
		{"会影响退休吗？", "不会。", true},
		{"可以转移吗？", "否。", true},
	} {
		if got := replyFits(tc.q, tc.text); got != tc.want {
			t.Errorf("replyFits(%q, %q) = %v, want %v", tc.q, tc.text, got, tc.want)
		}
	}
}

// TestAnswerShapes: among passages about the same thing, the one that gives what the question asks
// for in the form it asks ranks first: the definition of what a 什么是 question names, the conditions
// introduced as such, a yes or no in the question's terms.
func TestAnswerShapes(t *testing.T) {
	docs := []*corpus.Document{
		{ID: "uses", Format: "txt", Text: "用人单位招用非全日制用工的，非全日制用工双方当事人可以订立口头协议；非全日制用工劳动者可以与一个以上用人单位订立劳动合同，非全日制用工的工资结算周期最长不得超过十五日。"},
		{ID: "defines", Format: "txt", Text: "非全日制用工，是指以小时计酬为主，劳动者在同一用人单位一般平均每日工作时间不超过四小时、每周累计不超过二十四小时的用工形式。"},
		{ID: "mentions", Format: "txt", Text: "申请创业担保贷款的条件放宽后，个人是否具备条件由经办银行和担保机构审核。"},
		{ID: "introduces", Format: "txt", Text: "申请创业担保贷款的个人应当具备以下条件：（一）在本市登记失业；（二）有创业项目。"},
		{ID: "other-verb", Format: "txt", Text: "不需要了。电子凭证启用后，参保人员申请手工报销时不再需要提供社保卡，看病就医结算时社保卡和电子凭证都可以使用。"},
		{ID: "same-verb", Format: "txt", Text: "可以。参保人员就医时出示手机上的电子凭证即可结算，不带社保卡。"},
	}
	dir := t.TempDir()
	if _, err := Build(context.Background(), dir, docs, BuildOptions{UserDict: seedUserDict, Synonyms: seedSynonyms, Fingerprint: "shapes"}); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	for q, want := range map[string]string{
		"什么是非全日制用工？":          "defines",
		"申请创业担保贷款要具备哪些条件？":    "introduces",
		"电子凭证启用后，看病可以不带社保卡吗？": "same-verb",
	} {
		res, err := ix.Search(context.Background(), q, Options{K: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 || res.Hits[0].Doc.ID != want {
			var got []string
			for _, h := range res.Hits {
				got = append(got, fmt.Sprintf("%s %.2f %.2f", h.Doc.ID, h.Score, h.Coverage))
			}
			t.Errorf("%s: %v, want %s first", q, got, want)
		}
	}
}

// TestHasFigure: a question that asks how many prefers passages that state a figure; a year of the
// calendar dates a passage and is not one, a day of the month (每月5日前) is.
func TestHasFigure(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"要落实落细《2025年湖南省青年就业创业支持计划》", false},
		{"2020年重点工作与2021年工作打算", false},
		{"帮助15.76万名贫困劳动者实现转移就业", true},
		{"每月5日前，完成个人账户资金的划入工作", true},
		{"至少保存3年", true},
		{"从2015年1120元提高到2020年1611元", true},
		{"失业率控制在5%以内", true},
		{"稳步推进就业工作", false},
	} {
		if got := hasFigure(tc.text); got != tc.want {
			t.Errorf("hasFigure(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}

// TestIntroduced: the attributes a passage introduces are those the pattern (以下|下列|如下)(attribute)
// finds, matches taken left to right without overlap, on every seed passage and on texts where the
// introducing words overlap, repeat or are cut short.
func TestIntroduced(t *testing.T) {
	pattern := regexp.MustCompile(`(?:以下|下列|如下)(` + strings.Join(attributes, "|") + `)`)
	want := func(text string) uint32 {
		var as uint32
		for _, m := range pattern.FindAllStringSubmatch(text, -1) {
			as |= 1 << slices.Index(attributes, m[1])
		}
		return as
	}
	texts := []string{"", "以下", "以下列条件", "如下如下步骤", "下列材料和以下程序", "以下以下", "下列\xff条件", "以\xff下列期限",
		"符合下列情形之一的，应当按照以下程序办理：", "以下条件下列材料如下步骤", "依照下列规定：（一）……"}
	for i := range shared.st.pass {
		texts = append(texts, shared.seg.Fold(shared.text(i)))
	}
	found := 0
	for _, text := range texts {
		if got, w := introduced(text), want(text); got != w {
			t.Fatalf("introduced(%.80q) = %b, the pattern finds %b", text, got, w)
		}
		if want(text) != 0 {
			found++
		}
	}
	if found < 5 {
		t.Errorf("only %d texts introduce an attribute", found)
	}
}
