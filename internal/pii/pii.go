// Package pii finds what a person may write about themselves in a question — phone numbers, 身份证
// numbers, bank-card and other long numbers, e-mail addresses — and masks it, however it is written:
// with spaces, dots or hyphens between the digits, in full-width forms, or in Chinese numerals. The
// query log masks questions with it before anything is stored or derived from them.
package pii

import (
	"regexp"
	"strings"
)

// The labels that stand for what was masked.
const (
	LabelID     = "[身份证号]"
	LabelPhone  = "[电话]"
	LabelNumber = "[号码]"
	LabelEmail  = "[邮箱]"
)

// Digit returns the value of r as a digit of a number a person writes: ASCII and full-width digits,
// and the Chinese numerals (〇 零 一 … 九, 幺 as one, and the financial forms 壹 贰 …), which people
// also use to spell out a phone number.
func Digit(r rune) (int, bool) {
	switch {
	case r >= '0' && r <= '9':
		return int(r - '0'), true
	case r >= '０' && r <= '９':
		return int(r - '０'), true
	}
	switch r {
	case '〇', '零':
		return 0, true
	case '一', '壹', '幺':
		return 1, true
	case '二', '贰', '貳':
		return 2, true
	case '三', '叁', '參':
		return 3, true
	case '四', '肆':
		return 4, true
	case '五', '伍':
		return 5, true
	case '六', '陆', '陸':
		return 6, true
	case '七', '柒':
		return 7, true
	case '八', '捌':
		return 8, true
	case '九', '玖':
		return 9, true
	}
	return 0, false
}

// fold maps r to the ASCII character it stands for when looking for personal data: digits of any
// form to 0–9, full-width ASCII to ASCII, dashes, dots and spaces of other scripts to '-', '.' and
// ' '. It maps one rune to one rune, so that positions in the folded text are those of the original.
func fold(r rune) rune {
	if d, ok := Digit(r); ok {
		return rune('0' + d)
	}
	switch {
	case r >= '！' && r <= '～': // full-width ASCII
		return r - '！' + '!'
	case r == '‐' || r == '‑' || r == '‒' || r == '–' || r == '—' || r == '―' || r == '−':
		return '-'
	case r == '・' || r == '･' || r == '·':
		return '.'
	case r == '\u3000' || r == '\u00a0' || r == '\t':
		return ' '
	}
	return r
}

// InNumber reports whether r may be part of a number as people write one: a digit of any form, or a
// space, dot, hyphen, slash or parenthesis between digits. A text cut short should not end inside
// such a run, or part of a number would escape Mask.
func InNumber(r rune) bool {
	f := fold(r)
	return f >= '0' && f <= '9' || isSep(f)
}

// isSep reports whether a folded rune may stand between the digits of one number: 138 1234 5678,
// 138.1234.5678, 138-1234-5678, 110105/19491231/002X, (0851)85551234.
func isSep(r rune) bool {
	switch r {
	case ' ', '.', '-', '_', '/', '(', ')':
		return true
	}
	return false
}

// maxSep is the most separator runes between two digits of one number ("138 - 1234").
const maxSep = 3

var email = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)

var (
	idNumber = regexp.MustCompile(`^(?:\d{17}[\dXx]|\d{15})$`)
	mobile   = regexp.MustCompile(`^(?:00)?(?:86)?1[3-9]\d{9}$`)
	landline = regexp.MustCompile(`^0\d{9,11}$`)
)

// maxDigits is the most digits of a phone or 身份证 number (a mobile number with 0086 before it).
const maxDigits = 18

// longNumber is the fewest digits of a number that is masked whatever it is (bank cards, social
// security cards, numbers of any other kind): shorter ones are figures people ask about.
const longNumber = 11

