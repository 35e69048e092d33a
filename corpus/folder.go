package corpus

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"policybot/internal/lockfile"
	"policybot/internal/parallel"
)

// A corpus folder, as staff change it:
//
//	DIR/ID.txt (.md, .html)    a document: its text, in any encoding corpus reads
//	DIR/ID.meta.json           its metadata (title, issuer, region, date, kind, number, url, original)
//	DIR/ID.orig.pdf (.docx…)   for a document added from PDF, DOCX or a web page: the original file;
//	                           ID.txt then holds its extracted text, which is what is indexed and quoted
//	DIR/.trash/STAMP-ID/       removed documents, with a removed.json saying what and when, until purged
//	DIR/.staging/TX/           a change being made (see below); cleaned up by the next change
//	DIR/.lock                  held while the folder is changed or read for indexing
//
// Every change is a transaction: new files are written into DIR/.staging/TX, then a plan of renames
// (plan.json, written atomically) commits it, then the renames are made and TX is removed. A process
// killed before the plan is written leaves nothing but TX, which the next change removes; one killed
// after it leaves a plan that the next change carries out. A document's text file is always the last
// file put in place and the first taken away, so a reader never sees half a document.

// Folder is a corpus folder that documents are added to, edited in, removed from and restored to.
// Its methods are safe to call from several processes at once: changes take the folder's lock.
type Folder struct {
	Dir string
	// Skip names folders under Dir that are not part of the corpus (see Files).
	Skip []string
	// ReadOnly reads the folder without taking its lock or finishing an interrupted change: for a
	// corpus this program does not keep (a benchmark's, a shared one), which it must not write to.
	ReadOnly bool
	// LockWait is how long a change waits for another to finish before giving up; 30 s when 0.
	LockWait time.Duration
	// Pause, when set, is called with the name of each step of a change as it is reached (a test
	// hook: "staged" once a change is written aside, "committed" once it is decided).
	Pause func(step string)
}

// Hidden folders and files of a corpus folder.
const (
	trashDir   = ".trash"
	stagingDir = ".staging"
	lockName   = ".lock"
	planFile   = "plan.json"
	removedDoc = "removed.json"
)

// ErrNotFound reports a document id that is not in the folder (or not in its trash).
var ErrNotFound = errors.New("corpus: no such document")

// ErrExists reports a document id already taken.
var ErrExists = errors.New("corpus: a document with that id exists")

// Entry is a document of the folder, or of its trash.
type Entry struct {
	ID   string
	Meta Meta
	// Sources says where each field of Meta came from, for a document of the folder.
	Sources  Sources
	Files    []string  // the document's files, relative to the folder (or to its trash entry)
	Bytes    int64     // their size
	Hash     string    // SHA-256 of its text file (Document.Hash), for a document of the folder
	Modified time.Time // when its text file was last written
	// Removed is when a trashed document was removed; zero for a document of the folder.
	Removed time.Time
	Trash   string // the trash entry's name, for a trashed document
}

func (f *Folder) lock(ctx context.Context) (*lockfile.Lock, error) {
	wait := f.LockWait
	if wait == 0 {
		wait = 30 * time.Second
	}
	if err := os.MkdirAll(f.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("open corpus %s: %w", f.Dir, err)
	}
	return lockfile.Acquire(ctx, filepath.Join(f.Dir, lockName), "a change to the corpus", wait)
}

// change locks the folder for a change, then finishes or undoes any change a crash interrupted. The
// caller releases the lock.
func (f *Folder) change(ctx context.Context) (*lockfile.Lock, error) {
	l, err := f.lock(ctx)
	if err != nil {
		return nil, err
	}
	if err := f.recover(); err != nil {
		l.Release()
		return nil, err
	}
	return l, nil
}

// Root is the folder and the folders under it left out of the corpus (Dir and Skip): what the
// index's fingerprint of the corpus is taken over.
func (f *Folder) Root() (string, []string) { return f.Dir, f.Skip }

