package corpus

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"

	"policybot/internal/parallel"
	"policybot/internal/script"
)

// MetaSuffix ends the name of a document's sidecar metadata file: doc.txt has doc.meta.json.
const MetaSuffix = ".meta.json"

// Formats maps the file extensions corpus reads to their format.
var Formats = map[string]string{".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}

// ErrFormat reports a file whose extension names no format corpus reads.
var ErrFormat = errors.New("corpus: unsupported format")

// ReadFile reads one document: it decodes the file (see Decode), extracts an HTML page's text, and
// takes its metadata from the sidecar beside it, filling gaps from the text. id is the document id.
// Errors name the file and wrap ErrFormat, ErrEmpty, ErrNotText or the file system's error.
func ReadFile(path, id string) (*Document, error) {
	format, ok := Formats[strings.ToLower(filepath.Ext(path))]
	if !ok {
		return nil, fmt.Errorf("read %s: %w (want .txt, .md or .html)", path, ErrFormat)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	side, err := readSidecar(path)
	if err != nil {
		return nil, err
	}
	doc, err := parse(b, format, id, strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)), side)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	doc.Source = path
	return doc, nil
}

// Parse builds a document from a file's bytes in the given format (txt, md or html; for a web page,
// its article without navigation, see ReadableHTML). Metadata fields left empty in meta are found in
// the text where possible, and in the id, taken as the file's name (see fillMeta); those given count
// as the sidecar's. It returns ErrEmpty or ErrNotText for bytes that hold no readable text, and an
// error wrapping ErrStatus for an unknown meta.Status.
func Parse(b []byte, format, id string, meta Meta) (*Document, error) {
	return parse(b, format, id, id, sidecar{Meta: meta})
}

// parse is Parse with the file's name (without extension) and a sidecar that may say where its
// fields came from.
func parse(b []byte, format, id, name string, side sidecar) (*Document, error) {
	if err := CheckStatus(side.Status); err != nil {
		return nil, err
	}
	text, enc, err := Decode(b)
	if err != nil {
		return nil, err
	}
	head, pageTitle := text, ""
	if format == "html" {
		if text, head, pageTitle, err = ReadableHTML(text); err != nil {
			return nil, err
		}
		if strings.TrimSpace(text) == "" {
			return nil, ErrEmpty
		}
	}
	sum := sha256.Sum256(b)
	// Metadata is read from the whole page: a web page's furniture (来源, 发布时间) says who published
	// it and when, though it is not part of the document's text.
	doc := &Document{ID: id, Meta: side.Meta, Sources: side.Sources, Format: format, Encoding: enc, Hash: hex.EncodeToString(sum[:]), Text: head}
	doc.given(SourceSidecar)
	fillMeta(doc, pageTitle, name)
	doc.Text = text
	doc.detectScript()
	return doc, nil
}

// given records from as the source of the metadata a person gave, and reads a status of
// StatusInForce as "": in force.
func (d *Document) given(from string) {
	d.Sources.mark(d.Meta, from)
	if d.Status == StatusInForce {
		d.Status = ""
	}
}

// detectScript sets the script the document is written in, unless given.
func (d *Document) detectScript() {
	if d.Script != "" || d.Sources.Script != "" {
		return
	}
	if cc, err := script.New(); err == nil {
		d.Script, d.Sources.Script = string(cc.Detect(d.Text)), SourceText
	}
}

// sidecar is a document's NAME.meta.json: its metadata, and where fields that a person did not
// write into it came from (docs add records what it read from the text, docs edit what it set).
type sidecar struct {
	Meta
	Sources Sources `json:"sources,omitzero"`
}

// readSidecar reads the sidecar of the document at path; a missing sidecar is no error.
func readSidecar(path string) (sidecar, error) {
	var s sidecar
	b, err := os.ReadFile(MetaPath(path))
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENAMETOOLONG) {
		// No sidecar; one whose name would be too long for the file system cannot exist.
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("read metadata %s: %w", MetaPath(path), err)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("read metadata %s: %w", MetaPath(path), err)
	}
	if err := CheckStatus(s.Status); err != nil {
		return s, fmt.Errorf("read metadata %s: %w", MetaPath(path), err)
	}
	return s, nil
}

