package pii

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMask(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		// Written as one run of digits.
		{"我的电话13812345678，失业金怎么领", "我的电话[电话]，失业金怎么领"},
		{"身份证110105194912310021能查吗", "身份证[身份证号]能查吗"},
		{"身份证11010519491231002X能查吗", "身份证[身份证号]能查吗"},
		{"老身份证110105491231002", "老身份证[身份证号]"},
		{"卡号6222021234567890123", "卡号[号码]"},
		{"+8613812345678", "[电话]"},
		// With separators, in full-width forms, in Chinese numerals.
		{"电话138.1234.5678 失业金", "电话[电话] 失业金"},
		{"电话138-1234-5678", "电话[电话]"},
		{"电话 138 1234 5678 谢谢", "电话 [电话] 谢谢"},
		{"1 3 8 1 2 3 4 5 6 7 8", "[电话]"},
		{"138 - 1234 - 5678", "[电话]"},
		{"+86 138 1234 5678", "[电话]"},
		{"１３８１２３４５６７８", "[电话]"},
		{"１３８．１２３４．５６７８", "[电话]"},
		{"一三八一二三四五六七八", "[电话]"},
		{"幺三八 幺二三四 五六七八", "[电话]"},
		{"110105 19491231 002X", "[身份证号]"},
		{"110105-19491231-002X号", "[身份证号]号"},
		{"１１０１０５１９４９１２３１００２Ｘ", "[身份证号]"},
		{"一一〇一〇五一九四九一二三一〇〇二一", "[身份证号]"},
		{"6222 0212 3456 7890 123", "[号码]"},
		{"座机0856-5221234", "座机[电话]"},
		{"(0851)85551234", "[电话]"},
		{"（0851）85551234", "[电话]"},
		{"010 12345678", "[电话]"},
		// E-mail addresses.
		{"发到zhang.san@example.com.cn可以吗", "发到[邮箱]可以吗"},
		{"13812345678@qq.com", "[邮箱]"},
		{"ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", "[邮箱]"},
		// Figures people ask about are kept.
		{"2020年失业金标准是多少", "2020年失业金标准是多少"},
		{"每月1611元", "每月1611元"},
		{"新增就业20万人", "新增就业20万人"},
		{"发放8809.08万元", "发放8809.08万元"},
		{"2023.1.1-2023.12.31期间", "2023.1.1-2023.12.31期间"},
		{"2020 2021 2022年的目标", "2020 2021 2022年的目标"},
		{"20240101-20241231", "20240101-20241231"},
		{"二〇二二年二月", "二〇二二年二月"},
		{"十四五规划", "十四五规划"},
		{"统一一次性补贴", "统一一次性补贴"},
		{"12333热线", "12333热线"},
		{"第1 2 3条", "第1 2 3条"},
		{"我的手机13812345678能查吗", "我的手机[电话]能查吗"},
		{"电话+86-138-1234-5678。", "电话[电话]。"},
		{"座机0856-5221234或（0851）85551234", "座机[电话]或[电话]"},
		{"身份证号码 110105194912310021，查社保", "身份证号码 [身份证号]，查社保"},
		{"第13812345678910条", "第[号码]条"}, // 14 digits: not a phone, but long enough to mask
		{"2025年失业金每月1500元，拨打12345", "2025年失业金每月1500元，拨打12345"},
		{"2021-2025年新增就业30000人", "2021-2025年新增就业30000人"},
		{"没有数字的问题？", "没有数字的问题？"},
		{"", ""},
	} {
		if got := Mask(c.in); got != c.want {
			t.Errorf("Mask(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

var longDigits = regexp.MustCompile(`[0-9０-９]{11,}`)

// FuzzMask: masking twice gives what masking once gives, so nothing masking finds is left; no run of
// eleven digits survives; the result is valid UTF-8 when the input is, and text without digits or @
// is left as it is.
func FuzzMask(f *testing.F) {
	for _, s := range []string{"电话138.1234.5678 失业金", "110105 19491231 002X", "一三八一二三四五六七八",
		"2023.1.1-2023.12.31", "a@b.cn", "（0851）85551234", "+86 138 1234 5678", "6222 0212 3456 7890 123",
		"11010519491231002X", "0856-5221234", "２０２５年", "\xff\xfe138123456789"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := Mask(s)
		if twice := Mask(once); twice != once {
			t.Fatalf("Mask(%q) = %q, masked again %q", s, once, twice)
		}
		if longDigits.MatchString(once) {
			t.Fatalf("Mask(%q) = %q keeps a long number", s, once)
		}
		if utf8.ValidString(s) && !utf8.ValidString(once) {
			t.Fatalf("Mask(%q) = %q: not UTF-8", s, once)
		}
		if !strings.ContainsAny(s, "@＠") && !strings.ContainsFunc(s, func(r rune) bool { _, ok := Digit(r); return ok }) && once != string([]rune(s)) {
			t.Fatalf("Mask(%q) = %q changed text without digits", s, once)
		}
	})
}

func TestStrip(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"我电话13812345678，失业金怎么领", "我 ，失业金怎么领"},
		{"电话138.1234.5678 失业金", "失业金"},
		{"身份证号码：110105194912310029 能领失业金吗", "能领失业金吗"},
		{"我的邮箱是 a.b@example.com 请把创业担保贷款的材料发给我", "我的 请把创业担保贷款的材料发给我"},
		{"13812345678", ""},
		{"我的電話是138 1234 5678，失業金怎麼領", "我的 ，失業金怎麼領"},
		// What is not a person's number stays, the words that would name one too.
		{"2020年城镇新增就业多少人", "2020年城镇新增就业多少人"},
		{"12333电话是多少", "12333电话是多少"},
		{"失业保险金每月1611元", "失业保险金每月1611元"},
	} {
		if got := Strip(c.in); got != c.want {
			t.Errorf("Strip(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
