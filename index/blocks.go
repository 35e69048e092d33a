package index

import (
	"errors"
	"sort"
	"sync/atomic"
	"unicode/utf8"
	"unsafe"

	"github.com/klauspost/compress/s2"
)

// The documents' text is kept compressed, in S2 blocks of about a kilobyte: small enough that
// reading a passage decodes little more than the passage, large enough to compress. The blocks share
// a dictionary sampled from the corpus's first text (law text repeats its phrases: 有下列情形之一的,
// 由县级以上人民政府), which the blocks, too small to find many repeats in themselves, refer to. On
// lawref the text takes about 40% of its size. A passage's text is a range of the documents' text
// (its logical offsets, as before compression): reading it decodes the blocks that hold the range,
// through a small cache of decoded blocks shared by all searches.

const (
	minBlock   = 1 << 10 // a block ends at the first passage or document start past this size
	maxBlock   = 16 << 10
	dictSample = 4 << 20 // the text the dictionary is sampled from, buffered before any block is written
	dictChunks = 64      // chunks of dictChunk bytes, evenly spread over the sample
	dictChunk  = 1 << 10
	cacheSlots = 1 << 12 // decoded blocks kept, direct-mapped by block number
)

// blockWriter compresses the documents' text into blocks as it comes.
type blockWriter struct {
	write  func([]byte) // writes compressed bytes to the file
	dict   *s2.Dict
	dictB  []byte // dict serialised, or nil before it is made (and when the text is too short for one)
	ready  bool   // the dictionary is settled: blocks are written as they fill
	pend   []byte // text not yet in a block
	base   uint64 // logical offset of pend[0]
	cuts   []uint64
	total  uint64 // logical length so far
	comp   uint64 // compressed bytes written
	start  []uint32
	offset []uint32
	enc    []byte
}

func newBlockWriter(write func([]byte)) *blockWriter {
	return &blockWriter{write: write, start: []uint32{0}, offset: []uint32{0}}
}

// add appends text, which a block may end before at any of the offsets cuts (relative to text, in
// increasing order; others are ignored).
func (bw *blockWriter) add(text string, cuts []int) {
	for _, c := range cuts {
		at := bw.total + uint64(c)
		if c >= 0 && c <= len(text) && (len(bw.cuts) == 0 || at > bw.cuts[len(bw.cuts)-1]) {
			bw.cuts = append(bw.cuts, at)
		}
	}
	bw.pend = append(bw.pend, text...)
	bw.total += uint64(len(text))
	if !bw.ready && len(bw.pend) >= dictSample {
		bw.makeDict()
	}
	if bw.ready {
		bw.flush(false)
	}
}

// makeDict samples the dictionary from the text buffered so far.
func (bw *blockWriter) makeDict() {
	bw.ready = true
	n := len(bw.pend)
	if n < 4*s2.MinDictSize {
		return
	}
	var sample []byte
	if n <= dictChunks*dictChunk {
		sample = bw.pend
	} else {
		step := (n - dictChunk) / (dictChunks - 1)
		for i := 0; i < dictChunks; i++ {
			sample = append(sample, bw.pend[i*step:i*step+dictChunk]...)
		}
	}
	if len(sample) > s2.MaxDictSize {
		sample = sample[len(sample)-s2.MaxDictSize:]
	}
	if d := s2.MakeDict(sample, nil); d != nil {
		bw.dictB = d.Bytes()
		bw.dict = s2.NewDict(bw.dictB) // as a reader will see it
	}
}

// flush writes the blocks pend holds whole; at the end (last), all of it.
func (bw *blockWriter) flush(last bool) {
	at := 0 // in pend
	k := 0  // in cuts
	for at < len(bw.pend) {
		from := bw.base + uint64(at)
		for k < len(bw.cuts) && bw.cuts[k] < from+minBlock {
			k++
		}
		var end int
		switch {
		case k < len(bw.cuts) && bw.cuts[k] <= from+maxBlock:
			end = int(bw.cuts[k] - bw.base)
		case len(bw.pend)-at >= maxBlock:
			end = at + maxBlock
			for end > at+1 && !utf8.RuneStart(bw.pend[end]) {
				end--
			}
		case last:
			end = len(bw.pend)
		default:
			bw.keep(at, k)
			return
		}
		bw.block(bw.pend[at:end])
		at = end
	}
	bw.keep(at, k)
}

