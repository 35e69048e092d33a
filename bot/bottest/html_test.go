package bottest

import (
	"strings"
	"testing"
)

// TestCheckHTML: what Telegram accepts and refuses in HTML parse mode.
func TestCheckHTML(t *testing.T) {
	for _, tc := range []struct {
		html, plain string // plain "" means refused
	}{
		{"<b>粗</b> <i>斜</i> <u>下</u> <s>删</s> <code>x</code> <pre>y</pre>", "粗 斜 下 删 x y"},
		{`<a href="https://example.gov.cn/?a=1&amp;b=2">链接</a>`, "链接"},
		{"<blockquote>引用</blockquote><tg-spoiler>剧透</tg-spoiler>", "引用剧透"},
		{"a &lt; b &amp;&amp; c &gt; d &quot;e&quot; &#39;f&#39; &#x4e2d;", `a < b && c > d "e" 'f' 中`},
		{"<b>加粗<i>套</i></b>", "加粗套"},
		{"1 < 2", ""},                        // unescaped <
		{"a > b", ""},                        // unescaped >
		{"失业金 & 创业", ""},                     // unescaped &
		{"&nbsp;", ""},                       // named entities other than the four
		{"<script>x</script>", ""},           // not a Telegram tag
		{"<b>open", ""},                      // not closed
		{"<b><i>x</b></i>", ""},              // closed out of order
		{"</b>", ""},                         // closed without opening
		{"<br/>", ""},                        // self-closing
		{`<b class="x">x</b>`, ""},           // attribute not accepted
		{`<a href="javascript:x">x</a>`, ""}, // not a web link
		{"<!-- c -->x", ""},                  // comment
		{"   ", ""},                          // empty
		{"<b></b>", ""},                      // empty after parsing
		{strings.Repeat("长", 4096), strings.Repeat("长", 4096)},
		{strings.Repeat("长", 4097), ""},
		{strings.Repeat("😀", 2048), strings.Repeat("😀", 2048)}, // 4096 UTF-16 units
		{strings.Repeat("😀", 2049), ""},
		{"<b>" + strings.Repeat("长", 4096) + "</b>", strings.Repeat("长", 4096)}, // tags do not count
	} {
		plain, err := CheckHTML(tc.html)
		if tc.plain == "" {
			if err == nil {
				t.Errorf("CheckHTML(%.40q) accepted", tc.html)
			}
			continue
		}
		if err != nil || plain != tc.plain {
			t.Errorf("CheckHTML(%.40q) = %.40q, %v; want %.40q", tc.html, plain, err, tc.plain)
		}
	}
}

func TestCheckKeyboard(t *testing.T) {
	for _, tc := range []struct {
		markup string
		ok     bool
	}{
		{`{"inline_keyboard":[[{"text":"更多结果","callback_data":"m:abc:3"}]]}`, true},
		{`{"inline_keyboard":[[{"text":"官网","url":"https://example.gov.cn"}]]}`, true},
		{`{"inline_keyboard":[[{"text":"x","callback_data":"` + strings.Repeat("a", 65) + `"}]]}`, false},
		{`{"inline_keyboard":[[{"text":"x","callback_data":"` + strings.Repeat("a", 64) + `"}]]}`, true},
		{`{"inline_keyboard":[[{"text":"","callback_data":"a"}]]}`, false},
		{`{"inline_keyboard":[[{"text":"x"}]]}`, false},
		{`{"inline_keyboard":[[{"text":"x","callback_data":"a","copy_text":{"text":""}}]]}`, false},
		{`{"inline_keyboard":[[{"text":"x","callback_data":"a","url":"https://a.b"}]]}`, false},
		{`{"inline_keyboard":[[{"text":"x","url":"javascript:alert(1)"}]]}`, false},
		{`not json`, false},
	} {
		if _, err := CheckKeyboard(tc.markup); (err == nil) != tc.ok {
			t.Errorf("CheckKeyboard(%s): %v", tc.markup, err)
		}
	}
}

// TestEntities: commands and mentions are marked with UTF-16 offsets, as Telegram marks them.
func TestEntities(t *testing.T) {
	es := Entities("😀 @policy_bot 你好 /ask@policy_bot 问题")
	if len(es) != 2 {
		t.Fatalf("entities %+v", es)
	}
	if es[0] != (Entity{Type: "mention", Offset: 3, Length: 11}) || es[1] != (Entity{Type: "bot_command", Offset: 18, Length: 15}) {
		t.Errorf("entities %+v", es)
	}
}
