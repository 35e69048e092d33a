package corpus

import (
	"strings"
	"unicode/utf8"
)

// Passage sizes, in runes. A paragraph up to keepRunes long is one passage; a longer one is split at
// sentence ends into pieces of about targetRunes; short paragraphs of one section are joined up to
// targetRunes. A sentence longer than keepRunes is split at commas.
const (
	targetRunes = 200
	keepRunes   = 300
)

// node is one section of a document while it is being cut.
type node struct {
	title      string
	rank       int
	start, end int
	parent     int // index of the enclosing section, -1 at the top
}

// cutter walks a document's lines and collects its passages.
type cutter struct {
	doc   *Document
	nodes []node
	stack []int  // open sections, outermost first
	pend  []line // short paragraphs waiting to be joined
	// head is the heading line just opened, when nothing has followed it yet: the section's first
	// passage starts with it, so that the passage reads with its heading.
	head     *line
	passages []Passage
	nodeOf   []int // innermost section of each passage, -1 at the top
}

// Cut splits a document into passages in reading order, each with its section path. Web-page
// furniture, the front matter before the body (title, issuer and date lines) and a table of contents
// are left out; a table flattened one cell per line becomes one passage per row.
func Cut(doc *Document) []Passage {
	ls := lines(doc.Text)
	c := &cutter{doc: doc}
	first := 0
	for i, l := range ls {
		if infoEnd.MatchString(l.text) {
			first = i + 1
			break
		}
	}
	var front []line
	inFront, inTOC := true, false
	tocFirst := ""
	for i := first; i < len(ls); i++ {
		l := ls[i]
		if furnitureLine(l.text) {
			continue
		}
		if strings.HasPrefix(l.text, "目") && tocLine.MatchString(collapseInner(l.text)) {
			inTOC, tocFirst = true, ""
			continue
		}
		if inTOC {
			if isTitleLike(l.text) && collapseInner(l.text) != tocFirst {
				if tocFirst == "" {
					tocFirst = collapseInner(l.text)
				}
				continue
			}
			inTOC = false
		}
		if !inFront {
			if n := c.table(ls[i:]); n > 0 {
				i += n - 1
				continue
			}
		}
		var next *line
		if i+1 < len(ls) {
			next = &ls[i+1]
		}
		h, ok, consumed := classify(l, next)
		if inFront {
			if !ok && !isBody(l.text) {
				front = append(front, l)
				continue
			}
			inFront = false
		}
		if ok && h.rank == rankArticle {
			// An article is a unit: its paragraphs and items are its text, not sections.
			c.open(h, l)
			n := articleBody(ls[i+1:])
			body := []line{l}
			for _, b := range ls[i+1 : i+1+n] {
				if !furnitureLine(b.text) {
					body = append(body, b)
				}
			}
			c.unit(body, true)
			i += n
			continue
		}
		if ok {
			c.open(h, l)
			if consumed {
				c.extend(*next)
				c.head.end = next.end
				i++
			}
			if h.inline {
				i += c.text(l, ls[i+1:])
			}
			continue
		}
		i += c.text(l, ls[i+1:])
	}
	c.flush()
	if len(c.passages) == 0 {
		// A document of nothing but short lines: each is a passage.
		c.head, c.stack = nil, nil
		for _, l := range front {
			c.para(l)
		}
		c.flush()
	}
	return c.finish()
}

// maxFurniture is the longest line, in bytes, that can be web-page furniture (a breadcrumb, a source
// bar, a footer): longer lines are body text.
const maxFurniture = 400

