package index

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/metrics"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/mapping"

	"policybot/corpus"
	"policybot/internal/parallel"
)

// AnalyzerName is the name of the jieba analyzer in an index's mapping.
const AnalyzerName = "policy"

// Fields of a passage in Bleve.
const (
	fieldText    = "text"
	fieldSection = "section"
)

// BuildOptions says what to build an index with.
type BuildOptions struct {
	UserDict    string // jieba user dictionary file, "" for none
	Synonyms    string // synonym list file, "" for none
	Fingerprint string // of the corpus and dictionaries, recorded in the manifest
	// Progress, when set, is called after each batch with the documents and passages done so far and
	// the bytes of text indexed.
	Progress func(docs, passages int, bytes int64)
	// Pause, when set, is called at steps of the build: "merging" (every batch is written, its
	// segments are about to be merged), "built" (complete, not yet published). A test hook.
	Pause func(step string)
}

// cutAll cuts the documents into passages, in parallel, and returns them in document order.
func cutAll(docs []*corpus.Document) []corpus.Passage {
	cut := make([][]corpus.Passage, len(docs))
	parallel.For(len(docs), func(i int) { cut[i] = corpus.Cut(docs[i]) })
	n := 0
	for _, c := range cut {
		n += len(c)
	}
	out := make([]corpus.Passage, 0, n)
	for _, c := range cut {
		out = append(out, c...)
	}
	return out
}

// Build cuts docs into passages and indexes them in a new folder under dataDir/indexes, then
// publishes that folder as the current index (an atomic rename of dataDir/current), so that readers
// see the old index or the new one, never a half-built one. A build that fails or is interrupted
// leaves the current index as it was; its partial folder is removed by the next build. It returns
// the new index's manifest.
func Build(ctx context.Context, dataDir string, docs []*corpus.Document, opt BuildOptions) (*Manifest, error) {
	sort.Slice(docs, func(i, j int) bool { return docs[i].ID < docs[j].ID })
	return BuildFrom(ctx, dataDir, Docs(docs), opt)
}

// BuildFrom is Build for documents read one at a time from src, in id order: the build holds a few
// batches of documents in memory at a time, whatever the size of the corpus (see writeIndex).
func BuildFrom(ctx context.Context, dataDir string, src Source, opt BuildOptions) (*Manifest, error) {
	return build(ctx, dataDir, src, nil, opt)
}

