package corpus

import (
	"strings"
	"unicode/utf8"
)

// Units the author made: an article of a law (第X条, with its 款 and 项) and a list with the sentence
// that introduces it (……下列情形之一的：, then （一）（二）…) are passages whole. One too long for a
// passage is cut into parts at its lines; each part after the first repeats what gives it its
// meaning: the article's number and the sentence that introduces the part's items, or the article's
// opening sentence.

// Unit sizes, in runes.
const (
	unitRunes = 500 // an article or a list up to this long is one passage
	partRunes = 300 // a longer one is cut into parts of about this many
	// leadRunes is the longest sentence a part repeats as its lead-in; a longer one is left out (an
	// article's part then repeats only the number).
	leadRunes = 120
	// itemRunes is the longest line a list item can be: a longer one, after a line ending in "：",
	// is a numbered section with a paragraph of its own, not an item.
	itemRunes = 150
)

// leadSep joins the pieces of a part's text where the source text between them is left out.
const leadSep = "……"

// itemRanks are the numberings a list's items use.
func itemRank(rank int) bool {
	return rank == rankCN || rank == rankParenCN || rank == rankNum || rank == rankParenNum || rank == rankCircled
}

// introduces reports whether a line introduces a list: it ends in a colon.
func introduces(t string) bool {
	return strings.HasSuffix(t, "：") || strings.HasSuffix(t, ":")
}

// articleBody returns how many of ls belong to the article whose heading line came just before them:
// every line up to the next article, section, chapter or part, or Markdown heading.
func articleBody(ls []line) int {
	n := 0
	for ; n < len(ls); n++ {
		l := ls[n]
		if l.md > 0 || infoEnd.MatchString(l.text) {
			break
		}
		if r := headingOf(l.text); r >= 0 && r <= rankArticle {
			break
		}
	}
	return n
}

// listItems returns how many of ls are the items of a list that the line before them introduces (it
// ends in a colon), or 0 when they are not such a list: items open with one numbering (（一）, 1., ①
// …), may hold items of a deeper numbering, and each is one short line that ends a clause. Numbered
// lines with paragraphs of their own, or with titles that paragraphs follow, are sections, not items.
func listItems(ls []line) int {
	if len(ls) == 0 {
		return 0
	}
	first := headingOf(ls[0].text)
	if !itemRank(first) {
		return 0
	}
	n := 0
	for ; n < len(ls); n++ {
		t := ls[n].text
		r := headingOf(t)
		if r != first && (r < first || !itemRank(r)) {
			break
		}
		if utf8.RuneCountInString(t) > itemRunes {
			return 0
		}
	}
	for _, l := range ls[:n] {
		if !endsClause(l.text) && !introduces(l.text) {
			// A title without punctuation: a heading, unless every item is such a line and no
			// paragraph follows them (a list of materials, of names).
			if n < 2 || n < len(ls) && isBody(ls[n].text) && headingOf(ls[n].text) < 0 {
				return 0
			}
		}
	}
	return n
}

// endsClause reports whether a line ends with the punctuation that closes a clause or a sentence.
func endsClause(t string) bool {
	r, _ := utf8.DecodeLastRuneInString(t)
	for _, q := range "”’」』）)】》\"'" {
		if r == q {
			t = strings.TrimRight(t, string(q))
			r, _ = utf8.DecodeLastRuneInString(t)
			break
		}
	}
	return strings.ContainsRune("。；;，,、！？!?", r)
}

// unit emits the lines of an article (article set: its first line opens with its number) or of a list
// with the line that introduces it, as one passage or, when too long, in parts.
func (c *cutter) unit(ls []line, article bool) {
	c.flush()
	start := ls[0].start
	if c.head != nil && c.head.start <= start {
		start = c.head.start // the section's first passage starts at its heading
	}
	c.head = nil
	c.extend(ls[len(ls)-1])
	end := ls[len(ls)-1].end
	if utf8.RuneCountInString(c.doc.Text[start:end]) <= unitRunes {
		c.emit(start, end, false, "")
		return
	}
	// The pieces parts are made of: lines, and the sentences of a line too long for a part.
	type piece struct {
		start, end int
		line       int // index in ls
	}
	var pieces []piece
	for i, l := range ls {
		s := l.start
		if i == 0 {
			s = start
		}
		if utf8.RuneCountInString(c.doc.Text[s:l.end]) <= partRunes {
			pieces = append(pieces, piece{s, l.end, i})
			continue
		}
		for _, sp := range split(c.doc.Text, s, l.end) {
			pieces = append(pieces, piece{sp[0], sp[1], i})
		}
	}
	// Parts of about partRunes, balanced so that the last is not a short tail.
	total := utf8.RuneCountInString(c.doc.Text[start:end])
	parts := max(1, (total+partRunes/2)/partRunes)
	target := total / parts
	var cuts [][2]int // pieces [from, to) of each part
	from, size := 0, 0
	for i, p := range pieces {
		n := utf8.RuneCountInString(c.doc.Text[p.start:p.end])
		if size > 0 && size+n > target+target/4 {
			cuts = append(cuts, [2]int{from, i})
			from, size = i, 0
		}
		size += n
	}
	if size < target/3 && len(cuts) > 0 {
		cuts[len(cuts)-1][1] = len(pieces)
	} else {
		cuts = append(cuts, [2]int{from, len(pieces)})
	}
	for k, cut := range cuts {
		ps, pe := pieces[cut[0]].start, pieces[cut[1]-1].end
		if k == 0 {
			c.emit(ps, pe, false, "")
			continue
		}
		lead := c.lead(ls[:pieces[cut[0]].line+1], ps, article)
		c.emitLead(ps, pe, lead)
	}
}

