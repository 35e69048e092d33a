package corpus

import (
	"os"
	"path/filepath"
	"testing"
)

// copyFile copies src to dir (under the name name, or its own) and returns the copy's path.
func copyFile(t *testing.T, src, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if name == "" {
		name = filepath.Base(src)
	}
	dst := filepath.Join(dir, name)
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// field is a metadata field as a test expects it: its value and where it came from.
type field struct{ value, source string }

// TestInferredMeta reads real documents without a sidecar (excerpts of laws from lawref, a work
// report's opening, the shipped Tongren plan) and checks each field found and its source.
func TestInferredMeta(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		file                                   string
		title, issuer, region, date, kind, num field
	}{
		{"testdata/meta/劳动合同法(2012-12-28).md",
			field{"中华人民共和国劳动合同法", SourceTitleLine}, field{"全国人民代表大会常务委员会", SourceHistory},
			field{"全国", SourceKind}, field{"2012-12-28", SourceHistory}, field{"法律", SourceHistory}, field{}},
		// The file name's date (when it was published) differs from the history's (adopted
		// 2020-12-25): the file name wins.
		{"testdata/meta/最高人民法院关于审理劳动争议案件适用法律问题的解释（一）(2020-12-29).md",
			field{"最高人民法院关于审理劳动争议案件适用法律问题的解释（一）", SourceTitleLine}, field{"最高人民法院", SourceHistory},
			field{"全国", SourceKind}, field{"2020-12-29", SourceFileName}, field{"司法解释", SourceHistory}, field{}},
		{"testdata/meta/专利法实施细则(2023-12-11).md",
			field{"中华人民共和国专利法实施细则", SourceTitleLine}, field{"国务院", SourceHistory},
			field{"全国", SourceKind}, field{"2023-12-11", SourceHistory}, field{"行政法规", SourceHistory}, field{}},
		{"testdata/meta/深圳经济特区绿色建筑条例(2022-03-28).md",
			field{"深圳经济特区绿色建筑条例", SourceTitleLine}, field{"深圳市人民代表大会常务委员会", SourceHistory},
			field{"深圳市", SourceIssuer}, field{"2022-03-28", SourceHistory}, field{"地方性法规", SourceHistory}, field{}},
		// No title line: the file name is the title and gives the year; the subtitle the day.
		{"testdata/meta/2023年政府工作报告.txt",
			field{"2023年政府工作报告", SourceFileName}, field{"国务院", SourceText},
			field{"全国", SourceIssuer}, field{"2023-03-05", SourceText}, field{"工作报告", SourceTitle}, field{}},
		// The shipped plan without its sidecar: title from its 《》 line, the two issuers and the date
		// from its cover.
		{"docs/tongren-14th-five-year-employment-plan.txt",
			field{"铜仁市“十四五”促进城乡 就业创业规划", SourceTitleLine}, field{"铜仁市人力资源和社会保障局、铜仁市发展和改革委员会", SourceText},
			field{"铜仁市", SourceIssuer}, field{"2022-02", SourceText}, field{"规划", SourceTitle}, field{}},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			path := copyFile(t, tt.file, dir, "")
			doc, err := ReadFile(path, "x")
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range []struct {
				name        string
				got, source string
				want        field
			}{
				{"title", doc.Title, doc.Sources.Title, tt.title}, {"issuer", doc.Issuer, doc.Sources.Issuer, tt.issuer},
				{"region", doc.Region, doc.Sources.Region, tt.region}, {"date", doc.Date, doc.Sources.Date, tt.date},
				{"kind", doc.Kind, doc.Sources.Kind, tt.kind}, {"number", doc.Number, doc.Sources.Number, tt.num},
			} {
				if f.got != f.want.value || f.source != f.want.source {
					t.Errorf("%s = %q [%s], want %q [%s]", f.name, f.got, f.source, f.want.value, f.want.source)
				}
			}
			if doc.Status != "" || !doc.InForce() {
				t.Errorf("status %q", doc.Status)
			}
		})
	}
}

