package corpus

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"unicode"
)

// Adding documents to a corpus folder: checks (format, size, text, duplicates), ids, and the
// transaction that puts a document's files in place.
// ErrDuplicate reports a file whose text is already in the corpus; ErrNearDuplicate one that is a
// near-duplicate (a revised or redacted version) of a document in it. Both come as *DuplicateError.
var (
	ErrDuplicate     = errors.New("corpus: already in the corpus")
	ErrNearDuplicate = errors.New("corpus: a near-duplicate of a document in the corpus")
)

// DuplicateError names the document a file duplicates.
type DuplicateError struct {
	ID, Title  string
	Similarity float64 // 1 for an exact duplicate
	Exact      bool
}

func (e *DuplicateError) Error() string {
	if e.Exact {
		return fmt.Sprintf("the same text as document %s 《%s》", e.ID, e.Title)
	}
	return fmt.Sprintf("%.0f%% alike to document %s 《%s》: a revised version? to replace it, add it with --replace %s", 100*e.Similarity, e.ID, e.Title, QuoteID(e.ID))
}

// Unwrap makes errors.Is find ErrDuplicate or ErrNearDuplicate.
func (e *DuplicateError) Unwrap() error {
	if e.Exact {
		return ErrDuplicate
	}
	return ErrNearDuplicate
}

// FileError is a file an Add refused, and why.
type FileError struct {
	File string
	Err  error
}

func (e *FileError) Error() string { return e.File + ": " + e.Err.Error() }

// Unwrap returns the reason.
func (e *FileError) Unwrap() error { return e.Err }

// RefusedError lists the files an Add refused. When an Add returns it, nothing was changed.
type RefusedError struct {
	Files []*FileError
}

func (e *RefusedError) Error() string {
	parts := make([]string, len(e.Files))
	for i, f := range e.Files {
		parts[i] = f.Error()
	}
	return "refused " + strings.Join(parts, "; ")
}

// Unwrap returns the refusals, so that errors.Is sees each reason.
func (e *RefusedError) Unwrap() []error {
	out := make([]error, len(e.Files))
	for i, f := range e.Files {
		out[i] = f
	}
	return out
}

// AddRequest is a file to add.
type AddRequest struct {
	Name string // the file's name: it gives the document id and, for text files, the format
	Data []byte
	Meta Meta // metadata given by the person; fields left empty are read from the text
	// Replace is the id of the document this file replaces (a revised version); "" to add a new one.
	Replace string
}

// Added is a document an Add put in the folder.
type Added struct {
	Doc      *Document // as read back from the folder, with the metadata found or given
	Format   string    // the format of the file added (Doc.Format is its stored text's)
	Passages int       // passages it cuts into
	Replaced string    // id of the document it replaced, moved to the trash
	// Resembles lists other documents it resembles (near-duplicates kept because a replacement was
	// asked for).
	Resembles []*DuplicateError
}

// MaxIDBytes is the longest document id IDFor makes, in bytes (24 Chinese characters): its files'
// names (ID.meta.json, ID.orig.docx, and the trash entry STAMP-ID with the id %-escaped, three times
// as long) must fit in the 255 bytes a file name may have.
const MaxIDBytes = 72

// IDFor turns a file name into a document id: its base name without extension, keeping letters
// (Chinese included), digits, "-", "_" and "."; any other character (spaces, shell metacharacters such
// as ; & | $ ` ' ", the characters file systems or passage ids reserve) becomes "-", runs of "-" one.
// An id longer than MaxIDBytes is cut (at a character) to fit.
func IDFor(name string) string {
	base := filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	base = strings.TrimSuffix(base, filepath.Ext(base))
	base = strings.TrimSuffix(base, OriginalInfix)
	var b strings.Builder
	for _, r := range base {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '.':
			b.WriteRune(r)
		case !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	id := strings.Trim(b.String(), ".-")
	if len(id) > MaxIDBytes {
		cut := 0
		for i := range id {
			if i > MaxIDBytes {
				break
			}
			cut = i
		}
		id = strings.TrimRight(id[:cut], ".-")
	}
	if id == "" {
		id = "document"
	}
	return id
}

// QuoteID returns id as one argument of a shell command line, for the commands printed for staff to
// run: as it is when it holds only letters, digits, "-", "_", "." and "/", else in single quotes (an
// id made by IDFor never needs them; one named by hand might).
func QuoteID(id string) string {
	if id != "" && strings.IndexFunc(id, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-_./", r))
	}) < 0 && !strings.HasPrefix(id, "-") {
		return id
	}
	return "'" + strings.ReplaceAll(id, "'", `'\''`) + "'"
}

