// Package index indexes policy passages in Bleve with a jieba analyzer and answers questions with the
// passages that best answer them, ranked, highlighted, with near-duplicates collapsed and a verdict
// on whether the corpus covers the question at all.
package index

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"policybot/corpus"
)

// FormatVersion changes whenever the index layout or analysis changes, so that indexes built by an
// older program are rebuilt rather than misread.
const FormatVersion = 8

// ErrNoIndex reports a data folder without a published index.
var ErrNoIndex = errors.New("index: no index built yet")

// ErrDamaged reports an index folder whose files are missing, cut short, unreadable or not the ones
// its manifest describes. Such an index is rebuilt, never answered from.
var ErrDamaged = errors.New("index: damaged")

// Files of a built index, inside its folder.
const (
	bleveDir     = "bleve"
	storeFile    = "store.bin"
	manifestFile = "manifest.json"
	userDictFile = "userdict.txt"
	synonymsFile = "synonyms.txt"
	currentFile  = "current" // in the data folder: the name of the live index folder
	indexesDir   = "indexes"
)

// Manifest describes a built index.
type Manifest struct {
	Version      int       `json:"version"`
	Name         string    `json:"name"`
	Created      time.Time `json:"created"`
	Fingerprint  string    `json:"fingerprint"` // of the corpus and dictionaries it was built from
	Documents    int       `json:"documents"`
	Passages     int       `json:"passages"`
	Tokens       int       `json:"tokens"`     // words in all passages' text
	AvgLen       float64   `json:"avg_len"`    // Tokens / Passages: BM25's average length
	UserDictHash string    `json:"user_dict"`  // hash of the user dictionary it was analysed with
	Synonyms     int       `json:"synonyms"`   // phrases in its synonym list
	Duplicates   []DupPair `json:"duplicates"` // near-duplicate documents found at build time
	BuildSeconds float64   `json:"build_seconds"`
	Cut          int       `json:"cut"`   // passages cut and analysed by the build (not kept from an older index)
	Bytes        int64     `json:"bytes"` // text of the documents cut (all but those kept)
}

// DupPair names two documents that are near-duplicates of each other.
type DupPair struct {
	A, B       string
	Similarity float64
}

// Index is a built, opened index: Bleve's inverted index plus the passages and documents it was built
// from. It is read-only and safe for concurrent use.
type Index struct {
	Manifest Manifest
	dir      string
	bl       bleve.Index
	seg      *Segmenter
	syn      *Synonyms
	docs     []*corpus.Document
	docIdx   map[string]int
	st       *store
	pdoc     []int32 // document of each passage; a document's passages follow each other in order
	places   *places
	fwd      *forward
	nums     []numInfo          // by Bleve's internal document number
	titles   map[uint32][]int32 // term → the documents with it in their title
	scratch  sync.Pool          // *scratch
}

// Open opens the index published in dataDir (see Build). It returns ErrNoIndex when none has been
// built, and an error naming the folder and wrapping ErrDamaged when the index cannot be read.
func Open(dataDir string) (*Index, error) {
	name, err := Current(dataDir)
	if err != nil {
		return nil, err
	}
	return OpenDir(dataDir, filepath.Join(dataDir, indexesDir, name))
}

