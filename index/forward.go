package index

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"
	"strings"
	"unsafe"

	mmap "github.com/blevesearch/mmap-go"
)

// The forward file holds what the index knows of each passage's words in reading order, which an
// inverted index cannot give cheaply: each passage's words as term numbers, each section path's and
// each document title's words, and for every term the largest BM25 weight any passage gives it.
// Search reads it to score its candidates exactly and to measure how close the question's words
// stand, without cutting any text at query time. It is memory-mapped, so only the pages a search
// touches are read; the words are packed as varints of term numbers given in order of frequency
// (most take one or two bytes).
//
// Layout (little-endian; every array starts at a multiple of 4 bytes):
//
//	header   magic "PBFW", version, then the counts: terms, passages, tokens, token bytes,
//	         sections, section token bytes, documents, title tokens (u32 each)
//	termOff  [terms+1]u32    offsets of the terms' text in termText, by term number
//	termText bytes, padded to 4
//	byText   [terms]u32      the term numbers in byte order of their text, for lookups
//	termMax  [terms]f32      the largest BM25 tf-part tf·(k1+1)/(tf+k1·(1−b+b·len/avg)) of the term
//	passTok  [passages+1]u32 each passage's first token (its length is the difference)
//	passByte [passages+1]u32 each passage's first byte in toks
//	passSec  [passages]u32   each passage's section path
//	secOff   [sections+1]u32 each section path's first byte in secToks
//	docOff   [documents+1]u32, docToks [title tokens]u32    (term<<1 | sub)
//	secToks  uvarint term<<1 | sub per token of the section paths, padded to 4
//	toks     uvarint term<<1 | 1 for a sub-word inside the next word (search mode), per token
const (
	forwardFile    = "forward.bin"
	forwardMagic   = 0x57464250 // "PBFW" read as a little-endian u32
	forwardVersion = 4
	subFlag        = 1
)

// forward is an opened forward file.
type forward struct {
	mm       mmap.MMap
	termOff  []uint32
	termText []byte
	byText   []uint32
	termMax  []float32
	passTok  []uint32
	passByte []uint32
	passSec  []uint32
	secOff   []uint32
	secToks  []byte
	docOff   []uint32
	docToks  []uint32
	toks     []byte
}

// forwardWriter writes a forward file as the passages come, in order. The passages' and sections'
// words go to temporary files as they come, numbered as the terms are met; what stays in memory is
// the terms and a few words for each passage. At the end the terms are numbered by frequency and the
// words read back, renumbered and packed into the file.
type forwardWriter struct {
	voc      *vocab   // every term met, numbered as met
	freq     []uint32 // occurrences in the passages' text, by term
	toks     *tempWords
	secToks  *tempWords
	passOff  []uint32 // into the passages' words
	passSec  []uint32
	secOff   []uint32 // into the sections' words
	docOff   []uint32
	docToks  []uint32
	nToks    uint64
	nSecToks uint64
}

// newForwardWriter starts a forward file whose temporary files go in dir.
func newForwardWriter(dir string) (*forwardWriter, error) {
	toks, err := newTempWords(dir, "forward-words")
	if err != nil {
		return nil, err
	}
	secToks, err := newTempWords(dir, "forward-sections")
	if err != nil {
		toks.close()
		return nil, err
	}
	return &forwardWriter{voc: newVocab(), toks: toks, secToks: secToks, passOff: []uint32{0}, secOff: []uint32{0}, docOff: []uint32{0}}, nil
}

// addTitle adds the words of the next document's title.
func (fw *forwardWriter) addTitle(seg *Segmenter, title string) {
	for _, t := range seg.Tokenize(title) {
		fw.docToks = append(fw.docToks, fw.voc.id(t.Term)<<1|subBits(t.Sub))
	}
	fw.docOff = append(fw.docOff, uint32(len(fw.docToks)))
}

