package corpus

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// MaxFileSize is the largest document file corpus accepts: 20 MB. Policy documents are text; a larger
// file is a scan, a bundle of attachments or a mistake.
const MaxFileSize = 20 << 20

// ErrTooLarge reports a file over MaxFileSize.
var ErrTooLarge = errors.New("corpus: file too large")

// Converted formats: files whose text is extracted once, when they are added, and stored beside them.
var Converted = map[string]string{".pdf": "pdf", ".docx": "docx"}

// Extracted is the text of a document file, ready to be cut.
type Extracted struct {
	Format   string // txt, md, html, docx or pdf
	Encoding string // the encoding of a text or HTML file; UTF-8 for the others
	// Text is the document's text, UTF-8 with LF line ends: for a web page its body without
	// navigation and furniture, for DOCX and PDF the text of their paragraphs.
	Text string
	// Head is the text metadata is read from: Text, or for a web page the whole page's text, whose
	// furniture (来源, 发布时间) says who published it and when.
	Head  string
	Title string // the file's own title (HTML <title>, DOCX properties), "" if none
	// Converted says that Text is not the file itself, so it is stored beside the original file.
	Converted bool
	Hash      string // SHA-256 of the file's bytes, hex
	Name      string // the file's name, as given to Extract
}

// Extract reads the text of a document file from its bytes; name (its file name) tells the format
// where the bytes do not (PDF and DOCX are recognised by their content whatever their name). It
// refuses, with an error naming the reason, a file that is empty (ErrEmpty), larger than MaxFileSize
// (ErrTooLarge), of a format corpus does not read (ErrFormat), binary or mostly garbled text
// (ErrNotText), a broken PDF or DOCX (ErrDamaged) or a PDF without a text layer (ErrNoTextLayer).
func Extract(ctx context.Context, name string, b []byte) (*Extracted, error) {
	if len(b) > MaxFileSize {
		return nil, fmt.Errorf("%w: %.1f MB, the limit is %d MB", ErrTooLarge, float64(len(b))/(1<<20), MaxFileSize>>20)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, ErrEmpty
	}
	sum := sha256.Sum256(b)
	ex := &Extracted{Hash: hex.EncodeToString(sum[:]), Encoding: EncUTF8, Name: name}
	ext := strings.ToLower(filepath.Ext(name))
	head := b
	if len(head) > 1024 {
		head = head[:1024]
	}
	var err error
	switch {
	case bytes.Contains(head, []byte("%PDF-")):
		ex.Format, ex.Converted = "pdf", true
		ex.Text, err = PDFText(ctx, b)
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		ex.Format, ex.Converted = "docx", true
		ex.Text, ex.Title, err = DOCXText(b)
		if errors.Is(err, ErrDamaged) && ext != ".docx" {
			err = fmt.Errorf("%w: a zip archive that is not a Word document", ErrFormat)
		}
	case bytes.HasPrefix(b, []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")):
		return nil, fmt.Errorf("%w: an old binary Office file (.doc, .xls, .wps); save it as .docx or PDF", ErrFormat)
	case Converted[ext] != "":
		return nil, fmt.Errorf("%w: named %s but it is not a %s file", ErrDamaged, ext, strings.ToUpper(ext[1:]))
	case Formats[ext] != "":
		ex.Format = Formats[ext]
		if ex.Text, ex.Encoding, err = Decode(b); err != nil {
			return nil, err
		}
		if ex.Format == "html" {
			ex.Converted = true
			page := ex.Text
			if ex.Text, ex.Head, ex.Title, err = ReadableHTML(page); err != nil {
				return nil, err
			}
		}
	default:
		return nil, fmt.Errorf("%w: %q (want .txt, .md, .html, .docx or .pdf)", ErrFormat, ext)
	}
	if err != nil {
		return nil, err
	}
	if ex.Format == "docx" || ex.Format == "pdf" {
		// Text from DOCX and PDF passes the same checks as a text file.
		ex.Text = clean(ex.Text)
		if strings.TrimSpace(ex.Text) == "" {
			if ex.Format == "pdf" {
				return nil, ErrNoTextLayer
			}
			return nil, ErrEmpty
		}
		if garbled(ex.Text) {
			return nil, fmt.Errorf("%w: the %s's text is mostly garbled characters (a font without a Unicode map?)", ErrNotText, strings.ToUpper(ex.Format))
		}
	}
	if strings.TrimSpace(ex.Text) == "" {
		return nil, ErrEmpty
	}
	if ex.Head == "" {
		ex.Head = ex.Text
	}
	return ex, nil
}

// Document makes a document of the extracted text with the given id. Metadata fields given in meta
// count as given when it was added (SourceAdd); those left empty are read from the text and the
// file's name (see Parse). The result's Hash is that of the extracted file.
func (ex *Extracted) Document(id string, meta Meta) *Document {
	d := &Document{ID: id, Meta: meta, Format: ex.Format, Encoding: ex.Encoding, Hash: ex.Hash, Text: ex.Head}
	d.given(SourceAdd)
	name := ex.Name
	if name == "" {
		name = id
	}
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	fillMeta(d, ex.Title, strings.TrimSuffix(strings.TrimSuffix(name, filepath.Ext(name)), OriginalInfix))
	d.Text = ex.Text
	d.detectScript()
	return d
}
