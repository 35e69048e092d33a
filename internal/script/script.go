// Package script tells traditional from simplified Chinese and converts between them, using OpenCC's
// dictionaries (github.com/longbridgeapp/opencc). Conversions keep one output rune per input rune, so
// positions found in converted text point at the same characters in the original.
package script

import (
	"fmt"
	"sync"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"
)

// Script is the writing system of a Chinese text.
type Script string

// The scripts Detect reports.
const (
	Simplified  Script = "simplified"
	Traditional Script = "traditional"
)

// Converter converts between traditional and simplified script. It is safe for concurrent use; the
// zero value is not usable, use New.
type Converter struct {
	t2s, s2t *opencc.OpenCC
	// trad holds the runes that OpenCC writes differently in simplified script on their own; text
	// without any of them is already simplified and skips the (slow) dictionary walk.
	trad runeSet
	// simp holds the runes that are written differently in traditional script.
	simp runeSet
}

// runeSet is a set of runes of the CJK blocks, one bit each (the blocks end below U+10000, so 8 KB).
type runeSet []uint64

func newRuneSet() runeSet { return make(runeSet, 0x10000/64) }

func (s runeSet) add(r rune) { s[r>>6] |= 1 << (r & 63) }

// has reports whether r is in the set; it is called for every rune of every text folded.
func (s runeSet) has(r rune) bool { return r >= 0 && r < 0x10000 && s[r>>6]&(1<<(r&63)) != 0 }

var (
	shared     *Converter
	sharedErr  error
	sharedOnce sync.Once
)

// New returns the process's converter, loading OpenCC's dictionaries on first use (about 0.3 s). It
// returns an error only when the embedded dictionaries cannot be read.
func New() (*Converter, error) {
	sharedOnce.Do(func() { shared, sharedErr = load() })
	return shared, sharedErr
}

func load() (*Converter, error) {
	t2s, err := opencc.New("t2s")
	if err != nil {
		return nil, fmt.Errorf("load opencc t2s: %w", err)
	}
	s2t, err := opencc.New("s2t")
	if err != nil {
		return nil, fmt.Errorf("load opencc s2t: %w", err)
	}
	c := &Converter{t2s: t2s, s2t: s2t, trad: newRuneSet(), simp: newRuneSet()}
	// One pass over the CJK blocks finds the runes each direction changes.
	for _, block := range [][2]rune{{0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xF900, 0xFAFF}} {
		for r := block[0]; r <= block[1]; r++ {
			s := string(r)
			if out, err := t2s.Convert(s); err == nil && out != s {
				c.trad.add(r)
			}
			if out, err := s2t.Convert(s); err == nil && out != s {
				c.simp.add(r)
			}
		}
	}
	return c, nil
}

// Detect reports whether text is written in traditional or simplified script: traditional when
// characters only traditional script uses outnumber those only simplified script uses. Text with
// neither (ASCII, or characters both scripts share) is simplified.
func (c *Converter) Detect(text string) Script {
	var t, s int
	for _, r := range text {
		if c.trad.has(r) {
			t++
		} else if c.simp.has(r) {
			s++
		}
	}
	if t > s {
		return Traditional
	}
	return Simplified
}

// ToSimplified converts text to simplified script, rune for rune.
func (c *Converter) ToSimplified(text string) string {
	return c.convert(c.t2s, c.trad, text)
}

// ToTraditional converts text to traditional script, rune for rune.
func (c *Converter) ToTraditional(text string) string {
	return c.convert(c.s2t, c.simp, text)
}

// convert runs cc over text when text holds any rune in changes, and keeps the result only when it
// has as many runes as text; otherwise it converts rune by rune, so positions stay aligned.
func (c *Converter) convert(cc *opencc.OpenCC, changes runeSet, text string) string {
	any := false
	for _, r := range text {
		if changes.has(r) {
			any = true
			break
		}
	}
	if !any {
		return text
	}
	out, err := cc.Convert(text)
	if err == nil && utf8.RuneCountInString(out) == utf8.RuneCountInString(text) {
		return out
	}
	buf := make([]rune, 0, len(text))
	for _, r := range text {
		if !changes.has(r) {
			buf = append(buf, r)
			continue
		}
		o, err := cc.Convert(string(r))
		if err != nil || utf8.RuneCountInString(o) != 1 {
			buf = append(buf, r)
			continue
		}
		or, _ := utf8.DecodeRuneInString(o)
		buf = append(buf, or)
	}
	return string(buf)
}
