package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"

	"policybot/corpus"
	"policybot/internal/parallel"
)

// A scale corpus is n times a real one, made for benchmarks: copy 0 is the corpus as it is; each
// further copy k holds one new document for each real one, made from it by recombination. The new
// document keeps its model's paragraphs, headings and article numbers, and each sentence of a
// paragraph is kept or, one time in two, replaced by a sentence drawn from anywhere in the corpus.
// Vocabulary and the lengths of sentences, paragraphs and documents stay those of real text, and no
// two documents are near-duplicates (each shares about half its sentences with its model, well under
// the resemblance corpus.NearDuplicates looks for). Its title is its model's with "第k辑·" before it,
// so that no copy passes for a newer version of another. The same seed gives the same corpus.

// scaleReplace is the share of a generated document's sentences drawn from elsewhere.
const scaleReplace = 0.5

var (
	// scaleKeep matches what a paragraph keeps as it is: an article's number, a Markdown heading.
	scaleKeep = regexp.MustCompile(`^(?:第[一二三四五六七八九十百千零〇两]+条[　 ]*|#+ )`)
	// scaleHeading matches a paragraph kept whole: a heading of a part, chapter or section, the
	// header block of a Markdown document.
	scaleHeading = regexp.MustCompile(`^(?:第[一二三四五六七八九十百千零〇两]+[编章节部分]|<!--)`)
)

// scaleFile is a document file of the model corpus, read as UTF-8.
type scaleFile struct {
	rel    string // path under the corpus folder
	text   string
	paras  []string
	meta   map[string]any // its sidecar, if any
	header int            // paragraphs of the Markdown header (title, dates), up to <!-- INFO END -->
}

// generateScale writes an n× corpus of dir (see above) into out, which must exist, and returns the
// bytes of text written.
func generateScale(dir string, skip []string, out string, n int, seed uint64) (int64, error) {
	if n < 1 {
		return 0, errors.New("scale: n must be at least 1")
	}
	list, err := corpus.Files(dir, skip...)
	if err != nil {
		return 0, err
	}
	files := make([]*scaleFile, len(list))
	errs := make([]error, len(list))
	parallel.For(len(list), func(i int) { files[i], errs[i] = readScaleFile(dir, list[i].Path) })
	if err := errors.Join(errs...); err != nil {
		return 0, err
	}
	var pool []string // every sentence of every body, in file order
	for _, f := range files {
		for _, p := range f.paras[f.header:] {
			if !scaleHeading.MatchString(p) {
				pool = append(pool, sentences(scaleKeep.ReplaceAllString(p, ""))...)
			}
		}
	}
	if len(pool) == 0 {
		return 0, fmt.Errorf("scale: no text in %s", dir)
	}
	sizes := make([]int64, n*len(files))
	errs = make([]error, n*len(files))
	parallel.For(n*len(files), func(j int) {
		k, i := j/len(files), j%len(files)
		f := files[i]
		text := f.text
		if k > 0 {
			rng := rand.New(rand.NewPCG(seed, uint64(j)))
			text = f.recombine(k, pool, rng)
		}
		rel := f.rel
		if k > 0 {
			rel = filepath.Join(filepath.Dir(rel), fmt.Sprintf("g%d-%s", k, filepath.Base(rel)))
		}
		sizes[j], errs[j] = int64(len(text)), writeScaleFile(out, rel, text, f.meta, k)
	})
	var total int64
	for _, s := range sizes {
		total += s
	}
	return total, errors.Join(errs...)
}

func readScaleFile(dir, path string) (*scaleFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	rel, err := filepath.Rel(dir, path)
	if err != nil {
		return nil, err
	}
	f := &scaleFile{rel: rel, text: strings.ReplaceAll(string(b), "\r\n", "\n")}
	if !utf8.ValidString(f.text) {
		return nil, fmt.Errorf("scale: %s is not UTF-8", path)
	}
	f.paras = strings.Split(f.text, "\n\n")
	if strings.HasPrefix(f.text, "# ") {
		for i, p := range f.paras {
			if strings.Contains(p, "INFO END") {
				f.header = i + 1
				break
			}
		}
	}
	if mb, err := os.ReadFile(corpus.MetaPath(path)); err == nil {
		if err := json.Unmarshal(mb, &f.meta); err != nil {
			return nil, fmt.Errorf("scale: %s: %w", corpus.MetaPath(path), err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return f, nil
}

// recombine makes copy k of the document.
func (f *scaleFile) recombine(k int, pool []string, rng *rand.Rand) string {
	out := make([]string, len(f.paras))
	for i, p := range f.paras {
		switch {
		case i < f.header || scaleHeading.MatchString(p):
			out[i] = p
			if i == 0 && strings.HasPrefix(p, "# ") {
				out[i] = fmt.Sprintf("# 第%d辑·%s", k, p[2:])
			}
			continue
		}
		keep := scaleKeep.FindString(p)
		var b strings.Builder
		b.WriteString(keep)
		for _, s := range sentences(p[len(keep):]) {
			if rng.Float64() < scaleReplace {
				s = pool[rng.IntN(len(pool))]
			}
			b.WriteString(s)
		}
		out[i] = b.String()
	}
	return strings.Join(out, "\n\n")
}

// sentences cuts a paragraph after each 。；！？ (a sentence keeps its end).
func sentences(p string) []string {
	var out []string
	for p != "" {
		i := strings.IndexAny(p, "。；！？")
		if i < 0 {
			out = append(out, p)
			break
		}
		_, size := utf8.DecodeRuneInString(p[i:])
		out = append(out, p[:i+size])
		p = p[i+size:]
	}
	return out
}

func writeScaleFile(out, rel, text string, meta map[string]any, k int) error {
	path := filepath.Join(out, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		return err
	}
	if meta == nil {
		return nil
	}
	m := make(map[string]any, len(meta))
	for key, v := range meta {
		m[key] = v
	}
	if t, ok := m["title"].(string); ok && t != "" && k > 0 {
		m["title"] = fmt.Sprintf("第%d辑·%s", k, t)
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return os.WriteFile(corpus.MetaPath(path), b, 0o644)
}