// furnitureCues holds a word of each of the furniture patterns (clean.go): a line with none of them
// cannot match, and is not run through the patterns, which are slow. A pattern added there needs its
// word here (TestFurnitureCues checks them).
var furnitureCues = []string{"位置", "来源", "來源", "字号", "字號", "字体", "发布", "發布", "更新", "发文", "浏览", "瀏覽", "阅读", "閱讀", "访问",
	"编辑", "編輯", "校对", "审核", "扫一扫", "二维码", "二維碼", "上一", "下一", "公网安备", "公網安備", "ICP",
	"网站标识码", "網站標識碼", "版权所有", "版權所有", "Copyright", "©", "主办单位", "主辦單位", "承办单位", "承辦單位",
	"繼續訪問", "继续访问", "返回顶部", "返回頂部", "关闭", "關閉", "打印", "收藏", "分享", "<!--"}

// cuesByRune holds furnitureCues by their first rune, so that a line is read once for all of them.
var cuesByRune = func() map[rune][]string {
	m := map[rune][]string{}
	for _, c := range furnitureCues {
		r, _ := utf8.DecodeRuneInString(c)
		m[r] = append(m[r], c)
	}
	return m
}()

// furnitureLine reports whether a trimmed line is web-page furniture.
func furnitureLine(t string) bool {
	return len(t) <= maxFurniture && isFurniture(t)
}

// hasFurnitureCue reports whether t holds one of furnitureCues.
func hasFurnitureCue(t string) bool {
	for i, r := range t {
		for _, c := range cuesByRune[r] {
			if strings.HasPrefix(t[i:], c) {
				return true
			}
		}
	}
	return false
}

// open starts a section, closing the open ones of the same or a lower level.
func (c *cutter) open(h heading, l line) {
	c.flush()
	for len(c.stack) > 0 && c.nodes[c.stack[len(c.stack)-1]].rank >= h.rank {
		c.stack = c.stack[:len(c.stack)-1]
	}
	parent := -1
	if len(c.stack) > 0 {
		parent = c.stack[len(c.stack)-1]
	}
	c.nodes = append(c.nodes, node{title: h.title, rank: h.rank, start: l.start, end: l.end, parent: parent})
	c.stack = append(c.stack, len(c.nodes)-1)
	c.head = &line{start: l.start, end: l.end}
}

// extend makes every open section reach the end of l.
func (c *cutter) extend(l line) {
	for _, n := range c.stack {
		if l.end > c.nodes[n].end {
			c.nodes[n].end = l.end
		}
	}
}

// current is the innermost open section, or -1.
func (c *cutter) current() int {
	if len(c.stack) == 0 {
		return -1
	}
	return c.stack[len(c.stack)-1]
}

// text adds a paragraph line to the current section and, when it introduces a list, the list's
// items that follow it in rest; it returns how many lines of rest it took.
func (c *cutter) text(l line, rest []line) int {
	if introduces(l.text) {
		if n := listItems(rest); n > 0 {
			c.unit(append([]line{l}, rest[:n]...), false)
			return n
		}
	}
	c.para(l)
	return 0
}

// para adds a paragraph line to the current section.
func (c *cutter) para(l line) {
	c.extend(l)
	if c.head != nil && c.head.start <= l.start {
		// The section's first paragraph: start the passage at its heading.
		l.start = c.head.start
		l.text = c.doc.Text[l.start:l.end]
		c.head = nil
	}
	n := utf8.RuneCountInString(l.text)
	if n > keepRunes {
		c.flush()
		for _, s := range split(c.doc.Text, l.start, l.end) {
			c.emit(s[0], s[1], false, "")
		}
		return
	}
	if len(c.pend) > 0 && runes(c.pend)+n > targetRunes {
		c.flush()
	}
	c.pend = append(c.pend, l)
}

// flush emits the waiting short paragraphs as one passage.
func (c *cutter) flush() {
	if len(c.pend) == 0 {
		return
	}
	c.emit(c.pend[0].start, c.pend[len(c.pend)-1].end, false, "")
	c.pend = c.pend[:0]
}

func (c *cutter) emit(start, end int, rebuilt bool, text string) {
	if !rebuilt {
		text = c.doc.Text[start:end]
	}
	c.passages = append(c.passages, Passage{
		DocID: c.doc.ID, Seq: len(c.passages), Text: text, Start: start, End: end, Rebuilt: rebuilt,
	})
	c.nodeOf = append(c.nodeOf, c.current())
}

