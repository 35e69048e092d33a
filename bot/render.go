package bot

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"policybot/handlers"
	"policybot/index"
)

// MaxMessage is the most text a Telegram message holds, in UTF-16 code units of the text after its
// entities (the HTML tags) are parsed.
const MaxMessage = 4096

// style is how a run of text is shown.
type style uint8

const (
	plain style = iota
	bold
	italic
	anchor // a link: seg.href is its address
)

// seg is a run of text in one style.
type seg struct {
	text  string
	style style
	href  string
}

// line is one line of a message.
type line []seg

// block is lines kept in one message when they fit: a passage with its citation, a header.
type block []line

// units is the length of a line as Telegram counts it.
func (l line) units() int {
	n := 0
	for _, s := range l {
		n += utf16Len(s.text)
	}
	return n
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// layout lays an answer out in blocks: the header (title and notes), the body (text, passages) and
// the footer.
func layout(a handlers.Answer) []block {
	var blocks []block
	var head block
	if a.Title != "" {
		head = append(head, line{{text: a.Title, style: bold}})
	}
	for _, n := range a.Notes {
		head = append(head, line{{text: n, style: italic}})
	}
	if len(head) > 0 {
		blocks = append(blocks, head)
	}
	if a.Text != "" {
		// A text's paragraphs are blocks of their own, set apart by a blank line.
		for _, para := range strings.Split(a.Text, "\n\n") {
			if b := textLines(para, nil); len(b) > 0 {
				blocks = append(blocks, b)
			}
		}
	}
	for _, h := range a.Hits {
		var b block
		title := "《" + h.Title + "》"
		if h.Rank > 0 {
			title = strconv.Itoa(h.Rank) + ". " + title
		}
		b = append(b, line{{text: title, style: bold}})
		if h.Validity != "" {
			// Said before the passage, so that nobody takes it for the rule in force.
			b = append(b, line{{text: "⚠️ " + h.Validity, style: bold}})
		}
		if h.Section != "" {
			b = append(b, line{{text: h.Section, style: italic}})
		}
		b = append(b, textLines(h.Text, h.Highlights)...)
		cite := line{{text: "—— " + h.Citation}}
		if h.URL != "" {
			cite = append(cite, seg{text: " · "}, seg{text: h.LinkLabel, style: anchor, href: h.URL})
		}
		b = append(b, cite)
		if h.Older != "" {
			b = append(b, line{{text: "⚠️ " + h.Older, style: italic}})
		}
		blocks = append(blocks, b)
	}
	if a.Footer != "" {
		blocks = append(blocks, block{{{text: a.Footer, style: italic}}})
	}
	return blocks
}

// textLines cuts text into lines, the spans of highlights (byte offsets, in order, on character
// boundaries; others are ignored) in bold. Empty
// lines are left out: blocks are set apart by an empty line already.
func textLines(text string, highlights []index.Span) block {
	var segs []seg
	at := 0
	for _, h := range highlights {
		if h.Start < at || h.End > len(text) || h.Start >= h.End ||
			!utf8.RuneStart(text[h.Start]) || (h.End < len(text) && !utf8.RuneStart(text[h.End])) {
			continue
		}
		if h.Start > at {
			segs = append(segs, seg{text: text[at:h.Start]})
		}
		segs = append(segs, seg{text: text[h.Start:h.End], style: bold})
		at = h.End
	}
	if at < len(text) {
		segs = append(segs, seg{text: text[at:]})
	}
	var out block
	var cur line
	for _, s := range segs {
		parts := strings.Split(s.text, "\n")
		for i, p := range parts {
			if i > 0 {
				if strings.TrimSpace(segsText(cur)) != "" {
					out = append(out, cur)
				}
				cur = nil
			}
			if p != "" {
				cur = append(cur, seg{text: p, style: s.style, href: s.href})
			}
		}
	}
	if strings.TrimSpace(segsText(cur)) != "" {
		out = append(out, cur)
	}
	return out
}

func segsText(l line) string {
	var b strings.Builder
	for _, s := range l {
		b.WriteString(s.text)
	}
	return b.String()
}

// Message is one Telegram message: its text in Telegram's HTML and the inline keyboard under it.
type Message struct {
	HTML     string
	Keyboard *Keyboard
}

// Render renders an answer as Telegram messages: HTML with every piece of text escaped, only the
// tags Telegram accepts, each message at most MaxMessage units long, split between passages or
// lines (a line longer than a message, between sentences), never inside a tag. The buttons go under
// the last message.
func Render(a handlers.Answer) []Message {
	return render(a, MaxMessage)
}

func render(a handlers.Answer, limit int) []Message {
	var msgs []Message
	var cur []line // lines of the message being filled; a nil line is the blank line between blocks
	size := 0
	flush := func() {
		if len(cur) == 0 {
			return
		}
		for len(cur) > 0 && cur[len(cur)-1] == nil {
			cur = cur[:len(cur)-1]
		}
		msgs = append(msgs, Message{HTML: htmlOf(cur)})
		cur, size = nil, 0
	}
	add := func(l line) {
		// A line joins the message after a newline: one unit.
		u := l.units()
		sep := 0
		if len(cur) > 0 {
			sep = 1
		}
		if size+sep+u > limit {
			flush()
			sep = 0
		}
		cur = append(cur, l)
		size += sep + u
	}
	for _, b := range layout(a) {
		bu := 0
		for _, l := range b {
			bu += l.units() + 1
		}
		if len(cur) > 0 {
			if size+1+bu > limit {
				flush()
			} else {
				cur = append(cur, nil) // blank line between blocks
				size++
			}
		}
		for _, l := range b {
			for _, piece := range splitLine(l, limit) {
				add(piece)
			}
		}
	}
	flush()
	if len(msgs) > 0 {
		msgs[len(msgs)-1].Keyboard = keyboard(a)
	}
	return msgs
}

// splitLine cuts a line longer than limit into pieces that fit, after a sentence end (。！？；) when
// there is one in the second half of a piece, else between characters.
func splitLine(l line, limit int) []line {
	if l.units() <= limit {
		return []line{l}
	}
	var out []line
	var cur line
	size := 0
	for _, s := range l {
		text := s.text
		for text != "" {
			room := limit - size
			if utf16Len(text) <= room {
				cur = append(cur, seg{text: text, style: s.style, href: s.href})
				size += utf16Len(text)
				break
			}
			cut := fitPrefix(text, room)
			if cut > 0 {
				cur = append(cur, seg{text: text[:cut], style: s.style, href: s.href})
				text = text[cut:]
			}
			out = append(out, cur)
			cur, size = nil, 0
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// fitPrefix is the byte length of the longest prefix of s that fits in room units, ending after a
// sentence end when one lies in its second half.
func fitPrefix(s string, room int) int {
	n, end, sentence := 0, 0, 0
	for i, r := range s {
		w := utf16.RuneLen(r)
		if w < 0 {
			w = 1
		}
		if n+w > room {
			break
		}
		n += w
		end = i + utf8.RuneLen(r)
		if strings.ContainsRune("。！？；!?;", r) && n > room/2 {
			sentence = end
		}
	}
	if sentence > 0 {
		return sentence
	}
	return end
}

// htmlOf writes lines as Telegram HTML; nil lines are blank.
func htmlOf(lines []line) string {
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		for _, s := range l {
			t := escape(s.text)
			switch s.style {
			case bold:
				b.WriteString("<b>" + t + "</b>")
			case italic:
				b.WriteString("<i>" + t + "</i>")
			case anchor:
				b.WriteString(`<a href="` + escape(s.href) + `">` + t + "</a>")
			default:
				b.WriteString(t)
			}
		}
	}
	return b.String()
}

// escaper escapes what Telegram's HTML parser would take for markup, in text and in attributes.
var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

func escape(s string) string { return escaper.Replace(strings.ToValidUTF8(s, "\uFFFD")) }

// PlainText renders an answer as plain text, laid out as Render lays it out, for the console chat.
// Links are written out after their label; buttons are not shown.
func PlainText(a handlers.Answer) string {
	var b strings.Builder
	for i, bl := range layout(a) {
		if i > 0 {
			b.WriteString("\n\n")
		}
		for j, l := range bl {
			if j > 0 {
				b.WriteByte('\n')
			}
			for _, s := range l {
				b.WriteString(s.text)
				if s.style == anchor {
					b.WriteString("：" + s.href)
				}
			}
		}
	}
	return b.String()
}
