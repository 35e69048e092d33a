package index

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"

	"policybot/corpus"
	"policybot/internal/lockfile"
)

// ReindexLock is the file in the data folder held while an index is built: one build at a time,
// across processes. The kernel releases it when its holder dies.
const ReindexLock = "reindex.lock"

// ErrBusy reports that another reindex holds the data folder's lock; the error says whose
// (*lockfile.BusyError: "a reindex is already running (pid N, since T)").
var ErrBusy = lockfile.ErrBusy

// LockReindex takes the data folder's reindex lock, waiting up to wait for a running reindex to
// finish. It returns an error wrapping ErrBusy, naming the holder, when the wait runs out.
func LockReindex(ctx context.Context, dataDir string, wait time.Duration) (*lockfile.Lock, error) {
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("lock index: %w", err)
	}
	return lockfile.Acquire(ctx, filepath.Join(dataDir, ReindexLock), "a reindex", wait)
}

// UpdateOptions says how to bring a data folder's index up to date with a corpus.
type UpdateOptions struct {
	BuildOptions
	// Full rebuilds every document; otherwise only documents whose file, metadata or id changed are
	// cut and indexed again, unless the dictionaries or the index format changed, which changes the
	// analysis of every document.
	Full bool
	// LockWait is how long to wait for another reindex to finish; 0 gives up at once.
	LockWait time.Duration
	// Pause, when set, is called at each step of the update: "indexing" (the new index is being
	// written beside the live one), "built" (complete, not yet published). A test hook.
	Pause func(step string)
	// Total, when set, is called once before indexing begins with the number of documents to cut and
	// index (all of them for a full rebuild, the added and changed ones otherwise): the total
	// Progress counts documents towards.
	Total func(docs int)
}

// UpdateReport says what an update did.
type UpdateReport struct {
	Manifest *Manifest // of the published index; nil when nothing changed
	Previous string    // the index it replaced, "" if there was none
	Full     bool      // everything was rebuilt
	Why      string    // why a full rebuild ("--full", "the user dictionary changed", …)
	// Documents added, changed (file or metadata) and removed since the previous index, by id.
	Added, Changed, Removed []string
	Unchanged               int
	Passages                int   // in the new index
	Cut                     int   // passages cut and indexed by this update
	Bytes                   int64 // text indexed by this update
	Seconds                 float64
}

// Update brings the index of dataDir up to date with docs and publishes it (see Build): it holds the
// data folder's reindex lock throughout, so only one update runs at a time, and builds the new index
// in a folder of its own beside the live one, so searches go on being answered from the live one.
// With an index already published and the same dictionaries and format, only the documents that
// changed are cut and indexed (a copy of the live index with their passages replaced). When nothing
// changed it publishes nothing and returns a report with a nil Manifest. It returns an error wrapping
// ErrBusy when another update holds the lock past opt.LockWait.
func Update(ctx context.Context, dataDir string, docs []*corpus.Document, opt UpdateOptions) (*UpdateReport, error) {
	began := time.Now()
	lock, err := LockReindex(ctx, dataDir, opt.LockWait)
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	root := filepath.Join(dataDir, indexesDir)
	removePartial(root)
	removeTemps(dataDir)

	sort.Slice(docs, func(i, j int) bool { return docs[i].ID < docs[j].ID })
	rep := &UpdateReport{}
	var old *Index
	if name, err := Current(dataDir); err == nil {
		rep.Previous = name
		if old, err = OpenDir(dataDir, filepath.Join(root, name)); err != nil {
			old = nil
			rep.Full, rep.Why = true, "the live index cannot be read"
		}
	} else {
		rep.Full, rep.Why = true, "there is no index yet"
	}
	if old != nil {
		defer old.Close()
	}
	diff(rep, old, docs)
	if !rep.Full {
		rep.Why = fullWhy(old, opt)
		rep.Full = rep.Why != ""
	}
	if !rep.Full && len(rep.Added)+len(rep.Changed)+len(rep.Removed) == 0 && old.Manifest.Fingerprint == opt.Fingerprint {
		rep.Passages = old.Manifest.Passages
		rep.Seconds = time.Since(began).Seconds()
		return rep, nil
	}
	if opt.Total != nil {
		if rep.Full {
			opt.Total(len(docs))
		} else {
			opt.Total(len(rep.Added) + len(rep.Changed))
		}
	}
	progress := opt.Progress
	paused := false
	opt.Progress = func(d, p int, b int64) {
		if !paused && opt.Pause != nil {
			paused = true
			opt.Pause("indexing")
		}
		rep.Bytes = b
		if progress != nil {
			progress(d, p, b)
		}
	}
	if rep.Full {
		m, err := Build(ctx, dataDir, docs, opt.BuildOptions)
		if err != nil {
			return nil, err
		}
		rep.Manifest, rep.Passages, rep.Cut = m, m.Passages, m.Passages
		rep.Seconds = time.Since(began).Seconds()
		return rep, nil
	}
	m, err := patch(ctx, dataDir, old, docs, rep, opt)
	if err != nil {
		return nil, err
	}
	rep.Manifest, rep.Passages = m, m.Passages
	rep.Seconds = time.Since(began).Seconds()
	return rep, nil
}

