package corpus

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// readLaw reads a real law from testdata/law (copied from ../shared/bench/lawref).
func readLaw(t *testing.T, name string) (*Document, []Passage) {
	t.Helper()
	path := filepath.Join("testdata", "law", name)
	doc, err := ReadFile(path, strings.TrimSuffix(name, filepath.Ext(name)))
	if err != nil {
		t.Fatal(err)
	}
	ps := Cut(doc)
	checkPassages(t, doc, ps)
	return doc, ps
}

var itemStart = regexp.MustCompile(`^[（(][一二三四五六七八九十]+[）)]`)

// TestLawArticles checks that a law is cut by article: each article one passage with its 款 and 项,
// under the chapter it belongs to, and no item stands alone.
func TestLawArticles(t *testing.T) {
	_, ps := readLaw(t, "劳动合同法(2012-12-28).md")
	articles := 0
	for _, p := range ps {
		if itemStart.MatchString(p.Text) {
			t.Errorf("#%d %s opens with an item, without its lead-in: %.40q", p.Seq, p.Section(), p.Text)
		}
		if len(p.Path) == 0 || !strings.HasPrefix(p.Path[len(p.Path)-1].Text, "第") || !strings.HasSuffix(p.Path[len(p.Path)-1].Text, "条") {
			t.Errorf("#%d is not an article: section %q", p.Seq, p.Section())
			continue
		}
		if !strings.HasPrefix(p.Text, p.Path[len(p.Path)-1].Text) {
			t.Errorf("#%d %s does not open with its number: %.40q", p.Seq, p.Section(), p.Text)
		}
		articles++
	}
	// The law has 98 articles, none longer than a passage.
	if articles != 98 || len(ps) != 98 {
		t.Errorf("%d passages, %d of them articles; want the law's 98 articles", len(ps), articles)
	}
	var a39 *Passage
	for i := range ps {
		if ps[i].Section() == "第四章 劳动合同的解除和终止 › 第三十九条" {
			a39 = &ps[i]
		}
	}
	if a39 == nil {
		t.Fatal("no passage with section 第四章 劳动合同的解除和终止 › 第三十九条")
	}
	for _, want := range []string{"劳动者有下列情形之一的，用人单位可以解除劳动合同:", "（一）在试用期间被证明不符合录用条件的；",
		"（二）严重违反用人单位的规章制度的；", "（六）被依法追究刑事责任的。"} {
		if !strings.Contains(a39.Text, want) {
			t.Errorf("第三十九条 lacks %q:\n%s", want, a39.Text)
		}
	}
}

// TestLongArticleParts checks that an article too long for one passage is cut into parts at its
// lines, each later part repeating the article's number and the sentence introducing its items.
func TestLongArticleParts(t *testing.T) {
	doc, ps := readLaw(t, "最高人民法院关于审理非法集资刑事案件具体应用法律若干问题的解释(2010-12-13).md")
	var parts []Passage
	for _, p := range ps {
		if p.Section() == "第三条" {
			parts = append(parts, p)
		}
	}
	if len(parts) < 2 {
		t.Fatalf("第三条 (%d characters) is in %d passages, want parts", utf8.RuneCountInString(doc.Text), len(parts))
	}
	if len(parts[0].Lead) != 0 || !strings.HasPrefix(parts[0].Text, "第三条 非法吸收或者变相吸收公众存款，具有下列情形之一的") {
		t.Errorf("the first part is not the article's opening as written: %.60q (lead %v)", parts[0].Text, parts[0].Lead)
	}
	for i, p := range parts[1:] {
		if !strings.HasPrefix(p.Text, "第三条") {
			t.Errorf("part %d does not repeat the article's number: %.60q", i+2, p.Text)
		}
		if !strings.Contains(p.Text, "具有下列情形之一的，属于刑法第一百七十六条规定的“数额巨大或者有其他严重情节”：") {
			t.Errorf("part %d does not repeat the sentence introducing its items: %.120q", i+2, p.Text)
		}
		if n := utf8.RuneCountInString(p.Text); n > unitRunes {
			t.Errorf("part %d is %d characters long", i+2, n)
		}
	}
	// The parts' own text covers the article in order.
	if parts[0].Start != parts[0].Path[0].Start {
		t.Errorf("the first part starts at %d, the article at %d", parts[0].Start, parts[0].Path[0].Start)
	}
	for i := 1; i < len(parts); i++ {
		if gap := doc.Text[parts[i-1].End:parts[i].Start]; strings.TrimSpace(gap) != "" {
			t.Errorf("text between parts %d and %d is left out: %q", i, i+1, gap)
		}
	}
	if last := parts[len(parts)-1]; last.End != last.Path[0].End {
		t.Errorf("the last part ends at %d, the article at %d", last.End, last.Path[0].End)
	}
}

