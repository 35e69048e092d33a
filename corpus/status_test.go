package corpus

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestInferStatus loads excerpts of real laws from lawref: two versions of 监察法 (the older is
// superseded), 学位法 and the 学位条例 it repeals, 北京市中医药条例 and the 北京市发展中医条例 it repeals
// (a local regulation whose date only its history gives), and two parts of 民法典 published as files of
// their own under the code's title and date (copies, not versions: both stay in force).
func TestInferStatus(t *testing.T) {
	docs, err := Load("testdata/status")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][3]string{ // status, superseded by, source
		"监察法(2018-03-20)":  {StatusSuperseded, "监察法(2024-12-25)", SourceNewer},
		"学位条例(2004-08-28)": {StatusRepealed, "学位法(2024-04-26)", SourceRepeal},
		"北京市发展中医条例":        {StatusRepealed, "北京市中医药条例(2020-11-27)", SourceRepeal},
	}
	if len(docs) != 8 {
		t.Fatalf("%d documents", len(docs))
	}
	for _, d := range docs {
		got := [3]string{d.Status, d.SupersededBy, d.Sources.Status}
		if got != want[d.ID] {
			t.Errorf("%s: %q, want %q", d.ID, got, want[d.ID])
		}
		if d.InForce() != (want[d.ID][0] == "") {
			t.Errorf("%s: InForce %v", d.ID, d.InForce())
		}
	}
}

// TestInferStatusGiven: a person's word (a sidecar, docs edit) wins over what the corpus implies.
func TestInferStatusGiven(t *testing.T) {
	dir := t.TempDir()
	entries, _ := os.ReadDir("testdata/status")
	for _, e := range entries {
		copyFile(t, filepath.Join("testdata/status", e.Name()), dir, "")
	}
	os.WriteFile(filepath.Join(dir, "监察法(2018-03-20)"+MetaSuffix), []byte(`{"status": "in-force"}`), 0o644)
	os.WriteFile(filepath.Join(dir, "学位法(2024-04-26)"+MetaSuffix), []byte(`{"status": "superseded", "superseded_by": "监察法(2024-12-25)"}`), 0o644)
	docs, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		switch d.ID {
		case "监察法(2018-03-20)":
			if d.Status != "" || d.Sources.Status != SourceSidecar {
				t.Errorf("%s: %q [%s], want in force by the sidecar", d.ID, d.Status, d.Sources.Status)
			}
		case "学位法(2024-04-26)":
			if d.Status != StatusSuperseded || d.SupersededBy != "监察法(2024-12-25)" || d.Sources.Status != SourceSidecar {
				t.Errorf("%s: %q by %q [%s]", d.ID, d.Status, d.SupersededBy, d.Sources.Status)
			}
		case "学位条例(2004-08-28)":
			// Still repealed by 学位法, which says so, whatever 学位法's own status.
			if d.Status != StatusRepealed {
				t.Errorf("%s: %q", d.ID, d.Status)
			}
		}
	}
}

// TestInferStatusNone: documents of one title that are not versions of each other stay in force.
func TestInferStatusNone(t *testing.T) {
	doc := func(id, title, date, kind, region, text string) *Document {
		return &Document{ID: id, Meta: Meta{Title: title, Date: date, Kind: kind, Region: region}, Text: text}
	}
	tests := []struct {
		name string
		docs []*Document
	}{
		{"work reports of two years", []*Document{
			doc("a", "政府工作报告", "2023-03-05", "工作报告", "全国", "各位代表："),
			doc("b", "政府工作报告", "2024-03-05", "工作报告", "全国", "各位代表：")}},
		{"one code's parts", []*Document{
			doc("a", "中华人民共和国民法典", "2020-05-28", "法律", "全国", "第一条"),
			doc("b", "中华人民共和国民法典", "2020-05-28", "法律", "全国", "第一千二百六十条")}},
		{"an undated copy", []*Document{
			doc("a", "上海市统计条例", "", "条例", "上海市", "第一条"),
			doc("b", "上海市统计条例", "2024-12-31", "地方性法规", "上海市", "第一条")}},
		{"two regions", []*Document{
			doc("a", "物业管理条例", "2018-03-19", "行政法规", "全国", "第一条"),
			doc("b", "物业管理条例", "2020-03-27", "地方性法规", "北京市", "第一条")}},
		{"amendments", []*Document{
			doc("a", "中华人民共和国宪法修正案", "1988-04-12", "法律", "全国", "第一条"),
			doc("b", "中华人民共和国宪法修正案", "1993-03-29", "法律", "全国", "第三条")}},
		{"a mention that repeals nothing", []*Document{
			doc("a", "中华人民共和国劳动法", "2018-12-29", "法律", "全国", "第一条"),
			doc("b", "中华人民共和国劳动合同法", "2012-12-28", "法律", "全国",
				"第一条 根据《中华人民共和国劳动法》，制定本法。\n第九十七条 《中华人民共和国劳动法》第三条予以废止。")}},
		{"the repealing document is older", []*Document{
			doc("a", "北京市发展中医条例", "2001-06-22", "地方性法规", "北京市", "第一条"),
			doc("b", "北京市中医条例", "1995-01-01", "地方性法规", "北京市", "《北京市发展中医条例》同时废止。")}},
		{"another region's document", []*Document{
			doc("a", "城市绿化条例", "2017-03-01", "行政法规", "全国", "第一条"),
			doc("b", "广州市绿化条例", "2021-01-01", "地方性法规", "广州市", "《城市绿化条例》同时废止。")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			InferStatus(tt.docs)
			for _, d := range tt.docs {
				if !d.InForce() || d.Sources.Status != "" {
					t.Errorf("%s: %s by %s [%s]", d.ID, d.Status, d.SupersededBy, d.Sources.Status)
				}
			}
		})
	}
}

