package index

import (
	"strings"
	"sync"
	"unicode"

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

// sounds returns the syllables of r, without tones, folded by fuzzy.
func sounds(r rune) []string {
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
		for _, s := range sounds(r) {
			m[s] = append(m[s], r)
		}
	}
	return m
})

// soundAlikes returns the words of the corpus that sound like word but for one character, at most max
// of them, in the order found.
func (ix *Index) soundAlikes(word string, max int) []string {
	rs := []rune(word)
	if len(rs) < 2 || len(rs) > maxTypoRunes {
		return nil
	}
	for _, r := range rs {
		if !unicode.Is(unicode.Han, r) {
			return nil
		}
	}
	var out []string
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
				if _, ok := ix.fwd.lookup(cand); ok && !containsString(out, cand) {
					out = append(out, cand)
					if len(out) == max {
						return out
					}
				}
			}
		}
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
