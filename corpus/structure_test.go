package corpus

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// dump renders a document's passages one block each: sequence, section path, a mark for rebuilt
// table rows, and the text.
func dump(doc *Document, ps []Passage) string {
	var b strings.Builder
	fmt.Fprintf(&b, "title: %s\nissuer: %s\nregion: %s\ndate: %s\nkind: %s\nscript: %s\n\n", doc.Title, doc.Issuer, doc.Region, doc.Date, doc.Kind, doc.Script)
	for _, p := range ps {
		mark := ""
		if p.Rebuilt {
			mark = " [rebuilt from table]"
		}
		fmt.Fprintf(&b, "#%d %s%s\n%s\n\n", p.Seq, p.Section(), mark, p.Text)
	}
	return b.String()
}

// TestCutSeeds checks the passages of the five seed documents against golden files (run with
// -update to rewrite them after a deliberate change, and read the diff).
func TestCutSeeds(t *testing.T) {
	files, err := Files("docs")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 5 {
		t.Fatalf("want the 5 seed documents, found %d", len(files))
	}
	for _, f := range files {
		t.Run(f.ID, func(t *testing.T) {
			doc, err := ReadFile(f.Path, f.ID)
			if err != nil {
				t.Fatal(err)
			}
			got := dump(doc, Cut(doc))
			golden := filepath.Join("testdata", "golden", f.ID+".txt")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./corpus -run TestCutSeeds -update)", err)
			}
			if got != string(want) {
				t.Errorf("passages of %s differ from %s; run with -update and read the diff", f.ID, golden)
			}
		})
	}
}

// TestStructure checks what citizens' citations depend on in the seeds: section paths at every level
// the documents use, the table rebuilt row by row, furniture and the table of contents left out.
func TestStructure(t *testing.T) {
	docs, err := Load("docs")
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string][]Passage{}
	all := map[string]string{}
	for _, d := range docs {
		byID[d.ID] = Cut(d)
		all[d.ID] = d.Text
	}
	find := func(id, needle string) *Passage {
		for i, p := range byID[id] {
			if strings.Contains(p.Text, needle) {
				return &byID[id][i]
			}
		}
		t.Fatalf("%s: no passage holds %q", id, needle)
		return nil
	}
	tests := []struct {
		doc, needle, section string
		rebuilt              bool
	}{
		{"tongren-14th-five-year-employment-plan", "实现城镇新增就业20万人", "第三章 总体要求 › 三、主要目标 › 1.就业形势持续稳定发展", false},
		{"tongren-14th-five-year-employment-plan", "指标｜“十三五”完成情况｜“十四五”期间目标｜指标属性\n技工院校招生(万人)｜0.15｜0.6｜预期性", "第三章 总体要求 › 三、主要目标 › 专栏1:铜仁市“十四五”就业创业主要指标", true},
		{"tongren-14th-five-year-employment-plan", "对自主创业符合条件的,给予创业担保贷款", "第四章 主要任务 › 三、建立就业创业助力乡村振兴机制 › 专栏2 易地搬迁就业帮扶计划", false},
		{"tongren-14th-five-year-employment-plan", "加大创业担保贷款发放力度", "第四章 主要任务 › 五、完善创业带动就业机制 › 专栏4 创新创业专项行动 › 01 创业担保贷款支持", false},
		{"guangyuan-2021-employment-center-plan", "为16735人发放失业补助金", "一、2020年重点工作 › (一)就业促进政策全面落实", false},
		{"hunan-2025-stable-employment", "發放穩崗返還資金8809.08萬元", "01 堅持產業發展和就業促進并重", false},
		{"ankang-2022-employment-speech", "新社区工厂达到1023家", "一、2021年就业创业工作情况 › (七)本地吸纳就业能力全面提升", false},
	}
	for _, tt := range tests {
		t.Run(tt.needle, func(t *testing.T) {
			p := find(tt.doc, tt.needle)
			if got := p.Section(); got != tt.section {
				t.Errorf("section = %q, want %q", got, tt.section)
			}
			if p.Rebuilt != tt.rebuilt {
				t.Errorf("rebuilt = %v, want %v", p.Rebuilt, tt.rebuilt)
			}
			if !p.Rebuilt && all[tt.doc][p.Start:p.End] != p.Text {
				t.Errorf("text is not the source at its offsets")
			}
		})
	}
	for _, junk := range []string{"您当前所在的位置", "扫一扫在手机打开当前页面", "上一篇", "公网安备", "繼續訪問", "字号", "来源:"} {
		for id, ps := range byID {
			for _, p := range ps {
				if strings.Contains(p.Text, junk) {
					t.Errorf("%s#%d holds page furniture %q", id, p.Seq, junk)
				}
			}
		}
	}
	// The table of contents lists 第一章 发展基础 and then 一、就业局势总体保持稳定; only the body's
	// occurrences may become passages, so no passage is a bare run of headings.
	for _, p := range byID["tongren-14th-five-year-employment-plan"] {
		if strings.Contains(p.Text, "第二章 面临的主要形势\n") {
			t.Errorf("#%d is the table of contents: %q", p.Seq, p.Text)
		}
	}
}

// TestMeta checks metadata found in the text when no sidecar gives it.
func TestMeta(t *testing.T) {
	src, err := os.ReadFile("docs/tongren-14th-five-year-employment-plan.txt")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Parse(src, "txt", "tongren", Meta{})
	if err != nil {
		t.Fatal(err)
	}
	want := Meta{Title: "铜仁市“十四五”促进城乡 就业创业规划", Issuer: "铜仁市人力资源和社会保障局、铜仁市发展和改革委员会", Region: "铜仁市", Date: "2022-02", Kind: "规划", Script: "simplified"}
	if doc.Meta != want {
		t.Errorf("meta = %+v, want %+v", doc.Meta, want)
	}
	trad, err := os.ReadFile("docs/hunan-2025-stable-employment.txt")
	if err != nil {
		t.Fatal(err)
	}
	doc, err = Parse(trad, "txt", "hunan", Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Title != "堅持“四個并重”統籌做好穩就業工作" || doc.Script != "traditional" {
		t.Errorf("title %q script %q", doc.Title, doc.Script)
	}
}
