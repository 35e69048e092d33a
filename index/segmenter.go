package index

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/yanyiwu/gojieba"

	"policybot/internal/script"
)

// jieba's dictionaries, shipped with the program (gojieba looks for them in the Go module cache,
// which is not there where the binary runs). They are written out once under the data folder.
//
//go:embed dict/*.gz
var dicts embed.FS

// Token is a word of a text as the index sees it: folded (simplified script, half-width, lower
// case), with the byte span of the word in the original text.
type Token struct {
	Term       string
	Start, End int  // byte offsets into the text given to Tokenize
	Pos        int  // word position from 1; a search-mode sub-word shares its word's position
	Sub        bool // a sub-word: a shorter dictionary word inside the word that follows it
}

// Segmenter cuts text into words with jieba in search mode (long words are also cut into the shorter
// dictionary words inside them: 创业担保贷款 also yields 创业, 担保, 贷款). One Segmenter serves any
// number of goroutines; loading one costs about a second and 150 MB.
type Segmenter struct {
	jieba *gojieba.Jieba
	conv  *script.Converter
	// UserDictHash identifies the user dictionary the segmenter was loaded with.
	UserDictHash string
	closeOnce    sync.Once
}

// NewSegmenter loads jieba with its base dictionaries (written out under dataDir/jieba on first use)
// and the user dictionary at userDict, a file in jieba's format (one "word [frequency] [tag]" a line);
// userDict may be "" for none. It returns an error when the dictionaries cannot be written or read.
func NewSegmenter(dataDir, userDict string) (*Segmenter, error) {
	user, err := readUserDict(userDict)
	if err != nil {
		return nil, err
	}
	return newSegmenter(dataDir, user, hashOf(user))
}

func readUserDict(path string) ([]byte, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read user dictionary: %w", err)
	}
	return b, nil
}

func hashOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

func newSegmenter(dataDir string, user []byte, hash string) (*Segmenter, error) {
	// The script converter (OpenCC's tables, a quarter of a second) loads beside jieba; it is needed
	// first only to write a user dictionary not written before.
	type loaded struct {
		conv *script.Converter
		err  error
	}
	convc := make(chan loaded, 1)
	go func() {
		conv, err := script.New()
		convc <- loaded{conv, err}
	}()
	var conv *script.Converter
	waitConv := func() error {
		if conv == nil {
			l := <-convc
			if l.err != nil {
				return l.err
			}
			conv = l.conv
		}
		return nil
	}
	dir, err := writeDicts(filepath.Join(dataDir, "jieba"))
	if err != nil {
		return nil, err
	}
	// jieba wants the user dictionary as a file; a copy named by its content keeps it stable.
	userPath := filepath.Join(dir, "user-"+hash+".utf8")
	if _, err := os.Stat(userPath); err != nil {
		if err := waitConv(); err != nil {
			return nil, err
		}
		if err := writeOnce(userPath, foldUserDict(conv, user)); err != nil {
			return nil, err
		}
	}
	var jb *gojieba.Jieba
	if err := catch(func() {
		jb = gojieba.NewJieba(
			filepath.Join(dir, "jieba.dict.utf8"),
			filepath.Join(dir, "hmm_model.utf8"),
			userPath,
			filepath.Join(dir, "idf.utf8"),
			filepath.Join(dir, "stop_words.utf8"),
		)
	}); err != nil {
		return nil, fmt.Errorf("load jieba: %w", err)
	}
	if err := waitConv(); err != nil {
		jb.Free()
		return nil, err
	}
	return &Segmenter{jieba: jb, conv: conv, UserDictHash: hash}, nil
}

// foldUserDict writes each user-dictionary word in folded form, so that words listed in traditional
// script or full-width characters match the folded text jieba sees.
func foldUserDict(conv *script.Converter, user []byte) []byte {
	var b bytes.Buffer
	for _, l := range strings.Split(string(user), "\n") {
		f := strings.Fields(strings.TrimSpace(l))
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		f[0] = fold(conv, f[0])
		b.WriteString(strings.Join(f, " "))
		b.WriteByte('\n')
	}
	if b.Len() == 0 {
		// jieba reads an empty user dictionary fine, but a file that is not there makes it panic.
		b.WriteString("\n")
	}
	return b.Bytes()
}

// Close frees jieba's memory. The segmenter must not be used afterwards.
func (s *Segmenter) Close() {
	s.closeOnce.Do(s.jieba.Free)
}

// Fold returns text in the form the index compares: simplified script, half-width letters and
// digits, lower case, one rune for each rune of text.
func (s *Segmenter) Fold(text string) string { return fold(s.conv, text) }

