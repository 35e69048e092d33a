package index

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"policybot/corpus"
)

// What a question asks for, and the passages that give it in the form it is asked: a definition of
// the thing a "什么是……" question names, the conditions or materials a question asks about introduced
// as such, a yes or no in the question's own terms.

// definitionRe matches a question asking what something is: 什么是非全日制用工, 什么叫工龄, 工龄是指什么;
// the first or second group is the thing.
var definitionRe = regexp.MustCompile(`^(?:请问)?(?:什么是|什么叫做?|何为|何谓)(.+?)[？?。！!\s]*$|^(.+?)(?:是什么意思|是指什么|指的是什么|的定义是什么|的含义是什么|的含义|的定义|是什么)[？?。！!\s]*$`)

// definitionSubject returns the thing a folded question asks the definition of, or "".
func definitionSubject(folded string) string {
	m := definitionRe.FindStringSubmatch(strings.TrimSpace(folded))
	if m == nil {
		return ""
	}
	s := strings.Trim(m[1]+m[2], "“”\"'‘’《》 ")
	if utf8.RuneCountInString(s) < 2 {
		return ""
	}
	if rs := []rune(s); len(rs) > maxSubject {
		s = string(rs[len(rs)-maxSubject:]) // a name is defined by its end (……劳动能力鉴定)
	}
	return s
}

// maxSubject is the most characters of a name a definition is looked for with: a long message that
// ends in 是什么 costs no more than a question.
const maxSubject = 24

// Words that define what stands before them (劳动能力鉴定是指……) or after them (这种贷款叫组合贷款).
var (
	copulas   = []string{"是指", "指的是", "系指", "指", "就是", "即", "是"}
	namedAs   = []string{"叫做", "叫", "称为", "称作", "简称", "即"}
	copulaCut = "，,"
)

// defines returns how much of subject a folded passage text defines: the share (in characters) of
// the longest end of the subject, at least two characters long, that the text defines (工伤劳动能力
// 鉴定 asked, 劳动能力鉴定是指 found: 6/8), or 0.
func defines(text, subject string) float64 {
	rs := []rune(subject)
	for i := 0; i+2 <= len(rs); i++ {
		end := string(rs[i:])
		for at := 0; ; {
			j := strings.Index(text[at:], end)
			if j < 0 {
				break
			}
			j += at
			after := strings.TrimLeft(text[j+len(end):], copulaCut)
			before := text[:j]
			if definedAfter(after) || definedBefore(before) {
				return float64(len(rs)-i) / float64(len(rs))
			}
			at = j + len(end)
		}
	}
	return 0
}

func definedAfter(after string) bool {
	if strings.HasPrefix(after, "是否") {
		return false
	}
	for _, c := range copulas {
		if strings.HasPrefix(after, c) {
			return true
		}
	}
	return false
}

func definedBefore(before string) bool {
	for _, c := range namedAs {
		if strings.HasSuffix(before, c) {
			return true
		}
	}
	return false
}

// attributes are the things a question asks a list or an account of (申报条件, 所需材料, 办理流程):
// a passage introducing one of them (应符合以下条件, 下列材料) gives what was asked.
var attributes = []string{"条件", "材料", "标准", "范围", "内容", "程序", "流程", "步骤", "方式", "途径", "渠道",
	"时限", "期限", "原则", "要求", "对象", "事项", "用途", "情形", "依据", "原因", "区别", "目的", "措施",
	"办法", "手续", "环节", "职责", "权利", "义务"}

// introWords open a passage's introduction of an attribute (以下条件, 下列材料, 如下步骤).
var introWords = []string{"以下", "下列", "如下"}

// introduction returns the attributes a folded question asks about, as a set (bit i: attributes[i]),
// or 0 when it asks about none.
func introduction(folded string) uint32 {
	var as uint32
	for i, a := range attributes {
		if strings.Contains(folded, a) {
			as |= 1 << i
		}
	}
	return as
}

// introduced returns the attributes a folded passage text introduces, as a set like introduction's.
func introduced(text string) uint32 {
	if !mayIntroduce(text) {
		return 0
	}
	var as uint32
	for i := 0; ; {
		// The first introducing word from i on.
		at, word := -1, ""
		for _, w := range introWords {
			if j := strings.Index(text[i:], w); j >= 0 && (at < 0 || j < at) {
				at, word = j, w
			}
		}
		if at < 0 {
			return as
		}
		at += i
		i = at + len(word)
		k := slices.IndexFunc(attributes, func(a string) bool { return strings.HasPrefix(text[i:], a) })
		if k < 0 {
			_, size := utf8.DecodeRuneInString(text[at:])
			i = at + size // a word may start inside this one (以下列条件)
			continue
		}
		as |= 1 << k
		i += len(attributes[k])
	}
}

