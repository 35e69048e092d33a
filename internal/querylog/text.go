package querylog

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"policybot/internal/script"
)

// normalize folds a question for grouping recurrences of the same question: compatibility forms
// (full-width), traditional script to simplified, case, and everything but letters and digits
// dropped, so "失业金怎么领？", "失业金 怎么领" and "失業金怎麼領" group together.
func normalize(conv *script.Converter, question string) string {
	s := conv.ToSimplified(norm.NFKC.String(question))
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// topicKey folds a normalised question (see normalize) further, for grouping the most asked
// questions: a run of digits is dropped unless a unit follows it (2023年, 6个月, 3万元 and 50岁 stay,
// so different years and amounts stay apart), and so are particles closing the question (吗, 呢, 啊…),
// so "失业保险稳岗返还2" … "失业保险稳岗返还9" and "失业金怎么领呢" group with the question without
// them. A question that would fold to nothing keeps its normalised form.
func topicKey(norm string) string {
	rs := []rune(norm)
	var b strings.Builder
	for i := 0; i < len(rs); {
		if !unicode.IsDigit(rs[i]) {
			b.WriteRune(rs[i])
			i++
			continue
		}
		j := i
		for j < len(rs) && unicode.IsDigit(rs[j]) {
			j++
		}
		if j < len(rs) && strings.ContainsRune(countUnits, rs[j]) {
			b.WriteString(string(rs[i:j]))
		}
		i = j
	}
	key := strings.TrimRightFunc(b.String(), func(r rune) bool { return strings.ContainsRune(closingParticles, r) })
	if key == "" {
		return norm
	}
	return key
}

// countUnits are what a number counts when it is part of the question (2023年, 6个月, 3万元).
const countUnits = "年月日号时分秒岁周天个位名人户家次倍级期批条项类届元角万亿千百"

// closingParticles end a question without changing it.
const closingParticles = "吗呢啊呀吧哦嘛"