// lead returns the spans a part starting at byte start repeats before its own text: for an article,
// its number and either the sentence that introduces the part's items or, without one, the article's
// opening sentence; for a list, the sentence that introduces it. ls are the unit's lines up to the
// one the part starts in.
func (c *cutter) lead(ls []line, start int, article bool) [][2]int {
	var spans [][2]int
	if article {
		first := ls[0]
		num := headingPatterns[rankIndex(rankArticle)].re.FindStringIndex(first.text)
		if num != nil {
			spans = append(spans, [2]int{first.start, first.start + num[1]})
		}
	}
	// The sentence introducing the items the part opens with: the last sentence of the nearest line
	// before it that ends in a colon, when the lines between are items.
	var intro [2]int
	if r := headingOf(c.doc.Text[start:min(start+64, len(c.doc.Text))]); itemRank(r) {
		for i := len(ls) - 1; i >= 0; i-- {
			l := ls[i]
			if l.start >= start {
				continue
			}
			if introduces(l.text) {
				intro = lastSentence(c.doc.Text, l.start, l.end)
				break
			}
			if !itemRank(headingOf(l.text)) {
				break
			}
		}
	}
	if intro == [2]int{} && article {
		intro = firstSentence(c.doc.Text, ls[0].start, ls[0].end)
	}
	if intro != [2]int{} && intro[0] < start && utf8.RuneCountInString(c.doc.Text[intro[0]:intro[1]]) <= leadRunes {
		if n := len(spans); n > 0 && intro[0] <= spans[n-1][1]+len(" ") {
			spans[n-1][1] = max(spans[n-1][1], min(intro[1], start))
		} else {
			spans = append(spans, [2]int{intro[0], min(intro[1], start)})
		}
	}
	return spans
}

// rankIndex returns the index in headingPatterns of the numbering of a rank.
func rankIndex(rank int) int {
	for i, p := range headingPatterns {
		if p.rank == rank {
			return i
		}
	}
	return -1
}

// firstSentence is the span of text[start:end]'s first sentence (up to a full stop, semicolon or colon).
func firstSentence(text string, start, end int) [2]int {
	if i := strings.IndexAny(text[start:end], "。；;：:！？!?"); i >= 0 {
		_, size := utf8.DecodeRuneInString(text[start+i:])
		return [2]int{start, start + i + size}
	}
	return [2]int{start, end}
}

// lastSentence is the span of text[start:end]'s last sentence, after the last full stop or semicolon
// before its end.
func lastSentence(text string, start, end int) [2]int {
	body := strings.TrimRight(text[start:end], "：:")
	s := start
	if i := strings.LastIndexAny(body, "。；;！？!?"); i >= 0 {
		_, size := utf8.DecodeRuneInString(body[i:])
		s = start + i + size
	}
	for s < end {
		r, size := utf8.DecodeRuneInString(text[s:])
		if !strings.ContainsRune(" \t\u3000", r) {
			break
		}
		s += size
	}
	return [2]int{s, end}
}

// emitLead emits the passage text[start:end] with the lead spans repeated before it.
func (c *cutter) emitLead(start, end int, lead [][2]int) {
	if len(lead) == 0 {
		c.emit(start, end, false, "")
		return
	}
	c.emit(start, end, false, "")
	p := &c.passages[len(c.passages)-1]
	p.Lead = lead
	p.Text = LeadText(c.doc.Text, lead, start, end)
}

// LeadText is the text of a passage text[start:end] that repeats the lead spans before it: each span
// and the passage as written, joined by the source text between them where that is only white
// space, and by "……" where text is left out.
func LeadText(text string, lead [][2]int, start, end int) string {
	var b strings.Builder
	prev := -1
	for _, sp := range append(lead, [2]int{start, end}) {
		if prev >= 0 {
			if gap := text[prev:sp[0]]; strings.TrimSpace(gap) == "" {
				b.WriteString(gap)
			} else {
				b.WriteString(leadSep)
			}
		}
		b.WriteString(text[sp[0]:sp[1]])
		prev = sp[1]
	}
	return b.String()
}
