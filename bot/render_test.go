package bot

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"policybot/bot/bottest"
	"policybot/handlers"
	"policybot/index"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// sample is an answer with everything an answer can hold, markup-like text included.
func sample() handlers.Answer {
	text := "鼓励易地搬迁群众自主创业,对自主创业符合条件的,给予创业担保贷款。\n支持创业园区建设 & 场地 <优先> 入驻。"
	return handlers.Answer{
		Kind: handlers.KindResults, Title: "问：易地搬迁群众想自己创业有什么支持？<b>", ID: "AbCdEfGhIjK",
		Notes: []string{"已优先查找“铜仁”的文件（发送 /region 清除 可取消）。", "⚠️ 《铜仁市“十四五”促进城乡就业创业规划》是较早文件，请以最新政策为准"},
		Hits: []handlers.Hit{
			{Rank: 1, Title: "铜仁市“十四五”促进城乡就业创业规划", Section: "第四章 主要任务 › 专栏2 易地搬迁就业帮扶计划",
				Text: text, Highlights: spans(text, "易地搬迁", "创业担保贷款"),
				Citation: "铜仁市人力资源和社会保障局 · 贵州省铜仁市 · 2022-02"},
			{Rank: 2, Title: "堅持“四個并重”統籌做好穩就業工作", Section: "01 坚持产业发展和就业促进并重",
				Text: "发放稳岗返还资金8809.08万元。", Citation: "湖南省人力资源和社会保障厅 · 湖南省 · 2025",
				URL: "https://example.gov.cn/a?b=1&c=\"2\"", LinkLabel: "查看原文件"},
			{Rank: 3, Title: "中华人民共和国监察法", Section: "第九章 附则 › 第六十九条",
				Text: "第六十九条 本法自公布之日起施行。《中华人民共和国行政监察法》同时废止。", Citation: "全国人民代表大会 · 全国 · 2018-03-20",
				Validity: "已被取代，现行版本：《中华人民共和国监察法》（2024-12-25）"},
		},
		Footer: "第1–3条，共5条",
		Actions: []handlers.Action{
			{Kind: handlers.ActionSection, Label: "原文 1", Arg: 1}, {Kind: handlers.ActionSection, Label: "原文 2", Arg: 2},
			{Kind: handlers.ActionMore, Label: "更多结果", Arg: 2}, {Kind: handlers.ActionUp, Label: "👍"}, {Kind: handlers.ActionDown, Label: "👎"},
		},
	}
}

// spans are the byte spans of words in text.
func spans(text string, words ...string) []index.Span {
	var out []index.Span
	for _, w := range words {
		if i := strings.Index(text, w); i >= 0 {
			out = append(out, index.Span{Start: i, End: i + len(w)})
		}
	}
	if len(out) == 2 && out[0].Start > out[1].Start {
		out[0], out[1] = out[1], out[0]
	}
	return out
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run with -update to accept):\n%s", name, got)
	}
}