// TestSidecarWins: what a sidecar gives is kept, and marked as the sidecar's; the fields it leaves
// out are still read from the text. A field a person cleared stays empty.
func TestSidecarWins(t *testing.T) {
	dir := t.TempDir()
	path := copyFile(t, "testdata/meta/劳动合同法(2012-12-28).md", dir, "")
	os.WriteFile(MetaPath(path), []byte(`{"title": "劳动合同法", "date": "2013-07-01", "sources": {"kind": "docs edit"}}`), 0o644)
	doc, err := ReadFile(path, "x")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct{ name, got, source, want, wantSource string }{
		{"title", doc.Title, doc.Sources.Title, "劳动合同法", SourceSidecar},
		{"date", doc.Date, doc.Sources.Date, "2013-07-01", SourceSidecar},
		{"kind", doc.Kind, doc.Sources.Kind, "", SourceEdit},
		{"issuer", doc.Issuer, doc.Sources.Issuer, "全国人民代表大会常务委员会", SourceHistory},
	} {
		if f.got != f.want || f.source != f.wantSource {
			t.Errorf("%s = %q [%s], want %q [%s]", f.name, f.got, f.source, f.want, f.wantSource)
		}
	}
	os.WriteFile(MetaPath(path), []byte(`{"status": "abolished"}`), 0o644)
	if _, err := ReadFile(path, "x"); err == nil {
		t.Error("a sidecar with an unknown status was read")
	}
}

func TestFileName(t *testing.T) {
	tests := []struct{ name, title, date string }{
		{"社会保险法(2018-12-29)", "社会保险法", "2018-12-29"},
		{"2023年政府工作报告", "2023年政府工作报告", "2023"},
		{"宪法修正案（1988年）", "宪法修正案", "1988"},
		{"关于做好就业工作的通知_20240315", "关于做好就业工作的通知", "2024-03-15"},
		{"关于做好2024年高校毕业生就业创业工作的通知", "关于做好2024年高校毕业生就业创业工作的通知", ""},
		{"guangyuan-2021-employment-center-plan", "guangyuan-2021-employment-center-plan", ""},
		{"DLC/北京地方法规/北京市中医药条例(2020-11-27)", "北京市中医药条例", "2020-11-27"},
	}
	for _, tt := range tests {
		if got := titleFromName(tt.name); got != tt.title {
			t.Errorf("title of %s = %q, want %q", tt.name, got, tt.title)
		}
		if got := dateFromName(tt.name); got != tt.date {
			t.Errorf("date of %s = %q, want %q", tt.name, got, tt.date)
		}
	}
}

