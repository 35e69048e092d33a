package index

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"policybot/corpus"
)

// TestNotInForce: a superseded version of a rule answers only when the version in force does not,
// and then says it is superseded.
func TestNotInForce(t *testing.T) {
	dir := t.TempDir()
	head := "# 铜仁市就业促进条例\n\n%s 铜仁市人民代表大会常务委员会通过\n\n<!-- INFO END -->\n\n"
	versions := map[string]string{
		"铜仁市就业促进条例(2010-06-01).md": fmt.Sprintf(head, "2010年6月1日") +
			"第一条 为了促进就业，根据有关法律，结合本市实际，制定本条例。\n\n" +
			"第二条 本市对就业困难人员通过公益性岗位予以安置，并给予岗位补贴和社会保险补贴。\n\n" +
			"第三条 公共职业介绍机构应当免费向求职人员提供职业指导和岗位信息。\n",
		"铜仁市就业促进条例(2021-06-01).md": fmt.Sprintf(head, "2021年6月1日") +
			"第一条 为了促进就业，根据有关法律，结合本市实际，制定本条例。\n\n" +
			"第二条 本市对就业困难人员通过公益性岗位予以安置，并给予岗位补贴和社会保险补贴。\n\n" +
			"第三条 本条例自2021年10月1日起施行。\n",
	}
	for name, text := range versions {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	docs, err := corpus.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	if _, err := Build(context.Background(), data, docs, BuildOptions{Fingerprint: "validity"}); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(data)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	ask := func(q string) *Result {
		res, err := ix.Search(context.Background(), q, Options{K: 5})
		if err != nil || len(res.Hits) == 0 {
			t.Fatalf("%s: %v, %d hits", q, err, len(res.Hits))
		}
		return res
	}
	// Both versions say it word for word: the version in force answers, the old one is not shown.
	res := ask("就业困难人员公益性岗位安置有岗位补贴吗")
	if d := res.Hits[0].Doc; !d.InForce() || d.Date != "2021-06-01" {
		t.Errorf("top hit from %s (status %q), want the 2021 version in force", d.ID, d.Status)
	}
	for _, h := range res.Hits {
		if !h.Doc.InForce() && h.Passage.Section() == res.Hits[0].Passage.Section() {
			t.Errorf("the superseded copy of the same article is shown too: %s", h.Passage.ID())
		}
	}
	// Only the old version has it: it answers, marked superseded.
	res = ask("职业介绍机构免费提供职业指导")
	if d := res.Hits[0].Doc; d.InForce() || d.Status != corpus.StatusSuperseded || d.SupersededBy == "" {
		t.Errorf("top hit from %s, status %q, superseded by %q; want the 2010 version, superseded", d.ID, d.Status, d.SupersededBy)
	}
}

// TestAuthority: a law's passage outranks the same words in a judicial interpretation, which
// outranks a repealed law's, unless that holds more of the question than anything in force.
func TestAuthority(t *testing.T) {
	law := &corpus.Document{Meta: corpus.Meta{Kind: "法律"}}
	interp := &corpus.Document{Meta: corpus.Meta{Kind: "司法解释"}}
	plan := &corpus.Document{Meta: corpus.Meta{Kind: "规划"}}
	old := &corpus.Document{Meta: corpus.Meta{Kind: "法律", Status: corpus.StatusRepealed}}
	w := func(d *corpus.Document) float64 { return authority(d, 0.8, 0.8) }
	if !(w(law) > w(interp) && w(interp) > w(old)) || w(plan) != 1 {
		t.Errorf("weights: law %.2f, interpretation %.2f, repealed law %.2f, plan %.2f", w(law), w(interp), w(old), w(plan))
	}
	amend := &corpus.Document{Meta: corpus.Meta{Kind: "司法解释", Title: "最高人民法院关于修改《最高人民法院关于审理名誉权案件若干问题的解释》等二十七件民事类司法解释的决定"}}
	if !(w(amend) < w(interp)) {
		t.Errorf("an amending act %.2f weighs as much as the interpretation it amends %.2f", w(amend), w(interp))
	}
	notAmend := &corpus.Document{Meta: corpus.Meta{Kind: "法律", Title: "全国人民代表大会常务委员会关于修改后的刑事诉讼法实施问题的说明"}}
	if w(notAmend) != w(law) {
		t.Errorf("a document that is not an amending act weighs %.2f", w(notAmend))
	}
	if authority(old, 0.9, 0.5) != 1 {
		t.Errorf("a repealed law holding more of the question than anything in force is weighed down")
	}
}
