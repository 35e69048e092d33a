package index

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	bleveindex "github.com/blevesearch/bleve_index_api"
	"hash/fnv"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/blevesearch/bleve/v2"
	mmap "github.com/blevesearch/mmap-go"

	"policybot/corpus"
)

// The store holds the documents and their passages in one file that opens with a single map and
// almost no allocation: the documents' text, compressed in small blocks (see blocks.go), their
// metadata (gob), and the passages as fixed-size records that point into that text. A passage's
// section path is a chain of section records shared by every passage of the section, so that
// 150,000 passages of a law corpus do not each carry copies of their headings, and a heading's text
// (第一条, 总则) is written once. corpus.Passage values are made on demand.
//
// A passage's record also holds what ranking weighs it by (see passageFeatures), so that a search
// decodes the text of only the passages it shows or compares.
//
// It is written as the documents come (see storeWriter): the text first, as each document is
// indexed, then the rest, which is small beside it, and last the header, which gives every length.
//
// Layout (little-endian, every array at a multiple of 4 bytes):
//
//	header  magic "PBST", version, documents, passages, sections, rebuilt rows, and the byte
//	        lengths of the metadata, the heading text, the rebuilt rows' text and the documents' text,
//	        the number of leads, the byte lengths of the compressed text and of its dictionary, and
//	        the number of blocks; 16 words in all
//	blocks  the documents' text in S2 blocks, padded to 4
//	dict    the blocks' S2 dictionary (s2.Dict.Bytes; none when empty), padded to 4
//	meta    gob of []docMeta, padded to 4
//	docText [documents+1]u32 offsets of each document's text in the text (uncompressed)
//	docPass [documents+1]u32 each document's first passage
//	docMask [documents]u32   masked runs in each document
//	bStart  [blocks+1]u32    offset of each block's text in the text, and the text's length
//	bOff    [blocks+1]u32    offset of each block in blocks, and their length
//	pass    [passages]passRec
//	nodes   [sections]nodeRec
//	rows    [rebuilt rows]rowRec
//	leads   [leads]leadRec
//	heads   heading text, padded to 4
//	extra   rebuilt rows' text, cells and headers, padded to 4
const (
	storeMagic   = 0x54534250 // "PBST"
	storeVersion = 4
	storeHeader  = 64
)

// docMeta is a document without its text.
type docMeta struct {
	ID                             string
	Meta                           corpus.Meta
	Source, Format, Encoding, Hash string
}

type passRec struct {
	start, end uint32 // bytes in the document's text
	node       int32  // innermost section, -1 at the top
	row        int32  // rebuilt table row, -1 for verbatim text
	lead       int32  // the spans repeated before the text (corpus.Passage.Lead), -1 for none
	feat       uint32 // masked runs, figure, reply word (see passageFeatures)
	intro      uint32 // the attributes the text introduces
}

// leadRec holds up to two spans of a document's text that a passage repeats before its own (an
// article's number and the sentence introducing its items); an unused span is 0, 0.
type leadRec struct {
	spans [maxLead][2]uint32
}

// maxLead is the most lead spans a passage has (corpus cuts at most an article's number and one
// sentence).
const maxLead = 2

type nodeRec struct {
	titleOff, titleLen uint32 // in heads
	start, end         uint32
	parent             int32
}

type rowRec struct {
	textOff, textLen, cellsOff, cellsLen, headersOff, headersLen uint32 // in extra
}

// store is an opened store. Everything but the documents' metadata is read from a memory map, so
// that serving holds in memory only the pages searches touch: the documents' text, the passages'
// records, their section paths and rebuilt rows. Strings taken from it (docText, passageText,
// heads, extra) are valid only while the store is open and are cloned before they leave the package
// (see passage and Index.Document). The documents handed out (docs) carry their metadata, in the
// heap, and no text.
type store struct {
	mm      mmap.MMap
	docs    []*corpus.Document // without their text
	textOff []uint32           // offsets of each document's text in the text
	text    *blockReader       // the documents' text
	first   []uint32           // docPass
	masks   []uint32
	pass    []passRec
	nodes   []nodeRec
	rows    []rowRec
	leads   []leadRec
	heads   string
	extra   string
}

