package bot

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"policybot/corpus"
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
	blocks = append(blocks, hitBlocks(a.Hits)...)
	if a.Footer != "" {
		blocks = append(blocks, block{{{text: a.Footer, style: italic}}})
	}
	return blocks
}

// hitBlocks lays passages out by document, in the order their documents first come: the
// document's title, its validity and citation once, then each of its passages with its rank and
// section path. A passage's path leaves out the levels it shares with the passage above it in the
// same document ("… › 3.完善…"); a passage of the same section as the one above shows no path.
func hitBlocks(hits []handlers.Hit) []block {
	var order []string
	groups := map[string][]handlers.Hit{}
	for _, h := range hits {
		key := h.DocID
		if key == "" {
			key = h.Title + "\x00" + h.Citation
		}
		if _, ok := groups[key]; !ok {
			order = append(order, key)
		}
		groups[key] = append(groups[key], h)
	}
	var blocks []block
	for _, key := range order {
		g := groups[key]
		first := g[0]
		b := block{{{text: "《" + first.Title + "》", style: bold}}}
		if first.Validity != "" {
			// Said before the passages, so that nobody takes them for the rule in force.
			b = append(b, line{{text: "⚠️ " + first.Validity, style: bold}})
		}
		if first.Citation != "" || first.URL != "" {
			cite := line{{text: first.Citation}}
			if first.URL != "" {
				if first.Citation != "" {
					cite = append(cite, seg{text: " · "})
				}
				cite = append(cite, seg{text: first.LinkLabel, style: anchor, href: first.URL})
			}
			b = append(b, cite)
		}
		prev := ""
		for i, h := range g {
			if i > 0 {
				blocks = append(blocks, b)
				b = nil
			} else {
				b = append(b, nil) // a blank line between the citation and the first passage
			}
			b = append(b, passageLines(h, sectionTail(prev, h.Section))...)
			prev = h.Section
		}
		blocks = append(blocks, b)
	}
	return blocks
}

// passageLines are a passage's lines: its rank and section path, then its text.
func passageLines(h handlers.Hit, section string) block {
	num := ""
	if h.Rank > 0 {
		num = strconv.Itoa(h.Rank) + ". "
	}
	text := textLines(h.Text, h.Highlights)
	if section != "" {
		head := line{{text: section, style: italic}}
		if num != "" {
			head = append(line{{text: num}}, head...)
		}
		return append(block{head}, text...)
	}
	if num != "" && len(text) > 0 {
		text[0] = append(line{{text: num}}, text[0]...)
	}
	return text
}

// sectionTail is the section path to show under a passage whose path is section, below one whose
// path is prev in the same document: all of it, or the levels after those they share, after "… › ";
// "" when they are the same.
func sectionTail(prev, section string) string {
	if prev == "" || section == "" {
		return section
	}
	if prev == section {
		return ""
	}
	p, s := strings.Split(prev, corpus.SectionSep), strings.Split(section, corpus.SectionSep)
	n := 0
	for n < len(p) && n < len(s)-1 && p[n] == s[n] {
		n++
	}
	if n == 0 {
		return section
	}
	return "…" + corpus.SectionSep + strings.Join(s[n:], corpus.SectionSep)
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