// add adds the passages of a chunk, whose words are numbered in fw's vocabulary (see vocab.adopt).
func (fw *forwardWriter) add(c *chunk) error {
	for len(fw.freq) < len(fw.voc.terms) {
		fw.freq = append(fw.freq, 0)
	}
	for _, t := range c.toks {
		fw.freq[t>>1]++
	}
	fw.toks.add(c.toks)
	for _, o := range c.passOff[1:] {
		fw.passOff = append(fw.passOff, uint32(fw.nToks)+o)
	}
	fw.nToks += uint64(len(c.toks))
	secBase := uint32(len(fw.secOff) - 1)
	for _, sec := range c.passSec {
		fw.passSec = append(fw.passSec, secBase+sec)
	}
	fw.secToks.add(c.secToks)
	for _, o := range c.secOff[1:] {
		fw.secOff = append(fw.secOff, uint32(fw.nSecToks)+o)
	}
	fw.nSecToks += uint64(len(c.secToks))
	if fw.nToks > math.MaxUint32 || fw.nSecToks > math.MaxUint32 {
		return errors.New("forward file: too many words")
	}
	return nil
}

// passages is the number of passages added.
func (fw *forwardWriter) passages() int { return len(fw.passOff) - 1 }

// abort removes the temporary files of a forward file that will not be finished.
func (fw *forwardWriter) abort() {
	fw.toks.close()
	fw.secToks.close()
}