// storeWriter writes a store file as the documents come, in order: each document's text goes to
// the file at once; what is kept until the end is a few words for each passage and section.
type storeWriter struct {
	f       *os.File
	w       *leWriter
	blocks  *blockWriter
	cuts    []int
	docText []uint32
	docPass []uint32
	docMask []uint32
	pass    []passRec
	nodes   []nodeRec
	rows    []rowRec
	leads   []leadRec
	heads   []byte
	extra   []byte
	ids     []uint64          // hashes of the passages' ids (see bleveID)
	headAt  map[string]uint32 // headings written, by text: 第一条 and 总则 are written once
}

// maxHeadAt bounds storeWriter.headAt: past it, headings already written may be written again.
const maxHeadAt = 1 << 16

// newStoreWriter creates the store file at path.
func newStoreWriter(path string) (*storeWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("write store: %w", err)
	}
	w := &leWriter{buf: make([]byte, 0, 1<<20), f: f}
	sw := &storeWriter{f: f, w: w, docText: []uint32{0}, docPass: []uint32{0}}
	sw.blocks = newBlockWriter(func(b []byte) { w.bytes(b, false) })
	sw.w.bytes(make([]byte, storeHeader), false) // the header, written last
	return sw, nil
}

// nodeKey identifies a section of a document.
type nodeKey struct {
	parent     int32
	title      string
	start, end int
}

// add writes a document and its passages, which follow the previous document's, with what each
// passage's text says of its shape (passageFeatures: feat, intro).
func (sw *storeWriter) add(d *corpus.Document, passages []corpus.Passage, feats [][2]uint32) error {
	if len(feats) != len(passages) {
		return fmt.Errorf("write store: %d passages of %s, %d with their features", len(passages), d.ID, len(feats))
	}
	if sw.blocks.total+uint64(len(d.Text)) > 1<<32-1 {
		return errors.New("write store: the documents' text passes 4 GB")
	}
	sw.cuts = append(sw.cuts[:0], 0)
	for i := range passages {
		if p := passages[i].Start; p > 0 && p < len(d.Text) {
			sw.cuts = append(sw.cuts, p)
		}
	}
	slices.Sort(sw.cuts)
	sw.blocks.add(d.Text, sw.cuts)
	sw.docText = append(sw.docText, uint32(sw.blocks.total))
	sw.docMask = append(sw.docMask, uint32(corpus.Masks(d.Text)))
	nodeOf := map[nodeKey]int32{} // a document's sections are its own
	for i := range passages {
		p := &passages[i]
		node := int32(-1)
		for _, h := range p.Path {
			k := nodeKey{node, h.Text, h.Start, h.End}
			n, ok := nodeOf[k]
			if !ok {
				n = int32(len(sw.nodes))
				nodeOf[k] = n
				sw.nodes = append(sw.nodes, nodeRec{sw.heading(h.Text), uint32(len(h.Text)), uint32(h.Start), uint32(h.End), node})
			}
			node = n
		}
		rec := passRec{start: uint32(p.Start), end: uint32(p.End), node: node, row: -1, lead: -1}
		rec.feat, rec.intro = feats[i][0], feats[i][1]
		if len(p.Lead) > 0 {
			if len(p.Lead) > maxLead {
				return fmt.Errorf("write store: passage %s repeats %d spans, more than %d", p.ID(), len(p.Lead), maxLead)
			}
			var l leadRec
			for j, sp := range p.Lead {
				l.spans[j] = [2]uint32{uint32(sp[0]), uint32(sp[1])}
			}
			rec.lead = int32(len(sw.leads))
			sw.leads = append(sw.leads, l)
		}
		if p.Rebuilt {
			rec.row = int32(len(sw.rows))
			r := rowRec{textOff: uint32(len(sw.extra)), textLen: uint32(len(p.Text))}
			sw.extra = append(sw.extra, p.Text...)
			r.cellsOff, r.cellsLen = uint32(len(sw.extra)), uint32(len(p.Cells))
			sw.extra = append(sw.extra, p.Cells...)
			r.headersOff, r.headersLen = uint32(len(sw.extra)), uint32(len(p.Headers))
			sw.extra = append(sw.extra, p.Headers...)
			sw.rows = append(sw.rows, r)
		}
		sw.pass = append(sw.pass, rec)
		sw.ids = append(sw.ids, hashID(p.ID()))
	}
	if len(sw.heads) > 1<<32-1 || len(sw.extra) > 1<<32-1 {
		return errors.New("write store: the headings or rebuilt rows pass 4 GB")
	}
	sw.docPass = append(sw.docPass, uint32(len(sw.pass)))
	return sw.w.err
}

