package index

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"unsafe"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/util"
	bleveindex "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	zapv17 "github.com/blevesearch/zapx/v17"

	"policybot/corpus"
	"policybot/internal/parallel"
)

// Segments: the passages are cut into words by workers on every core, into Bleve documents whose
// fields are already analysed (so Bleve does not cut the text a second time); each batch of
// segmentPassages passages (see stream.go) becomes one zap segment, written by segment builders, also
// on every core; at the end the segments are merged into one, which is also the fastest layout to
// search. The same words make the forward file.
//
// scorch's own offline builder (scorch.Builder) would build each segment synchronously inside Index
// on one goroutine, which made it the critical path of a build. Here it only writes the index's root
// around the merged segment (see wrapSegment).
//
// (Variables so that tests can make many small segments.)
var (
	chunkPassages   = 256  // passages a worker takes at a time
	segmentPassages = 4096 // passages in each segment before the merge
	mergeFanIn      = 40   // segments merged at a time
)

// defaultParallelism is the number of cores.
func defaultParallelism() int { return runtime.GOMAXPROCS(0) }

// zapPlugin is the segment format the index is written in: Bleve's default for new indexes.
var zapPlugin = &zapv17.ZapPlugin{}

// chunk is a run of passages cut into words by one worker. Its term numbers are its own (see vocab).
type chunk struct {
	voc     *vocab
	passOff []uint32 // len = passages+1, into toks
	toks    []uint32
	passSec []uint32 // chunk-local section numbers
	secOff  []uint32
	secToks []uint32
	fresh   []freshPassage // passages cut anew, one each, to index in Bleve (none for kept ones)
	feats   [][2]uint32    // each passage's feat and intro words (see passageFeatures)
	bytes   int64
}

// freshPassage is what Bleve's document of a passage cut anew is made of, besides its words: the
// document is made only when its segment is built (see bleveDocs), so that the batches waiting
// their turn hold words as numbers, not Bleve's maps of them.
type freshPassage struct {
	id               string // bleveID
	textLen, sectLen int32  // bytes of the passage's indexed text and of its section path
}

// segmentBuilders write Bleve segments of batches of documents on several goroutines.
type segmentBuilders struct {
	dir     string
	batches chan segmentBatch
	wg      sync.WaitGroup
	mu      sync.Mutex
	paths   []string // by batch number
	err     error
}

type segmentBatch struct {
	n      int
	chunks []*chunk
	terms  []string // the vocabulary the chunks' words are numbered in (see vocab.adopt)
}

func newSegmentBuilders(dir string, workers int) *segmentBuilders {
	s := &segmentBuilders{dir: dir, batches: make(chan segmentBatch)}
	for w := 0; w < workers; w++ {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			for b := range s.batches {
				path := filepath.Join(s.dir, fmt.Sprintf("%06d.zap", b.n))
				err := buildSegment(bleveDocs(b.chunks, b.terms), path)
				s.mu.Lock()
				s.paths[b.n] = path
				if err != nil && s.err == nil {
					s.err = err
				}
				s.mu.Unlock()
			}
		}()
	}
	return s
}

