package index

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
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
//	         sections, section tokens, documents, title tokens (u32 each)
//	termOff  [terms+1]u32    offsets of the terms' text in termText, by term number
//	termText bytes, padded to 4
//	byText   [terms]u32      the term numbers in byte order of their text, for lookups
//	termMax  [terms]f32      the largest BM25 tf-part tf·(k1+1)/(tf+k1·(1−b+b·len/avg)) of the term
//	passTok  [passages+1]u32 each passage's first token (its length is the difference)
//	passByte [passages+1]u32 each passage's first byte in toks
//	passSec  [passages]u32   each passage's section path
//	secOff   [sections+1]u32, secToks [section tokens]u32   (term<<1 | sub)
//	docOff   [documents+1]u32, docToks [title tokens]u32    (term<<1 | sub)
//	toks     uvarint term<<1 | 1 for a sub-word inside the next word (search mode), per token
const (
	forwardFile    = "forward.bin"
	forwardMagic   = 0x57464250 // "PBFW" read as a little-endian u32
	forwardVersion = 3
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
	secToks  []uint32
	docOff   []uint32
	docToks  []uint32
	toks     []byte
}

// forwardData is a forward file's content while it is being built.
type forwardData struct {
	terms   []string // in byte order
	termMax []float32
	passOff []uint32 // into toks
	toks    []uint32 // term<<1 | sub, term numbers in byte order
	passSec []uint32
	secOff  []uint32
	secToks []uint32
	docOff  []uint32
	docToks []uint32
}

func (f *forwardData) write(path string) error {
	// Number the terms by frequency, most frequent first, so that most tokens take one or two bytes.
	freq := make([]uint32, len(f.terms))
	for _, t := range f.toks {
		freq[t>>1]++
	}
	order := make([]uint32, len(f.terms)) // new number -> old
	for i := range order {
		order[i] = uint32(i)
	}
	sort.SliceStable(order, func(a, b int) bool { return freq[order[a]] > freq[order[b]] })
	renum := make([]uint32, len(f.terms)) // old -> new
	for n, old := range order {
		renum[old] = uint32(n)
	}
	re := func(t uint32) uint32 { return renum[t>>1]<<1 | t&subFlag }

	file, err := os.Create(path)
	if err != nil {
		return err
	}
	w := &leWriter{buf: make([]byte, 0, 1<<20), f: file}
	var packed []byte
	passByte := make([]uint32, 0, len(f.passOff))
	for p := 0; p+1 < len(f.passOff); p++ {
		passByte = append(passByte, uint32(len(packed)))
		for _, t := range f.toks[f.passOff[p]:f.passOff[p+1]] {
			packed = binary.AppendUvarint(packed, uint64(re(t)))
		}
	}
	passByte = append(passByte, uint32(len(packed)))
	if uint64(len(packed)) > math.MaxUint32 {
		file.Close()
		return errors.New("forward file: too many words")
	}
	w.u32(forwardMagic, forwardVersion, uint32(len(f.terms)), uint32(len(f.passOff)-1), uint32(len(f.toks)), uint32(len(packed)),
		uint32(len(f.secOff)-1), uint32(len(f.secToks)), uint32(len(f.docOff)-1), uint32(len(f.docToks)))
	var text []byte
	off := make([]uint32, 0, len(f.terms)+1)
	maxBits := make([]uint32, 0, len(f.terms))
	for _, old := range order {
		off = append(off, uint32(len(text)))
		text = append(text, f.terms[old]...)
		maxBits = append(maxBits, math.Float32bits(f.termMax[old]))
	}
	off = append(off, uint32(len(text)))
	w.u32(off...)
	w.bytes(text, true)
	w.u32(renum...) // the old numbers are the byte order: renum lists the new numbers in byte order
	w.u32(maxBits...)
	w.u32(f.passOff...)
	w.u32(passByte...)
	w.u32(f.passSec...)
	w.u32(f.secOff...)
	for _, t := range f.secToks {
		w.u32(re(t))
	}
	w.u32(f.docOff...)
	for _, t := range f.docToks {
		w.u32(re(t))
	}
	w.bytes(packed, false)
	return w.close()
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
	nTerms, nPass, nToks, nBytes, nSec, nSecToks, nDocs, nDocToks := int(words[2]), int(words[3]), int(words[4]), int(words[5]), int(words[6]), int(words[7]), int(words[8]), int(words[9])
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
	f.secToks = take(nSecToks)
	f.docOff = take(nDocs + 1)
	f.docToks = take(nDocToks)
	if !ok || at*4+nBytes > len(b) {
		return errForward
	}
	f.toks = b[at*4 : at*4+nBytes]
	if int(f.passTok[nPass]) != nToks || int(f.passByte[nPass]) != nBytes || int(f.secOff[nSec]) != nSecToks || int(f.docOff[nDocs]) != nDocToks {
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
func (f *forward) words(p int) tokens { return tokens{f.toks[f.passByte[p]:f.passByte[p+1]]} }

// section returns the words of passage p's section path.
func (f *forward) section(p int) []uint32 {
	s := f.passSec[p]
	return f.secToks[f.secOff[s]:f.secOff[s+1]]
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
