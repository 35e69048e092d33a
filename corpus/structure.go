package corpus

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Heading ranks: a heading closes every open section of the same or a lower level (higher rank).
const (
	rankPart     = 5  // 第X编 (a code's parts)
	rankChapter  = 10 // 第X章
	rankSection  = 20 // 第X节
	rankArticle  = 30 // 第X条
	rankCN       = 40 // 一、
	rankParenCN  = 50 // （一）
	rankNum      = 60 // 1. 1、
	rankBox      = 60 // 专栏N: a boxed column; the next numbered item closes it
	rankParenNum = 70 // （1）
	rankBlock    = 70 // 01, 02 numbered blocks
	rankCircled  = 80 // ①
)

const cnNum = `[一二三四五六七八九十百千零〇两]+`

var headingPatterns = []struct {
	re   anchored
	rank int
}{
	{anchor(`^第` + cnNum + `编`), rankPart},
	{anchor(`^第(?:` + cnNum + `|\d+)章`), rankChapter},
	{anchor(`^第(?:` + cnNum + `|\d+)节`), rankSection},
	{anchor(`^第(?:` + cnNum + `|\d+)条(?:之[一二三四五六七八九十]+)?`), rankArticle},
	{anchor(`^` + cnNum + `(?:、|[．.](?:[^\d]|$))`), rankCN},
	{anchor(`^[（(]` + cnNum + `[）)]`), rankParenCN},
	{anchor(`^(?:专栏|專欄)\s*\d+`), rankBox},
	{anchor(`^\d{1,2}(?:[、．]|\.(?:[^\d]|$))`), rankNum},
	{anchor(`^[（(]\d{1,2}[）)]`), rankParenNum},
	{anchor(`^0[1-9](?:\s|$)`), rankBlock},
	{anchor(`^[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]`), rankCircled},
}

var (
	tocLine     = anchor(`^目\s*[录錄]$`)
	mdHeading   = anchor(`^(#{1,6})\s+`)
	infoEnd     = anchor(`^<!--\s*INFO END\s*-->$`)
	sentenceEnd = "。！？；!?;"
)

// Line limits, in runes: a heading is short; a line this long or with a full stop is body text.
const (
	maxHeadingRunes = 40
	maxLeadRunes    = 30
)

// line is one non-empty line of a document, trimmed, with its byte span in the document's text.
type line struct {
	text       string
	start, end int
	md         int // markdown heading level (number of #), 0 if none
}

// heading is a recognised heading line.
type heading struct {
	rank  int
	title string // the text of the heading as it appears in a section path
	// inline is set when the heading is the lead-in of a paragraph ("1.就业形势持续稳定发展。不断扩大…"),
	// so the line is body text as well.
	inline bool
}

// lines splits text into trimmed non-empty lines with their offsets.
func lines(text string) []line {
	var out []line
	pos := 0
	for pos < len(text) {
		nl := strings.IndexByte(text[pos:], '\n')
		end := len(text)
		if nl >= 0 {
			end = pos + nl
		}
		raw := text[pos:end]
		t := trimSpace(raw)
		if t != "" {
			start := pos + strings.Index(raw, t)
			l := line{text: t, start: start, end: start + len(t)}
			if m := mdHeading.FindStringSubmatch(t); m != nil {
				l.md = len(m[1])
				l.text = trimSpace(t[len(m[0]):])
				l.start = l.end - len(l.text)
			}
			out = append(out, l)
		}
		pos = end + 1
	}
	return out
}

// classify recognises a heading line. next is the following line, used when a numbered block's number
// stands alone on its line ("01" then its title); consumed reports that next was taken as the title.
func classify(l line, next *line) (h heading, ok, consumed bool) {
	t := l.text
	for _, p := range headingPatterns {
		loc := p.re.FindStringIndex(t)
		if loc == nil {
			continue
		}
		num := t[:loc[1]]
		rest := trimSpace(t[loc[1]:])
		h.rank = p.rank
		switch {
		case p.rank == rankArticle:
			// An article's text follows its number; the number is the section.
			return heading{rank: p.rank, title: num, inline: rest != ""}, true, false
		case rest == "" && next != nil && isTitleLike(next.text) && headingOf(next.text) < 0:
			// "01" alone on its line, its title on the next.
			return heading{rank: p.rank, title: num + " " + next.text}, true, true
		case rest == "":
			return heading{rank: p.rank, title: num}, true, false
		case isTitleLike(t):
			return heading{rank: p.rank, title: collapseInner(t)}, true, false
		}
		// A paragraph that opens with a short lead-in sentence: the lead-in is the section title.
		if i := strings.IndexAny(rest, sentenceEnd); i > 0 && utf8.RuneCountInString(rest[:i]) <= maxLeadRunes {
			return heading{rank: p.rank, title: collapseInner(num + rest[:i]), inline: true}, true, false
		}
		// A numbered list item without a title of its own: body text, not a section.
		return heading{}, false, false
	}
	if l.md > 1 && isTitleLike(t) {
		return heading{rank: rankChapter * (l.md - 1), title: t}, true, false
	}
	return heading{}, false, false
}

// headingOf returns the rank of the numbering a line opens with, or -1.
func headingOf(t string) int {
	for _, p := range headingPatterns {
		if p.re.MatchString(t) {
			return p.rank
		}
	}
	return -1
}

// isTitleLike reports a short line without sentence punctuation: a heading or a title, not a paragraph.
func isTitleLike(t string) bool {
	return utf8.RuneCountInString(t) <= maxHeadingRunes && !strings.ContainsAny(t, sentenceEnd+"，,")
}

// isBody reports a line that is certainly body text: long, or with sentence punctuation.
func isBody(t string) bool {
	return utf8.RuneCountInString(t) > maxHeadingRunes || strings.ContainsAny(t, "。！？；;")
}

// collapseInner turns runs of spaces inside a heading into one space.
func collapseInner(s string) string {
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}