// TestHistoryLines: the shapes laws print their history in, one event a line (lawref) or all in one
// bracket (the official texts).
func TestHistoryLines(t *testing.T) {
	tests := []struct {
		name, text                 string
		date, issuer, kind, region string
	}{
		{"one bracket",
			"中华人民共和国劳动法\n（1994年7月5日第八届全国人民代表大会常务委员会第八次会议通过　根据2009年8月27日第十一届全国人民代表大会常务委员会第十次会议《关于修改部分法律的决定》第一次修正　根据2018年12月29日第十三届全国人民代表大会常务委员会第七次会议《关于修改〈中华人民共和国劳动法〉等七部法律的决定》第二次修正）\n第一章　总则\n第一条　为了保护劳动者的合法权益，制定本法。\n",
			"2018-12-29", "全国人民代表大会常务委员会", "法律", "全国"},
		{"two courts, one event",
			"# 最高人民法院、最高人民检察院关于办理环境污染刑事案件适用法律若干问题的解释\n\n2016年11月7日 最高人民法院审判委员会第1698次会议、2016年12月8日最高人民检察院第十二届检察委员会第58次会议通过\n\n2017年1月1日 施行\n\n第一条 实施刑法第三百三十八条规定的行为，具有下列情形之一的，应当认定为“严重污染环境”：\n",
			"2016-12-08", "最高人民法院、最高人民检察院", "司法解释", "全国"},
		{"city passes, province approves",
			"# 青岛市价格监测条例\n\n2010年10月29日 青岛市第十四届人民代表大会常务委员会第二十一次会议通过\n\n2010年11月25日 山东省第十一届人民代表大会常务委员会第二十次会议批准\n\n2010年11月25日 青岛市人民代表大会常务委员会公告公布\n\n2011年1月1日 施行\n\n第一条 为了加强价格监测工作，制定本条例。\n",
			"2010-11-25", "青岛市人民代表大会常务委员会", "地方性法规", "青岛市"},
		{"full-width digits, a ministry's order",
			"# 公安机关办理行政案件程序规定\n\n２０１２年１２月１９日 中华人民共和国公安部令第１２５号发布，\n\n２０１４年６月２９日 中华人民共和国公安部令第１３２号《公安部关于修改部分部门规章的决定》第一次修正\n\n第一条 为了规范公安机关办理行政案件程序，制定本规定。\n",
			"2014-06-29", "公安部", "部门规章", "全国"},
		{"only in force from",
			"# 人民法院在线诉讼规则\n\n2021年8月1日 施行\n\n第一条 人民法院可以依托电子诉讼平台在线完成诉讼环节。\n",
			"2021-08-01", "", "规则", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Parse([]byte(tt.text), "md", "x", Meta{})
			if err != nil {
				t.Fatal(err)
			}
			if doc.Date != tt.date || doc.Issuer != tt.issuer || doc.Kind != tt.kind || doc.Region != tt.region {
				t.Errorf("date %q issuer %q kind %q region %q, want %q %q %q %q", doc.Date, doc.Issuer, doc.Kind, doc.Region, tt.date, tt.issuer, tt.kind, tt.region)
			}
		})
	}
}

// TestRegionOf: place names at the start of an issuer or a title, and words that only look like them.
func TestRegionOf(t *testing.T) {
	for s, want := range map[string]string{
		"湖南省人力资源和社会保障厅":           "湖南省",
		"贵州省铜仁市人力资源和社会保障局":        "贵州省铜仁市",
		"聊城市人民代表大会常务委员会":          "聊城市",
		"广西壮族自治区人民政府":             "广西壮族自治区",
		"彭水苗族土家族自治县城乡建设管理条例":      "彭水苗族土家族自治县",
		"上海市人民代表大会常务委员会":          "上海市",
		"自然保护区条例":                 "",
		"少数民族地区教育条例":              "",
		"中小城市发展规划":                "",
		"全国人民代表大会常务委员会":           "",
		"城市居民委员会组织法":              "",
		"关于做好2024年高校毕业生就业创业工作的通知": "",
	} {
		if got := regionOf(s); got != want {
			t.Errorf("regionOf(%s) = %q, want %q", s, got, want)
		}
	}
}

// TestStatusSaid: a document that says of itself, at the top, that it is no longer in force is
// repealed; one that speaks of repealed documents is not.
func TestStatusSaid(t *testing.T) {
	tests := []struct{ name, text, status, source string }{
		{"after the title", "关于做好失业保险金发放工作的通知（已废止）\n各区县人社局：\n现就有关事项通知如下。\n", StatusRepealed, SourceTitleLine},
		{"validity line", "关于印发就业补贴办法的通知\n时效性：失效\n发布日期：2015-03-02\n各区县人社局：\n", StatusRepealed, SourceText},
		{"said of itself", "某市就业见习管理办法\n本办法已于2020年12月31日废止。\n第一条 为了规范就业见习，制定本办法。\n", StatusRepealed, SourceText},
		{"speaks of others", "某市规章清理办法\n第一条 对已废止的规章，应当及时公布目录。\n第二条 已失效的规范性文件不得作为依据。\n", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Parse([]byte(tt.text), "txt", "x", Meta{})
			if err != nil {
				t.Fatal(err)
			}
			if doc.Status != tt.status || doc.Sources.Status != tt.source {
				t.Errorf("status %q [%s], want %q [%s] (title %q)", doc.Status, doc.Sources.Status, tt.status, tt.source, doc.Title)
			}
		})
	}
}
