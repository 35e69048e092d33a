package index

import (
	"cmp"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"
)

// Typing Chinese by its sound, people pick the wrong character of the right sound: 补帖 for 补贴,
// 同仁 for 铜仁, 农名工 for 农民工 (min typed as ming). A word of a question that no document uses is
// looked for as the words of the corpus that sound the same but for one character.

// maxTypoRunes is the longest word checked for a wrong character.
const maxTypoRunes = 4

// fuzzy folds the distinctions between syllables that pinyin typists often miss (the fuzzy sounds of
// input methods): zh/z, ch/c, sh/s, and the back nasals ang, eng, ing to an, en, in.
var fuzzy = strings.NewReplacer("zh", "z", "ch", "c", "sh", "s", "ang", "an", "eng", "en", "ing", "in")

// sounds returns the syllables of r, without tones, folded by fuzzy. Callers must not modify them.
func sounds(r rune) []string {
	if s, ok := soundMemo.Load(r); ok {
		return s.([]string)
	}
	s := syllables(r)
	soundMemo.Store(r, s)
	return s
}

// soundMemo holds the syllables of the characters met so far: every question asks for those of its
// words' characters, which pinyin would otherwise work out afresh each time.
var soundMemo sync.Map // rune → []string

func syllables(r rune) []string {
	args := pinyin.NewArgs()
	args.Heteronym = true
	var out []string
	for _, s := range pinyin.SinglePinyin(r, args) {
		// Initials first: "zang" → "zan" must not turn the z of "zh" twice.
		out = append(out, fuzzy.Replace(s))
	}
	return out
}

// soundKey is the sound of a word of two characters or more: the first syllable of each, folded; ""
// for a shorter word or one with a character that is not Chinese.
func soundKey(word string) string {
	var b strings.Builder
	n := 0
	for _, r := range word {
		s := sounds(r)
		if len(s) == 0 {
			return ""
		}
		b.WriteString(s[0])
		b.WriteByte(' ')
		n++
	}
	if n < 2 {
		return ""
	}
	return b.String()
}

// homophones maps each folded syllable to the common characters that have it.
var homophones = sync.OnceValue(func() map[string][]rune {
	m := map[string][]rune{}
	for code := range pinyin.PinyinDict {
		r := rune(code)
		if r < 0x4E00 || r > 0x9FFF {
			continue
		}
		for _, s := range syllables(r) { // not sounds: its memo is for the characters questions use
			m[s] = append(m[s], r)
		}
	}
	return m
})

// soundAlikes returns the words of the corpus that sound like word but for one character, at most max
// of them, the most frequent in the corpus first (the forward file numbers terms by frequency).
func (ix *Index) soundAlikes(word string, max int) []string {
	rs := hanWord(word, maxTypoRunes)
	if rs == nil {
		return nil
	}
	type alike struct {
		word string
		num  uint32
	}
	var found []alike
	hs := homophones()
	buf := make([]rune, len(rs))
	for i, r := range rs {
		for _, s := range sounds(r) {
			for _, c := range hs[s] {
				if c == r {
					continue
				}
				copy(buf, rs)
				buf[i] = c
				cand := string(buf)
				if num, ok := ix.fwd.lookup(cand); ok && !slices.ContainsFunc(found, func(a alike) bool { return a.num == num }) {
					found = append(found, alike{cand, num})
				}
			}
		}
	}
	slices.SortFunc(found, func(a, b alike) int { return cmp.Compare(a.num, b.num) })
	var out []string
	for _, a := range found[:min(len(found), max)] {
		out = append(out, a.word)
	}
	return out
}

// hanWord returns the runes of a word of two to most Chinese characters, or nil for any other.
func hanWord(word string, most int) []rune {
	rs := []rune(word)
	if len(rs) < 2 || len(rs) > most {
		return nil
	}
	for _, r := range rs {
		if !unicode.Is(unicode.Han, r) {
			return nil
		}
	}
	return rs
}

// Citizens shorten the documents' words the way Chinese shortens words, by the first characters of
// their parts: 社保 for 社会保险, 失业金 for 失业保险金, 医保 for 医疗保险. A word of a question no document
// uses is looked for as the corpus's words it shortens so.

// maxAbbrevRunes is the longest word taken for a shortened one, and maxExpandRunes the longest word
// of the corpus it may shorten.
const (
	maxAbbrevRunes = 4
	maxExpandRunes = 8
)

// expansions returns the words of the corpus that word shortens, at most max of them, shortest first:
// words that start with word's first character, whose parts (the shorter dictionary words jieba finds
// inside them, or their characters) each begin with the next characters of word, in order, every
// character of word used.
func (ix *Index) expansions(word string, max int) []string {
	rs := hanWord(word, maxAbbrevRunes)
	if rs == nil {
		return nil
	}
	var cands []string
	ix.fwd.withPrefix(string(rs[0]), func(t string) bool {
		n := utf8.RuneCountInString(t)
		if n > len(rs) && n <= maxExpandRunes && subsequence(rs, t) {
			cands = append(cands, t)
		}
		return len(cands) < 64
	})
	sort.SliceStable(cands, func(i, j int) bool { return len(cands[i]) < len(cands[j]) })
	var out []string
	for _, t := range cands {
		if ix.shortens(rs, t) {
			out = append(out, t)
			if len(out) == max {
				break
			}
		}
	}
	return out
}

// subsequence reports whether the runes of w appear in t in order.
func subsequence(w []rune, t string) bool {
	i := 0
	for _, r := range t {
		if i < len(w) && r == w[i] {
			i++
		}
	}
	return i == len(w)
}

// shortens reports whether w is t shortened by the first characters of its parts: t cut into parts
// (dictionary words jieba finds inside it, or single characters), each part gives a prefix of itself
// (possibly none) and the prefixes, in order, make w.
func (ix *Index) shortens(w []rune, t string) bool {
	words, _ := ix.seg.cut(t)
	// parts[at] lists the ends of the parts that start at byte at: the words there (not t itself)
	// and the one character.
	parts := map[int][]int{}
	for _, wd := range words {
		if wd.End-wd.Start < len(t) {
			parts[wd.Start] = append(parts[wd.Start], wd.End)
		}
	}
	for at, r := range t {
		parts[at] = append(parts[at], at+utf8.RuneLen(r))
	}
	type state struct{ at, j int }
	seen := map[state]bool{}
	var can func(at, j int) bool
	can = func(at, j int) bool {
		if j == len(w) {
			return true
		}
		if at >= len(t) || seen[state{at, j}] {
			return false
		}
		seen[state{at, j}] = true
		for _, end := range parts[at] {
			part := []rune(t[at:end])
			if can(end, j) { // the part gives nothing
				return true
			}
			for k := 0; k < len(part) && j+k < len(w) && part[k] == w[j+k]; k++ {
				if can(end, j+k+1) {
					return true
				}
			}
		}
		return false
	}
	return can(0, 0)
}
