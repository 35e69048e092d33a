package corpus

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
)

// ErrNoTextLayer reports a PDF whose pages hold no text, only pictures of it: a scan. Reading it would
// take OCR, which policybot does not do.
var ErrNoTextLayer = errors.New("corpus: the PDF has no text layer (a scan?); OCR is not supported")

// ErrDamaged reports a PDF or DOCX file that its reader cannot make sense of: truncated, corrupt,
// encrypted or not what its name says.
var ErrDamaged = errors.New("corpus: damaged or unreadable file")

// PDFTimeout bounds the time spent reading one PDF: PDF readers can loop forever on a broken file.
const PDFTimeout = 60 * time.Second

// PDFText extracts the text layer of a PDF: the glyphs of each page put into lines by their position,
// lines broken only by the page width joined back into paragraphs, page numbers dropped. The reader
// runs with a timeout (ctx's deadline or PDFTimeout, whichever is sooner) and a panic in it is turned
// into an error. It returns ErrDamaged for a file the reader rejects, ErrNoTextLayer for a PDF
// without text, or ctx's error.
func PDFText(ctx context.Context, b []byte) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, PDFTimeout)
	defer cancel()
	type result struct {
		text string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- result{err: fmt.Errorf("%w: the PDF reader failed: %v", ErrDamaged, r)}
			}
		}()
		text, err := pdfText(ctx, b)
		done <- result{text, err}
	}()
	select {
	case r := <-done:
		return r.text, r.err
	case <-ctx.Done():
		// The reader goroutine cannot be stopped; it is left to finish or to be ended with the process.
		return "", fmt.Errorf("read pdf: gave up after %s: %w", PDFTimeout, ctx.Err())
	}
}

func pdfText(ctx context.Context, b []byte) (string, error) {
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	var out strings.Builder
	pages := r.NumPage()
	if pages == 0 {
		return "", fmt.Errorf("%w: no pages", ErrDamaged)
	}
	for i := 1; i <= pages; i++ {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		p := r.Page(i)
		if p.V.IsNull() {
			continue
		}
		for _, l := range joinLines(pageLines(p.Content().Text)) {
			out.WriteString(l)
			out.WriteByte('\n')
		}
	}
	text := clean(out.String())
	letters := 0
	for _, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			letters++
		}
	}
	if letters < 10*pages && letters < 50 {
		return "", ErrNoTextLayer
	}
	return text, nil
}

// pdfLine is a line of glyphs on a page.
type pdfLine struct {
	y, x0, x1, size float64
	text            string
}

// pageLines groups a page's glyphs into lines, top to bottom, each left to right, with a space where
// the gap between two glyphs is wide.
func pageLines(glyphs []pdf.Text) []pdfLine {
	var gs []pdf.Text
	for _, g := range glyphs {
		if g.S != "" && g.FontSize > 0 {
			gs = append(gs, g)
		}
	}
	sort.SliceStable(gs, func(i, j int) bool { return gs[i].Y > gs[j].Y })
	var lines []pdfLine
	for i := 0; i < len(gs); {
		// A line: glyphs whose baselines lie within half a font size of the line's first.
		j := i + 1
		for j < len(gs) && gs[i].Y-gs[j].Y <= 0.5*math.Min(gs[i].FontSize, gs[j].FontSize) {
			j++
		}
		row := gs[i:j]
		sort.SliceStable(row, func(a, b int) bool { return row[a].X < row[b].X })
		l := pdfLine{y: row[0].Y, x0: row[0].X, x1: row[0].X, size: row[0].FontSize}
		var b strings.Builder
		for k, g := range row {
			if k > 0 && g.X-l.x1 > 0.25*g.FontSize && g.S != " " && !strings.HasSuffix(b.String(), " ") {
				b.WriteByte(' ')
			}
			b.WriteString(g.S)
			l.x1 = math.Max(l.x1, g.X+g.W)
			l.size = math.Max(l.size, g.FontSize)
		}
		if l.text = tidyCJKSpaces(strings.TrimSpace(b.String())); l.text != "" {
			lines = append(lines, l)
		}
		i = j
	}
	return dropPageNumbers(lines)
}

var pageNumber = regexp.MustCompile(`^(?:[-—–－\s]*\d{1,4}[-—–－\s]*|第\s*\d+\s*页(?:\s*[，,/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)$`)

// dropPageNumbers removes lines that are nothing but a page number ("- 3 -", "第3页 共9页").
func dropPageNumbers(lines []pdfLine) []pdfLine {
	out := lines[:0]
	for _, l := range lines {
		if pageNumber.MatchString(l.text) {
			continue
		}
		out = append(out, l)
	}
	return out
}

// tidyCJKSpaces drops spaces next to a CJK character: in Chinese text they are typesetting (a change
// of font between 2024 and 年), not words apart.
func tidyCJKSpaces(s string) string {
	if !strings.Contains(s, " ") {
		return s
	}
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		if r == ' ' && i > 0 && i < len(rs)-1 && (isCJK(rs[i-1]) || isCJK(rs[i+1])) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || r >= 0x3000 && r <= 0x303F || r >= 0xFF00 && r <= 0xFFEF
}

// paragraphEnd holds the runes that may end a paragraph.
const paragraphEnd = "。！？；：!?;:”」』）)"

// joinLines joins lines that the page width broke: a line that reaches the right margin continues on
// the next unless it ends a sentence and the next is indented, or the next opens a numbered heading.
func joinLines(lines []pdfLine) []string {
	if len(lines) == 0 {
		return nil
	}
	left, right := math.Inf(1), math.Inf(-1)
	for _, l := range lines {
		left = math.Min(left, l.x0)
		right = math.Max(right, l.x1)
	}
	var out []string
	var cur strings.Builder
	for i, l := range lines {
		cur.WriteString(l.text)
		if i == len(lines)-1 {
			break
		}
		next := lines[i+1]
		full := l.x1 >= right-1.5*l.size
		last, _ := utf8.DecodeLastRuneInString(l.text)
		indented := next.x0 > left+0.8*next.size
		join := full && headingOf(next.text) < 0 && !(strings.ContainsRune(paragraphEnd, last) && indented) &&
			math.Abs(l.size-next.size) < 0.5 && next.y < l.y
		if !join {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}