func TestRenderGolden(t *testing.T) {
	msgs := Render(sample())
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	kb, _ := json.MarshalIndent(msgs[0].Keyboard, "", "  ")
	golden(t, "answer.html", msgs[0].HTML+"\n\n--- keyboard ---\n"+string(kb)+"\n")
	golden(t, "answer.txt", PlainText(sample())+"\n")
	plain, err := bottest.CheckHTML(msgs[0].HTML)
	if err != nil {
		t.Fatal(err)
	}
	// The console shows the same text, with the link's address written out.
	if want := strings.Replace(PlainText(sample()), "：https://example.gov.cn/a?b=1&c=\"2\"", "", 1); plain != want {
		t.Errorf("the message reads differently from the console text:\n%s\n---\n%s", plain, want)
	}
	for _, want := range []string{"<b>易地搬迁</b>", "<b>创业担保贷款</b>", "&amp; 场地 &lt;优先&gt;", `<a href="https://example.gov.cn/a?b=1&amp;c=&quot;2&quot;">查看原文件</a>`} {
		if !strings.Contains(msgs[0].HTML, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	for _, row := range msgs[0].Keyboard.InlineKeyboard {
		for _, b := range row {
			if kind, id, _, ok := parseCallback(b.CallbackData); !ok || id != "AbCdEfGhIjK" || kind == 0 {
				t.Errorf("button %+v does not decode", b)
			}
		}
	}
}

// TestRenderSplit: long answers are split between passages when they fit, between lines or
// sentences when one does not, never inside a tag, and each message is within the limit.
func TestRenderSplit(t *testing.T) {
	long := strings.Repeat("第一句话讲创业担保贷款。第二句话讲失业保险金的标准，", 300) // 7,800 characters
	para := strings.Repeat("职业技能培训补贴按规定发放。", 130)             // 1,820 characters
	a := handlers.Answer{Kind: handlers.KindResults, Title: "问：测试", ID: "x", Actions: []handlers.Action{{Kind: handlers.ActionUp, Label: "👍"}}}
	for i := 1; i <= 3; i++ {
		a.Hits = append(a.Hits, handlers.Hit{Rank: i, Title: "文件", Text: para, Highlights: spans(para, "培训补贴"), Citation: "发文单位"})
	}
	a.Hits = append(a.Hits, handlers.Hit{Rank: 4, Title: "长文件", Text: long, Highlights: allSpans(long, "创业担保贷款"), Citation: "发文单位"})
	msgs := Render(a)
	var all strings.Builder
	for i, m := range msgs {
		plain, err := bottest.CheckHTML(m.HTML)
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if (m.Keyboard != nil) != (i == len(msgs)-1) {
			t.Errorf("message %d of %d has keyboard %v", i, len(msgs), m.Keyboard != nil)
		}
		all.WriteString(plain)
		// Whole passages: each of results 1-3 starts and ends in the same message.
		for r := 1; r <= 3; r++ {
			if strings.Contains(plain, itoaTest(r)+". 《文件》") && !strings.Contains(strings.SplitN(plain, itoaTest(r)+". 《文件》", 2)[1], "—— 发文单位") {
				t.Errorf("result %d is split across messages", r)
			}
		}
	}
	if len(msgs) < 4 {
		t.Errorf("%d messages for about 13,000 characters", len(msgs))
	}
	flat := strings.ReplaceAll(all.String(), "\n", "")
	if !strings.Contains(flat, long) || strings.Count(flat, para) != 3 {
		t.Error("text was lost in splitting")
	}
	if n := strings.Count(all.String(), "创业担保贷款"); n != 300 {
		t.Errorf("%d highlighted words survived, want 300", n)
	}
}

func allSpans(text, word string) []index.Span {
	var out []index.Span
	for at := 0; ; {
		i := strings.Index(text[at:], word)
		if i < 0 {
			return out
		}
		out = append(out, index.Span{Start: at + i, End: at + i + len(word)})
		at += i + len(word)
	}
}

func itoaTest(n int) string { return string(rune('0' + n)) }

// FuzzRender: whatever the text and highlights, every message parses as Telegram parses HTML, fits
// the limit, and together they keep the text.
func FuzzRender(f *testing.F) {
	f.Add("问：<script>alert(1)</script> & 失业金", "失业保险金\n标准 <b>提高</b> & 到 1611元。", 0, 6, 100)
	f.Add("", strings.Repeat("长", 5000), 3, 9000, 4096)
	f.Add("😀😀", "😀 emoji 😀 \x00 &amp; \xff", 1, 5, 10)
	f.Fuzz(func(t *testing.T, title, text string, hs, he, limit int) {
		if limit < 20 || limit > 4096 {
			limit = 4096
		}
		a := handlers.Answer{Kind: handlers.KindResults, Title: title, ID: "id",
			Hits: []handlers.Hit{{Rank: 1, Title: title, Text: text, Highlights: []index.Span{{Start: hs, End: he}}, Citation: "c"}}}
		msgs := render(a, limit)
		var all strings.Builder
		for _, m := range msgs {
			if strings.TrimSpace(m.HTML) == "" {
				continue
			}
			plain, err := bottest.CheckHTML(m.HTML)
			if err != nil && !strings.Contains(err.Error(), "empty") {
				t.Fatalf("%v\n%q", err, m.HTML)
			}
			if utf16Len(plain) > limit {
				t.Fatalf("message of %d units, limit %d", utf16Len(plain), limit)
			}
			all.WriteString(plain)
		}
		clean := strings.ToValidUTF8(text, "\uFFFD")
		if utf8.ValidString(text) && strings.TrimSpace(text) != "" && !strings.Contains(strings.Join(strings.Fields(all.String()), ""), strings.Join(strings.Fields(clean), "")) {
			t.Fatalf("text lost:\n%q\n%q", clean, all.String())
		}
	})
}

// TestGroupByDocument: passages of one document are shown under one title and citation, in the
// order their documents first come, and a passage's section path does not repeat the levels the
// one above it in the same document has shown.
func TestGroupByDocument(t *testing.T) {
	doc := func(rank int, id, section, text string) handlers.Hit {
		return handlers.Hit{Rank: rank, DocID: id, Title: "文件" + id, Citation: "发文单位" + id + " · 2022", Section: section, Text: text}
	}
	a := handlers.Answer{Kind: handlers.KindResults, Title: "问：x", Hits: []handlers.Hit{
		doc(1, "A", "第一章 总则 › 一、目标", "甲。"),
		doc(2, "B", "01 就业", "乙。"),
		doc(3, "A", "第一章 总则 › 二、任务", "丙。"),
		doc(4, "A", "第一章 总则 › 二、任务", "丁。"),
	}}
	got := PlainText(a)
	want := "问：x\n\n《文件A》\n发文单位A · 2022\n\n1. 第一章 总则 › 一、目标\n甲。\n\n3. … › 二、任务\n丙。\n\n4. 丁。\n\n" +
		"《文件B》\n发文单位B · 2022\n\n2. 01 就业\n乙。"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	for _, tc := range []struct{ prev, section, want string }{
		{"", "第一章 › 一、", "第一章 › 一、"},
		{"第一章 › 一、", "第一章 › 一、", ""},
		{"第一章 › 一、", "第二章 › 一、", "第二章 › 一、"},
		{"第一章 › 一、 › 1.", "第一章 › 二、", "… › 二、"},
		{"第一章 › 一、", "第一章", "第一章"},
	} {
		if got := sectionTail(tc.prev, tc.section); got != tc.want {
			t.Errorf("sectionTail(%q, %q) = %q, want %q", tc.prev, tc.section, got, tc.want)
		}
	}
}
