package querylog

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"policybot/internal/script"
)

// The labels that stand for masked numbers in a stored question.
const (
	maskID     = "[身份证号]"
	maskPhone  = "[电话]"
	maskNumber = "[号码]"
)

// maskRules are applied in order to the question with full-width digits and punctuation folded to
// ASCII; a match must not touch another digit, and a later rule skips what an earlier one masked.
var maskRules = []struct {
	re    *regexp.Regexp
	label string
}{
	// 身份证: 18 characters (17 digits and a check digit or X), or the old 15 digits.
	{regexp.MustCompile(`\d{17}[\dXx]|\d{15}`), maskID},
	// Mobile numbers, with or without +86 and with spaces or hyphens between the groups.
	{regexp.MustCompile(`(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}`), maskPhone},
	// Landlines with their area code: 0856-5221234, (0851)85551234, 010 12345678.
	{regexp.MustCompile(`\(?0\d{2,3}\)?[ -]?\d{7,8}`), maskPhone},
	// Any other run of 11 or more digits (bank cards, social-security card numbers).
	{regexp.MustCompile(`\d{11,}`), maskNumber},
}

// Mask returns question with phone numbers, 身份证 numbers and other long digit runs replaced by
// labels ([电话], [身份证号], [号码]), so that what a person typed about themselves is not stored.
// Years, amounts and short numbers are kept.
func Mask(question string) string {
	runes := []rune(question)
	folded := make([]rune, len(runes))
	for i, r := range runes {
		folded[i] = foldForMask(r)
	}
	fs := string(folded)
	// runeAt maps a byte offset of fs to the index of its rune.
	runeAt := make([]int, len(fs)+1)
	for i, off := 0, 0; i < len(folded); i++ {
		n := utf8.RuneLen(folded[i])
		if n < 0 {
			n = 3 // utf8.RuneError as string
		}
		for k := 0; k < n; k++ {
			runeAt[off+k] = i
		}
		off += n
		runeAt[off] = i + 1
	}
	label := make([]string, len(runes)) // label[i] != "" for the first rune of a masked span
	masked := make([]bool, len(runes))
	isDigit := func(i int) bool { return i >= 0 && i < len(folded) && folded[i] >= '0' && folded[i] <= '9' }
	for _, rule := range maskRules {
		for _, m := range rule.re.FindAllStringIndex(fs, -1) {
			a, b := runeAt[m[0]], runeAt[m[1]]
			if isDigit(a-1) || isDigit(b) {
				continue
			}
			free := true
			for i := a; i < b; i++ {
				if masked[i] {
					free = false
					break
				}
			}
			if !free {
				continue
			}
			for i := a; i < b; i++ {
				masked[i] = true
			}
			label[a] = rule.label
		}
	}
	var out strings.Builder
	for i, r := range runes {
		switch {
		case label[i] != "":
			out.WriteString(label[i])
		case !masked[i]:
			out.WriteRune(r)
		}
	}
	return out.String()
}

// foldForMask maps full-width digits, X, plus, hyphens, parentheses and spaces to ASCII, one rune
// for one.
func foldForMask(r rune) rune {
	switch {
	case r >= '０' && r <= '９':
		return '0' + (r - '０')
	case r == 'Ｘ':
		return 'X'
	case r == 'ｘ':
		return 'x'
	case r == '＋':
		return '+'
	case r == '（':
		return '('
	case r == '）':
		return ')'
	case r == '－' || r == '‐' || r == '‑' || r == '–' || r == '—':
		return '-'
	case r == '\u3000' || r == '\u00a0':
		return ' '
	}
	return r
}

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
