package querylog

import (
	"regexp"
	"testing"

	"policybot/internal/script"
)

func TestMask(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"我的手机13812345678能查吗", "我的手机[电话]能查吗"},
		{"电话 138 1234 5678", "电话 [电话]"},
		{"电话+86-138-1234-5678。", "电话[电话]。"},
		{"全角１３８１２３４５６７８", "全角[电话]"},
		{"座机0856-5221234或（0851）85551234", "座机[电话]或[电话]"},
		{"身份证11010519491231002X", "身份证[身份证号]"},
		{"身份证号码 110105194912310021，查社保", "身份证号码 [身份证号]，查社保"},
		{"老身份证110105491231002", "老身份证[身份证号]"},
		{"卡号6222021234567890123", "卡号[号码]"},
		// Years, amounts, counts, hotlines and dates stay.
		{"2025年失业金每月1500元，拨打12345", "2025年失业金每月1500元，拨打12345"},
		{"2021-2025年新增就业30000人", "2021-2025年新增就业30000人"},
		{"第13812345678910条", "第[号码]条"}, // 14 digits: not a phone, but long enough to mask
		{"", ""},
		{"没有数字的问题？", "没有数字的问题？"},
	} {
		if got := Mask(tc.in); got != tc.want {
			t.Errorf("Mask(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

var longDigits = regexp.MustCompile(`[0-9０-９]{11,}`)

func FuzzMask(f *testing.F) {
	for _, s := range []string{"13812345678", "11010519491231002X", "0856-5221234", "２０２５年", "\xff\xfe138123456789", "+86 138 1234 5678"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m := Mask(s)
		// No run of eleven digits survives, and masking what was masked changes nothing.
		if longDigits.MatchString(m) {
			t.Errorf("Mask(%q) = %q keeps a long number", s, m)
		}
		if again := Mask(m); again != m {
			t.Errorf("Mask(Mask(%q)) = %q, not %q", s, again, m)
		}
	})
}

func TestNormalize(t *testing.T) {
	conv, err := script.New()
	if err != nil {
		t.Fatal(err)
	}
	same := []string{"失业金怎么领？", "失业金 怎么领", "失業金怎麼領", "失业金怎么领!!", "  失业金，怎么领。"}
	for _, s := range same {
		if got := normalize(conv, s); got != "失业金怎么领" {
			t.Errorf("normalize(%q) = %q", s, got)
		}
	}
	if normalize(conv, "ＡＢＣ 12") != "abc12" {
		t.Errorf("width and case: %q", normalize(conv, "ＡＢＣ 12"))
	}
	if normalize(conv, "失业金怎么领") == normalize(conv, "失业金领多久") {
		t.Error("different questions group together")
	}
}
