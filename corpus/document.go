// Package corpus reads policy documents (plain text in any common Chinese encoding, Markdown, HTML),
// finds their structure (chapters, numbered sections, boxed columns, tables) and cuts them into
// passages that carry their section path and their byte offsets in the document's text. It knows
// nothing of search engines or chat.
package corpus

import (
	"strconv"
	"strings"
)

// Meta is what a person needs to cite a document. It is read from a sidecar NAME.meta.json beside
// the document, and found in the text where the sidecar is missing or silent.
type Meta struct {
	Title  string `json:"title"`
	Issuer string `json:"issuer,omitempty"`
	Region string `json:"region,omitempty"`
	Date   string `json:"date,omitempty"` // YYYY, YYYY-MM or YYYY-MM-DD
	Kind   string `json:"kind,omitempty"`
	Script string `json:"script,omitempty"` // simplified or traditional
	URL    string `json:"url,omitempty"`
	Number string `json:"number,omitempty"` // the document number (文号), e.g. 铜人社发〔2024〕12号
	// Original names the file a document was converted from (a PDF, DOCX or web page kept beside
	// its extracted text), relative to the document's folder; "" for a document that is its own file.
	Original string `json:"original,omitempty"`
}

// Document is one policy document as read from the corpus folder.
type Document struct {
	ID string // the file's path under the corpus folder, without extension
	Meta
	Source   string // the file it was read from
	Format   string // txt, md or html
	Encoding string // the encoding the file was written in
	Hash     string // SHA-256 of the file's bytes, hex
	// Text is the document's text as UTF-8 with LF line ends (for HTML, the page's text). Passages'
	// offsets point into it, and it is what citations quote.
	Text string
}

// Heading is one level of a passage's section path.
type Heading struct {
	Text       string // the heading as shown, e.g. "第三章 总体要求" or "1.就业形势持续稳定发展"
	Start, End int    // byte span of the whole section in Document.Text
}

// Passage is a piece of a document sized for reading in a chat message: a paragraph, part of a long
// paragraph, or a few short paragraphs of one section.
type Passage struct {
	DocID string
	Seq   int       // position in the document, from 0
	Path  []Heading // section path, outermost first
	Text  string    // Document.Text[Start:End], except for a rebuilt table row
	Start int       // byte offsets into Document.Text
	End   int
	// Rebuilt marks a table row put back together from a table flattened one cell per line. Its Text
	// is not verbatim; Start and End span the whole table in the source.
	Rebuilt bool
	// Lead holds the spans of Document.Text that a later part of a long article or list repeats before
	// its own text [Start, End): the article's number and the sentence that introduces its items.
	// Text is then those spans and its own, as written, joined by "……" where text is left out (see
	// LeadText).
	Lead [][2]int
	// Cells and Headers split a rebuilt row for the index: the row's own cells, and its table's column
	// headers, which repeat in every row and so describe the row rather than say something of it.
	Cells, Headers string
}

// ID identifies the passage across the corpus: the document id, "#", and the passage's position.
func (p *Passage) ID() string { return p.DocID + "#" + strconv.Itoa(p.Seq) }

// SectionSep joins the levels of a section path.
const SectionSep = " › "

// Section is the passage's section path joined with " › ", or "" at the top of the document.
func (p *Passage) Section() string {
	parts := make([]string, len(p.Path))
	for i, h := range p.Path {
		parts[i] = h.Text
	}
	return strings.Join(parts, SectionSep)
}