// heading returns the offset in heads of the text of a heading, written there once.
func (sw *storeWriter) heading(text string) uint32 {
	if at, ok := sw.headAt[text]; ok {
		return at
	}
	if sw.headAt == nil || len(sw.headAt) >= maxHeadAt {
		sw.headAt = map[string]uint32{}
	}
	at := uint32(len(sw.heads))
	sw.heads = append(sw.heads, text...)
	sw.headAt[strings.Clone(text)] = at
	return at
}

// finish writes the documents' metadata (docs, in the order they were added, with their final
// status: their text is not read), the records and the header, and closes the file.
func (sw *storeWriter) finish(docs []*corpus.Document) error {
	if len(docs) != len(sw.docMask) {
		sw.abort()
		return fmt.Errorf("write store: %d documents, %d added", len(docs), len(sw.docMask))
	}
	slices.Sort(sw.ids)
	for i := 1; i < len(sw.ids); i++ {
		if sw.ids[i] == sw.ids[i-1] {
			sw.abort()
			return errors.New("write store: two passages' ids hash alike; rename one of their documents")
		}
	}
	metas := make([]docMeta, len(docs))
	for i, d := range docs {
		metas[i] = docMeta{ID: d.ID, Meta: d.Meta, Source: d.Source, Format: d.Format, Encoding: d.Encoding, Hash: d.Hash}
	}
	var meta bytes.Buffer
	if err := gob.NewEncoder(&meta).Encode(metas); err != nil {
		sw.abort()
		return fmt.Errorf("write store: %w", err)
	}
	w := sw.w
	bw := sw.blocks
	bw.finish()
	if bw.comp > 1<<32-1 {
		sw.abort()
		return errors.New("write store: the compressed text passes 4 GB")
	}
	w.pad(int(bw.comp))
	w.bytes(bw.dictB, true)
	w.bytes(meta.Bytes(), true)
	w.u32(sw.docText...)
	w.u32(sw.docPass...)
	w.u32(sw.docMask...)
	w.u32(bw.start...)
	w.u32(bw.offset...)
	for _, p := range sw.pass {
		w.u32(p.start, p.end, uint32(p.node), uint32(p.row), uint32(p.lead), p.feat, p.intro)
	}
	for _, n := range sw.nodes {
		w.u32(n.titleOff, n.titleLen, n.start, n.end, uint32(n.parent))
	}
	for _, r := range sw.rows {
		w.u32(r.textOff, r.textLen, r.cellsOff, r.cellsLen, r.headersOff, r.headersLen)
	}
	for _, l := range sw.leads {
		for _, sp := range l.spans {
			w.u32(sp[0], sp[1])
		}
	}
	w.bytes(sw.heads, true)
	w.bytes(sw.extra, true)
	w.flush(true)
	var h []byte
	for _, x := range []uint32{storeMagic, storeVersion, uint32(len(docs)), uint32(len(sw.pass)), uint32(len(sw.nodes)), uint32(len(sw.rows)),
		uint32(meta.Len()), uint32(len(sw.heads)), uint32(len(sw.extra)), uint32(bw.total), uint32(len(sw.leads)),
		uint32(bw.comp), uint32(len(bw.dictB)), uint32(len(bw.start) - 1)} {
		h = binary.LittleEndian.AppendUint32(h, x)
	}
	if w.err == nil {
		_, w.err = sw.f.WriteAt(h, 0)
	}
	if err := w.close(); err != nil {
		return fmt.Errorf("write store: %w", err)
	}
	return nil
}

// abort closes the file of a store that will not be finished.
func (sw *storeWriter) abort() { sw.f.Close() }

// leWriter writes little-endian words and padded byte blocks through a buffer.
type leWriter struct {
	buf []byte
	f   *os.File
	err error
}

func (w *leWriter) flush(force bool) {
	if w.err == nil && (force || len(w.buf) >= 1<<20) {
		_, w.err = w.f.Write(w.buf)
		w.buf = w.buf[:0]
	}
}

