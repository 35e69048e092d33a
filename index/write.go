package index

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/util"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"policybot/corpus"
)

// Indexing runs in a pipeline: workers on every core cut runs of passages into words with jieba,
// once, and hand Bleve documents whose fields are already analysed (so Bleve does not cut the text
// a second time) to the one goroutine that feeds Bleve's offline builder in passage order. The
// builder writes segments of builderBatch passages and merges them into one at the end, which is
// also the fastest layout to search. The same words make the forward file.
const (
	chunkPassages = 256   // passages a worker takes at a time
	builderBatch  = 16384 // passages in each segment the builder writes before merging
	builderMerge  = 16    // segments merged at once
	// chunksAhead is how far the workers may run ahead of the builder: two of its segments, so that
	// they keep cutting while it writes one.
	chunksAhead = 2 * builderBatch / chunkPassages
)

// chunk is a run of passages cut into words by one worker. Its term numbers are its own (see vocab).
type chunk struct {
	voc     *vocab
	passOff []uint32 // len = passages+1, into toks
	toks    []uint32
	passSec []uint32 // chunk-local section numbers
	secOff  []uint32
	secToks []uint32
	docs    []*document.Document
	bytes   int64
}

// writeIndex cuts the passages into words and writes Bleve's index under dir/bleve and the forward
// file dir/forward.bin. It returns the number of words in the passages' text.
func writeIndex(ctx context.Context, dir string, seg *Segmenter, docs []*corpus.Document, passages []corpus.Passage, progress func(int, int, int64)) (int, error) {
	docOf := make(map[string]int, len(docs))
	for i, d := range docs {
		docOf[d.ID] = i
	}
	b, err := newBleveBuilder(dir, seg)
	if err != nil {
		return 0, fmt.Errorf("build index: %w", err)
	}
	n := (len(passages) + chunkPassages - 1) / chunkPassages
	chunks := make([]*chunk, n)
	ready := make([]chan struct{}, n)
	for i := range ready {
		ready[i] = make(chan struct{})
	}
	workers := runtime.GOMAXPROCS(0)
	slots := make(chan struct{}, chunksAhead)
	jobs := make(chan int)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	go func() {
		defer close(jobs)
		for i := 0; i < n; i++ {
			select {
			case slots <- struct{}{}:
			case <-stop:
				return
			}
			select {
			case jobs <- i:
			case <-stop:
				return
			}
		}
	}()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				lo, hi := i*chunkPassages, min((i+1)*chunkPassages, len(passages))
				chunks[i] = cutChunk(seg, passages[lo:hi])
				close(ready[i])
			}
		}()
	}
	fail := func(err error) (int, error) {
		close(stop)
		for range jobs {
		}
		wg.Wait()
		// The builder's files are inside dir, which the caller removes.
		return 0, err
	}
	var bytes int64
	for i := 0; i < n; i++ {
		select {
		case <-ready[i]:
		case <-ctx.Done():
			return fail(ctx.Err())
		}
		c := chunks[i]
		for _, d := range c.docs {
			if err := b.Index(d); err != nil {
				return fail(fmt.Errorf("build index: %s: %w", d.ID(), err))
			}
		}
		c.docs = nil
		<-slots
		bytes += c.bytes
		if progress != nil {
			hi := min((i+1)*chunkPassages, len(passages))
			progress(docOf[passages[hi-1].DocID]+1, hi, bytes)
		}
	}
	close(stop)
	wg.Wait()
	// Bleve merges its segments into one while the forward file is written.
	merged := make(chan error, 1)
	go func() { merged <- b.Close() }()

	tokens, err := writeForward(dir, seg, docs, chunks)
	if merr := <-merged; err == nil {
		err = merr
	}
	if err != nil {
		return 0, fmt.Errorf("build index: %w", err)
	}
	return tokens, nil
}

// writeForward writes the forward file of the documents whose passages' words the chunks hold, in
// order, and returns the number of words in the passages. It empties chunks.
func writeForward(dir string, seg *Segmenter, docs []*corpus.Document, chunks []*chunk) (int, error) {
	// Titles, once per document.
	titleVoc := newVocab()
	fd := &forwardData{docOff: []uint32{0}}
	for _, d := range docs {
		for _, t := range seg.Tokenize(d.Title) {
			fd.docToks = append(fd.docToks, titleVoc.id(t.Term)<<1|subBit(t))
		}
		fd.docOff = append(fd.docOff, uint32(len(fd.docToks)))
	}
	// One numbering of the terms for every chunk and the titles.
	vocs := []*vocab{titleVoc}
	for _, c := range chunks {
		vocs = append(vocs, c.voc)
	}
	terms, maps := mergeVocabs(vocs)
	fd.terms = terms
	for i, t := range fd.docToks {
		fd.docToks[i] = maps[0][t>>1]<<1 | t&subFlag
	}
	fd.passOff = []uint32{0}
	fd.secOff = []uint32{0}
	for ci, c := range chunks {
		m := maps[ci+1]
		base := uint32(len(fd.toks))
		for _, t := range c.toks {
			fd.toks = append(fd.toks, m[t>>1]<<1|t&subFlag)
		}
		for _, o := range c.passOff[1:] {
			fd.passOff = append(fd.passOff, base+o)
		}
		secBase := uint32(len(fd.secOff) - 1)
		for _, s := range c.passSec {
			fd.passSec = append(fd.passSec, secBase+s)
		}
		tokBase := uint32(len(fd.secToks))
		for _, t := range c.secToks {
			fd.secToks = append(fd.secToks, m[t>>1]<<1|t&subFlag)
		}
		for _, o := range c.secOff[1:] {
			fd.secOff = append(fd.secOff, tokBase+o)
		}
		chunks[ci] = nil
	}
	tokens := len(fd.toks)
	avg := 1.0
	if n := len(fd.passOff) - 1; n > 0 && tokens > 0 {
		avg = float64(tokens) / float64(n)
	}
	fd.maxTF(avg, runtime.GOMAXPROCS(0))
	return tokens, fd.write(filepath.Join(dir, forwardFile))
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
			for _, t := range old.fwd.section(p) {
				c.secToks = append(c.secToks, id(t))
			}
			c.secOff = append(c.secOff, uint32(len(c.secToks)))
		}
		c.passSec = append(c.passSec, sec)
	}
	return c
}

