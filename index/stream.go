package index

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"

	"policybot/corpus"
	"policybot/internal/parallel"
)

// An index is built as a stream, so that its memory does not grow with the corpus: documents are
// read, cut into passages and their words in batches of about segmentPassages passages, in id order;
// each batch's text goes to the passage store and its words to the forward file as it comes (both
// written incrementally, see storeWriter and forwardWriter), and its passages become one Bleve (zap)
// segment on disk. At most a few batches are in flight: one being read, two waiting (the reading
// starts while jieba loads), one being cut into words, and those the segment builders hold, as
// words (Bleve's documents are made when their segment is built). At the end the segment files are
// merged, a few at a time, into the index's one segment. What stays in memory for the whole build is
// the terms met and a few words for each passage, section and document.

// Source is a corpus to index, read one document at a time.
type Source interface {
	// Len is the number of documents.
	Len() int
	// Read returns document i, with its text; documents come in id order. It returns nil and no
	// error for a document left out (one that cannot be read, which the source reports itself).
	// Read is called from several goroutines at once, for different i.
	Read(i int) (*corpus.Document, error)
}

// settler is a Source that completes the documents' metadata once all are read: a document's
// status depends on what later documents say of it (see corpus.InferStatus). Settle is given every
// document read, in order, without its text.
type settler interface {
	Settle(docs []*corpus.Document)
}

// Docs is a Source of documents in memory, in the order given (Build sorts them by id first).
func Docs(docs []*corpus.Document) Source { return docSlice(docs) }

type docSlice []*corpus.Document

func (s docSlice) Len() int                             { return len(s) }
func (s docSlice) Read(i int) (*corpus.Document, error) { return s[i], nil }

// FileSource is a Source of a corpus folder's files (corpus.Files), read as corpus.Load reads them:
// a file that cannot be read is left out and reported by Errs; the documents' status is inferred
// from the whole corpus (corpus.InferStatus) once all are read.
type FileSource struct {
	files   []corpus.File
	mu      sync.Mutex
	errs    []error
	repeals [][]string
}

// NewFileSource returns a Source of files, which must be in id order (as corpus.Files lists them).
func NewFileSource(files []corpus.File) *FileSource {
	return &FileSource{files: files, repeals: make([][]string, len(files))}
}

// Len is the number of files.
func (s *FileSource) Len() int { return len(s.files) }

// Read reads file i.
func (s *FileSource) Read(i int) (*corpus.Document, error) {
	d, err := corpus.ReadFile(s.files[i].Path, s.files[i].ID)
	if err != nil {
		s.mu.Lock()
		s.errs = append(s.errs, err)
		s.mu.Unlock()
		return nil, nil
	}
	titles := corpus.Repeals(d.Text)
	for k, t := range titles {
		titles[k] = strings.Clone(t) // not a piece of the text, which it would keep
	}
	s.repeals[i] = titles
	return d, nil
}

// Settle infers the documents' status.
func (s *FileSource) Settle(docs []*corpus.Document) {
	at := make(map[string]int, len(s.files))
	for i, f := range s.files {
		at[f.ID] = i
	}
	repeals := make([][]string, len(docs))
	for i, d := range docs {
		repeals[i] = s.repeals[at[d.ID]]
	}
	corpus.InferStatusFrom(docs, repeals)
}

// Errs reports the files that could not be read, one error each, joined; nil when all were read.
func (s *FileSource) Errs() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sort.Slice(s.errs, func(i, j int) bool { return s.errs[i].Error() < s.errs[j].Error() })
	return errors.Join(s.errs...)
}

// textless returns a copy of d without its text, whose strings are their own: metadata read from a
// document is a piece of its text, which would otherwise be kept whole for as long as the copy is.
func textless(d *corpus.Document) *corpus.Document {
	c := *d
	c.Text = ""
	v := reflect.ValueOf(&c).Elem()
	var clone func(v reflect.Value)
	clone = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.String:
			v.SetString(strings.Clone(v.String()))
		case reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				if v.Field(i).CanSet() {
					clone(v.Field(i))
				}
			}
		}
	}
	clone(v)
	return &c
}

// readGroup is how many documents are read and cut at once.
const readGroup = 16

// item is one document to index: read and cut anew, or kept from the index being updated.
type item struct {
	doc      *corpus.Document // with its text
	passages []corpus.Passage
	sig      corpus.Signature
	kept     bool // passages lo to hi of the old index, whose words are taken from its forward file
	lo, hi   int
}

// batch is the documents of one segment.
type batch struct {
	items    []item
	passages int
	chunks   []*chunk // the passages' words, in order
}

// reuse is what an update keeps of the index it updates: the documents in keep, whose passages and
// words are taken from old rather than cut again, and Bleve's segment of old, with the passages of
// the other documents dropped.
type reuse struct {
	old  *Index
	keep map[string]bool
	mu   sync.Mutex
	used map[int32]bool // the old index's documents actually kept
}