func (w *leWriter) u32(xs ...uint32) {
	for _, x := range xs {
		w.buf = binary.LittleEndian.AppendUint32(w.buf, x)
	}
	w.flush(false)
}

func (w *leWriter) bytes(b []byte, pad bool) {
	if len(b) < 1<<16 {
		w.buf = append(w.buf, b...)
		w.flush(false)
	} else {
		w.flush(true)
		if w.err == nil {
			_, w.err = w.f.Write(b)
		}
	}
	if pad {
		w.pad(len(b))
	}
}

// pad writes the zeros that bring a block of n bytes to a multiple of 4.
func (w *leWriter) pad(n int) {
	for k := (4 - n%4) % 4; k > 0; k-- {
		w.buf = append(w.buf, 0)
	}
}

func (w *leWriter) close() error {
	w.flush(true)
	if w.err == nil {
		w.err = w.f.Sync()
	}
	if err := w.f.Close(); w.err == nil {
		w.err = err
	}
	return w.err
}

var errStore = errors.New("bad passage store")

// readStore reads a store written by writeStore.
func readStore(path string) (*store, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := mmap.Map(f, mmap.RDONLY, 0)
	if err != nil {
		return nil, err
	}
	adviseRandom(b)
	st, err := sliceStore(b)
	if err != nil {
		b.Unmap()
		return nil, err
	}
	st.mm = b
	return st, nil
}

func (st *store) close() error {
	if st == nil || st.mm == nil {
		return nil
	}
	return st.mm.Unmap()
}

// sliceStore reads the store mapped at b.
func sliceStore(b []byte) (*store, error) {
	if len(b) < storeHeader || uintptr(unsafe.Pointer(&b[0]))%4 != 0 {
		return nil, errStore
	}
	le := binary.LittleEndian
	h := make([]int, 14)
	for i := range h {
		h[i] = int(le.Uint32(b[4*i:]))
	}
	if h[0] != storeMagic || h[1] != storeVersion {
		return nil, fmt.Errorf("%w: version", errStore)
	}
	nDocs, nPass, nNodes, nRows := h[2], h[3], h[4], h[5]
	metaLen, headsLen, extraLen, textLen, nLeads := h[6], h[7], h[8], h[9], h[10]
	compLen, dictLen, nBlocks := h[11], h[12], h[13]
	at := storeHeader
	ok := true
	take := func(n int, pad bool) []byte {
		size := n
		if pad {
			size = (n + 3) &^ 3
		}
		if !ok || n < 0 || at+size > len(b) {
			ok = false
			return nil
		}
		s := b[at : at+n : at+n]
		at += size
		return s
	}
	words := func(n int) []uint32 {
		s := take(4*n, false)
		if s == nil {
			return nil
		}
		return unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(s))), n)
	}
	comp := take(compLen, true)
	dict := take(dictLen, true)
	meta := take(metaLen, true)
	docText := words(nDocs + 1)
	st := &store{}
	st.first = words(nDocs + 1)
	st.masks = words(nDocs)
	bStart := words(nBlocks + 1)
	bOff := words(nBlocks + 1)
	passW := words(7 * nPass)
	nodeW := words(5 * nNodes)
	rowW := words(6 * nRows)
	leadW := words(2 * maxLead * nLeads)
	heads := take(headsLen, true)
	extra := take(extraLen, true)
	if !ok || docText[nDocs] != uint32(textLen) {
		return nil, errStore
	}
	st.pass = unsafe.Slice((*passRec)(unsafe.Pointer(unsafe.SliceData(passW))), nPass)
	st.nodes = unsafe.Slice((*nodeRec)(unsafe.Pointer(unsafe.SliceData(nodeW))), nNodes)
	st.rows = unsafe.Slice((*rowRec)(unsafe.Pointer(unsafe.SliceData(rowW))), nRows)
	st.leads = unsafe.Slice((*leadRec)(unsafe.Pointer(unsafe.SliceData(leadW))), nLeads)
	st.heads = unsafe.String(unsafe.SliceData(heads), len(heads))
	st.extra = unsafe.String(unsafe.SliceData(extra), len(extra))
	var err error
	if st.text, err = newBlockReader(comp, dict, bStart, bOff, textLen); err != nil {
		return nil, fmt.Errorf("%w: %v", errStore, err)
	}
	st.textOff = docText
	var metas []docMeta
	if err := gob.NewDecoder(bytes.NewReader(meta)).Decode(&metas); err != nil {
		return nil, fmt.Errorf("%w: %v", errStore, err)
	}
	if len(metas) != nDocs {
		return nil, errStore
	}
	st.docs = make([]*corpus.Document, nDocs)
	for i, m := range metas {
		if docText[i] > docText[i+1] || st.first[i] > st.first[i+1] {
			return nil, errStore
		}
		st.docs[i] = &corpus.Document{ID: m.ID, Meta: m.Meta, Source: m.Source, Format: m.Format, Encoding: m.Encoding, Hash: m.Hash}
	}
	if int(st.first[nDocs]) != nPass {
		return nil, errStore
	}
	for _, p := range st.pass {
		if p.node >= int32(nNodes) || p.row >= int32(nRows) || p.lead >= int32(nLeads) {
			return nil, errStore
		}
	}
	for i, n := range st.nodes {
		if n.parent >= int32(i) || uint64(n.titleOff)+uint64(n.titleLen) > uint64(len(st.heads)) {
			return nil, errStore
		}
	}
	for _, r := range st.rows {
		for _, span := range [][2]uint32{{r.textOff, r.textLen}, {r.cellsOff, r.cellsLen}, {r.headersOff, r.headersLen}} {
			if uint64(span[0])+uint64(span[1]) > uint64(len(st.extra)) {
				return nil, errStore
			}
		}
	}
	return st, nil
}