// build writes a new index of src in a folder of its own, keeping what re says of an older index,
// and publishes it.
func build(ctx context.Context, dataDir string, src Source, re *reuse, opt BuildOptions) (*Manifest, error) {
	began := time.Now()
	defer lessGC()()
	root := filepath.Join(dataDir, indexesDir)
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("build index: %w", err)
	}
	removePartial(root)
	name, tmp, err := startFolder(dataDir)
	if err != nil {
		return nil, fmt.Errorf("build index: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	if re != nil {
		for _, f := range []string{userDictFile, synonymsFile} {
			if err := copyPath(filepath.Join(re.old.dir, f), filepath.Join(tmp, f)); err != nil {
				return nil, fmt.Errorf("build index: %w", err)
			}
		}
	} else {
		if err := copyFile(opt.UserDict, filepath.Join(tmp, userDictFile)); err != nil {
			return nil, fmt.Errorf("build index: user dictionary: %w", err)
		}
		if err := copyFile(opt.Synonyms, filepath.Join(tmp, synonymsFile)); err != nil {
			return nil, fmt.Errorf("build index: synonyms: %w", err)
		}
	}
	// jieba's dictionary loads (half a second, on one core) while the first documents are read.
	type analysis struct {
		seg *Segmenter
		syn *Synonyms
	}
	load := sync.OnceValues(func() (analysis, error) {
		seg, err := acquireSegmenter(dataDir, filepath.Join(tmp, userDictFile))
		if err != nil {
			return analysis{}, err
		}
		syn, err := ReadSynonyms(filepath.Join(tmp, synonymsFile), seg)
		if err != nil {
			releaseSegmenter(seg)
			return analysis{}, err
		}
		return analysis{seg, syn}, nil
	})
	go load()
	defer func() {
		if a, err := load(); err == nil {
			releaseSegmenter(a.seg)
		}
	}()
	w, err := writeIndex(ctx, tmp, func() (*Segmenter, error) {
		a, err := load()
		return a.seg, err
	}, src, re, opt)
	if err != nil {
		return nil, err
	}
	a, _ := load() // loaded: writeIndex succeeded
	seg, syn := a.seg, a.syn
	m := Manifest{
		Version: FormatVersion, Name: name, Created: time.Now().UTC(), Fingerprint: opt.Fingerprint,
		Documents: len(w.docs), Passages: w.passages, Tokens: w.tokens, UserDictHash: seg.UserDictHash,
		Synonyms: syn.Len(), Cut: w.cut, Bytes: w.bytes,
	}
	if w.passages > 0 {
		m.AvgLen = float64(m.Tokens) / float64(w.passages)
	}
	for _, d := range w.dups {
		m.Duplicates = append(m.Duplicates, DupPair{A: d.A, B: d.B, Similarity: d.Similarity})
	}
	m.BuildSeconds = time.Since(began).Seconds()
	mb, _ := json.MarshalIndent(m, "", "  ")
	if err := writeAtomic(filepath.Join(tmp, manifestFile), mb); err != nil {
		return nil, fmt.Errorf("write index: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if opt.Pause != nil {
		opt.Pause("built")
	}
	if err := finishFolder(dataDir, name, tmp); err != nil {
		return nil, fmt.Errorf("build index: %w", err)
	}
	ok = true
	return &m, nil
}

// startFolder makes a new, empty partial index folder under dataDir/indexes and returns its name and
// path. The caller removes it if it fails before finishFolder.
func startFolder(dataDir string) (name, tmp string, err error) {
	if name, err = newName(); err != nil {
		return "", "", err
	}
	tmp = filepath.Join(dataDir, indexesDir, name+partialSuffix)
	if err := os.Mkdir(tmp, 0o755); err != nil {
		return "", "", err
	}
	return name, tmp, nil
}

// finishFolder moves a complete partial folder into place under its name and publishes it.
func finishFolder(dataDir, name, tmp string) error {
	dropCache(tmp)
	if err := os.Rename(tmp, filepath.Join(dataDir, indexesDir, name)); err != nil {
		return err
	}
	return Publish(dataDir, name)
}

const partialSuffix = ".partial"

// buildGCPercent is the garbage collector's target while an index is built. Building allocates a
// great deal that lives briefly (analysed fields, Bleve's segment buffers); at Go's default of 100%
// a lawref build spent a fifth of its CPU collecting. At 200% it takes about 20% less CPU; the heap a
// streaming build holds is a few batches, so the extra memory is bounded too.
const buildGCPercent = 200

// buildMemoryLimit is the Go memory a build aims to stay under (see debug.SetMemoryLimit): the
// collector runs at buildGCPercent until the heap nears it, then as often as it takes. What a
// streaming build holds live is a few batches (about 200 MB) and a few words per passage, which grow
// with the corpus: the limit grows with them (see fitMemoryLimit), so that it costs a few more
// collections, never a collector that does not stop.
const buildMemoryLimit = 320 << 20

// limitSet says whether the build set the memory limit (GOMEMLIMIT was not set by hand).
var limitSet atomic.Bool

// lessGC raises the collector's target for a build, and sets its memory limit, unless GOGC or
// GOMEMLIMIT were set by hand, and returns the function that restores them.
func lessGC() func() {
	restore := []func(){}
	if os.Getenv("GOGC") == "" {
		old := debug.SetGCPercent(buildGCPercent)
		restore = append(restore, func() { debug.SetGCPercent(old) })
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		old := debug.SetMemoryLimit(buildMemoryLimit)
		limitSet.Store(true)
		restore = append(restore, func() { limitSet.Store(false); debug.SetMemoryLimit(old) })
	}
	return func() {
		for _, f := range restore {
			f()
		}
	}
}

// fitMemoryLimit fits the build's memory limit to the heap held live at the last collection. While
// documents are read and cut (roomy), the limit is twice that heap less 100 MB (from a live heap of
// 210 MB, where that passes buildMemoryLimit): the room the collector leaves garbage above the live
// heap grows with it, so that a large build does not collect more often than a small one (at 10×
// lawref 4 to 7% less CPU than with half as much again as the live heap). For the merges and the
// files finished at the end, which hold more outside Go's heap, it is half as much again as the
// live heap, so that the build's peak stays where it was (770-810 MB at 10×; with the roomier limit
// to the end, 870-930 MB). Never below buildMemoryLimit.
func fitMemoryLimit(roomy bool) {
	if !limitSet.Load() {
		return
	}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	live := int64(sample[0].Value.Uint64())
	want := live * 3 / 2
	if roomy {
		want = live*2 - 100<<20
	}
	debug.SetMemoryLimit(max(want, buildMemoryLimit))
}

// Publish makes the index folder name the current index of dataDir, atomically, and removes the
// folders of indexes older than the one it replaces.
func Publish(dataDir, name string) error {
	prev, _ := Current(dataDir)
	if err := writeAtomic(filepath.Join(dataDir, currentFile), []byte(name+"\n")); err != nil {
		return fmt.Errorf("publish index: %w", err)
	}
	// Keep the new index and the one before it (a server may still be answering from it); remove the
	// rest.
	entries, _ := os.ReadDir(filepath.Join(dataDir, indexesDir))
	for _, e := range entries {
		n := e.Name()
		if n == name || n == prev || strings.HasSuffix(n, partialSuffix) {
			continue
		}
		os.RemoveAll(filepath.Join(dataDir, indexesDir, n))
	}
	return nil
}

// removePartial removes folders left by builds that did not finish.
func removePartial(root string) {
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), partialSuffix) {
			os.RemoveAll(filepath.Join(root, e.Name()))
		}
	}
}

