package corpus

import (
	"fmt"
	"strings"
	"unicode"

	"codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// skipped are elements whose text is never document content: scripts, styles and the navigation,
// header and footer furniture of a web page.
var skipped = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true, atom.Head: true,
	atom.Nav: true, atom.Header: true, atom.Footer: true, atom.Aside: true, atom.Form: true,
	atom.Iframe: true, atom.Svg: true, atom.Button: true, atom.Select: true, atom.Object: true,
}

// blocks are elements that end a line of text.
var blocks = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Br: true, atom.Li: true, atom.Tr: true, atom.Td: true,
	atom.Th: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true,
	atom.H6: true, atom.Table: true, atom.Section: true, atom.Article: true, atom.Blockquote: true,
	atom.Pre: true, atom.Ul: true, atom.Ol: true, atom.Dl: true, atom.Dt: true, atom.Dd: true,
	atom.Hr: true, atom.Caption: true, atom.Figcaption: true, atom.Main: true, atom.Center: true,
}

// HTMLText extracts the readable text of an HTML page: one line per block element (paragraphs, table
// cells, list items, headings), without scripts, styles or navigation, with runs of spaces collapsed.
// It also returns the page's <title>. It returns an error only for input the HTML parser rejects.
func HTMLText(src string) (text, title string, err error) {
	root, err := html.Parse(strings.NewReader(src))
	if err != nil {
		return "", "", fmt.Errorf("parse html: %w", err)
	}
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if n.DataAtom == atom.Title && title == "" && n.FirstChild != nil {
				title = strings.TrimSpace(n.FirstChild.Data)
			}
			if skipped[n.DataAtom] {
				return
			}
			if blocks[n.DataAtom] {
				b.WriteByte('\n')
			}
		}
		if n.Type == html.TextNode {
			b.WriteString(collapseSpace(n.Data))
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.Type == html.ElementNode && blocks[n.DataAtom] {
			b.WriteByte('\n')
		}
	}
	walk(root)
	var lines []string
	for _, l := range strings.Split(b.String(), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n") + "\n", title, nil
}

// collapseSpace turns every run of whitespace (including newlines inside a text node) into one space.
func collapseSpace(s string) string {
	out := strings.Join(strings.Fields(s), " ")
	if out == "" {
		if s != "" {
			return " "
		}
		return ""
	}
	if strings.TrimLeftFunc(s, isSpace) != s {
		out = " " + out
	}
	if strings.TrimRightFunc(s, isSpace) != s {
		out += " "
	}
	return out
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\u00a0' || r == '\u3000'
}

// ReadableHTML extracts a web page's document: readability (codeberg.org/readeck/go-readability)
// finds the element that holds the page's article and drops navigation, sidebars and link lists;
// HTMLText turns that element into lines; web-page furniture left inside it is dropped. When
// readability finds no article, or one much shorter than the page's text (it can miss a page built of
// tables), the whole page's text without furniture is used. It also returns the whole page's text,
// furniture included, for reading metadata (来源, 发布时间), and the page's title.
func ReadableHTML(page string) (text, full, title string, err error) {
	full, title, err = HTMLText(page)
	if err != nil {
		return "", "", "", err
	}
	whole := dropFurniture(full)
	text = whole
	parser := readability.NewParser()
	parser.CharThresholds = 100
	art, rerr := parser.Parse(strings.NewReader(page), nil)
	if rerr == nil && art.Node != nil {
		var b strings.Builder
		if html.Render(&b, art.Node) == nil {
			if body, _, err := HTMLText(b.String()); err == nil {
				body = dropFurniture(body)
				// Keep readability's choice when it holds most of the page's prose: menus and link
				// lists are short lines, so a page's prose is its article.
				if prose(body) >= prose(whole)/2 && prose(body) > 0 {
					text = body
				}
			}
		}
	}
	if title == "" && rerr == nil {
		title = art.Title()
	}
	title = cleanTitle(title)
	return text, pageHead(full, text, title), title, nil
}

// pageHead is what a web page's metadata is read from: the lines of the whole page that say who
// published it, when and under what number (来源, 发布日期, 文号) and the heading that repeats the page's
// title, then the article's text.
func pageHead(full, text, title string) string {
	var b strings.Builder
	for _, l := range strings.Split(full, "\n") {
		l = trimSpace(l)
		if title != "" && collapseInner(l) == collapseInner(title) || sourceLine.MatchString(l) || dateLabeled.MatchString(l) || docNumber.MatchString(l) && len([]rune(l)) <= maxHeadingRunes {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	b.WriteString(text)
	return b.String()
}

// cleanTitle drops the site name a page title carries after the document's ("…通知_某市人社局").
func cleanTitle(t string) string {
	t = trimSpace(t)
	for _, sep := range []string{"_", " - ", "|"} {
		if i := strings.LastIndex(t, sep); i > 0 && len([]rune(t[:i])) >= 4 {
			t = trimSpace(t[:i])
		}
	}
	return t
}

// prose counts the CJK characters of the lines of s that read as sentences: long, or with sentence
// punctuation.
func prose(s string) int {
	n := 0
	for _, l := range strings.Split(s, "\n") {
		if !isBody(l) && !strings.ContainsAny(l, "，,") {
			continue
		}
		for _, r := range l {
			if unicode.Is(unicode.Han, r) {
				n++
			}
		}
	}
	return n
}
