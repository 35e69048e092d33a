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
	// s2tw and s2hk convert to traditional script as Taiwan and Hong Kong write it (為 not 爲; 著 or
	// 着, 裡 or 裏, 稅 or 税).
	s2tw, s2hk *opencc.OpenCC
	// trad holds the runes that OpenCC writes differently in simplified script on their own; text
	// without any of them is already simplified and skips the (slow) dictionary walk.
	trad runeSet
	// simp holds the runes that are written differently in traditional script.
	simp runeSet
	// twOnly and hkOnly hold the traditional runes one standard writes and the other writes
	// differently: 著 裡 稅 說 are Taiwan's, 着 裏 税 説 Hong Kong's.
	twOnly, hkOnly runeSet
	// toTW and toHK hold the runes s2tw and s2hk change: simp and the variants of each standard.
	toTW, toHK runeSet
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
	c := &Converter{t2s: t2s, s2t: s2t, trad: newRuneSet(), simp: newRuneSet(),
		twOnly: newRuneSet(), hkOnly: newRuneSet(), toTW: newRuneSet(), toHK: newRuneSet()}
	for name, cc := range map[string]**opencc.OpenCC{"s2tw": &c.s2tw, "s2hk": &c.s2hk} {
		if *cc, err = opencc.New(name); err != nil {
			return nil, fmt.Errorf("load opencc %s: %w", name, err)
		}
	}
	t2tw, err := opencc.New("t2tw")
	if err != nil {
		return nil, fmt.Errorf("load opencc t2tw: %w", err)
	}
	t2hk, err := opencc.New("t2hk")
	if err != nil {
		return nil, fmt.Errorf("load opencc t2hk: %w", err)
	}
	// One pass over the CJK blocks finds the runes each direction changes.
	for _, block := range [][2]rune{{0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xF900, 0xFAFF}} {
		for r := block[0]; r <= block[1]; r++ {
			s := string(r)
			if out, err := t2s.Convert(s); err == nil && out != s {
				c.trad.add(r)
			}
			if out, err := s2t.Convert(s); err == nil && out != s {
				c.simp.add(r)
				c.toTW.add(r)
				c.toHK.add(r)
			}
			// Where the two standards write a character differently, each form tells its standard;
			// a rune both write alike (爲, which both write 為) tells nothing.
			tw, err1 := t2tw.Convert(s)
			hk, err2 := t2hk.Convert(s)
			if err1 != nil || err2 != nil {
				continue
			}
			if tw != s {
				c.toTW.add(r)
			}
			if hk != s {
				c.toHK.add(r)
			}
			if tw != hk {
				if tr, n := utf8.DecodeRuneInString(tw); n == len(tw) {
					c.twOnly.add(tr)
				}
				if hr, n := utf8.DecodeRuneInString(hk); n == len(hk) {
					c.hkOnly.add(hr)
				}
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

// Standard is the way a place writes traditional script: which of its variant characters it uses.
type Standard string

// The standards of traditional script the converter writes: OpenCC's s2tw and s2hk.
const (
	Taiwan   Standard = "tw"
	HongKong Standard = "hk"
)

// StandardOf reports the standard of traditional script text is written in: Hong Kong when it holds
// more of the characters only Hong Kong writes (着 裏 税 説 衞) than of those only Taiwan writes (著 裡
// 稅 說 衛), else Taiwan, which is also the answer for text that tells neither.
func (c *Converter) StandardOf(text string) Standard {
	var tw, hk int
	for _, r := range text {
		if c.twOnly.has(r) {
			tw++
		} else if c.hkOnly.has(r) {
			hk++
		}
	}
	if hk > tw {
		return HongKong
	}
	return Taiwan
}

// ToStandard converts text to traditional script as std writes it (Taiwan for an unknown std),
// rune for rune: simplified characters and the variants the standard writes otherwise.
func (c *Converter) ToStandard(text string, std Standard) string {
	if std == HongKong {
		return c.convert(c.s2hk, c.toHK, text)
	}
	return c.convert(c.s2tw, c.toTW, text)
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

// Ideograph reports whether r is in the block of CJK Unified Ideographs (U+4E00 to U+9FFF), where
// most runes of a Chinese text are: every one a letter, its own lower case, and neither space,
// punctuation nor digit, so that text loops can pass it without Unicode's tables.
func Ideograph(r rune) bool { return r >= 0x4E00 && r <= 0x9FFF }