func (f *Folder) pause(step string) {
	if f.Pause != nil {
		f.Pause(step)
	}
}

// Snapshot reads every document of the folder under its lock, after finishing or undoing a change a
// crash interrupted, so that it sees no change half made. Where the folder cannot be written (a
// read-only corpus) it reads it without the lock. Documents that cannot be read are left out and
// reported in the error, as Load does.
func (f *Folder) Snapshot(ctx context.Context) ([]*Document, error) {
	if f.ReadOnly {
		return Load(f.Dir, f.Skip...)
	}
	l, err := f.lock(ctx)
	switch {
	case errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS):
		return Load(f.Dir, f.Skip...)
	case err != nil:
		return nil, err
	}
	defer l.Release()
	if err := f.recover(); err != nil {
		return nil, err
	}
	return Load(f.Dir, f.Skip...)
}

// Recover finishes a change that a crash interrupted after it was committed, and removes what was
// staged for one interrupted before. It returns what it did, one line each.
func (f *Folder) Recover(ctx context.Context) ([]string, error) {
	l, err := f.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer l.Release()
	return f.recoverReport()
}

func (f *Folder) recover() error {
	_, err := f.recoverReport()
	return err
}

func (f *Folder) recoverReport() ([]string, error) {
	root := filepath.Join(f.Dir, stagingDir)
	entries, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("recover corpus: %w", err)
	}
	var did []string
	for _, e := range entries {
		tx := filepath.Join(root, e.Name())
		b, err := os.ReadFile(filepath.Join(tx, planFile))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			did = append(did, "removed an unfinished change "+e.Name())
		case err != nil:
			return did, fmt.Errorf("recover corpus: %w", err)
		default:
			var p plan
			if err := json.Unmarshal(b, &p); err != nil {
				return did, fmt.Errorf("recover corpus: %s: %w", e.Name(), err)
			}
			if err := f.apply(p); err != nil {
				return did, fmt.Errorf("recover corpus: %w", err)
			}
			did = append(did, "finished an interrupted change: "+p.What)
		}
		if err := os.RemoveAll(tx); err != nil {
			return did, fmt.Errorf("recover corpus: %w", err)
		}
	}
	return did, nil
}

// plan is a committed change: renames, made in order, of paths relative to the folder.
type plan struct {
	What  string   `json:"what"`
	Moves []move   `json:"moves"`
	Drop  []string `json:"drop,omitempty"` // folders removed once the moves are made
}

type move struct{ From, To string }

// apply makes the plan's renames that are not made yet. It can be run again after a crash.
func (f *Folder) apply(p plan) error {
	for _, m := range p.Moves {
		from, to := filepath.Join(f.Dir, m.From), filepath.Join(f.Dir, m.To)
		if _, err := os.Lstat(from); errors.Is(err, fs.ErrNotExist) {
			continue // made before the crash
		}
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		if err := os.Rename(from, to); err != nil {
			return err
		}
	}
	syncDir(f.Dir)
	for _, d := range p.Drop {
		if err := os.RemoveAll(filepath.Join(f.Dir, d)); err != nil {
			return err
		}
	}
	return nil
}

// tx is a change being staged.
type tx struct {
	f    *Folder
	dir  string // DIR/.staging/NAME
	rel  string // .staging/NAME
	plan plan
	n    int
}

func (f *Folder) begin(what string) (*tx, error) {
	name, err := stamp()
	if err != nil {
		return nil, err
	}
	rel := filepath.Join(stagingDir, name)
	dir := filepath.Join(f.Dir, rel)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("stage change: %w", err)
	}
	return &tx{f: f, dir: dir, rel: rel, plan: plan{What: what}}, nil
}

// put stages b to be installed at the relative path to.
func (t *tx) put(to string, b []byte) error {
	t.n++
	name := fmt.Sprintf("f%d", t.n)
	if err := writeSynced(filepath.Join(t.dir, name), b); err != nil {
		return fmt.Errorf("stage change: %w", err)
	}
	t.plan.Moves = append(t.plan.Moves, move{From: filepath.Join(t.rel, name), To: to})
	return nil
}