// finish writes the forward file at path, removes the temporary files and returns the number of
// words in the passages.
func (fw *forwardWriter) finish(path string) (int, error) {
	defer fw.abort()
	for len(fw.freq) < len(fw.voc.terms) {
		fw.freq = append(fw.freq, 0)
	}
	terms := fw.voc.terms
	nTerms := len(terms)
	// byText lists the terms in byte order; the file numbers them by frequency, most frequent first
	// (ties in byte order), so that most words take one or two bytes.
	byText := make([]uint32, nTerms)
	for i := range byText {
		byText[i] = uint32(i)
	}
	slices.SortFunc(byText, func(a, b uint32) int { return strings.Compare(terms[a], terms[b]) })
	order := append([]uint32(nil), byText...) // new number -> term
	slices.SortStableFunc(order, func(a, b uint32) int { return cmp.Compare(fw.freq[b], fw.freq[a]) })
	renum := make([]uint32, nTerms) // term -> new number
	for n, t := range order {
		renum[t] = uint32(n)
	}
	re := func(t uint32) uint32 { return renum[t>>1]<<1 | t&subFlag }

	// One pass over the words: each term's largest BM25 tf-part, and each passage's packed length.
	nPass := fw.passages()
	avg := 1.0
	if nPass > 0 && fw.nToks > 0 {
		avg = float64(fw.nToks) / float64(nPass)
	}
	termMax := make([]float32, nTerms)
	passByte := make([]uint32, 0, nPass+1)
	var packed uint64
	r, err := fw.toks.reader()
	if err != nil {
		return 0, err
	}
	var buf, ids []uint32
	for p := 0; p < nPass; p++ {
		passByte = append(passByte, uint32(packed))
		n := int(fw.passOff[p+1] - fw.passOff[p])
		if buf, err = r.read(buf[:0], n); err != nil {
			return 0, err
		}
		ids = ids[:0]
		for _, t := range buf {
			packed += uint64(uvarintLen(re(t)))
			ids = append(ids, t>>1)
		}
		slices.Sort(ids)
		for i := 0; i < len(ids); {
			j := i
			for j < len(ids) && ids[j] == ids[i] {
				j++
			}
			if v := float32(tfPart(j-i, n, avg)); v > termMax[ids[i]] {
				termMax[ids[i]] = v
			}
			i = j
		}
	}
	passByte = append(passByte, uint32(packed))
	if packed > math.MaxUint32 {
		return 0, errors.New("forward file: too many words")
	}

	file, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	// The section paths' packed lengths.
	nSec := len(fw.secOff) - 1
	secByte := make([]uint32, 0, nSec+1)
	var secPacked uint64
	if r, err = fw.secToks.reader(); err != nil {
		file.Close()
		return 0, err
	}
	for s := 0; s < nSec; s++ {
		secByte = append(secByte, uint32(secPacked))
		if buf, err = r.read(buf[:0], int(fw.secOff[s+1]-fw.secOff[s])); err != nil {
			file.Close()
			return 0, err
		}
		for _, t := range buf {
			secPacked += uint64(uvarintLen(re(t)))
		}
	}
	secByte = append(secByte, uint32(secPacked))
	if secPacked > math.MaxUint32 {
		file.Close()
		return 0, errors.New("forward file: too many section words")
	}
	w := &leWriter{buf: make([]byte, 0, 1<<20), f: file}
	w.u32(forwardMagic, forwardVersion, uint32(nTerms), uint32(nPass), uint32(fw.nToks), uint32(packed),
		uint32(nSec), uint32(secPacked), uint32(len(fw.docOff)-1), uint32(len(fw.docToks)))
	var text []byte
	off := make([]uint32, 0, nTerms+1)
	maxBits := make([]uint32, 0, nTerms)
	for _, t := range order {
		off = append(off, uint32(len(text)))
		text = append(text, terms[t]...)
		maxBits = append(maxBits, math.Float32bits(termMax[t]))
	}
	off = append(off, uint32(len(text)))
	w.u32(off...)
	w.bytes(text, true)
	text = nil
	for _, t := range byText {
		w.u32(renum[t])
	}
	w.u32(maxBits...)
	w.u32(fw.passOff...)
	w.u32(passByte...)
	w.u32(fw.passSec...)
	w.u32(secByte...)
	w.u32(fw.docOff...)
	for _, t := range fw.docToks {
		w.u32(re(t))
	}
	if r, err = fw.secToks.reader(); err != nil {
		file.Close()
		return 0, err
	}
	for left := fw.nSecToks; left > 0; {
		n := min(left, 1<<16)
		if buf, err = r.read(buf[:0], int(n)); err != nil {
			file.Close()
			return 0, err
		}
		for _, t := range buf {
			w.buf = binary.AppendUvarint(w.buf, uint64(re(t)))
		}
		w.flush(false)
		left -= n
	}
	w.pad(int(secPacked))
	if r, err = fw.toks.reader(); err != nil {
		file.Close()
		return 0, err
	}
	for left := fw.nToks; left > 0; {
		n := min(left, 1<<16)
		if buf, err = r.read(buf[:0], int(n)); err != nil {
			file.Close()
			return 0, err
		}
		for _, t := range buf {
			w.buf = binary.AppendUvarint(w.buf, uint64(re(t)))
		}
		w.flush(false)
		left -= n
	}
	if err := w.close(); err != nil {
		return 0, err
	}
	return int(fw.nToks), nil
}

// uvarintLen is the length of x as a uvarint.
func uvarintLen(x uint32) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}

// tempWords is a temporary file of u32 words, written in order and read back from the start.
type tempWords struct {
	f   *os.File
	w   *bufio.Writer
	buf []byte
}

func newTempWords(dir, name string) (*tempWords, error) {
	f, err := os.CreateTemp(dir, name)
	if err != nil {
		return nil, err
	}
	return &tempWords{f: f, w: bufio.NewWriterSize(f, 1<<20)}, nil
}

func (t *tempWords) add(ws []uint32) {
	t.buf = t.buf[:0]
	for _, x := range ws {
		t.buf = binary.LittleEndian.AppendUint32(t.buf, x)
	}
	t.w.Write(t.buf) // an error is kept by the writer, and returned by reader
}

// reader flushes what was written and returns a reader from the start.
func (t *tempWords) reader() (*wordReader, error) {
	if err := t.w.Flush(); err != nil {
		return nil, err
	}
	if _, err := t.f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return &wordReader{r: bufio.NewReaderSize(t.f, 1<<20)}, nil
}

func (t *tempWords) close() {
	t.f.Close()
	os.Remove(t.f.Name())
}

type wordReader struct {
	r *bufio.Reader
	b []byte
}