// keep drops the first at bytes of pend and k cuts, written.
func (bw *blockWriter) keep(at, k int) {
	bw.pend = append(bw.pend[:0], bw.pend[at:]...)
	bw.base += uint64(at)
	bw.cuts = append(bw.cuts[:0], bw.cuts[k:]...)
}

func (bw *blockWriter) block(b []byte) {
	if bw.dict != nil {
		bw.enc = bw.dict.EncodeBetter(bw.enc[:cap(bw.enc)], b)
	} else {
		bw.enc = s2.EncodeBetter(bw.enc[:cap(bw.enc)], b)
	}
	bw.write(bw.enc)
	bw.comp += uint64(len(bw.enc))
	bw.start = append(bw.start, bw.start[len(bw.start)-1]+uint32(len(b)))
	bw.offset = append(bw.offset, uint32(bw.comp))
}

// finish writes what is left.
func (bw *blockWriter) finish() {
	if !bw.ready {
		bw.makeDict()
	}
	bw.flush(true)
}

var errBlocks = errors.New("text blocks out of order")

// blockReader reads ranges of the documents' text from its blocks.
type blockReader struct {
	comp   []byte   // the blocks, in the map
	start  []uint32 // logical offset of each block, and the text's length
	offset []uint32 // offset of each block in comp, and comp's length
	dict   *s2.Dict
	cache  []atomic.Pointer[decoded]
}

type decoded struct {
	block int
	text  string
}

// newBlockReader checks the block tables against comp and the text's length.
func newBlockReader(comp, dict []byte, start, offset []uint32, textLen int) (*blockReader, error) {
	n := len(start) - 1
	if n < 0 || len(offset) != n+1 || start[0] != 0 || offset[0] != 0 || int(start[n]) != textLen || int(offset[n]) != len(comp) {
		return nil, errBlocks
	}
	for i := 0; i < n; i++ {
		if start[i] > start[i+1] || offset[i] > offset[i+1] {
			return nil, errBlocks
		}
	}
	br := &blockReader{comp: comp, start: start, offset: offset, cache: make([]atomic.Pointer[decoded], cacheSlots)}
	if len(dict) > 0 {
		if br.dict = s2.NewDict(dict); br.dict == nil {
			return nil, errors.New("bad text dictionary")
		}
	}
	return br, nil
}

// block returns block i decoded, or "" when it does not decode to its length (a damaged file).
func (br *blockReader) block(i int) string {
	slot := &br.cache[i%cacheSlots]
	if d := slot.Load(); d != nil && d.block == i {
		return d.text
	}
	src := br.comp[br.offset[i]:br.offset[i+1]]
	want := int(br.start[i+1] - br.start[i])
	if n, err := s2.DecodedLen(src); err != nil || n != want {
		return ""
	}
	out, err := br.decode(make([]byte, want), src)
	if err != nil || len(out) != want {
		return ""
	}
	text := unsafe.String(unsafe.SliceData(out), len(out))
	slot.Store(&decoded{i, text})
	return text
}

// decode decodes a block into dst, with the dictionary when there is one.
func (br *blockReader) decode(dst, src []byte) ([]byte, error) {
	if br.dict != nil {
		return br.dict.Decode(dst, src)
	}
	return s2.Decode(dst, src)
}

// text returns the text from logical offset a to b; within one block it shares the cached block's
// memory, which stays valid as long as it is referred to. A damaged block reads as "".
func (br *blockReader) text(a, b uint32) string {
	if a >= b || b > br.start[len(br.start)-1] {
		return ""
	}
	i := sort.Search(len(br.start)-1, func(i int) bool { return br.start[i+1] > a })
	if b <= br.start[i+1] {
		blk := br.block(i)
		if blk == "" {
			return ""
		}
		return blk[a-br.start[i] : b-br.start[i]]
	}
	out := make([]byte, 0, b-a)
	for ; i < len(br.start)-1 && br.start[i] < b; i++ {
		blk := br.block(i)
		if blk == "" {
			return ""
		}
		lo, hi := max(a, br.start[i])-br.start[i], min(b, br.start[i+1])-br.start[i]
		out = append(out, blk[lo:hi]...)
	}
	return unsafe.String(unsafe.SliceData(out), len(out))
}