// Current returns the name of the index folder published in dataDir, or ErrNoIndex.
func Current(dataDir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, currentFile))
	if errors.Is(err, os.ErrNotExist) {
		return "", ErrNoIndex
	}
	if err != nil {
		return "", fmt.Errorf("read index pointer: %w", err)
	}
	name := strings.TrimSpace(string(b))
	if name == "" || strings.ContainsAny(name, `/\`) {
		return "", fmt.Errorf("read index pointer: bad name %q", name)
	}
	return name, nil
}

// OpenDir opens the index in folder dir; dataDir holds the jieba dictionaries. It returns an error
// wrapping ErrDamaged when a file of the index is missing or damaged.
func OpenDir(dataDir, dir string) (*Index, error) {
	ix := &Index{dir: dir}
	b, err := os.ReadFile(filepath.Join(dir, manifestFile))
	if err != nil {
		return nil, fmt.Errorf("open index %s: %w: %w", dir, ErrDamaged, err)
	}
	if err := json.Unmarshal(b, &ix.Manifest); err != nil {
		return nil, fmt.Errorf("open index %s: %w: manifest: %w", dir, ErrDamaged, err)
	}
	if ix.Manifest.Version != FormatVersion {
		return nil, fmt.Errorf("open index %s: built by another version of the program (format %d, want %d)", dir, ix.Manifest.Version, FormatVersion)
	}
	// The user dictionary is checked against the manifest before jieba loads it: one cut short would
	// analyse questions otherwise than the passages were, and Bleve's mapping would not find it.
	user, err := readUserDict(filepath.Join(dir, userDictFile))
	if err != nil {
		return nil, fmt.Errorf("open index %s: %w: %w", dir, ErrDamaged, err)
	}
	if hashOf(user) != ix.Manifest.UserDictHash {
		return nil, fmt.Errorf("open index %s: %w: the user dictionary is not the one it was built with", dir, ErrDamaged)
	}
	// jieba takes most of the time to open; the passages and their words are read meanwhile.
	filesc := make(chan error, 1)
	go func() { filesc <- ix.openPassages() }()
	ix.seg, err = acquireSegmenter(dataDir, filepath.Join(dir, userDictFile))
	if ferr := <-filesc; err == nil && ferr != nil {
		err = damaged(dir, ferr)
	}
	if err == nil {
		err = ix.openSearch()
	}
	if err != nil {
		ix.closeFiles()
		if ix.seg != nil {
			releaseSegmenter(ix.seg)
		}
		return nil, err
	}
	// Opening reads tens of megabytes that are garbage once the lookups are built: give them back
	// now rather than keep them as the heap a server then grows into.
	debug.FreeOSMemory()
	return ix, nil
}

// damaged says that the index in dir could not be opened because a file of it is damaged.
func damaged(dir string, err error) error {
	if !errors.Is(err, ErrDamaged) {
		err = fmt.Errorf("%w: %w", ErrDamaged, err)
	}
	return fmt.Errorf("open index %s: %w", dir, err)
}

// closeFiles closes what opening has opened of the index's files.
func (ix *Index) closeFiles() {
	if ix.bl != nil {
		ix.bl.Close()
	}
	ix.fwd.close()
	ix.st.close()
}

// openPassages opens the passage store and the forward file, which need no segmenter.
func (ix *Index) openPassages() error {
	if err := ix.load(filepath.Join(ix.dir, storeFile)); err != nil {
		return err
	}
	var err error
	if ix.fwd, err = openForward(filepath.Join(ix.dir, forwardFile)); err != nil {
		return err
	}
	if ix.fwd.passages() != len(ix.st.pass) || len(ix.fwd.docOff)-1 != len(ix.docs) {
		return fmt.Errorf("%w: it does not match the passages", errForward)
	}
	ix.titles = map[uint32][]int32{}
	for d := range ix.docs {
		for _, t := range ix.fwd.title(d) {
			ds := ix.titles[t>>1]
			if len(ds) == 0 || ds[len(ds)-1] != int32(d) {
				ix.titles[t>>1] = append(ds, int32(d))
			}
		}
	}
	return nil
}

// openSearch reads what needs the segmenter, the synonyms and the places, and opens the Bleve index,
// whose mapping finds its tokenizer by the segmenter.
func (ix *Index) openSearch() error {
	dir := ix.dir
	var err error
	if ix.syn, err = ReadSynonyms(filepath.Join(dir, synonymsFile), ix.seg); err != nil {
		return damaged(dir, err)
	}
	if ix.syn.Len() != ix.Manifest.Synonyms {
		return damaged(dir, fmt.Errorf("%w: %d synonym phrases, the manifest says %d", ErrDamaged, ix.syn.Len(), ix.Manifest.Synonyms))
	}
	ix.places = newPlaces(ix.docs, ix.seg)
	// Bleve returns a nil *indexImpl in a non-nil Index when it fails, so its result is only kept on
	// success. A segment damaged in a way its reader does not check for panics in Bleve, which is
	// damage here like any other.
	err = bleveDamage(func() error {
		bl, err := bleve.OpenUsing(filepath.Join(dir, bleveDir), map[string]interface{}{"read_only": true})
		if err != nil {
			return err
		}
		ix.bl = bl
		return ix.number()
	})
	if err != nil {
		return damaged(dir, err)
	}
	return nil
}

// bleveDamage runs f, which reads the Bleve index, and reports its error or panic as ErrDamaged.
func bleveDamage(f func() error) error {
	var err error
	if p := catch(func() { err = f() }); p != nil {
		err = p
	}
	if err != nil {
		return fmt.Errorf("%w: bleve: %w", ErrDamaged, err)
	}
	return nil
}

// checkNumbers checks a saved numbering against the index: as many live documents as numbered
// passages, and the passages at 64 numbers spread over the range where the numbering says.
func (ix *Index) checkNumbers(r bleveindex.IndexReader, nums []uint32) bool {
	n, err := r.DocCount()
	live := uint64(0)
	for _, p := range nums {
		if p != noPassage {
			live++
		}
	}
	if err != nil || n != live || live != uint64(len(ix.pdoc)) {
		return false
	}
	for k := 0; k < 64 && len(nums) > 0; k++ {
		num := k * (len(nums) - 1) / 63
		if nums[num] == noPassage {
			continue
		}
		var id [8]byte
		binary.BigEndian.PutUint64(id[:], uint64(num))
		ext, err := r.ExternalID(id[:])
		if p := nums[num]; err != nil || p >= uint32(len(ix.pdoc)) || ext != bleveID(ix.passageID(int(p))) {
			return false
		}
	}
	return true
}

// numInfo is the passage and document of a Bleve document number, -1 for none.
type numInfo struct{ p, d int32 }

// number maps Bleve's internal document numbers to passages.
func (ix *Index) number() error {
	adv, err := ix.bl.Advanced()
	if err != nil {
		return err
	}
	r, err := adv.Reader()
	if err != nil {
		return err
	}
	defer r.Close()
	nums, err := readNumbers(filepath.Join(ix.dir, numbersFile), len(ix.pdoc))
	if err != nil || !ix.checkNumbers(r, nums) {
		// No numbering saved, or not this index's: read it back from Bleve.
		nums, err = bleveNumbers(r, passageLookup(ix.docs, ix.st.first))
		if err != nil {
			return err
		}
	}
	ix.nums = make([]numInfo, len(nums))
	for num, p := range nums {
		ix.nums[num] = numInfo{-1, -1}
		if p < uint32(len(ix.pdoc)) {
			ix.nums[num] = numInfo{int32(p), ix.pdoc[p]}
		}
	}
	return nil
}

func (ix *Index) load(path string) error {
	st, err := readStore(path)
	if err != nil {
		return fmt.Errorf("read passages: %w", err)
	}
	ix.st, ix.docs = st, st.docs
	ix.docIdx = make(map[string]int, len(ix.docs))
	ix.pdoc = make([]int32, len(st.pass))
	for d, doc := range ix.docs {
		ix.docIdx[doc.ID] = d
		for i := st.first[d]; i < st.first[d+1]; i++ {
			ix.pdoc[i] = int32(d)
		}
	}
	return nil
}

// Close closes the Bleve index and the forward file and frees the segmenter.
func (ix *Index) Close() error {
	err := ix.bl.Close()
	if ferr := ix.fwd.close(); err == nil {
		err = ferr
	}
	if serr := ix.st.close(); err == nil {
		err = serr
	}
	releaseSegmenter(ix.seg)
	return err
}

// Dir is the folder the index lives in.
func (ix *Index) Dir() string { return ix.dir }

// Documents returns the indexed documents in id order, with their metadata and without their text
// (Text is ""): the text stays on disk until asked for (see Document). Callers must not modify them.
// The search's hits (Hit.Doc) are these documents too.
func (ix *Index) Documents() []*corpus.Document { return ix.docs }

// Document returns the indexed document with the given id, with its text, or nil. The document is a
// copy of its own, text included, which stays whole after the index is closed.
func (ix *Index) Document(id string) *corpus.Document {
	i, ok := ix.docIdx[id]
	if !ok {
		return nil
	}
	d := *ix.docs[i]
	d.Text = strings.Clone(ix.st.docText(i))
	return &d
}

// Passage returns the passage with the given id ("doc#seq"), or nil.
func (ix *Index) Passage(id string) *corpus.Passage {
	if i := ix.passageIndex(id); i >= 0 {
		return ix.passage(i)
	}
	return nil
}

// passageIndex returns the index of the passage with the given id, or -1.
func (ix *Index) passageIndex(id string) int {
	doc, seq, ok := splitID(id)
	d, found := ix.docIdx[doc]
	if !ok || !found || seq >= int(ix.st.first[d+1]-ix.st.first[d]) {
		return -1
	}
	return int(ix.st.first[d]) + seq
}

// passageID returns the id of passage i ("doc#seq").
func (ix *Index) passageID(i int) string {
	d := int(ix.pdoc[i])
	return ix.docs[d].ID + "#" + strconv.Itoa(i-int(ix.st.first[d]))
}

// passage makes passage i.
func (ix *Index) passage(i int) *corpus.Passage {
	d := int(ix.pdoc[i])
	return ix.st.passage(i, i-int(ix.st.first[d]), d)
}

// text returns the text of passage i, valid while the index is open: for reading during a search,
// never for keeping.
func (ix *Index) text(i int) string { return ix.st.passageText(i, int(ix.pdoc[i])) }

// rebuilt reports whether passage i is a rebuilt table row.
func (ix *Index) rebuilt(i int) bool { return ix.st.pass[i].row >= 0 }

// docMasks is the number of masked runs in the document of passage i.
func (ix *Index) docMasks(i int) int { return int(ix.st.masks[ix.pdoc[i]]) }

// Segmenter is the index's word segmenter, for callers that need to cut text as the index does.
func (ix *Index) Segmenter() *Segmenter { return ix.seg }