// mayIntroduce reports whether a text, folded or not, holds a word introducing a list (the words read
// the same in both scripts).
func mayIntroduce(text string) bool {
	return slices.ContainsFunc(introWords, func(w string) bool { return strings.Contains(text, w) })
}

// introduces reports whether a folded passage text introduces one of the attributes asked.
func introduces(text string, asked uint32) bool { return introduced(text)&asked != 0 }

// replyWords are the words a passage says yes or no with, opening its text (可以。, 不需要，, 是的，…),
// in the order they are tried.
var replyWords = []string{"可以", "不可以", "能", "不能", "是的", "是", "不是", "否", "需要", "不需要", "不用", "会", "不会",
	"没有", "不区分", "不行", "应当", "不得", "必须", "允许", "不允许"}

// reply matches a passage that opens with yes or no; the group is the word it is said with.
var reply = regexp.MustCompile(`^(?:答[:：]?\s*)?(` + strings.Join(replyWords, "|") + `)[^。，,；;！!？?\s]{0,6}[。，,；;！!]`)

// replyWord returns the number in replyWords, from 1, of the word a passage text opens with a yes or
// no in, or 0.
func replyWord(text string) int {
	m := reply.FindStringSubmatch(text)
	if m == nil {
		return 0
	}
	return slices.Index(replyWords, m[1]) + 1
}

// replyFits reports whether a passage text opens with a yes or no that answers the folded question
// in its own terms, by the verb it is said with (不需要 → 需要, 没有 → 有): 可以 answers 可以……吗,
// 能否, 可否; 不需要 answers 需要……吗, not 可以不带……吗; 是, 否 and 是的 answer any. A reply said with
// another verb answers another question (不区分。 for 是否可以执行……).
func replyFits(question, text string) bool { return fits(question, replyWord(text)) }

// fits reports whether the reply word numbered w (see replyWord) answers the folded question.
func fits(question string, w int) bool {
	if w == 0 {
		return false
	}
	verb := strings.TrimPrefix(strings.TrimPrefix(replyWords[w-1], "不"), "没")
	var cues []string
	switch verb {
	case "是的", "是", "否", "行":
		return true
	case "可以", "能", "允许":
		cues = []string{"可以", "可否", "能", "允许"}
	case "需要", "用", "必须", "得", "应当":
		cues = []string{"需要", "须", "要不要", "用不用", "应当", "应该"}
	default:
		cues = []string{verb}
	}
	for _, c := range cues {
		if strings.Contains(question, c) {
			return true
		}
	}
	return false
}

// What a passage's text says of its shape, computed once when it is stored (passRec.feat and
// passRec.intro), so that ranking reads no passage's text: the masked runs in it (corpus.Masks, up
// to featMasks), whether it states a figure (hasFigure), the yes or no it opens with (replyWord) and
// the attributes it introduces (introduced).
const (
	featMasks      = 0xffff
	featFigure     = 1 << 16
	featReplyShift = 17
)

// passageFeatures returns the feat and intro words of a passage's text (as passageText gives it),
// with fold the segmenter's Fold.
func passageFeatures(text string, fold func(string) string) (feat, intro uint32) {
	feat = uint32(min(corpus.Masks(text), featMasks))
	if mayFigure(text) && hasFigure(text) {
		feat |= featFigure
	}
	feat |= uint32(replyWord(strings.TrimSpace(text))) << featReplyShift
	if mayIntroduce(text) {
		intro = introduced(fold(text))
	}
	return feat, intro
}

// mayFigure reports whether text may state a figure: one has a digit, ASCII or full-width (U+FF10
// to U+FF19: EF BC 90 to 99), or says 百分之.
func mayFigure(text string) bool {
	for i := 0; i < len(text); i++ {
		if c := text[i]; c-'0' < 10 || c == 0xEF && i+2 < len(text) && text[i+1] == 0xBC && text[i+2]-0x90 < 10 {
			return true
		}
	}
	return strings.Contains(text, "百分之")
}
