package corpus

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// makeDOCX builds a Word document: each paragraph a <w:p> (runs split where a styled run would be),
// then a table of the given rows.
func makeDOCX(t *testing.T, title string, paras []string, rows [][]string) []byte {
	t.Helper()
	var body strings.Builder
	for _, p := range paras {
		// Split each paragraph into two runs, as Word does where formatting changes.
		rs := []rune(p)
		half := len(rs) / 2
		fmt.Fprintf(&body, `<w:p><w:pPr><w:jc w:val="both"/></w:pPr><w:r><w:t>%s</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">%s</w:t></w:r></w:p>`,
			xmlEscape(string(rs[:half])), xmlEscape(string(rs[half:])))
	}
	if len(rows) > 0 {
		body.WriteString(`<w:tbl>`)
		for _, row := range rows {
			body.WriteString(`<w:tr>`)
			for _, c := range row {
				fmt.Fprintf(&body, `<w:tc><w:tcPr/><w:p><w:r><w:t>%s</w:t></w:r></w:p></w:tc>`, xmlEscape(c))
			}
			body.WriteString(`</w:tr>`)
		}
		body.WriteString(`</w:tbl>`)
	}
	// A deleted run of tracked changes is not text.
	body.WriteString(`<w:p><w:del><w:r><w:delText>已删除的文字</w:delText></w:r></w:del></w:p>`)
	doc := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body.String() + `<w:sectPr/></w:body></w:document>`
	core := `<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>` + xmlEscape(title) + `</dc:title></cp:coreProperties>`
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range map[string]string{
		"[Content_Types].xml": `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"word/document.xml":   doc,
		"docProps/core.xml":   core,
	} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(content))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// makePDF writes a one-page PDF whose page draws content (a content stream) with no fonts: a scan's
// page, for the purposes of text extraction.
func makePDF(content string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
	}
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

func TestExtractFormats(t *testing.T) {
	pdf, err := os.ReadFile("testdata/notice.pdf")
	if err != nil {
		t.Fatal(err)
	}
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte("关于做好就业工作的通知\n一、加强就业服务。各地要落实失业保险金发放。\n"))
	if err != nil {
		t.Fatal(err)
	}
	docx := makeDOCX(t, "关于印发就业补贴办法的通知", []string{
		"关于印发就业补贴办法的通知",
		"一、补贴对象。毕业年度高校毕业生。",
		"二、补贴标准。每人一次性补贴1500元。",
	}, [][]string{{"项目", "标准(元)"}, {"求职补贴", "1500"}, {"创业补贴", "5000"}})
	page := `<!DOCTYPE html><html><head><meta charset="utf-8"><title>关于进一步稳定就业的若干措施_某市人民政府</title></head><body>
<div class="top"><a href="/">首页</a> | <a href="/zwgk">政务公开</a> | <a href="/bsfw">办事服务</a> | <a href="/hdjl">互动交流</a></div>
<div class="menu"><ul>` + strings.Repeat(`<li><a href="/x">政策文件栏目链接标题</a></li>`, 30) + `</ul></div>
<div class="crumb">您当前所在的位置：首页 &gt; 政务公开 &gt; 政策文件</div>
<div class="article">
<h1>关于进一步稳定就业的若干措施</h1>
<div class="info">来源：某市人力资源和社会保障局　发布日期：2023-06-12</div>
<div class="content">
<p>为贯彻落实党中央、国务院关于稳就业的决策部署，进一步稳定和扩大就业，结合本市实际，制定以下措施。</p>
<p>一、支持企业稳定岗位。对不裁员或少裁员的参保企业，按规定返还失业保险费，中小微企业返还比例最高提至百分之九十。</p>
<p>二、鼓励创业带动就业。对符合条件的创业人员，提供最高二十万元的创业担保贷款，并按规定给予贴息，期限不超过三年。</p>
<p>三、强化困难人员帮扶。对就业困难人员实行实名制动态管理，通过公益性岗位兜底安置，确保零就业家庭动态清零。</p>
</div></div>
<div class="related"><h3>相关文章</h3><ul>` + strings.Repeat(`<li><a href="/y">其他政策文件标题链接</a></li>`, 20) + `</ul></div>
<div class="foot">版权所有：某市人民政府 主办单位：某市人民政府办公室 网站标识码：1234567890</div>
</body></html>`

	tests := []struct {
		name, file string
		data       []byte
		format     string
		converted  bool
		want       []string // lines the text must hold
		not        []string // what it must not hold
		meta       Meta     // fields the document's metadata must have
	}{
		{"gbk text", "notice.txt", gbk, "txt", false, []string{"一、加强就业服务。各地要落实失业保险金发放。"}, nil, Meta{Title: "关于做好就业工作的通知", Kind: "通知"}},
		{"markdown", "plan.md", []byte("# 就业促进规划\n\n## 一、目标\n\n城镇新增就业5万人。\n"), "md", false, []string{"城镇新增就业5万人。"}, nil, Meta{Title: "就业促进规划", Kind: "规划"}},
		{"docx", "办法.docx", docx, "docx", true,
			[]string{"一、补贴对象。毕业年度高校毕业生。", "二、补贴标准。每人一次性补贴1500元。", "项目\n标准(元)\n求职补贴\n1500\n创业补贴\n5000"},
			[]string{"已删除"}, Meta{Title: "关于印发就业补贴办法的通知", Kind: "通知"}},
		{"pdf", "notice.pdf", pdf, "pdf", true,
			[]string{
				"铜人社发〔2024〕12号",
				// A paragraph the page width broke over two lines comes back whole, without the
				// spaces a change of font put around the figures.
				"为深入贯彻落实党中央、国务院关于促进高校毕业生等青年就业的决策部署，进一步做好我市2024年高校毕业生就业创业工作，现将有关事项通知如下。",
				"一、拓宽就业渠道",
				"可申请最高30万元的创业担保贷款，贷款期限不超过3年，财政按规定给予贴息。",
			}, nil,
			Meta{Title: "铜仁市人力资源和社会保障局关于做好2024年高校毕业生就业创业工作的通知", Issuer: "铜仁市人力资源和社会保障局", Region: "铜仁市", Date: "2024-03-15", Kind: "通知", Number: "铜人社发〔2024〕12号"}},
		{"web page", "page.html", []byte(page), "html", true,
			[]string{"一、支持企业稳定岗位。对不裁员或少裁员的参保企业，按规定返还失业保险费，中小微企业返还比例最高提至百分之九十。", "三、强化困难人员帮扶。"},
			[]string{"首页", "政策文件栏目链接标题", "其他政策文件标题链接", "版权所有", "您当前所在的位置"},
			Meta{Title: "关于进一步稳定就业的若干措施", Issuer: "某市人力资源和社会保障局", Date: "2023-06-12"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex, err := Extract(context.Background(), tt.file, tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if ex.Format != tt.format || ex.Converted != tt.converted {
				t.Errorf("format %s converted %v, want %s %v", ex.Format, ex.Converted, tt.format, tt.converted)
			}
			for _, w := range tt.want {
				if !strings.Contains(ex.Text, w) {
					t.Errorf("text lacks %q:\n%s", w, ex.Text)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(ex.Text, n) {
					t.Errorf("text holds %q:\n%s", n, ex.Text)
				}
			}
			doc := ex.Document("x", Meta{})
			for _, f := range []struct{ name, got, want string }{
				{"title", doc.Title, tt.meta.Title}, {"issuer", doc.Issuer, tt.meta.Issuer}, {"region", doc.Region, tt.meta.Region},
				{"date", doc.Date, tt.meta.Date}, {"kind", doc.Kind, tt.meta.Kind}, {"number", doc.Number, tt.meta.Number},
			} {
				if f.want != "" && f.got != f.want {
					t.Errorf("%s = %q, want %q", f.name, f.got, f.want)
				}
			}
			// Metadata given by a person wins over what the text says.
			if d := ex.Document("x", Meta{Title: "人工标题", Region: "某省"}); d.Title != "人工标题" || d.Region != "某省" {
				t.Errorf("given metadata overridden: %+v", d.Meta)
			}
			if len(Cut(doc)) == 0 {
				t.Error("no passages")
			}
		})
	}
}

func TestExtractRefuses(t *testing.T) {
	latin1 := []byte(strings.Repeat("å°±ä¸šæ”¿ç­–ï¼Œ", 40)) // UTF-8 Chinese read as Latin-1, saved as UTF-8
	scanned := makePDF("q 0.5 g 72 72 451 698 re f Q")
	broken, _ := os.ReadFile("testdata/notice.pdf")
	broken = broken[:len(broken)/2]
	zipNotWord := func() []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create("xl/workbook.xml")
		w.Write([]byte("<workbook/>"))
		zw.Close()
		return buf.Bytes()
	}()
	tests := []struct {
		name, file string
		data       []byte
		want       error
	}{
		{"empty", "a.txt", nil, ErrEmpty},
		{"only spaces", "a.txt", []byte(" \n\t\n"), ErrEmpty},
		{"png", "a.png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), ErrFormat},
		{"binary as txt", "a.txt", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"), ErrNotText},
		{"unknown extension", "a.xyz", []byte("一些文字"), ErrFormat},
		{"old word", "a.doc", append([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), make([]byte, 100)...), ErrFormat},
		{"spreadsheet zip", "a.xlsx", zipNotWord, ErrFormat},
		{"docx that is not a zip", "a.docx", []byte("这不是一个Word文件"), ErrDamaged},
		{"pdf that is not a pdf", "a.pdf", []byte("这不是PDF"), ErrDamaged},
		{"truncated pdf", "a.pdf", broken, ErrDamaged},
		{"scanned pdf", "scan.pdf", scanned, ErrNoTextLayer},
		{"too large", "big.txt", bytes.Repeat([]byte("就业"), MaxFileSize/6+1), ErrTooLarge},
		{"mojibake", "a.txt", latin1, ErrNotText},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex, err := Extract(context.Background(), tt.file, tt.data)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err %v (text %v), want %v", err, ex != nil, tt.want)
			}
		})
	}
}

// TestPDFPanics: a reader panic on a malformed file is an error, not a crash.
func TestPDFMalformed(t *testing.T) {
	for _, content := range []string{"BT /F1 12 Tf (abc) Tj ET", "BT ) Tj ET ((((", "q 1 0 0 1 0 0 cm"} {
		_, err := Extract(context.Background(), "x.pdf", makePDF(content))
		if err == nil {
			t.Errorf("%q: no error", content)
		}
	}
}

func TestMetaFromText(t *testing.T) {
	tests := []struct {
		name, text string
		want       Meta
	}{
		{"book title, source, labelled date", "《关于做好失业保险稳岗返还工作的通知》\n来源：湖南省人力资源和社会保障厅\n发布日期：2023年5月8日\n正文。\n",
			Meta{Title: "关于做好失业保险稳岗返还工作的通知", Issuer: "湖南省人力资源和社会保障厅", Region: "湖南省", Date: "2023-05-08", Kind: "通知"}},
		{"Chinese numeral date, document number", "安康市促进就业实施办法\n安政发〔2022〕7号\n二〇二二年二月\n第一条 为了促进就业，制定本办法。\n",
			Meta{Title: "安康市促进就业实施办法", Region: "安康市", Date: "2022-02", Kind: "办法", Number: "安政发〔2022〕7号"}},
		{"ordinance number", "人力资源社会保障部令\n第47号\n《人力资源社会保障行政复议办法》已经审议通过，现予公布。\n",
			Meta{Number: "第47号"}},
		{"signature at the end", "关于开展就业见习工作的通知\n各县区：\n现就有关事项通知如下。\n一、见习对象。离校未就业高校毕业生。\n广元市人力资源和社会保障局\n2021年3月2日\n",
			Meta{Title: "关于开展就业见习工作的通知", Issuer: "广元市人力资源和社会保障局", Region: "广元市", Date: "2021-03-02", Kind: "通知"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Parse([]byte(tt.text), "txt", "x", Meta{})
			if err != nil {
				t.Fatal(err)
			}
			got := doc.Meta
			got.Script = ""
			if tt.name == "ordinance number" {
				if got.Number != tt.want.Number {
					t.Errorf("number %q, want %q", got.Number, tt.want.Number)
				}
				return
			}
			if got != tt.want {
				t.Errorf("meta\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// FuzzExtract: whatever the bytes, Extract returns text or an error; it never panics, and text it
// returns is valid UTF-8 with LF line ends.
func FuzzExtract(f *testing.F) {
	pdf, _ := os.ReadFile("testdata/notice.pdf")
	f.Add("a.pdf", pdf)
	f.Add("a.pdf", makePDF("BT /F1 12 Tf 72 712 Td (abc) Tj ET"))
	f.Add("a.docx", makeDOCX(&testing.T{}, "标题", []string{"一、总则。"}, [][]string{{"项目", "标准"}}))
	f.Add("a.html", []byte("<html><body><p>一、总则。</p></body></html>"))
	f.Add("a.txt", []byte("一、总则。\r\n"))
	f.Fuzz(func(t *testing.T, name string, b []byte) {
		checkExtract(t, name, b)
	})
}

// checkExtract extracts b as a file called name, with a time limit (a PDF reader may loop on a
// broken file), and checks what Extract promises: text or an error, never a panic; text that is
// valid UTF-8, with LF line ends, not blank.
func checkExtract(t *testing.T, name string, b []byte) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ex, err := Extract(ctx, name, b)
	if err != nil {
		return
	}
	if strings.ContainsRune(ex.Text, '\r') || !utf8.ValidString(ex.Text) || strings.TrimSpace(ex.Text) == "" {
		t.Errorf("text %q", ex.Text)
	}
}

// FuzzExtractDOCX, FuzzExtractPDF and FuzzExtractHTML fuzz one reader each, from seeds of its
// format, which finds more of its paths than mutating every format at once.
func FuzzExtractDOCX(f *testing.F) {
	f.Add(makeDOCX(&testing.T{}, "标题", []string{"一、总则。", "（一）对象。"}, [][]string{{"项目", "标准"}, {"补贴", "1000元"}}))
	f.Add(makeDOCX(&testing.T{}, "", nil, nil))
	f.Fuzz(func(t *testing.T, b []byte) { checkExtract(t, "a.docx", b) })
}

func FuzzExtractPDF(f *testing.F) {
	pdf, _ := os.ReadFile("testdata/notice.pdf")
	f.Add(pdf)
	f.Add(makePDF("BT /F1 12 Tf 72 712 Td (abc) Tj ET"))
	f.Add(makePDF("BT /F1 12 Tf 72 712 Td (2024) Tj 30 0 Td (x) Tj ET"))
	f.Fuzz(func(t *testing.T, b []byte) { checkExtract(t, "a.pdf", b) })
}

func FuzzExtractHTML(f *testing.F) {
	f.Add([]byte("<html><head><title>通知</title></head><body><nav>首页</nav><p>一、总则。</p><table><tr><td>项目</td></tr></table></body></html>"))
	f.Add([]byte("<meta charset=gbk><p>\xb9\xd8\xd3\xda</p>"))
	f.Add([]byte("<div>来源：某局 发布时间：2024-03-05</div><article><h1>标题</h1><p>正文。</p></article>"))
	f.Fuzz(func(t *testing.T, b []byte) { checkExtract(t, "a.html", b) })
}