// table checks whether ls opens with a flattened table and, if so, emits its rows and returns the
// number of lines it used.
func (c *cutter) table(ls []line) int {
	n := 0
	for n < len(ls) && isCell(ls[n].text) && headingOf(ls[n].text) < 0 && !furnitureLine(ls[n].text) {
		n++
	}
	if n < 3*2 {
		return 0
	}
	// The run may end with lines that are not part of the table; try the longest fit first.
	for ; n >= 6; n-- {
		t, ok := findTable(ls[:n])
		if !ok {
			continue
		}
		c.flush()
		c.head = nil
		start, end := t.span()
		for _, row := range t.rows() {
			c.emit(start, end, true, row.text)
			p := &c.passages[len(c.passages)-1]
			p.Cells, p.Headers = row.cells, row.headers
		}
		c.extend(ls[n-1])
		return n
	}
	return 0
}

// finish fills in each passage's section path.
func (c *cutter) finish() []Passage {
	for i := range c.passages {
		var path []Heading
		for n := c.nodeOf[i]; n >= 0; n = c.nodes[n].parent {
			nd := c.nodes[n]
			path = append(path, Heading{Text: nd.title, Start: nd.start, End: nd.end})
		}
		for l, r := 0, len(path)-1; l < r; l, r = l+1, r-1 {
			path[l], path[r] = path[r], path[l]
		}
		c.passages[i].Path = path
	}
	return c.passages
}

func runes(ls []line) int {
	n := 0
	for _, l := range ls {
		n += utf8.RuneCountInString(l.text)
	}
	return n
}

// split cuts text[start:end], a long paragraph, into spans of about targetRunes that end at sentence
// ends (or at commas inside an overlong sentence), balanced so that no piece is a short tail.
func split(text string, start, end int) [][2]int {
	var units [][2]int
	for _, s := range breaks(text, start, end, "。！？；!?;") {
		if utf8.RuneCountInString(text[s[0]:s[1]]) > keepRunes {
			units = append(units, breaks(text, s[0], s[1], "，,、：:")...)
		} else {
			units = append(units, s)
		}
	}
	total := utf8.RuneCountInString(text[start:end])
	pieces := (total + keepRunes - targetRunes) / targetRunes
	if pieces < 1 {
		pieces = 1
	}
	target := total / pieces
	var out [][2]int
	cur := [2]int{-1, -1}
	curRunes := 0
	for _, u := range units {
		if cur[0] < 0 {
			cur = u
		} else {
			cur[1] = u[1]
		}
		curRunes += utf8.RuneCountInString(text[u[0]:u[1]])
		if curRunes >= target {
			out = append(out, cur)
			cur, curRunes = [2]int{-1, -1}, 0
		}
	}
	if cur[0] >= 0 {
		if len(out) > 0 && curRunes < targetRunes/3 {
			out[len(out)-1][1] = cur[1]
		} else {
			out = append(out, cur)
		}
	}
	return out
}

// breaks splits text[start:end] after each rune in seps (and the closing quotes that follow it),
// trimming spaces, and returns the non-empty spans.
func breaks(text string, start, end int, seps string) [][2]int {
	var out [][2]int
	s := start
	for i := start; i < end; {
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		if !strings.ContainsRune(seps, r) {
			continue
		}
		for i < end {
			q, qs := utf8.DecodeRuneInString(text[i:])
			if !strings.ContainsRune("”’」』）)】》\"'", q) {
				break
			}
			i += qs
		}
		out = appendSpan(out, text, s, i)
		s = i
	}
	return appendSpan(out, text, s, end)
}

func appendSpan(out [][2]int, text string, s, e int) [][2]int {
	t := trimSpace(text[s:e])
	if t == "" {
		return out
	}
	s += strings.Index(text[s:e], t)
	return append(out, [2]int{s, s + len(t)})
}