// cutChunk cuts a run of passages into words, for Bleve and for the forward file.
func cutChunk(seg *Segmenter, ps []corpus.Passage) *chunk {
	c := &chunk{voc: newVocab(), passOff: []uint32{0}, secOff: []uint32{0}}
	secs := map[string]uint32{}
	heads := map[string][]Token{} // each heading cut once: the sections of a chapter share it
	for i := range ps {
		p := &ps[i]
		text, section := indexedText(p)
		toks := seg.Tokenize(text)
		for _, t := range toks {
			c.toks = append(c.toks, c.voc.id(t.Term)<<1|subBit(t))
		}
		c.passOff = append(c.passOff, uint32(len(c.toks)))
		sec, ok := secs[section]
		var secToks []Token
		if !ok {
			sec = uint32(len(c.secOff) - 1)
			secs[section] = sec
			secToks = sectionWords(seg, p, heads)
			for _, t := range secToks {
				c.secToks = append(c.secToks, c.voc.id(t.Term)<<1|subBit(t))
			}
			c.secOff = append(c.secOff, uint32(len(c.secToks)))
		} else {
			secToks = sectionTokens(c, sec)
		}
		c.passSec = append(c.passSec, sec)
		d := document.NewDocument(p.ID())
		d.AddField(preparedField(fieldText, toks, len(text)))
		d.AddField(preparedField(fieldSection, secToks, len(section)))
		d.AddField(keywordField(fieldDoc, p.DocID))
		c.docs = append(c.docs, d)
		c.bytes += int64(len(p.Text))
	}
	return c
}

// sectionWords cuts a passage's section path (and a rebuilt row's column headers) heading by
// heading, each heading once per chunk.
func sectionWords(seg *Segmenter, p *corpus.Passage, heads map[string][]Token) []Token {
	var out []Token
	add := func(h string) {
		toks, ok := heads[h]
		if !ok {
			toks = seg.Tokenize(h)
			heads[h] = toks
		}
		out = append(out, toks...)
	}
	for _, h := range p.Path {
		add(h.Text)
	}
	if p.Rebuilt && p.Headers != "" {
		add(p.Headers)
	}
	return out
}

// sectionTokens returns the words of a section already cut in this chunk, as Tokens (terms only).
func sectionTokens(c *chunk, sec uint32) []Token {
	ids := c.secToks[c.secOff[sec]:c.secOff[sec+1]]
	out := make([]Token, len(ids))
	for i, id := range ids {
		out[i] = Token{Term: c.voc.terms[id>>1]}
	}
	return out
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

func subBit(t Token) uint32 {
	if t.Sub {
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

func preparedField(name string, toks []Token, bytes int) *prepared {
	freqs := make(bleveindex.TokenFrequencies, len(toks))
	for _, t := range toks {
		f := freqs[t.Term]
		if f == nil {
			f = &bleveindex.TokenFreq{Term: []byte(t.Term)}
			freqs[t.Term] = f
		}
		f.SetFrequency(f.Frequency() + 1)
	}
	return &prepared{name: name, length: len(toks), freqs: freqs, bytes: uint64(bytes)}
}

func keywordField(name, value string) *prepared {
	f := &bleveindex.TokenFreq{Term: []byte(value)}
	f.SetFrequency(1)
	return &prepared{name: name, length: 1, freqs: bleveindex.TokenFrequencies{value: f}, bytes: uint64(len(value))}
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

// newBleveBuilder returns scorch's offline builder writing a Bleve index under dir/bleve, in the
// layout bleve.Open reads.
func newBleveBuilder(dir string, seg *Segmenter) (*scorch.Builder, error) {
	im, err := newMapping(seg)
	if err != nil {
		return nil, fmt.Errorf("mapping: %w", err)
	}
	mb, err := util.MarshalJSON(im)
	if err != nil {
		return nil, fmt.Errorf("mapping: %w", err)
	}
	path := filepath.Join(dir, bleveDir)
	if err := os.MkdirAll(path, 0o755); err != nil {
		return nil, err
	}
	// What bleve.NewBuilder writes: the index's kind, and the mapping among its internal values.
	if err := os.WriteFile(filepath.Join(path, "index_meta.json"), []byte(`{"storage":"scorch","index_type":"scorch"}`), 0o644); err != nil {
		return nil, err
	}
	return scorch.NewBuilder(map[string]interface{}{
		"path":            filepath.Join(path, "store"),
		"buildPathPrefix": dir,
		"batchSize":       builderBatch,
		"mergeMax":        builderMerge,
		"internal":        map[string][]byte{string(util.MappingInternalKey): mb},
	})
}
