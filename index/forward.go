package index

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
	"unsafe"

	mmap "github.com/blevesearch/mmap-go"
)

// The forward file holds what the index knows of each passage's words in reading order, which an
// inverted index cannot give cheaply: each passage's words as term numbers with their byte spans in
// the passage's text, each section path's and each document title's words, and for every term the
// largest BM25 weight any passage gives it. Search reads it to score its candidates exactly, to
// measure how close the question's words stand and to highlight them, without cutting any text at
// query time. It is memory-mapped, so only the pages a search touches are read.
//
// Layout (little-endian; every array starts at a multiple of 4 bytes):
//
//	header   magic "PBFW", version, then the counts: terms, passages, tokens, sections,
//	         section tokens, documents, title tokens (u32 each)
//	termOff  [terms+1]u32   offsets of the terms in termText, which lists them in byte order
//	termText bytes, padded to 4
//	termMax  [terms]f32     the largest BM25 tf-part tf·(k1+1)/(tf+k1·(1−b+b·len/avg)) of the term
//	passOff  [passages+1]u32 each passage's first token
//	toks     [tokens]u32    term<<1 | 1 for a sub-word inside the next word (search mode)
//	spans    [tokens]u32    start<<8 | length in bytes, in the passage's text; noSpan if unknown
//	passSec  [passages]u32  each passage's section path
//	secOff   [sections+1]u32, secToks [section tokens]u32   (term numbers)
//	docOff   [documents+1]u32, docToks [title tokens]u32    (term numbers)
const (
	forwardFile    = "forward.bin"
	forwardMagic   = 0x57464250 // "PBFW" read as a little-endian u32
	forwardVersion = 1
	noSpan         = math.MaxUint32
	subFlag        = 1
)

// forward is an opened forward file.
type forward struct {
	mm       mmap.MMap
	termOff  []uint32
	termText []byte
	termMax  []float32
	passOff  []uint32
	toks     []uint32
	spans    []uint32
	passSec  []uint32
	secOff   []uint32
	secToks  []uint32
	docOff   []uint32
	docToks  []uint32
}

// forwardData is a forward file's content while it is being built.
type forwardData struct {
	terms   []string // in byte order; a term's number is its place here
	termMax []float32
	passOff []uint32
	toks    []uint32
	spans   []uint32
	passSec []uint32
	secOff  []uint32
	secToks []uint32
	docOff  []uint32
	docToks []uint32
}

func (f *forwardData) write(path string) error {
	file, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(file, 1<<20)
	var textLen int
	for _, t := range f.terms {
		textLen += len(t)
	}
	head := []uint32{forwardMagic, forwardVersion, uint32(len(f.terms)), uint32(len(f.passOff) - 1), uint32(len(f.toks)),
		uint32(len(f.secOff) - 1), uint32(len(f.secToks)), uint32(len(f.docOff) - 1), uint32(len(f.docToks))}
	put := func(xs []uint32) {
		var b [4]byte
		for _, x := range xs {
			binary.LittleEndian.PutUint32(b[:], x)
			w.Write(b[:])
		}
	}
	put(head)
	off := make([]uint32, 0, len(f.terms)+1)
	pos := uint32(0)
	for _, t := range f.terms {
		off = append(off, pos)
		pos += uint32(len(t))
	}
	off = append(off, pos)
	put(off)
	for _, t := range f.terms {
		w.WriteString(t)
	}
	for pad := (4 - textLen%4) % 4; pad > 0; pad-- {
		w.WriteByte(0)
	}
	maxBits := make([]uint32, len(f.termMax))
	for i, m := range f.termMax {
		maxBits[i] = math.Float32bits(m)
	}
	put(maxBits)
	for _, xs := range [][]uint32{f.passOff, f.toks, f.spans, f.passSec, f.secOff, f.secToks, f.docOff, f.docToks} {
		put(xs)
	}
	if err := w.Flush(); err != nil {
		file.Close()
		return err
	}
	if err := file.Sync(); err != nil {
		file.Close()
		return err
	}
	return file.Close()
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
	f := &forward{mm: mm}
	if err := f.slice(mm); err != nil {
		mm.Unmap()
		return nil, err
	}
	return f, nil
}

