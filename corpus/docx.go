package corpus

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxDOCXPart bounds the uncompressed size of the document part read from a DOCX file, so that a
// small archive that inflates to gigabytes (a zip bomb) is refused rather than read.
const maxDOCXPart = 200 << 20

// DOCXText extracts the text of a Word document (.docx): word/document.xml read with archive/zip and
// encoding/xml, one line per paragraph, each table cell's paragraphs on lines of their own (so a
// table reads one cell a line, as the passage cutter expects), tabs and line breaks kept. It also
// returns the title in the document's properties (docProps/core.xml), if any. It returns ErrDamaged
// for a file that is not a readable DOCX.
func DOCXText(b []byte) (text, title string, err error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return "", "", fmt.Errorf("%w: not a DOCX (zip) file: %v", ErrDamaged, err)
	}
	var doc, core *zip.File
	for _, f := range zr.File {
		switch f.Name {
		case "word/document.xml":
			doc = f
		case "docProps/core.xml":
			core = f
		}
	}
	if doc == nil {
		return "", "", fmt.Errorf("%w: no word/document.xml in the archive (not a Word document)", ErrDamaged)
	}
	text, err = docxBody(doc)
	if err != nil {
		return "", "", err
	}
	if core != nil {
		title, _ = docxTitle(core)
	}
	return text, title, nil
}

func openPart(f *zip.File) (io.ReadCloser, error) {
	if f.UncompressedSize64 > maxDOCXPart {
		return nil, fmt.Errorf("%w: %s inflates to %d MB", ErrTooLarge, f.Name, f.UncompressedSize64>>20)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrDamaged, f.Name, err)
	}
	return rc, nil
}

// The WordprocessingML namespace.
const wordML = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

func docxBody(f *zip.File) (string, error) {
	rc, err := openPart(f)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	dec := xml.NewDecoder(io.LimitReader(rc, maxDOCXPart))
	var out, para strings.Builder
	inText := false
	depth := 0 // nesting of paragraphs (a text box holds paragraphs inside a paragraph)
	endPara := func() {
		if t := strings.TrimSpace(para.String()); t != "" {
			out.WriteString(t)
			out.WriteByte('\n')
		}
		para.Reset()
	}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("%w: word/document.xml: %v", ErrDamaged, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Space != wordML {
				continue
			}
			switch t.Name.Local {
			case "p":
				if depth > 0 {
					endPara()
				}
				depth++
			case "t":
				inText = true
			case "tab":
				para.WriteByte('\t')
			case "br", "cr":
				para.WriteByte('\n')
			case "noBreakHyphen":
				para.WriteByte('-')
			case "del", "delText":
				// Deleted text of tracked changes is not the document's text.
				if err := dec.Skip(); err != nil {
					return "", fmt.Errorf("%w: word/document.xml: %v", ErrDamaged, err)
				}
			}
		case xml.EndElement:
			if t.Name.Space != wordML {
				continue
			}
			switch t.Name.Local {
			case "p":
				endPara()
				depth--
			case "t":
				inText = false
			case "tc":
				endPara()
			}
		case xml.CharData:
			if inText {
				para.Write(t)
			}
		}
	}
	return out.String(), nil
}

func docxTitle(f *zip.File) (string, error) {
	rc, err := openPart(f)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	var core struct {
		Title string `xml:"http://purl.org/dc/elements/1.1/ title"`
	}
	if err := xml.NewDecoder(io.LimitReader(rc, 1<<20)).Decode(&core); err != nil {
		return "", err
	}
	return strings.TrimSpace(core.Title), nil
}