// read appends the next n words to buf.
func (r *wordReader) read(buf []uint32, n int) ([]uint32, error) {
	r.b = slices.Grow(r.b[:0], 4*n)[:4*n]
	if _, err := io.ReadFull(r.r, r.b); err != nil {
		return buf, fmt.Errorf("forward file: read back: %w", err)
	}
	for i := 0; i < len(r.b); i += 4 {
		buf = append(buf, binary.LittleEndian.Uint32(r.b[i:]))
	}
	return buf, nil
}

var errForward = errors.New("bad forward file")

// openForward maps a forward file and checks that its arrays fit.
func openForward(path string) (*forward, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	mm, err := mmap.Map(file, mmap.RDONLY, 0)
	if err != nil {
		return nil, err
	}
	adviseRandom(mm)
	f := &forward{mm: mm}
	if err := f.slice(mm); err != nil {
		mm.Unmap()
		return nil, err
	}
	return f, nil
}

func (f *forward) slice(b []byte) error {
	if len(b) < 40 || uintptr(unsafe.Pointer(&b[0]))%4 != 0 {
		return errForward
	}
	words := unsafe.Slice((*uint32)(unsafe.Pointer(&b[0])), len(b)/4)
	if words[0] != forwardMagic || words[1] != forwardVersion {
		return fmt.Errorf("%w: version", errForward)
	}
	nTerms, nPass, nToks, nBytes, nSec, nSecBytes, nDocs, nDocToks := int(words[2]), int(words[3]), int(words[4]), int(words[5]), int(words[6]), int(words[7]), int(words[8]), int(words[9])
	at := 10
	ok := true
	take := func(n int) []uint32 {
		if !ok || n < 0 || at+n > len(words) {
			ok = false
			return nil
		}
		s := words[at : at+n : at+n]
		at += n
		return s
	}
	f.termOff = take(nTerms + 1)
	if !ok {
		return errForward
	}
	textLen := int(f.termOff[nTerms])
	if at*4+textLen > len(b) {
		return errForward
	}
	f.termText = b[at*4 : at*4+textLen]
	at += (textLen + 3) / 4
	f.byText = take(nTerms)
	maxBits := take(nTerms)
	f.termMax = unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(maxBits))), len(maxBits))
	f.passTok = take(nPass + 1)
	f.passByte = take(nPass + 1)
	f.passSec = take(nPass)
	f.secOff = take(nSec + 1)
	f.docOff = take(nDocs + 1)
	f.docToks = take(nDocToks)
	if !ok || at*4+nSecBytes > len(b) {
		return errForward
	}
	f.secToks = b[at*4 : at*4+nSecBytes]
	at += (nSecBytes + 3) / 4
	if at*4+nBytes > len(b) {
		return errForward
	}
	f.toks = b[at*4 : at*4+nBytes]
	if int(f.passTok[nPass]) != nToks || int(f.passByte[nPass]) != nBytes || int(f.secOff[nSec]) != nSecBytes || int(f.docOff[nDocs]) != nDocToks {
		return errForward
	}
	for i := 0; i < nPass; i++ {
		if f.passTok[i] > f.passTok[i+1] || f.passByte[i] > f.passByte[i+1] || int(f.passSec[i]) >= nSec {
			return errForward
		}
	}
	for i := 0; i < nSec; i++ {
		if f.secOff[i] > f.secOff[i+1] {
			return errForward
		}
	}
	for i := 0; i < nDocs; i++ {
		if f.docOff[i] > f.docOff[i+1] {
			return errForward
		}
	}
	for i := 0; i < nTerms; i++ {
		if f.termOff[i] > f.termOff[i+1] || int(f.byText[i]) >= nTerms {
			return errForward
		}
	}
	return nil
}

func (f *forward) close() error {
	if f == nil || f.mm == nil {
		return nil
	}
	return f.mm.Unmap()
}