func fold(conv *script.Converter, text string) string {
	text = conv.ToSimplified(text)
	return strings.Map(func(r rune) rune {
		switch {
		case script.Ideograph(r):
			return r
		case r >= 0xFF01 && r <= 0xFF5E:
			return unicode.ToLower(r - 0xFEE0) // full-width forms of ASCII
		case r == 0x3000:
			return ' '
		case r < utf8.RuneSelf:
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			return r
		}
		return unicode.ToLower(r)
	}, text)
}

// Tokenize cuts text into index words. Whitespace and punctuation are dropped; invalid UTF-8 and NUL
// bytes (which stop jieba) are read as spaces.
func (s *Segmenter) Tokenize(text string) []Token {
	folded := s.prepare(text)
	back := backMap(text, folded)
	words, main := s.cut(folded)
	out := make([]Token, 0, len(words))
	pos := 0
	for i, w := range words {
		if !isWord(w.Str) {
			continue
		}
		p := pos + 1 // a sub-word takes the position of the word that holds it, which comes next
		if main[i] {
			pos++
			p = pos
		}
		out = append(out, Token{Term: w.Str, Start: back(w.Start), End: back(w.End), Pos: p, Sub: !main[i]})
	}
	return out
}

// words calls fn with each index word of text, in order, and whether it is a sub-word: the terms of
// Tokenize, without their offsets and positions, for indexing.
func (s *Segmenter) words(text string, fn func(term string, sub bool)) {
	folded := s.prepare(text)
	s.cutEach(folded, func(start, end int, main bool) {
		if w := folded[start:end]; isWord(w) {
			fn(w, !main)
		}
	})
}

// prepare folds text for jieba: invalid UTF-8 and NUL bytes become spaces, then Fold. The result has
// as many runes as text.
func (s *Segmenter) prepare(text string) string {
	clean := text
	if !utf8.ValidString(text) || strings.IndexByte(text, 0) >= 0 {
		var b strings.Builder
		b.Grow(len(text))
		for i := 0; i < len(text); {
			r, size := utf8.DecodeRuneInString(text[i:])
			if r == utf8.RuneError && size == 1 || r == 0 {
				r = ' '
			}
			b.WriteRune(r)
			i += size
		}
		clean = b.String()
	}
	return fold(s.conv, clean)
}

// backMap returns the function mapping byte offsets in folded (text prepared) back to byte offsets
// in text.
func backMap(text, folded string) func(int) int {
	if folded == text {
		return func(i int) int { return i }
	}
	// Both strings have the same runes in number: map each rune's byte offset in folded to its
	// offset in text.
	to := make([]int32, len(folded)+1)
	ti := 0
	for fi := range folded {
		to[fi] = int32(ti)
		if ti < len(text) {
			_, size := utf8.DecodeRuneInString(text[ti:])
			ti += size
		}
	}
	to[len(folded)] = int32(len(text))
	return func(i int) int {
		if i < 0 || i > len(folded) {
			return len(text)
		}
		return int(to[i])
	}
}

// isWord reports a token that holds a letter or a digit.
func isWord(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// writeDicts writes the embedded dictionaries to a folder under root named by their content, once,
// and returns the folder.
func writeDicts(root string) (string, error) {
	h := sha256.New()
	names, err := fs.Glob(dicts, "dict/*.gz")
	if err != nil {
		return "", err
	}
	for _, n := range names {
		b, _ := dicts.ReadFile(n)
		h.Write(b)
	}
	dir := filepath.Join(root, hex.EncodeToString(h.Sum(nil))[:12])
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("write jieba dictionaries: %w", err)
	}
	for _, n := range names {
		target := filepath.Join(dir, strings.TrimSuffix(filepath.Base(n), ".gz"))
		if _, err := os.Stat(target); err == nil {
			continue
		}
		f, _ := dicts.Open(n)
		zr, err := gzip.NewReader(f)
		if err != nil {
			f.Close()
			return "", fmt.Errorf("write jieba dictionaries: %w", err)
		}
		b, err := io.ReadAll(zr)
		f.Close()
		if err != nil {
			return "", fmt.Errorf("write jieba dictionaries: %w", err)
		}
		if err := writeOnce(target, b); err != nil {
			return "", err
		}
	}
	// Keyword extraction, which the index does not use, needs an IDF table with at least one line.
	if err := writeOnce(filepath.Join(dir, "idf.utf8"), []byte("的 1.0\n")); err != nil {
		return "", err
	}
	return dir, nil
}

// writeOnce writes b to path through a temporary file and a rename, unless path exists.
func writeOnce(path string, b []byte) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	if err := writeAtomic(path, b); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// writeAtomic replaces path with b so that readers see the old or the new content, never a part.
func writeAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(b)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// catch runs f and turns a panic into an error (gojieba panics on a missing dictionary).
func catch(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.New(fmt.Sprint(r))
		}
	}()
	f()
	return nil
}