// diff lists the documents added, changed and removed since old was built.
func diff(rep *UpdateReport, old *Index, docs []*corpus.Document) {
	seen := map[string]bool{}
	for _, d := range docs {
		seen[d.ID] = true
		var prev *corpus.Document
		if old != nil {
			prev = old.Document(d.ID)
		}
		switch {
		case old != nil && prev == nil:
			rep.Added = append(rep.Added, d.ID)
		case old == nil:
			rep.Added = append(rep.Added, d.ID)
		case !sameDocument(prev, d):
			rep.Changed = append(rep.Changed, d.ID)
		default:
			rep.Unchanged++
		}
	}
	if old != nil {
		for _, d := range old.Documents() {
			if !seen[d.ID] {
				rep.Removed = append(rep.Removed, d.ID)
			}
		}
	}
}

// sameDocument reports whether a document is as it was when indexed: the same file bytes (its
// hash), metadata and format. Where it was read from does not matter.
func sameDocument(a, b *corpus.Document) bool {
	return a.Hash == b.Hash && a.Meta == b.Meta && a.Format == b.Format && a.Encoding == b.Encoding && len(a.Text) == len(b.Text)
}

// fullWhy says why an update cannot patch old, or "" when it can.
func fullWhy(old *Index, opt UpdateOptions) string {
	switch {
	case opt.Full:
		return "a full rebuild was asked for"
	case old.Manifest.Version != FormatVersion:
		return "the index format changed"
	case !sameFile(opt.UserDict, filepath.Join(old.dir, userDictFile)):
		return "the user dictionary changed"
	case !sameFile(opt.Synonyms, filepath.Join(old.dir, synonymsFile)):
		return "the synonym list changed"
	}
	return ""
}

// sameFile reports whether the file at path (missing or "" counts as empty) holds what the copy does.
func sameFile(path, copyPath string) bool {
	var a []byte
	if path != "" {
		var err error
		if a, err = os.ReadFile(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return false
		}
	}
	b, err := os.ReadFile(copyPath)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return false
	}
	return bytes.Equal(a, b)
}