// term returns the text of term number i.
func (f *forward) term(i uint32) string {
	if int(i) >= len(f.termOff)-1 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(f.termText[f.termOff[i]:]), int(f.termOff[i+1]-f.termOff[i]))
}

// lookup returns the number of a term, or false when no passage, section or title uses it.
func (f *forward) lookup(term string) (uint32, bool) {
	n := len(f.byText)
	i := sort.Search(n, func(i int) bool { return f.term(f.byText[i]) >= term })
	if i < n && f.term(f.byText[i]) == term {
		return f.byText[i], true
	}
	return 0, false
}

// withPrefix calls f with each term that starts with prefix, in byte order, until f returns false.
func (f *forward) withPrefix(prefix string, fn func(term string) bool) {
	n := len(f.byText)
	i := sort.Search(n, func(i int) bool { return f.term(f.byText[i]) >= prefix })
	for ; i < n; i++ {
		t := f.term(f.byText[i])
		if !strings.HasPrefix(t, prefix) || !fn(t) {
			return
		}
	}
}

// passages is the number of passages in the file.
func (f *forward) passages() int { return len(f.passTok) - 1 }

// length is the number of words of passage p: BM25's document length.
func (f *forward) length(p int) int { return int(f.passTok[p+1] - f.passTok[p]) }

// words returns passage p's words.
func (f *forward) words(p int) tokens { return tokens{f.passWords(p)} }

// passWords returns passage p's packed words (see tokens).
func (f *forward) passWords(p int) []byte { return f.toks[f.passByte[p]:f.passByte[p+1]] }

// section returns the words of passage p's section path.
func (f *forward) section(p int) tokens {
	s := f.passSec[p]
	return tokens{f.secToks[f.secOff[s]:f.secOff[s+1]]}
}

// title returns the words of document d's title.
func (f *forward) title(d int) []uint32 {
	return f.docToks[f.docOff[d]:f.docOff[d+1]]
}

// tokens reads a passage's packed words in order.
type tokens struct{ b []byte }

// next returns the next word as term<<1 | sub, or false at the end (or at a broken varint).
func (t *tokens) next() (uint32, bool) {
	b := t.b
	if len(b) > 0 && b[0] < 0x80 {
		t.b = b[1:]
		return uint32(b[0]), true
	}
	var x uint32
	for i := 0; i < len(b) && i < 5; i++ {
		x |= uint32(b[i]&0x7F) << (7 * i)
		if b[i] < 0x80 {
			t.b = b[i+1:]
			return x, true
		}
	}
	t.b = nil
	return 0, false
}

// vocab numbers terms while a build's workers cut text: each worker numbers the terms it meets in
// its own table, and the tables are merged into one list in byte order at the end.
type vocab struct {
	ids   map[string]uint32
	terms []string
}

func newVocab() *vocab { return &vocab{ids: map[string]uint32{}} }

func (v *vocab) id(t string) uint32 {
	if i, ok := v.ids[t]; ok {
		return i
	}
	i := uint32(len(v.terms))
	v.ids[t] = i
	v.terms = append(v.terms, t)
	return i
}

// adopt renumbers a chunk's words in v's numbering and makes v the chunk's table, so that the
// chunks' own tables, and the texts their terms point into, do not pile up while the index is built.
func (v *vocab) adopt(c *chunk) {
	m := make([]uint32, len(c.voc.terms))
	for j, t := range c.voc.terms {
		i, ok := v.ids[t]
		if !ok {
			i = v.id(strings.Clone(t))
		}
		m[j] = i
	}
	for k, t := range c.toks {
		c.toks[k] = m[t>>1]<<1 | t&subFlag
	}
	for k, t := range c.secToks {
		c.secToks[k] = m[t>>1]<<1 | t&subFlag
	}
	c.voc = v
}

// tfPart is BM25's term-frequency part for a term found tf times in a passage of length words.
func tfPart(tf, length int, avg float64) float64 {
	t := float64(tf)
	return t * (bm25K1 + 1) / (t + bm25K1*(1-bm25B+bm25B*float64(length)/avg))
}