func newName() (string, error) {
	var b [3]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return time.Now().UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b[:]), nil
}

// copyFile copies src to dst; an empty src writes an empty dst.
func copyFile(src, dst string) error {
	var b []byte
	if src != "" {
		var err error
		if b, err = os.ReadFile(src); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return writeAtomic(dst, b)
}

// newMapping is the Bleve mapping of a passage: its text and section path analysed with jieba, its
// document id as a keyword. Nothing is stored but the inverted index: passages are kept in the
// index's own store, their words in order in the forward file.
func newMapping(seg *Segmenter) (*mapping.IndexMappingImpl, error) {
	im := bleve.NewIndexMapping()
	tok := "jieba-" + seg.UserDictHash
	if err := im.AddCustomTokenizer(tok, map[string]interface{}{"type": TokenizerName, "segmenter": seg.UserDictHash}); err != nil {
		return nil, err
	}
	if err := im.AddCustomAnalyzer(AnalyzerName, map[string]interface{}{"type": custom.Name, "tokenizer": tok}); err != nil {
		return nil, err
	}
	im.DefaultAnalyzer = AnalyzerName
	im.StoreDynamic, im.IndexDynamic, im.DocValuesDynamic = false, false, false
	dm := bleve.NewDocumentStaticMapping()
	for _, f := range []string{fieldText, fieldSection} {
		fm := bleve.NewTextFieldMapping()
		fm.Analyzer = AnalyzerName
		fm.Store, fm.IncludeTermVectors, fm.IncludeInAll, fm.DocValues = false, false, false, false
		dm.AddFieldMappingsAt(f, fm)
	}
	im.DefaultMapping = dm
	return im, nil
}