// OriginalInfix marks the original of a converted document: doc.txt, extracted from a PDF, is kept with
// doc.orig.pdf.
const OriginalInfix = ".orig"

// IsOriginal reports whether a file name is that of a converted document's original (NAME.orig.EXT).
func IsOriginal(name string) bool {
	return strings.HasSuffix(strings.TrimSuffix(name, filepath.Ext(name)), OriginalInfix)
}

// MetaPath is the sidecar metadata file of the document at path.
func MetaPath(path string) string {
	return strings.TrimSuffix(path, filepath.Ext(path)) + MetaSuffix
}

// Files lists the document files under dir (recursively, in name order), skipping sidecars, the
// originals of converted documents (NAME.orig.pdf), README files and hidden files and folders (the
// trash, the staging area of changes in progress), and the folders under dir named in skip (paths
// relative to dir, with forward slashes). Each is returned with its document id: its path under dir
// without extension, with forward slashes.
func Files(dir string, skip ...string) ([]File, error) {
	var out []File
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && path != dir && len(skip) > 0 {
			if rel, err := filepath.Rel(dir, path); err == nil && slices.Contains(skip, filepath.ToSlash(rel)) {
				return filepath.SkipDir
			}
		}
		if strings.HasPrefix(name, ".") && path != dir {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || strings.HasSuffix(name, MetaSuffix) || strings.HasPrefix(strings.ToUpper(name), "README") || IsOriginal(name) {
			return nil
		}
		if _, ok := Formats[strings.ToLower(filepath.Ext(name))]; !ok {
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		id := filepath.ToSlash(strings.TrimSuffix(rel, filepath.Ext(rel)))
		out = append(out, File{Path: path, ID: id})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// File is a document file in a corpus folder.
type File struct {
	Path string
	ID   string
}

// Load reads every document under dir but the folders in skip (see Files), then marks those the
// corpus says are no longer in force (see InferStatus). Documents that cannot be read are left out and
// reported in the returned error (one line each, naming the file), so one broken file does not hide
// the rest; the error is nil when every file was read.
func Load(dir string, skip ...string) ([]*Document, error) {
	files, err := Files(dir, skip...)
	if err != nil {
		return nil, err
	}
	// Decoding and reading metadata is CPU work: read on every core, keep the files' order.
	read := make([]*Document, len(files))
	fail := make([]error, len(files))
	parallel.For(len(files), func(i int) {
		read[i], fail[i] = ReadFile(files[i].Path, files[i].ID)
	})
	var docs []*Document
	var errs []error
	for i := range files {
		if fail[i] != nil {
			errs = append(errs, fail[i])
			continue
		}
		docs = append(docs, read[i])
	}
	InferStatus(docs)
	return docs, errors.Join(errs...)
}

// Fingerprint hashes what an index built from dir depends on: the id, bytes and sidecar of every
// document under dir but the folders in skip (see Files), and the files in extra (the user dictionary and synonym list; a path of "" or
// a missing file counts as empty). Two calls give the same result exactly when none of it changed.
func Fingerprint(dir string, skip []string, extra ...string) (string, error) {
	files, err := Files(dir, skip...)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	add := func(name, path string) error {
		b, err := os.ReadFile(path)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("fingerprint %s: %w", path, err)
		}
		sum := sha256.Sum256(b)
		fmt.Fprintf(h, "%s\x00%x\n", name, sum)
		return nil
	}
	for _, f := range files {
		if err := add(f.ID, f.Path); err != nil {
			return "", err
		}
		if err := add(f.ID+MetaSuffix, MetaPath(f.Path)); err != nil {
			return "", err
		}
	}
	for i, p := range extra {
		if p == "" {
			fmt.Fprintf(h, "extra%d\x00\n", i)
			continue
		}
		if err := add(fmt.Sprintf("extra%d", i), p); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