// textKey identifies a text up to white space: two files with the same key hold the same text.
func textKey(s string) string {
	h := sha256.New()
	for _, w := range strings.Fields(s) {
		h.Write([]byte(w))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// candidate is a checked file about to be added.
type candidate struct {
	req     AddRequest
	ex      *Extracted
	doc     *Document
	id      string
	similar []*DuplicateError
}

// Add checks every file and, if all pass, adds each as a document of the folder (replacing the
// document its request names, which goes to the trash). A file is refused when Extract refuses it,
// when its text is already in the folder (or earlier in the same call), or when it is a near-duplicate
// of a document (resemblance above DuplicateThreshold) and its request does not replace that document;
// then Add returns a *RefusedError listing every refused file and changes nothing. Each document is
// added atomically; a crash in the middle leaves the documents added before it, at most the one being
// added, and nothing half-written.
func (f *Folder) Add(ctx context.Context, reqs []AddRequest) ([]*Added, error) {
	cands := make([]*candidate, len(reqs))
	refused := &RefusedError{}
	for i, r := range reqs {
		ex, err := Extract(ctx, r.Name, r.Data)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			refused.Files = append(refused.Files, &FileError{File: r.Name, Err: err})
			continue
		}
		cands[i] = &candidate{req: r, ex: ex}
	}
	l, err := f.change(ctx)
	if err != nil {
		return nil, err
	}
	defer l.Release()
	existing, _ := Load(f.Dir) // unreadable documents cannot be duplicated; Load reports them elsewhere
	byID := map[string]*Document{}
	for _, d := range existing {
		byID[d.ID] = d
	}
	keys := map[string]string{}
	shingles := map[string]map[uint64]struct{}{}
	for _, d := range existing {
		keys[textKey(d.Text)] = d.ID
		shingles[d.ID] = Shingles(Skeleton(d.Text), 5)
	}
	taken := map[string]bool{}
	for _, d := range existing {
		taken[d.ID] = true
	}
	for _, c := range cands {
		if c == nil {
			continue
		}
		if err := f.check(c, byID, keys, shingles, taken); err != nil {
			refused.Files = append(refused.Files, &FileError{File: c.req.Name, Err: err})
		}
	}
	if len(refused.Files) > 0 {
		return nil, refused
	}
	var out []*Added
	for _, c := range cands {
		a, err := f.install(c, byID[c.req.Replace])
		if err != nil {
			return out, err
		}
		out = append(out, a)
	}
	return out, nil
}

// check decides whether a candidate may be added and gives it an id. It records the candidate's text
// so that a later file of the same call cannot duplicate it.
func (f *Folder) check(c *candidate, byID map[string]*Document, keys map[string]string, shingles map[string]map[uint64]struct{}, taken map[string]bool) error {
	if c.req.Replace != "" {
		if byID[c.req.Replace] == nil {
			return fmt.Errorf("%w: %s (the document to replace)", ErrNotFound, c.req.Replace)
		}
	}
	key := textKey(c.ex.Text)
	if id, ok := keys[key]; ok {
		return &DuplicateError{ID: id, Title: titleOf(byID, id), Similarity: 1, Exact: true}
	}
	sh := Shingles(Skeleton(c.ex.Text), 5)
	var near []*DuplicateError
	ids := make([]string, 0, len(shingles))
	for id := range shingles {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if sim := Resemblance(sh, shingles[id]); sim >= DuplicateThreshold {
			near = append(near, &DuplicateError{ID: id, Title: titleOf(byID, id), Similarity: float64(int(sim*100)) / 100})
		}
	}
	sort.SliceStable(near, func(i, j int) bool { return near[i].Similarity > near[j].Similarity })
	if c.req.Replace == "" && len(near) > 0 {
		return near[0]
	}
	for _, n := range near {
		if n.ID != c.req.Replace {
			c.similar = append(c.similar, n)
		}
	}
	c.id = c.req.Replace
	if c.id == "" {
		base := IDFor(c.req.Name)
		c.id = base
		for i := 2; taken[c.id] || f.inTrashOnly(c.id); i++ {
			c.id = fmt.Sprintf("%s-%d", base, i)
		}
	}
	if !validID(c.id) {
		return fmt.Errorf("%w: cannot make a document id of the name %q", ErrFormat, c.req.Name)
	}
	taken[c.id] = true
	keys[key] = c.id
	shingles[c.id] = sh
	doc := c.ex.Document(c.id, c.req.Meta)
	if old := byID[c.req.Replace]; old != nil {
		inherit(doc, old)
	}
	byID[c.id+"\x00new"] = doc // titles of this call's files, for the messages of later ones
	c.doc = doc
	return nil
}

// inherit gives a revised version the metadata of the document it replaces where neither the person
// nor its text said otherwise: its title (when the text names none), issuer, region, kind and URL. The
// date and document number belong to the version, so they are not inherited.
func inherit(d, old *Document) {
	if d.Title == "" || d.Sources.Title == SourceFileName {
		d.Title, d.Sources.Title = old.Title, SourcePrevious
	}
	for _, f := range []struct {
		dst, src *string
		v        string
	}{
		{&d.Issuer, &d.Sources.Issuer, old.Issuer}, {&d.Region, &d.Sources.Region, old.Region},
		{&d.Kind, &d.Sources.Kind, old.Kind}, {&d.URL, &d.Sources.URL, old.URL},
	} {
		if *f.dst == "" && f.v != "" {
			*f.dst, *f.src = f.v, SourcePrevious
		}
	}
}

// inTrashOnly reports an id that a trashed document had, so that a new document does not take the
// id a restore would need.
func (f *Folder) inTrashOnly(id string) bool {
	entries, _ := f.Trash()
	for _, e := range entries {
		if e.ID == id {
			return true
		}
	}
	return false
}

func titleOf(byID map[string]*Document, id string) string {
	if d := byID[id]; d != nil {
		return d.Title
	}
	if d := byID[id+"\x00new"]; d != nil {
		return d.Title
	}
	return ""
}

// install writes a checked candidate into the folder, replacing old (nil for none).
func (f *Folder) install(c *candidate, old *Document) (*Added, error) {
	what := "add " + c.id
	if old != nil {
		what = "replace " + c.id
	}
	t, err := f.begin(what)
	if err != nil {
		return nil, err
	}
	committed := false
	defer func() {
		if !committed {
			t.abort()
		}
	}()
	meta := c.doc.Meta
	if meta.Status == "" && c.doc.Sources.Status != "" {
		meta.Status = StatusInForce // said by the person: in force
	}
	var text []byte
	textName := c.id + ".txt"
	if c.ex.Converted {
		ext := strings.ToLower(filepath.Ext(c.req.Name))
		if ext == "" || Converted[ext] == "" && Formats[ext] != "html" {
			ext = "." + c.ex.Format
		}
		meta.Original = filepath.Base(c.id) + OriginalInfix + ext
		text = []byte(c.ex.Text)
	} else {
		// A text file is its own original: kept as it came, in its encoding.
		meta.Original = ""
		text = c.req.Data
		if c.ex.Format == "md" {
			textName = c.id + ".md"
		}
	}
	// The sidecar records where what was read from the text came from, so that docs show still says
	// so once it is written down.
	mb, err := json.MarshalIndent(sidecar{Meta: meta, Sources: c.doc.Sources.written()}, "", "  ")
	if err != nil {
		return nil, err
	}
	if old != nil {
		// The old version goes to the trash first: its text file first, so that it stops being a
		// document before anything else of it moves.
		if err := f.stageRemove(t, old.ID, "replaced by "+c.req.Name); err != nil {
			return nil, err
		}
	}
	dir := filepath.Dir(filepath.FromSlash(c.id))
	if meta.Original != "" {
		if err := t.put(filepath.Join(dir, meta.Original), c.req.Data); err != nil {
			return nil, err
		}
	}
	if err := t.put(filepath.FromSlash(c.id)+MetaSuffix, mb); err != nil {
		return nil, err
	}
	if err := t.put(filepath.FromSlash(textName), text); err != nil {
		return nil, err
	}
	f.pause("staged")
	if err := t.commit(); err != nil {
		return nil, err
	}
	committed = true
	doc, err := ReadFile(filepath.Join(f.Dir, filepath.FromSlash(textName)), c.id)
	if err != nil {
		return nil, fmt.Errorf("read back %s: %w", c.id, err)
	}
	a := &Added{Doc: doc, Format: c.ex.Format, Passages: len(Cut(doc)), Resembles: c.similar}
	if old != nil {
		a.Replaced = old.ID
	}
	return a, nil
}