// mv plans a rename of one relative path to another.
func (t *tx) mv(from, to string) { t.plan.Moves = append(t.plan.Moves, move{From: from, To: to}) }

// commit writes the plan (the point after which the change happens, crash or not) and carries it out.
func (t *tx) commit() error {
	if err := t.writePlan(); err != nil {
		return err
	}
	t.f.pause("committed")
	if err := t.f.apply(t.plan); err != nil {
		return fmt.Errorf("commit change: %w", err)
	}
	return os.RemoveAll(t.dir)
}

// writePlan commits the change: once the plan is written, recovery carries it out.
func (t *tx) writePlan() error {
	b, err := json.MarshalIndent(t.plan, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(t.dir, ".plan.tmp")
	if err := writeSynced(tmp, b); err != nil {
		return fmt.Errorf("commit change: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(t.dir, planFile)); err != nil {
		return fmt.Errorf("commit change: %w", err)
	}
	syncDir(t.dir)
	return nil
}

// abort removes what was staged.
func (t *tx) abort() { os.RemoveAll(t.dir) }

func writeSynced(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

func stamp() (string, error) {
	var b [3]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return time.Now().UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b[:]), nil
}

// files returns the files of document id, relative to the folder: its text file last.
func (f *Folder) files(id string) (text string, others []string) {
	for ext := range Formats {
		if fileExists(filepath.Join(f.Dir, id+ext)) {
			text = id + ext
			break
		}
	}
	if fileExists(filepath.Join(f.Dir, id+MetaSuffix)) {
		others = append(others, id+MetaSuffix)
	}
	matches, _ := filepath.Glob(filepath.Join(f.Dir, globEscape(id)+OriginalInfix+".*"))
	for _, m := range matches {
		if rel, err := filepath.Rel(f.Dir, m); err == nil {
			others = append(others, filepath.ToSlash(rel))
		}
	}
	sort.Strings(others)
	return text, others
}

func globEscape(s string) string {
	r := strings.NewReplacer(`*`, `\*`, `?`, `\?`, `[`, `\[`, `\`, `\\`)
	return r.Replace(s)
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// validID reports an id that names a file inside the folder.
func validID(id string) bool {
	if id == "" || strings.Contains(id, "#") || strings.Contains(id, `\`) || strings.HasPrefix(id, "/") {
		return false
	}
	for _, part := range strings.Split(id, "/") {
		if part == "" || part == "." || part == ".." || strings.HasPrefix(part, ".") {
			return false
		}
	}
	return true
}

// removed is what a trash entry says of its document.
type removed struct {
	ID      string    `json:"id"`
	Removed time.Time `json:"removed"`
	Why     string    `json:"why,omitempty"`
}

// maxEntryID is the most bytes of a trash entry's name that name its document: with the stamp before
// it, the name fits in the 255 bytes a file name may have, however long the id.
const maxEntryID = 200

// escapeID is id %-escaped for a file name, cut (at a character) to at most max bytes. The entry's
// removed.json keeps the whole id.
func escapeID(id string, max int) string {
	var b strings.Builder
	for _, r := range id {
		e := url.PathEscape(string(r))
		if b.Len()+len(e) > max {
			break
		}
		b.WriteString(e)
	}
	return b.String()
}

// stageRemove plans the move of document id's files to a new trash entry.
func (f *Folder) stageRemove(t *tx, id, why string) error {
	text, others := f.files(id)
	if text == "" {
		return fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	name, err := stamp()
	if err != nil {
		return err
	}
	entry := filepath.Join(trashDir, name+"-"+escapeID(id, maxEntryID))
	info, _ := json.MarshalIndent(removed{ID: id, Removed: time.Now().UTC(), Why: why}, "", "  ")
	if err := t.put(filepath.Join(entry, removedDoc), info); err != nil {
		return err
	}
	for _, p := range append([]string{text}, others...) {
		t.mv(filepath.FromSlash(p), filepath.Join(entry, filepath.Base(p)))
	}
	return nil
}

// Remove moves document id to the folder's trash, where Restore finds it until Purge. It returns
// ErrNotFound for an id the folder does not hold.
func (f *Folder) Remove(ctx context.Context, id string) (*Entry, error) {
	if !validID(id) {
		return nil, fmt.Errorf("%w: %q", ErrNotFound, id)
	}
	l, err := f.change(ctx)
	if err != nil {
		return nil, err
	}
	defer l.Release()
	e, err := f.entry(id)
	if err != nil {
		return nil, err
	}
	t, err := f.begin("remove " + id)
	if err != nil {
		return nil, err
	}
	if err := f.stageRemove(t, id, "removed"); err != nil {
		t.abort()
		return nil, err
	}
	if err := t.commit(); err != nil {
		t.abort()
		return nil, err
	}
	return e, nil
}

// Restore moves the most recently removed document with the given id back from the trash. It
// returns ErrNotFound when the trash holds no such document and ErrExists when the folder holds a
// document with that id again.
func (f *Folder) Restore(ctx context.Context, id string) (*Entry, error) {
	l, err := f.change(ctx)
	if err != nil {
		return nil, err
	}
	defer l.Release()
	entries, err := f.Trash()
	if err != nil {
		return nil, err
	}
	var e *Entry
	for i := range entries {
		if entries[i].ID == id && (e == nil || entries[i].Removed.After(e.Removed)) {
			e = &entries[i]
		}
	}
	if e == nil {
		return nil, fmt.Errorf("%w in the trash: %s", ErrNotFound, id)
	}
	if text, _ := f.files(id); text != "" {
		return nil, fmt.Errorf("%w: %s (remove it first, or add the trashed copy under another name)", ErrExists, id)
	}
	t, err := f.begin("restore " + id)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(filepath.FromSlash(id))
	var text string
	for _, name := range e.Files {
		if _, ok := Formats[strings.ToLower(filepath.Ext(name))]; ok && !IsOriginal(name) {
			text = name
			continue
		}
		t.mv(filepath.Join(trashDir, e.Trash, name), filepath.Join(dir, name))
	}
	if text != "" {
		t.mv(filepath.Join(trashDir, e.Trash, text), filepath.Join(dir, text))
	}
	t.plan.Drop = []string{filepath.Join(trashDir, e.Trash)}
	if err := t.commit(); err != nil {
		t.abort()
		return nil, err
	}
	restored, err := f.entry(id)
	if err != nil {
		return nil, err
	}
	return restored, nil
}

// Purge deletes every document in the trash for good and returns them.
func (f *Folder) Purge(ctx context.Context) ([]Entry, error) {
	l, err := f.change(ctx)
	if err != nil {
		return nil, err
	}
	defer l.Release()
	entries, err := f.Trash()
	if err != nil || len(entries) == 0 {
		return nil, err
	}
	t, err := f.begin("purge the trash")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		t.mv(filepath.Join(trashDir, e.Trash), filepath.Join(t.rel, "purged", e.Trash))
	}
	if err := t.commit(); err != nil {
		t.abort()
		return nil, err
	}
	return entries, nil
}

// Edit changes the metadata of document id: each non-empty field of set replaces the field it names
// and becomes the person's word (SourceEdit), which inference never overrides; a field set to "-" is
// cleared and stays empty. Only the sidecar is written: fields not set keep their source, and those
// read from the text are read again. Status takes StatusInForce, StatusRepealed or StatusSuperseded
// ("-" is in force as well); SupersededBy names a document of the folder and, without a status,
// makes the document superseded. It returns the metadata before and after (with the status the rest
// of the corpus implies, see InferStatus, so it reads the whole folder), and an error wrapping
// ErrNotFound for an unknown id or SupersededBy, ErrStatus for an unknown status.
func (f *Folder) Edit(ctx context.Context, id string, set Meta) (before, after Meta, err error) {
	if err := CheckStatus(strings.TrimPrefix(set.Status, "-")); err != nil {
		return before, after, err
	}
	if set.SupersededBy != "" && set.SupersededBy != "-" && (set.Status == StatusInForce || set.Status == "-") {
		return before, after, fmt.Errorf("%w: a document in force is superseded by none (got superseded by %s)", ErrStatus, set.SupersededBy)
	}
	l, err := f.change(ctx)
	if err != nil {
		return before, after, err
	}
	defer l.Release()
	text, _ := f.files(id)
	if text == "" || !validID(id) {
		return before, after, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if by := set.SupersededBy; by != "" && by != "-" {
		if t, _ := f.files(by); t == "" || !validID(by) || by == id {
			return before, after, fmt.Errorf("%w: %s (the document superseding %s)", ErrNotFound, by, id)
		}
	}
	path := filepath.Join(f.Dir, filepath.FromSlash(text))
	b, err := os.ReadFile(path)
	if err != nil {
		return before, after, fmt.Errorf("edit %s: %w", id, err)
	}
	side, err := readSidecar(path)
	if err != nil {
		return before, after, err
	}
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	format := Formats[strings.ToLower(filepath.Ext(path))]
	doc, err := parse(b, format, id, name, side)
	if err != nil {
		return before, after, fmt.Errorf("edit %s: %w", id, err)
	}
	before = doc.Meta
	// The status the rest of the corpus implies, as the index sees it.
	all, _ := Load(f.Dir, f.Skip...)
	for _, d := range all {
		if d.ID == id && d.Hash == doc.Hash {
			before = d.Meta
		}
	}
	if set.SupersededBy != "" && set.SupersededBy != "-" && set.Status == "" && side.Status != StatusRepealed {
		set.Status = StatusSuperseded
	}
	if set.Status == StatusInForce || set.Status == "-" {
		set.Status, set.SupersededBy = StatusInForce, "-"
	}
	edited := side
	m, src := &edited.Meta, &edited.Sources
	for _, fld := range []struct {
		dst, src *string
		v        string
	}{
		{&m.Title, &src.Title, set.Title}, {&m.Issuer, &src.Issuer, set.Issuer}, {&m.Region, &src.Region, set.Region},
		{&m.Date, &src.Date, set.Date}, {&m.Kind, &src.Kind, set.Kind}, {&m.URL, &src.URL, set.URL},
		{&m.Number, &src.Number, set.Number}, {&m.Script, &src.Script, set.Script}, {&m.Status, &src.Status, set.Status},
		{&m.SupersededBy, &src.Status, set.SupersededBy},
	} {
		switch fld.v {
		case "":
		case "-":
			*fld.dst, *fld.src = "", SourceEdit
		default:
			*fld.dst, *fld.src = fld.v, SourceEdit
		}
	}
	if edited == side {
		return before, before, nil
	}
	ndoc, err := parse(b, format, id, name, edited)
	if err != nil {
		return before, after, fmt.Errorf("edit %s: %w", id, err)
	}
	after = ndoc.Meta
	if edited.Sources.Status == "" {
		after.Status, after.SupersededBy = before.Status, before.SupersededBy
	}
	mb, err := json.MarshalIndent(sidecar{Meta: edited.Meta, Sources: edited.Sources.written()}, "", "  ")
	if err != nil {
		return before, after, err
	}
	t, err := f.begin("edit " + id)
	if err != nil {
		return before, after, err
	}
	if err := t.put(filepath.FromSlash(id)+MetaSuffix, mb); err != nil {
		t.abort()
		return before, after, err
	}
	if err := t.commit(); err != nil {
		t.abort()
		return before, after, err
	}
	return before, after, nil
}

// List returns the folder's documents in id order, with their metadata (from the sidecar and the
// text, as the index will see it). A document that cannot be read is listed with its error in the
// returned error and without metadata.
func (f *Folder) List() ([]Entry, error) {
	files, err := Files(f.Dir, f.Skip...)
	if err != nil {
		return nil, err
	}
	entries := make([]*Entry, len(files))
	docs := make([]*Document, len(files))
	fail := make([]error, len(files))
	parallel.For(len(files), func(i int) {
		entries[i], docs[i], fail[i] = f.entryDoc(files[i].ID)
	})
	var read []*Document
	for _, d := range docs {
		if d != nil {
			read = append(read, d)
		}
	}
	// The statuses the corpus implies, as Load gives them to the index.
	InferStatus(read)
	var out []Entry
	var errs []error
	for i, e := range entries {
		if fail[i] != nil {
			errs = append(errs, fail[i])
		}
		if e == nil {
			continue
		}
		if docs[i] != nil {
			e.Meta, e.Sources = docs[i].Meta, docs[i].Sources
		}
		out = append(out, *e)
	}
	return out, errors.Join(errs...)
}

// Get returns document id, read as the index reads it: with the status the rest of the corpus
// implies (see InferStatus), so it reads the whole folder. It returns ErrNotFound for an unknown id.
func (f *Folder) Get(id string) (*Document, *Entry, error) {
	e, doc, err := f.entryDoc(id)
	if err != nil {
		return nil, e, err
	}
	all, _ := Load(f.Dir, f.Skip...) // documents that cannot be read imply nothing
	for _, d := range all {
		if d.ID == id && d.Hash == doc.Hash {
			doc = d
			e.Meta, e.Sources = d.Meta, d.Sources
		}
	}
	return doc, e, nil
}

func (f *Folder) entry(id string) (*Entry, error) {
	e, _, err := f.entryDoc(id)
	return e, err
}

// entryDoc returns document id as an entry of the folder and as read, alone.
func (f *Folder) entryDoc(id string) (*Entry, *Document, error) {
	if !validID(id) {
		return nil, nil, fmt.Errorf("%w: %q", ErrNotFound, id)
	}
	text, others := f.files(id)
	if text == "" {
		return nil, nil, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	e := &Entry{ID: id, Files: append([]string{text}, others...)}
	for _, p := range e.Files {
		if st, err := os.Stat(filepath.Join(f.Dir, filepath.FromSlash(p))); err == nil {
			e.Bytes += st.Size()
			if p == text {
				e.Modified = st.ModTime()
			}
		}
	}
	doc, err := ReadFile(filepath.Join(f.Dir, filepath.FromSlash(text)), id)
	if err != nil {
		return e, nil, err
	}
	e.Meta, e.Sources, e.Hash = doc.Meta, doc.Sources, doc.Hash
	return e, doc, nil
}

// Trash lists the removed documents, oldest first.
func (f *Folder) Trash() ([]Entry, error) {
	root := filepath.Join(f.Dir, trashDir)
	dirs, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list trash: %w", err)
	}
	var out []Entry
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		dir := filepath.Join(root, d.Name())
		var r removed
		if b, err := os.ReadFile(filepath.Join(dir, removedDoc)); err != nil || json.Unmarshal(b, &r) != nil {
			continue
		}
		e := Entry{ID: r.ID, Removed: r.Removed, Trash: d.Name()}
		files, _ := os.ReadDir(dir)
		for _, fl := range files {
			if fl.Name() == removedDoc {
				continue
			}
			e.Files = append(e.Files, fl.Name())
			if st, err := fl.Info(); err == nil {
				e.Bytes += st.Size()
			}
			if strings.HasSuffix(fl.Name(), MetaSuffix) {
				if b, err := os.ReadFile(filepath.Join(dir, fl.Name())); err == nil {
					json.Unmarshal(b, &e.Meta)
				}
			}
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Trash < out[j].Trash })
	return out, nil
}
