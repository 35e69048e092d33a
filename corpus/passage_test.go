package corpus

import (
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkPassages asserts what citations depend on: passages in document order, within the text, not
// overlapping, quoting the source verbatim at their offsets, each inside its sections' spans.
func checkPassages(t *testing.T, doc *Document, ps []Passage) {
	t.Helper()
	end := 0
	tableEnd := -1
	for i, p := range ps {
		if p.Seq != i {
			t.Fatalf("passage %d has Seq %d", i, p.Seq)
		}
		if p.Start < 0 || p.End > len(doc.Text) || p.Start >= p.End {
			t.Fatalf("#%d span [%d,%d) outside text of %d bytes", i, p.Start, p.End, len(doc.Text))
		}
		if strings.TrimSpace(p.Text) == "" {
			t.Fatalf("#%d is empty", i)
		}
		if p.Rebuilt {
			// Rows of one table share the table's span.
			if p.Start < end && p.End != tableEnd {
				t.Fatalf("#%d table span [%d,%d) overlaps earlier text ending at %d", i, p.Start, p.End, end)
			}
			end, tableEnd = p.End, p.End
			continue
		}
		if p.Start < end {
			t.Fatalf("#%d starts at %d, before the previous passage ends at %d", i, p.Start, end)
		}
		if want := LeadText(doc.Text, p.Lead, p.Start, p.End); p.Text != want {
			t.Fatalf("#%d text is not the source at its offsets (with its lead %v)", i, p.Lead)
		}
		for _, sp := range p.Lead {
			if sp[0] < 0 || sp[0] >= sp[1] || sp[1] > p.Start {
				t.Fatalf("#%d lead span %v is not text before the passage at %d", i, sp, p.Start)
			}
		}
		for _, h := range p.Path {
			if p.Start < h.Start || p.End > h.End {
				t.Fatalf("#%d [%d,%d) outside its section %q [%d,%d)", i, p.Start, p.End, h.Text, h.Start, h.End)
			}
		}
		end = p.End
	}
}

func TestPassagesInvariants(t *testing.T) {
	docs, err := Load("docs")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		t.Run(d.ID, func(t *testing.T) {
			ps := Cut(d)
			checkPassages(t, d, ps)
			for _, p := range ps {
				if n := utf8.RuneCountInString(p.Text); n > 2*keepRunes {
					t.Errorf("#%d is %d characters long, too long for a chat message", p.Seq, n)
				}
			}
		})
	}
}

// FuzzCut cuts arbitrary text and checks the invariants of checkPassages, and that cutting is
// deterministic.
func FuzzCut(f *testing.F) {
	for _, name := range []string{"docs/tongren-14th-five-year-employment-plan.txt", "docs/hunan-2025-stable-employment.txt"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b[:600]))
	}
	f.Add("目 录\n第一章 总则\n第二章 附则\n第一章 总则\n第一条 为了规范……制定本法。\n（一）甲；\n（二）乙。\n")
	f.Add("专栏1 指标\n指标\n目标\n甲(万人)\n1\n乙(%)\n2.5\n")
	f.Add("01\n标题\n正文。")
	f.Fuzz(func(t *testing.T, s string) {
		text := clean(s)
		doc := &Document{ID: "fuzz", Text: text}
		ps := Cut(doc)
		checkPassages(t, doc, ps)
		again := Cut(doc)
		if len(again) != len(ps) {
			t.Fatalf("Cut is not deterministic: %d then %d passages", len(ps), len(again))
		}
	})
}

func TestHTML(t *testing.T) {
	page := `<!DOCTYPE html><html><head><title>关于做好2024年高校毕业生就业工作的通知_某市人社局</title>
<style>body{color:red}</style><script>var x = "<p>not text</p>";</script></head><body>
<nav><a href="/">首页</a> &gt; <a>通知公告</a></nav>
<div class="crumb">您当前所在的位置：首页 &gt; 政策文件</div>
<div class="info">来源：某市人力资源和社会保障局 发布时间：2024-03-05</div>
<h1>关于做好2024年高校毕业生就业工作的通知</h1>
<p>各区县人社局：</p>
<p>一、落实<b>求职创业补贴</b>。对符合条件的毕业生发放一次性求职创业补贴&lt;1000元&gt;。</p>
<table><tr><td>项目</td><td>标准</td></tr></table>
<footer>版权所有 某市人社局 京ICP备12345号 公网安备 11010502030000号</footer>
<div>扫一扫在手机打开当前页面</div>
</body></html>`
	doc, err := Parse([]byte(page), "html", "notice", Meta{})
	if err != nil {
		t.Fatal(err)
	}
	for _, junk := range []string{"not text", "color:red", "首页", "版权所有", "ICP备"} {
		if strings.Contains(doc.Text, junk) {
			t.Errorf("text holds %q:\n%s", junk, doc.Text)
		}
	}
	if !strings.Contains(doc.Text, "一、落实求职创业补贴。对符合条件的毕业生发放一次性求职创业补贴<1000元>。") {
		t.Errorf("paragraph lost or split:\n%s", doc.Text)
	}
	if doc.Title != "关于做好2024年高校毕业生就业工作的通知" || doc.Issuer != "某市人力资源和社会保障局" {
		t.Errorf("title %q issuer %q", doc.Title, doc.Issuer)
	}
	var texts []string
	for _, p := range Cut(doc) {
		texts = append(texts, p.Text)
	}
	all := strings.Join(texts, "\n")
	for _, junk := range []string{"您当前所在的位置", "来源", "扫一扫"} {
		if strings.Contains(all, junk) {
			t.Errorf("passages hold furniture %q:\n%s", junk, all)
		}
	}
}

func TestNearDuplicates(t *testing.T) {
	docs, err := Load("docs")
	if err != nil {
		t.Fatal(err)
	}
	dups := NearDuplicates(docs)
	if len(dups) != 1 || dups[0].A != "ankang-2022-employment-speech" || dups[0].B != "ankang-2022-employment-speech-redacted" {
		t.Fatalf("NearDuplicates = %+v, want the Ankang speech and its redacted copy", dups)
	}
	a := Skeleton("2021年全市城镇新增就业2.11万人,登记失业率3.24%")
	b := Skeleton("2021年全市城镇新增就业***万人，登记失业率****%")
	if a != b {
		t.Errorf("skeletons differ: %q vs %q", a, b)
	}
	if Masks("就业***万人，失业率****%") != 2 {
		t.Errorf("Masks miscounts")
	}
}