// written is what writeIndex wrote.
type written struct {
	docs     []*corpus.Document // without their text, in order, with their final metadata
	passages int
	tokens   int
	bytes    int64 // text of the documents not kept
	dups     []corpus.Duplicate
	cut      int // passages cut anew (not kept)
}

// writeIndex reads the documents of src and writes, under dir, Bleve's index, the passage store,
// the forward file and the numbering of Bleve's documents. With re, the documents it keeps are
// taken from the old index. It starts reading before it asks segmenter for the segmenter to cut
// words with, which may still be loading.
func writeIndex(ctx context.Context, dir string, segmenter func() (*Segmenter, error), src Source, re *reuse, opt BuildOptions) (*written, error) {
	progress := opt.Progress
	segDir, err := os.MkdirTemp(dir, "segments")
	if err != nil {
		return nil, fmt.Errorf("build index: %w", err)
	}
	defer os.RemoveAll(segDir)
	sw, err := newStoreWriter(filepath.Join(dir, storeFile))
	if err != nil {
		return nil, err
	}
	fw, err := newForwardWriter(segDir)
	if err != nil {
		sw.abort()
		return nil, fmt.Errorf("build index: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan *batch, 2)
	readErr := make(chan error, 1)
	go func() { readErr <- readBatches(ctx, src, re, batches) }()
	seg, err := segmenter()
	if err != nil {
		cancel()
		for range batches {
		}
		<-readErr
		sw.abort()
		fw.abort()
		return nil, err
	}
	// Batches are cut into words while the one before is written and its segment built.
	cut := make(chan *batch)
	go func() {
		defer close(cut)
		heads := sync.Pool{New: func() any { return headings{} }}
		for b := range batches {
			b.chunks = cutBatch(seg, b, re, &heads)
			cut <- b
		}
	}()
	segs := newSegmentBuilders(segDir, parallelism())
	fail := func(err error) (*written, error) {
		cancel()
		for range cut {
		}
		<-readErr
		segs.wait()
		sw.abort()
		fw.abort()
		return nil, err
	}

	w := &written{}
	var sigs []corpus.Signature
	voc := fw.voc
	var feats [][2]uint32
	for b := range cut {
		feats = feats[:0]
		for _, c := range b.chunks {
			feats = append(feats, c.feats...)
		}
		for _, it := range b.items {
			n := min(len(it.passages), len(feats))
			if err := sw.add(it.doc, it.passages, feats[:n]); err != nil {
				return fail(err)
			}
			feats = feats[n:]
			fw.addTitle(seg, it.doc.Title)
			w.docs = append(w.docs, textless(it.doc))
			sigs = append(sigs, it.sig)
		}
		fresh := 0
		for _, c := range b.chunks {
			voc.adopt(c)
			if err := fw.add(c); err != nil {
				return fail(fmt.Errorf("build index: %w", err))
			}
			fresh += len(c.fresh)
		}
		if fresh > 0 {
			if err := segs.add(ctx, b.chunks, voc.terms); err != nil {
				return fail(fmt.Errorf("build index: %w", err))
			}
		}
		b.chunks = nil
		for _, it := range b.items {
			if !it.kept {
				w.cut += len(it.passages)
				w.bytes += int64(len(it.doc.Text))
			}
		}
		w.passages += b.passages
		fitMemoryLimit(true)
		if progress != nil {
			progress(len(w.docs), w.passages, w.bytes)
		}
	}
	if err := <-readErr; err != nil {
		return fail(err)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	if s, ok := src.(settler); ok {
		s.Settle(w.docs)
	}
	ids := make([]string, len(w.docs))
	for i, d := range w.docs {
		ids[i] = d.ID
	}
	w.dups = corpus.Duplicates(ids, sigs)

	fitMemoryLimit(false)
	// The store and the forward file are finished while the last segments are built and merged.
	type result struct {
		tokens int
		err    error
	}
	files := make(chan result, 1)
	go func() {
		err := sw.finish(w.docs)
		tokens, ferr := fw.finish(filepath.Join(dir, forwardFile))
		if err == nil {
			err = ferr
		}
		files <- result{tokens, err}
	}()
	paths, err := segs.wait()
	if err == nil && opt.Pause != nil {
		opt.Pause("merging")
	}
	var drops []*roaring.Bitmap
	if err == nil && re != nil {
		var old string
		if old, err = oneSegment(re.old.dir); err == nil {
			drops = make([]*roaring.Bitmap, len(paths)+1)
			drops[0] = re.dropped()
			paths = append([]string{old}, paths...)
		}
	}
	if err == nil {
		err = writeBleve(ctx, dir, seg, segDir, paths, drops)
	}
	r := <-files
	if err == nil {
		err = r.err
	}
	if err != nil {
		return nil, fmt.Errorf("build index: %w", err)
	}
	w.tokens = r.tokens
	if re == nil {
		err = writeNumbersInOrder(dir)
	} else {
		err = writeNumbers(dir, passageLookup(w.docs, sw.docPass))
	}
	if err != nil {
		return nil, fmt.Errorf("build index: %w", err)
	}
	return w, nil
}

// parallelism is how many goroutines cut words and build segments.
func parallelism() int { return max(1, min(parallelCap, defaultParallelism())) }

// parallelCap bounds the goroutines of a build whatever the cores: each holds a batch in memory.
const parallelCap = 4

// readBatches reads the documents of src in groups, cuts them into passages and sends them in
// batches of about segmentPassages passages, in order. It closes batches when done.
func readBatches(ctx context.Context, src Source, re *reuse, batches chan<- *batch) error {
	defer close(batches)
	b := &batch{}
	n := src.Len()
	for lo := 0; lo < n; lo += readGroup {
		hi := min(lo+readGroup, n)
		items := make([]item, hi-lo)
		errs := make([]error, hi-lo)
		parallel.For(hi-lo, func(k int) {
			d, err := src.Read(lo + k)
			if err != nil || d == nil {
				errs[k] = err
				return
			}
			it := item{doc: d, sig: corpus.Sign(d.Text)}
			if i, ok := re.kept(d); ok {
				re.mu.Lock()
				re.used[int32(i)] = true
				re.mu.Unlock()
				it.kept, it.lo, it.hi = true, int(re.old.st.first[i]), int(re.old.st.first[i+1])
				for j := it.lo; j < it.hi; j++ {
					it.passages = append(it.passages, *re.old.passage(j))
				}
			} else {
				it.passages = corpus.Cut(d)
			}
			items[k] = it
		})
		if err := errors.Join(errs...); err != nil {
			return fmt.Errorf("build index: %w", err)
		}
		for _, it := range items {
			if it.doc == nil {
				continue
			}
			b.items = append(b.items, it)
			b.passages += len(it.passages)
			if b.passages >= segmentPassages {
				select {
				case batches <- b:
				case <-ctx.Done():
					return ctx.Err()
				}
				b = &batch{}
			}
		}
	}
	if len(b.items) > 0 {
		select {
		case batches <- b:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// cutBatch cuts a batch's passages into words, on every core, in runs of chunkPassages passages,
// and returns the chunks in order; the words of kept documents are taken from the old index.
func cutBatch(seg *Segmenter, b *batch, re *reuse, heads *sync.Pool) []*chunk {
	type job struct {
		ps     []corpus.Passage
		kept   bool
		lo, hi int
	}
	var jobs []job
	var run []corpus.Passage // fresh passages not yet in a job
	flush := func() {
		for len(run) > 0 {
			n := min(len(run), chunkPassages)
			jobs = append(jobs, job{ps: run[:n]})
			run = run[n:]
		}
	}
	for _, it := range b.items {
		if it.kept {
			flush()
			jobs = append(jobs, job{kept: true, lo: it.lo, hi: it.hi})
			continue
		}
		run = append(run[:len(run):len(run)], it.passages...)
		if len(run) >= chunkPassages {
			flush()
		}
	}
	flush()
	chunks := make([]*chunk, len(jobs))
	parallel.For(len(jobs), func(i int) {
		j := jobs[i]
		if j.kept {
			chunks[i] = oldChunk(re.old, j.lo, j.hi)
			return
		}
		h := heads.Get().(headings)
		chunks[i] = cutChunk(seg, j.ps, h)
		heads.Put(h)
	})
	return chunks
}

// kept reports whether d is kept from the old index, and its number there: a document read again
// must be the one surveyed (the same file), else it is cut anew.
func (re *reuse) kept(d *corpus.Document) (int, bool) {
	if re == nil || !re.keep[d.ID] {
		return 0, false
	}
	i := re.old.docIdx[d.ID]
	if re.old.docs[i].Hash != d.Hash || re.old.st.docLen(i) != len(d.Text) {
		return 0, false
	}
	return i, true
}

// dropped returns the Bleve document numbers of the old index whose passages are not kept.
func (re *reuse) dropped() *roaring.Bitmap {
	drop := roaring.New()
	for num, ni := range re.old.nums {
		if ni.p < 0 || !re.used[ni.d] {
			drop.Add(uint32(num))
		}
	}
	return drop
}

// oneSegment returns the path of the one zap segment of the Bleve index in an index folder.
func oneSegment(dir string) (string, error) {
	zaps, err := filepath.Glob(filepath.Join(dir, bleveDir, "store", "*.zap"))
	if err != nil {
		return "", err
	}
	if len(zaps) != 1 {
		return "", fmt.Errorf("%d segments in %s, want one", len(zaps), dir)
	}
	return zaps[0], nil
}

// passageLookup finds a passage's number in the store by its Bleve id (see bleveID), given the
// documents and each one's first passage.
func passageLookup(docs []*corpus.Document, first []uint32) func(string) (uint32, bool) {
	at := make(map[uint64]uint32, first[len(docs)])
	for d, doc := range docs {
		for p := first[d]; p < first[d+1]; p++ {
			at[hashID(doc.ID+"#"+strconv.Itoa(int(p-first[d])))] = p
		}
	}
	return func(ext string) (uint32, bool) {
		if len(ext) != 8 {
			return 0, false
		}
		p, ok := at[binary.BigEndian.Uint64([]byte(ext))]
		return p, ok
	}
}