// patch builds a new index from a copy of old: the passages of removed and changed documents are
// deleted, those of added and changed ones cut and indexed; everything else is kept as it was.
func patch(ctx context.Context, dataDir string, old *Index, docs []*corpus.Document, rep *UpdateReport, opt UpdateOptions) (*Manifest, error) {
	began := time.Now()
	name, tmp, err := startFolder(dataDir)
	if err != nil {
		return nil, fmt.Errorf("update index: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	for _, f := range []string{userDictFile, synonymsFile} {
		if err := copyPath(filepath.Join(old.dir, f), filepath.Join(tmp, f)); err != nil {
			return nil, fmt.Errorf("update index: %w", err)
		}
	}
	if err := copyTree(filepath.Join(old.dir, bleveDir), filepath.Join(tmp, bleveDir)); err != nil {
		return nil, fmt.Errorf("update index: copy the live index: %w", err)
	}
	seg, err := acquireSegmenter(dataDir, filepath.Join(tmp, userDictFile))
	if err != nil {
		return nil, err
	}
	defer releaseSegmenter(seg)
	syn, err := ReadSynonyms(filepath.Join(tmp, synonymsFile), seg)
	if err != nil {
		return nil, err
	}

	redo := map[string]bool{}
	for _, id := range append(append([]string{}, rep.Added...), rep.Changed...) {
		redo[id] = true
	}
	gone := map[string]bool{}
	for _, id := range append(append([]string{}, rep.Changed...), rep.Removed...) {
		gone[id] = true
	}
	var dels []string
	for d, doc := range old.docs {
		if gone[doc.ID] {
			for seq := 0; seq < int(old.st.first[d+1]-old.st.first[d]); seq++ {
				dels = append(dels, doc.ID+"#"+strconv.Itoa(seq))
			}
		}
	}
	// The new index's passages in document order, and their words: cut anew for the documents
	// added or changed, taken from the old forward file for the others.
	var passages []corpus.Passage
	var chunks []*chunk
	var fresh []*document.Document
	var nbytes int64
	for _, d := range docs {
		if redo[d.ID] {
			cut := corpus.Cut(d)
			passages = append(passages, cut...)
			c := cutChunk(seg, cut, nil)
			fresh = append(fresh, c.docs...)
			nbytes += c.bytes
			c.docs = nil
			chunks = append(chunks, c)
			rep.Cut += len(cut)
			continue
		}
		if i, ok := old.docIdx[d.ID]; ok {
			lo, hi := int(old.st.first[i]), int(old.st.first[i+1])
			for j := lo; j < hi; j++ {
				passages = append(passages, *old.passage(j))
			}
			chunks = append(chunks, oldChunk(old, lo, hi))
		}
	}

	stored := storeAsync(tmp, docs, passages)
	bl, err := bleve.Open(filepath.Join(tmp, bleveDir))
	if err != nil {
		<-stored
		return nil, fmt.Errorf("update index: open the copy: %w", err)
	}
	fail := func(err error) (*Manifest, error) {
		bl.Close()
		<-stored
		return nil, err
	}
	batch := bl.NewBatch()
	for _, id := range dels {
		batch.Delete(id)
	}
	docsDone := map[string]bool{}
	for i, d := range fresh {
		if err := batch.IndexAdvanced(d); err != nil {
			return fail(fmt.Errorf("update index: %s: %w", d.ID(), err))
		}
		docID, _, _ := splitID(d.ID())
		docsDone[docID] = true
		if batch.Size() >= updateBatch {
			if err := ctx.Err(); err != nil {
				return fail(err)
			}
			if err := bl.Batch(batch); err != nil {
				return fail(fmt.Errorf("update index: %w", err))
			}
			batch.Reset()
			opt.Progress(len(docsDone), i+1, nbytes)
		}
	}
	if batch.Size() > 0 {
		if err := bl.Batch(batch); err != nil {
			return fail(fmt.Errorf("update index: %w", err))
		}
	}
	opt.Progress(len(docsDone), len(fresh), nbytes)
	if err := bl.Close(); err != nil {
		<-stored
		return nil, fmt.Errorf("update index: %w", err)
	}
	tokens, err := writeForward(tmp, seg, docs, chunks)
	if err != nil {
		<-stored
		return nil, fmt.Errorf("update index: %w", err)
	}

	m, err := seal(ctx, tmp, Manifest{
		Version: FormatVersion, Name: name, Created: time.Now().UTC(), Fingerprint: opt.Fingerprint,
		Documents: len(docs), Passages: len(passages), Tokens: tokens, UserDictHash: seg.UserDictHash,
		Synonyms: syn.Len(),
	}, passages, stored, corpus.NearDuplicates(docs), began)
	if err != nil {
		return nil, err
	}
	if opt.Pause != nil {
		opt.Pause("built")
	}
	if err := finishFolder(dataDir, name, tmp); err != nil {
		return nil, fmt.Errorf("update index: %w", err)
	}
	ok = true
	return m, nil
}

// updateBatch is how many passages an update gives Bleve at a time.
const updateBatch = 256

// copyTree copies the folder src to dst. Bleve's segment files (*.zap) never change once written, so
// they are hard-linked where the file system allows; everything else is copied.
func copyTree(src, dst string) error {
	return filepath.Walk(src, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if strings.HasSuffix(path, ".zap") && os.Link(path, target) == nil {
			return nil
		}
		return copyPath(path, target)
	})
}

func copyPath(src, dst string) error {
	in, err := os.Open(src)
	if errors.Is(err, os.ErrNotExist) {
		return writeAtomic(dst, nil)
	}
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// removeTemps removes temporary files an interrupted write left in the data folder
// (".current.tmp…").
func removeTemps(dataDir string) {
	matches, _ := filepath.Glob(filepath.Join(dataDir, ".*.tmp*"))
	for _, m := range matches {
		os.Remove(m)
	}
}

// Clean removes what an interrupted build left in dataDir (partly built index folders, temporary
// files), unless a build is running now. It reports what it removed.
func Clean(ctx context.Context, dataDir string) ([]string, error) {
	lock, err := LockReindex(ctx, dataDir, 0)
	if errors.Is(err, ErrBusy) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	var gone []string
	entries, _ := os.ReadDir(filepath.Join(dataDir, indexesDir))
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), partialSuffix) {
			gone = append(gone, filepath.Join(indexesDir, e.Name()))
		}
	}
	matches, _ := filepath.Glob(filepath.Join(dataDir, ".*.tmp*"))
	for _, m := range matches {
		gone = append(gone, filepath.Base(m))
	}
	removePartial(filepath.Join(dataDir, indexesDir))
	removeTemps(dataDir)
	return gone, nil
}

// CorpusFingerprint identifies what an index of a corpus folder is built from: the documents and
// their metadata (but those in the folders skip names, see corpus.Files), the user dictionary and
// synonym list, and the index format. An index whose manifest holds another fingerprint is out of date.
func CorpusFingerprint(dir string, skip []string, userDict, synonyms string) (string, error) {
	fp, err := corpus.Fingerprint(dir, skip, userDict, synonyms)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s-v%d", fp, FormatVersion), nil
}