// docText returns the text of document d, valid while the store is open.
func (st *store) docText(d int) string { return st.text.text(st.textOff[d], st.textOff[d+1]) }

// docLen returns the length of document d's text.
func (st *store) docLen(d int) int { return int(st.textOff[d+1] - st.textOff[d]) }

// passageText returns the text of passage i of document d, valid while the store is open.
func (st *store) passageText(i, d int) string {
	p := st.pass[i]
	if p.row >= 0 {
		r := st.rows[p.row]
		return st.extra[r.textOff : r.textOff+r.textLen]
	}
	at := st.textOff[d]
	if p.end > st.textOff[d+1]-at || p.start > p.end {
		return ""
	}
	if p.lead >= 0 {
		if lead, ok := st.lead(p.lead, p.start); ok && len(lead) > 0 {
			// LeadText reads the lead's spans, the passage and what lies between them.
			from := lead[0][0]
			for i := range lead {
				lead[i][0] -= from
				lead[i][1] -= from
			}
			return corpus.LeadText(st.text.text(at+uint32(from), at+p.end), lead, int(p.start)-from, int(p.end)-from)
		}
	}
	return st.text.text(at+p.start, at+p.end)
}

// lead returns the spans of lead record i, checked to lie before start; ok is false for a damaged
// record.
func (st *store) lead(i int32, start uint32) ([][2]int, bool) {
	var out [][2]int
	prev := uint32(0)
	for _, sp := range st.leads[i].spans {
		if sp == [2]uint32{} {
			continue
		}
		if sp[0] < prev || sp[0] >= sp[1] || sp[1] > start {
			return nil, false
		}
		out = append(out, [2]int{int(sp[0]), int(sp[1])})
		prev = sp[1]
	}
	return out, true
}

// passage makes passage i, the seq-th of document d. Its strings are its own: it stays whole after
// the store is closed.
func (st *store) passage(i, seq, d int) *corpus.Passage {
	rec := st.pass[i]
	p := &corpus.Passage{DocID: st.docs[d].ID, Seq: seq, Text: strings.Clone(st.passageText(i, d)), Start: int(rec.start), End: int(rec.end)}
	if rec.lead >= 0 {
		p.Lead, _ = st.lead(rec.lead, rec.start)
	}
	if rec.row >= 0 {
		r := st.rows[rec.row]
		p.Rebuilt = true
		p.Cells = strings.Clone(st.extra[r.cellsOff : r.cellsOff+r.cellsLen])
		p.Headers = strings.Clone(st.extra[r.headersOff : r.headersOff+r.headersLen])
	}
	depth := 0
	for n := rec.node; n >= 0; n = st.nodes[n].parent {
		depth++
	}
	if depth > 0 {
		p.Path = make([]corpus.Heading, depth)
		for n := rec.node; n >= 0; n = st.nodes[n].parent {
			depth--
			nd := st.nodes[n]
			p.Path[depth] = corpus.Heading{Text: strings.Clone(st.heads[nd.titleOff : nd.titleOff+nd.titleLen]), Start: int(nd.start), End: int(nd.end)}
		}
	}
	return p
}