func TestRepeals(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"第六十九条 本法自公布之日起施行。《中华人民共和国行政监察法》同时废止。", []string{"中华人民共和国行政监察法"}},
		{"本条例自2010年9月1日起施行。2000年5月26日广东省第九届人民代表大会常务委员会第十八次会议通过的《广东省机动车排气污染防治规定》同时废止。", []string{"广东省机动车排气污染防治规定"}},
		{"本条例自2022年3月1日起施行。《中华人民共和国公司登记管理条例》、《中华人民共和国企业法人登记管理条例》和《农民专业合作社登记管理条例》同时废止。",
			[]string{"中华人民共和国公司登记管理条例", "中华人民共和国企业法人登记管理条例", "农民专业合作社登记管理条例"}},
		{"《关于职工全年月平均工作时间和工资折算问题的通知》（劳社部发[2000]8号）同时废止。", []string{"关于职工全年月平均工作时间和工资折算问题的通知"}},
		{"一、废止《北京市社会治安综合治理条例》（1992年9月19日北京市第九届人民代表大会常务委员会第三十六次会议通过）", []string{"北京市社会治安综合治理条例"}},
		{"本办法自发布之日起施行，《某市就业补助资金管理办法》同时失效。", []string{"某市就业补助资金管理办法"}},
		// Not a document repealed: an article, a mention, a proposal.
		{"《中华人民共和国劳动法》第三条予以废止。", nil},
		{"废止《某市物业管理条例》第十条。", nil},
		{"依照《中华人民共和国立法法》，废止下列法规：", nil},
		{"建议废止《某市城市管理条例》。", nil},
		{"地方性法规的制定、修改和废止《某市立法条例》另有规定的，从其规定。", nil},
	}
	for _, tt := range tests {
		if got := Repeals(tt.text); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Repeals(%s) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

// TestEditStatus: docs edit marks a document no longer in force, or in force again against what the
// corpus implies; List shows the statuses the index will see; bad values are refused.
func TestEditStatus(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	entries, _ := os.ReadDir("testdata/status")
	for _, e := range entries {
		copyFile(t, filepath.Join("testdata/status", e.Name()), dir, "")
	}
	f := &Folder{Dir: dir}
	status := func(id string) (string, string, string) {
		t.Helper()
		list, err := f.List()
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range list {
			if e.ID == id {
				doc, _, err := f.Get(id)
				if err != nil || doc.Status != e.Meta.Status {
					t.Errorf("Get %s: %v, status %q, List says %q", id, err, doc.Status, e.Meta.Status)
				}
				return e.Meta.Status, e.Meta.SupersededBy, doc.Sources.Status
			}
		}
		t.Fatalf("%s not listed", id)
		return "", "", ""
	}
	if s, by, src := status("监察法(2018-03-20)"); s != StatusSuperseded || by != "监察法(2024-12-25)" || src != SourceNewer {
		t.Errorf("before: %s by %s [%s]", s, by, src)
	}
	before, after, err := f.Edit(ctx, "监察法(2018-03-20)", Meta{Status: StatusInForce})
	if err != nil || before.Status != StatusSuperseded || after.Status != "" {
		t.Fatalf("edit: %v, %q → %q", err, before.Status, after.Status)
	}
	if s, by, src := status("监察法(2018-03-20)"); s != "" || by != "" || src != SourceEdit {
		t.Errorf("after in-force: %s by %s [%s]", s, by, src)
	}
	// --superseded-by alone supersedes.
	if _, _, err := f.Edit(ctx, "北京市中医药条例(2020-11-27)", Meta{SupersededBy: "学位法(2024-04-26)"}); err != nil {
		t.Fatal(err)
	}
	if s, by, src := status("北京市中医药条例(2020-11-27)"); s != StatusSuperseded || by != "学位法(2024-04-26)" || src != SourceEdit {
		t.Errorf("after superseded-by: %s by %s [%s]", s, by, src)
	}
	// The sidecar keeps only what was set: the title is still read from the text.
	doc, _, _ := f.Get("北京市中医药条例(2020-11-27)")
	if doc.Title != "北京市中医药条例" || doc.Sources.Title != SourceTitleLine {
		t.Errorf("title %q [%s]", doc.Title, doc.Sources.Title)
	}
	for _, bad := range []Meta{{Status: "abolished"}, {SupersededBy: "nope"}, {SupersededBy: "学位法(2024-04-26)", Status: StatusInForce}} {
		if _, _, err := f.Edit(ctx, "学位条例(2004-08-28)", bad); err == nil {
			t.Errorf("edit %+v: no error", bad)
		}
	}
	if _, _, err := f.Edit(ctx, "学位条例(2004-08-28)", Meta{Status: "abolished"}); !errors.Is(err, ErrStatus) {
		t.Errorf("unknown status: %v", err)
	}
}
