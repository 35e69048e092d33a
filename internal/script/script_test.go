package script

import (
	"testing"
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