// bleveID is a passage's id in Bleve: 8 bytes of the FNV-64a hash of its id ("doc#seq"), a fifth of
// the room the id itself takes in Bleve's term dictionary and stored fields. A build refuses two
// passages whose ids hash alike (see storeWriter.finish).
func bleveID(passageID string) string {
	return string(binary.BigEndian.AppendUint64(nil, hashID(passageID)))
}

func hashID(id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64()
}

// splitID splits a passage id "doc#seq".
func splitID(id string) (doc string, seq int, ok bool) {
	cut := strings.LastIndexByte(id, '#')
	if cut < 0 {
		return "", 0, false
	}
	seq, err := strconv.Atoi(id[cut+1:])
	return id[:cut], seq, err == nil && seq >= 0
}

// numbersFile holds, for each of Bleve's internal document numbers, the passage it is (u32,
// little-endian; noPassage for a number no live passage has); it is empty when each number is its
// passage, as after a full build. Bleve's offline builder numbers
// documents in no particular order; reading every passage's id back from Bleve to learn the numbers
// takes a pass over its stored fields at every open, which this file saves.
const (
	numbersFile = "numbers.bin"
	noPassage   = math.MaxUint32
)

// writeNumbers reads the Bleve index under dir back and saves its numbering of passages, which
// passage finds in the store by their ids.
func writeNumbers(dir string, passage func(id string) (uint32, bool)) error {
	bl, err := bleve.OpenUsing(filepath.Join(dir, bleveDir), map[string]interface{}{"read_only": true})
	if err != nil {
		return err
	}
	defer bl.Close()
	adv, err := bl.Advanced()
	if err != nil {
		return err
	}
	r, err := adv.Reader()
	if err != nil {
		return err
	}
	defer r.Close()
	nums, err := bleveNumbers(r, passage)
	if err != nil {
		return err
	}
	return saveNumbers(dir, nums)
}

// writeNumbersInOrder saves the numbering of an index whose Bleve documents are its passages in
// store order, as a build writes them (each segment numbers its documents in the order given, and a
// merge numbers them segment after segment): an empty file.
func writeNumbersInOrder(dir string) error { return saveNumbers(dir, nil) }

func saveNumbers(dir string, nums []uint32) error {
	b := make([]byte, 0, 4*len(nums))
	for _, p := range nums {
		b = binary.LittleEndian.AppendUint32(b, p)
	}
	return writeAtomic(filepath.Join(dir, numbersFile), b)
}

// bleveNumbers reads Bleve's numbering of its documents: for each internal document number, the
// passage that passage(external id) names, or noPassage.
func bleveNumbers(r bleveindex.IndexReader, passage func(ext string) (uint32, bool)) ([]uint32, error) {
	ids, err := r.DocIDReaderAll()
	if err != nil {
		return nil, err
	}
	defer ids.Close()
	var nums []uint32
	for {
		id, err := ids.Next()
		if err != nil {
			return nil, err
		}
		if id == nil {
			return nums, nil
		}
		ext, err := r.ExternalID(id)
		if err != nil {
			return nil, err
		}
		num := binary.BigEndian.Uint64(id)
		if num >= 1<<31 {
			return nil, fmt.Errorf("document number %d out of range", num)
		}
		for uint64(len(nums)) <= num {
			nums = append(nums, noPassage)
		}
		if p, ok := passage(ext); ok {
			nums[num] = p
		}
	}
}

// readNumbers reads a numbersFile of an index of n passages.
func readNumbers(path string, n int) ([]uint32, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) == 0 { // in order
		nums := make([]uint32, n)
		for i := range nums {
			nums[i] = uint32(i)
		}
		return nums, nil
	}
	if len(b)%4 != 0 {
		return nil, errStore
	}
	nums := make([]uint32, len(b)/4)
	for i := range nums {
		nums[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return nums, nil
}