func (f *forward) slice(b []byte) error {
	if len(b) < 36 || uintptr(unsafe.Pointer(&b[0]))%4 != 0 {
		return errForward
	}
	words := unsafe.Slice((*uint32)(unsafe.Pointer(&b[0])), len(b)/4)
	if words[0] != forwardMagic || words[1] != forwardVersion {
		return fmt.Errorf("%w: version", errForward)
	}
	nTerms, nPass, nToks, nSec, nSecToks, nDocs, nDocToks := int(words[2]), int(words[3]), int(words[4]), int(words[5]), int(words[6]), int(words[7]), int(words[8])
	at := 9
	take := func(n int) []uint32 {
		if at+n > len(words) || n < 0 {
			at = len(words) + 1
			return nil
		}
		s := words[at : at+n : at+n]
		at += n
		return s
	}
	f.termOff = take(nTerms + 1)
	if f.termOff == nil {
		return errForward
	}
	textLen := int(f.termOff[nTerms])
	start := at * 4
	if start+textLen > len(b) {
		return errForward
	}
	f.termText = b[start : start+textLen]
	at += (textLen + 3) / 4
	maxBits := take(nTerms)
	f.termMax = unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(maxBits))), len(maxBits))
	f.passOff = take(nPass + 1)
	f.toks = take(nToks)
	f.spans = take(nToks)
	f.passSec = take(nPass)
	f.secOff = take(nSec + 1)
	f.secToks = take(nSecToks)
	f.docOff = take(nDocs + 1)
	f.docToks = take(nDocToks)
	if at > len(words) || int(f.passOff[nPass]) != nToks || int(f.secOff[nSec]) != nSecToks || int(f.docOff[nDocs]) != nDocToks {
		return errForward
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
	return unsafe.String(unsafe.SliceData(f.termText[f.termOff[i]:]), int(f.termOff[i+1]-f.termOff[i]))
}

// lookup returns the number of a term, or false when no passage, section or title uses it.
func (f *forward) lookup(term string) (uint32, bool) {
	n := len(f.termOff) - 1
	i := sort.Search(n, func(i int) bool { return f.term(uint32(i)) >= term })
	if i < n && f.term(uint32(i)) == term {
		return uint32(i), true
	}
	return 0, false
}

// passages is the number of passages in the file.
func (f *forward) passages() int { return len(f.passOff) - 1 }

// length is the number of words of passage p: BM25's document length.
func (f *forward) length(p int) int { return int(f.passOff[p+1] - f.passOff[p]) }

// words returns passage p's tokens and spans.
func (f *forward) words(p int) (toks, spans []uint32) {
	a, b := f.passOff[p], f.passOff[p+1]
	return f.toks[a:b], f.spans[a:b]
}

// section returns the words of passage p's section path.
func (f *forward) section(p int) []uint32 {
	s := f.passSec[p]
	return f.secToks[f.secOff[s]:f.secOff[s+1]]
}

// title returns the words of document d's title.
func (f *forward) title(d int) []uint32 {
	return f.docToks[f.docOff[d]:f.docOff[d+1]]
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

// mergeVocabs returns the union of the tables' terms in byte order and, for each table, the map from
// its numbers to the union's.
func mergeVocabs(vs []*vocab) ([]string, [][]uint32) {
	all := map[string]struct{}{}
	for _, v := range vs {
		for _, t := range v.terms {
			all[t] = struct{}{}
		}
	}
	terms := make([]string, 0, len(all))
	for t := range all {
		terms = append(terms, t)
	}
	sort.Strings(terms)
	num := make(map[string]uint32, len(terms))
	for i, t := range terms {
		num[t] = uint32(i)
	}
	maps := make([][]uint32, len(vs))
	for i, v := range vs {
		m := make([]uint32, len(v.terms))
		for j, t := range v.terms {
			m[j] = num[t]
		}
		maps[i] = m
	}
	return terms, maps
}

// packSpan packs a word's byte span in its passage's text.
func packSpan(start, end int) uint32 {
	if start < 0 || end < start || end-start > 255 || start >= 1<<24 {
		return noSpan
	}
	return uint32(start)<<8 | uint32(end-start)
}

// unpackSpan returns a span packed by packSpan.
func unpackSpan(s uint32) (start, end int, ok bool) {
	if s == noSpan {
		return 0, 0, false
	}
	return int(s >> 8), int(s>>8) + int(s&0xFF), true
}

// tfPart is BM25's term-frequency part for a term found tf times in a passage of length words.
func tfPart(tf, length int, avg float64) float64 {
	t := float64(tf)
	return t * (bm25K1 + 1) / (t + bm25K1*(1-bm25B+bm25B*float64(length)/avg))
}

// maxTF computes, for each term, the largest tfPart over the passages.
func (f *forwardData) maxTF(avg float64, workers int) {
	f.termMax = make([]float32, len(f.terms))
	n := len(f.passOff) - 1
	parts := make([][]float32, workers)
	done := make(chan struct{}, workers)
	for w := 0; w < workers; w++ {
		go func(w int) {
			m := make([]float32, len(f.terms))
			var buf []uint32
			for p := w; p < n; p += workers {
				toks := f.toks[f.passOff[p]:f.passOff[p+1]]
				buf = buf[:0]
				for _, t := range toks {
					buf = append(buf, t>>1)
				}
				sort.Slice(buf, func(i, j int) bool { return buf[i] < buf[j] })
				for i := 0; i < len(buf); {
					j := i
					for j < len(buf) && buf[j] == buf[i] {
						j++
					}
					if v := float32(tfPart(j-i, len(toks), avg)); v > m[buf[i]] {
						m[buf[i]] = v
					}
					i = j
				}
			}
			parts[w] = m
			done <- struct{}{}
		}(w)
	}
	for w := 0; w < workers; w++ {
		<-done
	}
	for _, m := range parts {
		for i, v := range m {
			if v > f.termMax[i] {
				f.termMax[i] = v
			}
		}
	}
}

