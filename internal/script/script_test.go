package script

import (
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestConvertRoundTrip(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ trad, simp string }{
		{"堅持“四個并重”統籌做好穩就業工作", "坚持“四个并重”统筹做好稳就业工作"},
		{"發放穩崗返還資金8809.08萬元", "发放稳岗返还资金8809.08万元"},
		{"零工市場", "零工市场"},
	}
	for _, tt := range tests {
		t.Run(tt.simp, func(t *testing.T) {
			if got := c.ToSimplified(tt.trad); got != tt.simp {
				t.Errorf("ToSimplified(%q) = %q, want %q", tt.trad, got, tt.simp)
			}
			if got := c.Detect(tt.trad); got != Traditional {
				t.Errorf("Detect(%q) = %s", tt.trad, got)
			}
			if got := c.Detect(tt.simp); got != Simplified {
				t.Errorf("Detect(%q) = %s", tt.simp, got)
			}
		})
	}
}

// TestStandard: traditional output is written as Taiwan or Hong Kong writes it (為, not OpenCC's
// 爲), the standard told by the question's own characters, Taiwan when they tell nothing.
func TestStandard(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		text string
		want Standard
	}{
		{"失業金怎麼領？", Taiwan},
		{"申請失業保險要繳稅嗎？說明一下", Taiwan},
		{"申請失業保險要繳税嗎？説明一下", HongKong},
		{"屋企裏面的人點樣申請", HongKong},
		{"為什麼", Taiwan},
	} {
		if got := c.StandardOf(tt.text); got != tt.want {
			t.Errorf("StandardOf(%q) = %s, want %s", tt.text, got, tt.want)
		}
	}
	for _, tt := range []struct {
		simp string
		std  Standard
		want string
	}{
		{"为就业困难人员提供帮助，说明税收", Taiwan, "為就業困難人員提供幫助，說明稅收"},
		{"为就业困难人员提供帮助，说明税收", HongKong, "為就業困難人員提供幫助，説明税收"},
		{"堅持“四個并重”爲民服務", Taiwan, "堅持“四個並重”為民服務"},
	} {
		got := c.ToStandard(tt.simp, tt.std)
		if got != tt.want {
			t.Errorf("ToStandard(%q, %s) = %q, want %q", tt.simp, tt.std, got, tt.want)
		}
		if utf8.RuneCountInString(got) != utf8.RuneCountInString(tt.simp) {
			t.Errorf("ToStandard(%q) changed the length", tt.simp)
		}
	}
}

// TestIdeograph: what Ideograph promises of its runes holds by Unicode's tables, and the block's
// neighbours are outside it.
func TestIdeograph(t *testing.T) {
	n := 0
	for r := rune(0); r <= 0x10FFFF; r++ {
		if !Ideograph(r) {
			continue
		}
		n++
		if !unicode.IsLetter(r) || unicode.ToLower(r) != r || unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsDigit(r) {
			t.Fatalf("%U: letter %v, lower %U, space %v, punct %v, digit %v", r, unicode.IsLetter(r), unicode.ToLower(r), unicode.IsSpace(r), unicode.IsPunct(r), unicode.IsDigit(r))
		}
	}
	if n != 0x9FFF-0x4E00+1 || Ideograph(0x4DFF) || Ideograph(0xA000) || !Ideograph('就') {
		t.Errorf("Ideograph holds %d runes", n)
	}
}