// TestListLeadIn checks that in any document a list's items stay with the sentence introducing them,
// and that numbered sections with paragraphs of their own stay sections.
func TestListLeadIn(t *testing.T) {
	items := ""
	for _, it := range []string{"（一）在本市登记失业半年以上的人员；", "（二）毕业两年内未就业的高校毕业生；", "（三）返乡创业的农民工；",
		"（四）退役军人；", "（五）脱贫人口。"} {
		items += it + "\n"
	}
	long := strings.Repeat("（一）持有本人身份证件及社会保障卡，到户籍所在地街道社区公共就业服务机构登记失业满六个月的人员；\n", 1) +
		strings.Repeat("（二）毕业年度内高校毕业生和离校两年内未就业高校毕业生，持毕业证书和就业创业证到人社部门办理登记；\n", 1) +
		strings.Repeat("（三）自主创业的返乡农民工，持营业执照副本、身份证件和返乡证明材料，到创业所在地经办机构申请；\n", 1) +
		strings.Repeat("（四）自主择业的退役军人，持退役证件和营业执照副本，到创业所在地人力资源社会保障部门申请办理；\n", 1) +
		strings.Repeat("（五）脱贫人口和防止返贫监测对象，持相关证明材料和营业执照副本，到乡镇人社服务站申请办理；\n", 1) +
		strings.Repeat("（六）符合条件的其他人员，由县级人力资源社会保障部门会同财政部门认定后，按规定办理相关手续。\n", 1)
	tests := []struct {
		name, text string
		check      func(t *testing.T, doc *Document, ps []Passage)
	}{
		{"short list", "一、创业担保贷款\n申请创业担保贷款的，应当符合下列条件之一：\n" + items + "二、其他\n其他事项另行通知。\n",
			func(t *testing.T, doc *Document, ps []Passage) {
				for _, p := range ps {
					if strings.Contains(p.Text, "（三）返乡创业的农民工") && !strings.Contains(p.Text, "应当符合下列条件之一：") {
						t.Errorf("item without its lead-in: %q", p.Text)
					}
					if strings.Contains(p.Section(), "（") {
						t.Errorf("an item became a section: %q", p.Section())
					}
				}
			}},
		{"long list", "一、申请办理\n符合下列条件的人员，可以申请一次性创业补贴：\n" + long + long + "二、其他\n其他事项另行通知。\n",
			func(t *testing.T, doc *Document, ps []Passage) {
				n := 0
				for _, p := range ps {
					if !strings.Contains(p.Text, "（") {
						continue
					}
					n++
					if !strings.Contains(p.Text, "符合下列条件的人员，可以申请一次性创业补贴：") {
						t.Errorf("part without the list's lead-in: %.60q", p.Text)
					}
				}
				if n < 2 {
					t.Errorf("the list is in %d passages, want parts", n)
				}
			}},
		{"sections after a colon", "过去一年，就业工作呈现三个特点：\n（一）就业局势保持稳定。" + strings.Repeat("全市城镇新增就业稳步增长，重点群体就业总体稳定。", 8) +
			"\n（二）创业带动就业成效明显。" + strings.Repeat("返乡创业人数持续增加，创业孵化基地建设有序推进。", 8) + "\n",
			func(t *testing.T, doc *Document, ps []Passage) {
				var secs []string
				for _, p := range ps {
					secs = append(secs, p.Section())
				}
				if !strings.Contains(strings.Join(secs, "|"), "（二）创业带动就业成效明显") {
					t.Errorf("numbered sections with paragraphs were taken for list items: sections %q", secs)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := &Document{ID: "t", Text: tc.text}
			ps := Cut(doc)
			checkPassages(t, doc, ps)
			tc.check(t, doc, ps)
		})
	}
}

// TestCaseKind: a published case (基本案情, 裁判结果 …) is of kind 案例, and a law that names cases
// in its text is not.
func TestCaseKind(t *testing.T) {
	doc, _ := readLaw(t, "加班费的仲裁时效应当如何认定.md")
	if doc.Kind != "案例" || doc.Sources.Kind != SourceText {
		t.Errorf("kind %q from %q, want 案例 from the text", doc.Kind, doc.Sources.Kind)
	}
	law, _ := readLaw(t, "劳动合同法(2012-12-28).md")
	if law.Kind != "法律" {
		t.Errorf("劳动合同法: kind %q, want 法律", law.Kind)
	}
}
