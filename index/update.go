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
	"strings"
	"time"

	"policybot/corpus"
	"policybot/internal/lockfile"
	"policybot/internal/parallel"
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

// ErrNoDocuments reports an update from a corpus without a readable document.
var ErrNoDocuments = errors.New("index: no documents")

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
	// written beside the live one), "merging" (its segments are written and about to be merged),
	// "built" (complete, not yet published). A test hook.
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
	Documents               int   // in the corpus
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
	sort.Slice(docs, func(i, j int) bool { return docs[i].ID < docs[j].ID })
	return UpdateFrom(ctx, dataDir, Docs(docs), opt)
}

// UpdateFrom is Update for documents read one at a time from src, in id order, as BuildFrom reads
// them. The documents are read twice: once for what changed (their metadata and file hashes, their
// text let go), then as the new index is built.
func UpdateFrom(ctx context.Context, dataDir string, src Source, opt UpdateOptions) (*UpdateReport, error) {
	began := time.Now()
	lock, err := LockReindex(ctx, dataDir, opt.LockWait)
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	root := filepath.Join(dataDir, indexesDir)
	removePartial(root)
	removeTemps(dataDir)

	docs, lens, err := survey(ctx, src)
	if err != nil {
		return nil, err
	}
	if len(docs) == 0 {
		return nil, ErrNoDocuments
	}
	rep := &UpdateReport{Documents: len(docs)}
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
	diff(rep, old, docs, lens)
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
	var re *reuse
	if !rep.Full {
		re = &reuse{old: old, keep: map[string]bool{}, used: map[int32]bool{}}
		changed := map[string]bool{}
		for _, id := range rep.Changed {
			changed[id] = true
		}
		for _, d := range docs {
			if _, ok := old.docIdx[d.ID]; ok && !changed[d.ID] {
				re.keep[d.ID] = true
			}
		}
	}
	opt.BuildOptions.Pause = opt.Pause
	m, err := build(ctx, dataDir, src, re, opt.BuildOptions)
	if err != nil {
		return nil, err
	}
	rep.Manifest, rep.Passages, rep.Cut, rep.Bytes = m, m.Passages, m.Cut, m.Bytes
	rep.Seconds = time.Since(began).Seconds()
	return rep, nil
}

// survey reads every document of src and returns them without their text, with their final
// metadata, and the length of each one's text.
func survey(ctx context.Context, src Source) ([]*corpus.Document, []int, error) {
	n := src.Len()
	read := make([]*corpus.Document, n)
	lens := make([]int, n)
	errs := make([]error, n)
	for lo := 0; lo < n; lo += readGroup {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		hi := min(lo+readGroup, n)
		parallel.For(hi-lo, func(k int) {
			d, err := src.Read(lo + k)
			if err != nil || d == nil {
				errs[lo+k] = err
				return
			}
			read[lo+k], lens[lo+k] = textless(d), len(d.Text)
		})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, nil, fmt.Errorf("read corpus: %w", err)
	}
	var docs []*corpus.Document
	var ls []int
	for i, d := range read {
		if d != nil {
			docs, ls = append(docs, d), append(ls, lens[i])
		}
	}
	if s, ok := src.(settler); ok {
		s.Settle(docs)
	}
	return docs, ls, nil
}

// diff lists the documents added, changed and removed since old was built; lens are the lengths of
// the documents' text.
func diff(rep *UpdateReport, old *Index, docs []*corpus.Document, lens []int) {
	seen := map[string]bool{}
	for k, d := range docs {
		seen[d.ID] = true
		var prev *corpus.Document
		textLen := 0
		if old != nil {
			if i, ok := old.docIdx[d.ID]; ok {
				prev, textLen = old.docs[i], old.st.docLen(i)
			}
		}
		switch {
		case old != nil && prev == nil:
			rep.Added = append(rep.Added, d.ID)
		case old == nil:
			rep.Added = append(rep.Added, d.ID)
		case !sameDocument(prev, textLen, d, lens[k]):
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

// sameDocument reports whether a document (b, whose text is bLen bytes long) is as it was when
// indexed (a, aLen): the same file bytes (its hash), metadata and format. Where it was read from
// does not matter.
func sameDocument(a *corpus.Document, aLen int, b *corpus.Document, bLen int) bool {
	return a.Hash == b.Hash && a.Meta == b.Meta && a.Format == b.Format && a.Encoding == b.Encoding && aLen == bLen
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