// Mask returns s with phone numbers, 身份证 numbers, other numbers of 11 digits or more and e-mail
// addresses replaced by labels ([电话], [身份证号], [号码], [邮箱]). A number may be written with
// spaces, dots, hyphens or slashes between its digits, in full-width digits or in Chinese numerals.
// Years, dates, amounts and other short figures are kept (2020年, 2023.1.1-2023.12.31, 1611元,
// 20万人). Masking twice gives what masking once gives.
func Mask(s string) string {
	runes, label, masked := find(s)
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

// Strip returns s without what Mask would mask and without the words that name it right before it
// (电话, 手机号, 身份证号码, 邮箱 …, with 是, 为 or a colon after them): what is left is the question a
// person asked around their own numbers, 我电话13812345678，失业金怎么领 → 我 ，失业金怎么领. A span
// removed leaves a space, so the words on its two sides stay apart.
func Strip(s string) string {
	runes, _, masked := find(s)
	var out []rune
	for i := 0; i < len(runes); {
		if !masked[i] {
			out = append(out, runes[i])
			i++
			continue
		}
		out = dropName(out)
		for i < len(runes) && masked[i] {
			i++
		}
		if len(out) > 0 && out[len(out)-1] != ' ' && (i == len(runes) || runes[i] != ' ') {
			out = append(out, ' ')
		}
	}
	return strings.TrimSpace(string(out))
}

// names are the words that say what number follows them, in both scripts.
var names = []string{
	"联系电话", "电话号码", "手机号码", "电话", "手机号", "手机", "号码", "联系方式", "座机",
	"身份证号码", "身份证号", "身份证", "证件号码", "证件号", "电子邮箱", "邮箱地址", "邮箱", "邮件", "卡号",
	"聯繫電話", "電話號碼", "手機號碼", "電話", "手機號", "手機", "號碼", "聯繫方式",
	"身份證號碼", "身份證號", "身份證", "證件號碼", "證件號", "電子郵箱", "郵箱地址", "郵箱", "郵件", "卡號",
}

// dropName removes from the end of out a name of the number that follows it, with the 是, 为 or
// colon and spaces between them.
func dropName(out []rune) []rune {
	end := len(out)
	for end > 0 && strings.ContainsRune(" \t:：是为為", out[end-1]) {
		end--
	}
	longest := 0
	for _, n := range names {
		if k := len([]rune(n)); k > longest && strings.HasSuffix(string(out[:end]), n) {
			longest = k
		}
	}
	if longest == 0 {
		return out
	}
	return out[:end-longest]
}

// find reads s for the spans Mask masks: s's runes, the label of each span on its first rune, and
// whether each rune is masked.
func find(s string) (runes []rune, label []string, masked []bool) {
	runes = []rune(s)
	f := make([]rune, len(runes))
	for i, r := range runes {
		f[i] = fold(r)
	}
	label = make([]string, len(runes)) // != "" on the first rune of a masked span
	masked = make([]bool, len(runes))
	mark := func(a, b int, l string) {
		for i := a; i < b; i++ {
			masked[i] = true
		}
		label[a] = l
	}
	if fs := string(f); strings.IndexByte(fs, '@') >= 0 {
		at := runeIndexes(f, len(fs))
		for _, m := range email.FindAllStringIndex(fs, -1) {
			mark(at[m[0]], at[m[1]], LabelEmail)
		}
	}
	digit := func(i int) bool { return i >= 0 && i < len(f) && !masked[i] && f[i] >= '0' && f[i] <= '9' }
	for i := 0; i < len(f); {
		if !digit(i) {
			i++
			continue
		}
		g := group(f, i, digit)
		maskGroup(f, g, mark)
		i = g.end
	}
	return runes, label, masked
}

// runeIndexes maps each byte offset of string(f), n bytes long, to the index of its rune in f.
func runeIndexes(f []rune, n int) []int {
	at := make([]int, n+1)
	off := 0
	for i, r := range f {
		for k := len(string(r)); k > 0; k-- {
			at[off] = i
			off++
		}
	}
	at[off] = len(f)
	return at
}

// numberGroup is a run of digits and the separators between them: [start, end) in runes, and its
// blocks of digits.
type numberGroup struct {
	start, end int
	blocks     [][2]int // [start, end) of each run of digits
	x          bool     // the last block is followed by X, a 身份证 check character
}

// group reads the number that starts with the digit at i.
func group(f []rune, i int, digit func(int) bool) numberGroup {
	g := numberGroup{start: i}
	for {
		j := i
		for digit(j) {
			j++
		}
		g.blocks = append(g.blocks, [2]int{i, j})
		g.end = j
		k := j
		for k < len(f) && k-j < maxSep && isSep(f[k]) && !digit(k) {
			k++
		}
		if k == j || !digit(k) {
			break
		}
		i = k
	}
	if g.end < len(f) && (f[g.end] == 'X' || f[g.end] == 'x') && !isWord(f, g.end+1) {
		g.x = true
	}
	return g
}

// isWord reports whether the rune at i is a letter or digit of ASCII, which an X before it belongs to.
func isWord(f []rune, i int) bool {
	if i >= len(f) {
		return false
	}
	r := f[i]
	return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9'
}

// digits returns the digits of blocks [a, b) of g.
func (g numberGroup) digits(f []rune, a, b int) string {
	var s strings.Builder
	for _, bl := range g.blocks[a:b] {
		s.WriteString(string(f[bl[0]:bl[1]]))
	}
	return s.String()
}

// classify returns the label of a number given as its digits, "" for none.
func classify(d string) string {
	switch {
	case idNumber.MatchString(d):
		return LabelID
	case mobile.MatchString(d), landline.MatchString(d):
		return LabelPhone
	}
	return ""
}

// maskGroup masks what group g holds: the whole number when it is a 身份证 or phone number or has
// 11 digits or more; in a run of dates and small figures (2023.1.1-2023.12.31, 2020 2021 2022) only
// the phone and 身份证 numbers inside it.
func maskGroup(f []rune, g numberGroup, mark func(a, b int, label string)) {
	n := len(g.blocks)
	all := g.digits(f, 0, n)
	start := g.start
	// An opening parenthesis before an area code, a + before a country code belong to the number.
	if start > 0 && (f[start-1] == '(' && strings.ContainsRune(string(f[g.start:g.end]), ')') || f[start-1] == '+') {
		start--
	}
	if g.x && idNumber.MatchString(all+"X") {
		mark(start, g.end+1, LabelID)
		return
	}
	if l := classify(all); l != "" {
		mark(start, g.end, l)
		return
	}
	if len(all) < longNumber {
		return
	}
	if !datesAndFigures(f, g) {
		mark(start, g.end, LabelNumber)
		return
	}
	// Dates and small figures: look for the longest phone or 身份证 number made of whole blocks.
	for a := 0; a < n; a++ {
		b, digits := a, 0
		for b < n && digits+g.blocks[b][1]-g.blocks[b][0] <= maxDigits {
			digits += g.blocks[b][1] - g.blocks[b][0]
			b++
		}
		for ; b > a; b-- {
			if l := classify(g.digits(f, a, b)); l != "" {
				mark(g.blocks[a][0], g.blocks[b-1][1], l)
				a = b - 1
				break
			}
		}
	}
}

// datesAndFigures reports whether the blocks of a group of several are all years (1900–2099), years
// with their month or day (202401, 20240131) or figures of one or two digits, at least one a year:
// 2023.1.1-2023.12.31, 2020 2021 2022, 20240101-20241231.
func datesAndFigures(f []rune, g numberGroup) bool {
	if len(g.blocks) < 2 {
		return false
	}
	year := false
	for _, bl := range g.blocks {
		d := string(f[bl[0]:bl[1]])
		switch {
		case len(d) <= 2:
		case (len(d) == 4 || len(d) == 6 || len(d) == 8) && (d[:2] == "19" || d[:2] == "20"):
			year = true
		default:
			return false
		}
	}
	return year
}