// add hands the chunks of a batch to the next free builder, in order; it fails with the first
// builder's error. The chunks' words are numbered in terms, which the builder only reads: later
// terms may be appended to the vocabulary meanwhile, never these changed.
func (s *segmentBuilders) add(ctx context.Context, chunks []*chunk, terms []string) error {
	s.mu.Lock()
	err := s.err
	n := len(s.paths)
	s.paths = append(s.paths, "")
	s.mu.Unlock()
	if err != nil {
		return err
	}
	select {
	case s.batches <- segmentBatch{n: n, chunks: chunks, terms: terms[:len(terms):len(terms)]}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// wait waits for the builders to finish and returns the segments' paths in batch order.
func (s *segmentBuilders) wait() ([]string, error) {
	close(s.batches)
	s.wg.Wait()
	return s.paths, s.err
}

// bleveDocs makes the Bleve documents of the passages cut anew in chunks, whose words are numbered
// in terms: their fields are analysed already (see prepared). A document's id (_id) is stored, as
// Bleve's reader needs it (ExternalID, which checkNumbers and bleveNumbers read), but not indexed:
// nothing looks a passage up by its id in Bleve (its number leads to it, see numbers.bin), and
// indexing it cost a dictionary entry and a posting list per passage: about a second of the 21 CPU
// seconds of a lawref build.
func bleveDocs(chunks []*chunk, terms []string) []bleveindex.Document {
	n := 0
	for _, c := range chunks {
		n += len(c.fresh)
	}
	docs := make([]bleveindex.Document, 0, n)
	var count termCounter
	for _, c := range chunks {
		for i, f := range c.fresh {
			sec := c.passSec[i]
			d := document.NewDocument(f.id)
			d.AddField(document.NewTextFieldCustom("_id", nil, []byte(f.id), bleveindex.StoreField, nil))
			d.AddField(count.field(fieldText, terms, c.toks[c.passOff[i]:c.passOff[i+1]], int(f.textLen)))
			d.AddField(count.field(fieldSection, terms, c.secToks[c.secOff[sec]:c.secOff[sec+1]], int(f.sectLen)))
			docs = append(docs, d)
		}
	}
	return docs
}

// buildSegment writes one zap segment of docs at path, as scorch's builder does for a batch.
func buildSegment(docs []bleveindex.Document, path string) error {
	sg, _, err := zapPlugin.New(docs)
	if err != nil {
		return fmt.Errorf("segment: %w", err)
	}
	u, ok := sg.(segment.UnpersistedSegment)
	if !ok {
		return fmt.Errorf("segment: %T cannot be written", sg)
	}
	if err := u.Persist(path); err != nil {
		return fmt.Errorf("segment: %w", err)
	}
	return sg.Close()
}

// oldChunk takes the words of passages lo to hi of an index from its forward file, for a new index
// that keeps them.
func oldChunk(old *Index, lo, hi int) *chunk {
	c := &chunk{voc: newVocab(), passOff: []uint32{0}, secOff: []uint32{0}}
	id := func(t uint32) uint32 {
		term := old.fwd.term(t >> 1)
		n, ok := c.voc.ids[term]
		if !ok {
			n = c.voc.id(strings.Clone(term)) // the old index's file is unmapped when it closes
		}
		return n<<1 | t&subFlag
	}
	secs := map[uint32]uint32{}
	for p := lo; p < hi; p++ {
		c.feats = append(c.feats, [2]uint32{old.st.pass[p].feat, old.st.pass[p].intro})
		toks := old.fwd.words(p)
		for t, ok := toks.next(); ok; t, ok = toks.next() {
			c.toks = append(c.toks, id(t))
		}
		c.passOff = append(c.passOff, uint32(len(c.toks)))
		was := old.fwd.passSec[p]
		sec, ok := secs[was]
		if !ok {
			sec = uint32(len(c.secOff) - 1)
			secs[was] = sec
			sw := old.fwd.section(p)
			for t, ok := sw.next(); ok; t, ok = sw.next() {
				c.secToks = append(c.secToks, id(t))
			}
			c.secOff = append(c.secOff, uint32(len(c.secToks)))
		}
		c.passSec = append(c.passSec, sec)
	}
	return c
}

// headings holds headings already cut into words: the sections of a chapter share its heading, and
// laws share headings like 第一章 总则.
type headings map[string][]word

// word is an index word and whether it is a sub-word (see Segmenter.words).
type word struct {
	term string
	sub  bool
}

// maxHeadings bounds the headings a worker keeps.
const maxHeadings = 8192

// cutChunk cuts a run of passages into words, for Bleve and for the forward file. heads, which may
// be nil, keeps the headings it cuts for the next chunk.
func cutChunk(seg *Segmenter, ps []corpus.Passage, heads headings) *chunk {
	c := &chunk{voc: newVocab(), passOff: []uint32{0}, secOff: []uint32{0}}
	secs := map[string]uint32{}
	if heads == nil {
		heads = headings{}
	} else if len(heads) > maxHeadings {
		clear(heads)
	}
	for i := range ps {
		p := &ps[i]
		text, section := indexedText(p)
		seg.words(text, func(term string, sub bool) {
			c.toks = append(c.toks, c.voc.id(term)<<1|subBits(sub))
		})
		c.passOff = append(c.passOff, uint32(len(c.toks)))
		sec, ok := secs[section]
		if !ok {
			sec = uint32(len(c.secOff) - 1)
			secs[section] = sec
			sectionWords(seg, p, heads, func(term string, sub bool) {
				c.secToks = append(c.secToks, c.voc.id(term)<<1|subBits(sub))
			})
			c.secOff = append(c.secOff, uint32(len(c.secToks)))
		}
		c.passSec = append(c.passSec, sec)
		c.fresh = append(c.fresh, freshPassage{id: bleveID(p.ID()), textLen: int32(len(text)), sectLen: int32(len(section))})
		feat, intro := passageFeatures(p.Text, seg.Fold)
		c.feats = append(c.feats, [2]uint32{feat, intro})
		c.bytes += int64(len(p.Text))
	}
	return c
}

// sectionWords calls fn with the words of a passage's section path (and a rebuilt row's column
// headers), cut heading by heading, each heading once while heads keeps it.
func sectionWords(seg *Segmenter, p *corpus.Passage, heads headings, fn func(term string, sub bool)) {
	add := func(h string) {
		ws, ok := heads[h]
		if !ok {
			seg.words(h, func(term string, sub bool) { ws = append(ws, word{term, sub}) })
			heads[h] = ws
		}
		for _, w := range ws {
			fn(w.term, w.sub)
		}
	}
	for _, h := range p.Path {
		add(h.Text)
	}
	if p.Rebuilt && p.Headers != "" {
		add(p.Headers)
	}
}

// indexedText is what the index reads of a passage: its text and its section path; for a rebuilt
// table row, its own cells and, with the path, its table's column headers.
func indexedText(p *corpus.Passage) (text, section string) {
	text, section = p.Text, p.Section()
	if p.Rebuilt {
		text, section = p.Cells, strings.TrimSpace(section+" "+p.Headers)
	}
	return text, section
}

func subBits(sub bool) uint32 {
	if sub {
		return subFlag
	}
	return 0
}

// prepared is a Bleve field analysed beforehand: Bleve's Analyze has nothing left to do.
type prepared struct {
	name   string
	length int
	freqs  bleveindex.TokenFrequencies
	bytes  uint64
}

// termCounter counts the terms of a field by their chunk-local numbers, reusing its arrays from
// field to field.
type termCounter struct {
	n    []int32  // by term number
	used []uint32 // the term numbers met, in order
}

// field returns a prepared Bleve field of the words ids (numbers in terms, with the sub-word bit)
// standing for bytes bytes of text. Its terms share the memory of terms' strings: Bleve only reads
// them.
func (tc *termCounter) field(name string, terms []string, ids []uint32, bytes int) *prepared {
	tc.used = tc.used[:0]
	for _, id := range ids {
		id >>= 1
		if int(id) >= len(tc.n) {
			tc.n = append(tc.n, make([]int32, int(id)+1-len(tc.n)+1024)...)
		}
		if tc.n[id] == 0 {
			tc.used = append(tc.used, id)
		}
		tc.n[id]++
	}
	freqs := make(bleveindex.TokenFrequencies, len(tc.used))
	tfs := make([]bleveindex.TokenFreq, len(tc.used))
	for i, id := range tc.used {
		term := terms[id]
		tf := &tfs[i]
		tf.Term = unsafe.Slice(unsafe.StringData(term), len(term))
		tf.SetFrequency(int(tc.n[id]))
		freqs[term] = tf
		tc.n[id] = 0
	}
	return &prepared{name: name, length: len(ids), freqs: freqs, bytes: uint64(bytes)}
}

func (f *prepared) Name() string                                          { return f.name }
func (f *prepared) ArrayPositions() []uint64                              { return nil }
func (f *prepared) Options() bleveindex.FieldIndexingOptions              { return bleveindex.IndexField }
func (f *prepared) Analyze()                                              {}
func (f *prepared) Value() []byte                                         { return nil }
func (f *prepared) NumPlainTextBytes() uint64                             { return f.bytes }
func (f *prepared) Size() int                                             { return 64 + f.freqs.Size() }
func (f *prepared) EncodedFieldType() byte                                { return 't' }
func (f *prepared) AnalyzedLength() int                                   { return f.length }
func (f *prepared) AnalyzedTokenFrequencies() bleveindex.TokenFrequencies { return f.freqs }

// writeBleve merges the segments at paths, in order, into one and makes it the one segment of a
// Bleve index under dir/bleve. drops, when not nil, holds for each segment the documents to leave
// out. The segments are merged mergeFanIn at a time, level by level, so that a merge never reads
// more segments at once than that; those under segDir are removed as they are merged. The merges of
// a level run side by side, on as many goroutines as segments are built on: a merge uses one core.
func writeBleve(ctx context.Context, dir string, seg *Segmenter, segDir string, paths []string, drops []*roaring.Bitmap) error {
	for level := 1; len(paths) > mergeFanIn; level++ {
		next := make([]string, (len(paths)+mergeFanIn-1)/mergeFanIn)
		errs := make([]error, len(next))
		parallel.ForN(len(next), parallelism(), func(g int) {
			i := g * mergeFanIn
			if errs[g] = ctx.Err(); errs[g] != nil {
				return
			}
			group := paths[i:min(i+mergeFanIn, len(paths))]
			var gd []*roaring.Bitmap
			if drops != nil {
				gd = drops[i:min(i+mergeFanIn, len(paths))]
			}
			if len(group) == 1 && gd == nil {
				next[g] = group[0]
				return
			}
			out := filepath.Join(segDir, fmt.Sprintf("level%d-%06d.zap", level, i))
			if errs[g] = mergeSegments(group, gd, out); errs[g] != nil {
				return
			}
			removeUnder(segDir, group)
			next[g] = out
		})
		for _, err := range errs {
			if err != nil {
				return err // the first, as when the merges ran one after another
			}
		}
		paths, drops = next, nil
	}
	merged := filepath.Join(segDir, "merged.zap")
	if err := mergeSegments(paths, drops, merged); err != nil {
		return err
	}
	removeUnder(segDir, paths)
	return wrapSegment(dir, seg, segDir, merged)
}

// removeUnder removes the files at paths that are in dir.
func removeUnder(dir string, paths []string) {
	for _, p := range paths {
		if filepath.Dir(p) == dir {
			os.Remove(p)
		}
	}
}

// mergeSegments merges the zap segments at paths, in order, into one at path, leaving out the
// documents drops names (nil: none).
func mergeSegments(paths []string, drops []*roaring.Bitmap, path string) error {
	switch {
	case len(paths) == 0:
		return buildSegment(nil, path)
	case len(paths) == 1 && drops == nil && filepath.Dir(paths[0]) == filepath.Dir(path):
		return os.Rename(paths[0], path)
	}
	if drops == nil {
		drops = make([]*roaring.Bitmap, len(paths))
	}
	segs := make([]segment.Segment, 0, len(paths))
	defer func() {
		for _, s := range segs {
			s.Close()
		}
	}()
	for _, p := range paths {
		s, err := zapPlugin.Open(p)
		if err != nil {
			return fmt.Errorf("merge segments: %w", err)
		}
		segs = append(segs, s)
	}
	stop := shedMapped(paths) // before the segments are closed (deferred above)
	_, _, err := zapPlugin.Merge(segs, drops, path, nil, nil)
	stop()
	if err != nil {
		return fmt.Errorf("merge segments: %w", err)
	}
	return nil
}

// wrapSegment makes dir/bleve a Bleve index, in the layout bleve.Open reads, whose one segment is
// the zap file at path. scorch's offline builder writes the index around a placeholder document: its
// metadata, its mapping among its internal values and the snapshot naming its one segment
// (root.bolt, which records the segment's file name, format and version, not what is in it). The
// placeholder's segment is then replaced by the real one.
func wrapSegment(dir string, seg *Segmenter, tmp, path string) error {
	im, err := newMapping(seg)
	if err != nil {
		return fmt.Errorf("mapping: %w", err)
	}
	mb, err := util.MarshalJSON(im)
	if err != nil {
		return fmt.Errorf("mapping: %w", err)
	}
	bdir := filepath.Join(dir, bleveDir)
	store := filepath.Join(bdir, "store")
	if err := os.MkdirAll(bdir, 0o755); err != nil {
		return err
	}
	// What bleve.NewBuilder writes: the index's kind, and the mapping among its internal values.
	if err := os.WriteFile(filepath.Join(bdir, "index_meta.json"), []byte(`{"storage":"scorch","index_type":"scorch"}`), 0o644); err != nil {
		return err
	}
	b, err := scorch.NewBuilder(map[string]interface{}{
		"path":                store,
		"buildPathPrefix":     tmp,
		"internal":            map[string][]byte{string(util.MappingInternalKey): mb},
		"forceSegmentType":    zapPlugin.Type(),
		"forceSegmentVersion": int(zapPlugin.Version()),
	})
	if err != nil {
		return err
	}
	if err := b.Index(document.NewDocument("placeholder")); err != nil {
		return err
	}
	if err := b.Close(); err != nil {
		return err
	}
	files, err := filepath.Glob(filepath.Join(store, "*.zap"))
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return fmt.Errorf("bleve's builder wrote %d segments, not one", len(files))
	}
	return os.Rename(path, files[0])
}
