package handlers

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"policybot/corpus"
	"policybot/index"
	"policybot/internal/audit"
)

// newStaff sets up a copy of the shipped corpus, an empty data folder and an audit trail.
func newStaff(t *testing.T) (*Staff, *audit.Log) {
	t.Helper()
	root := t.TempDir()
	docs := filepath.Join(root, "docs")
	os.MkdirAll(docs, 0o755)
	entries, err := os.ReadDir("../corpus/docs")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join("../corpus/docs", e.Name()))
		os.WriteFile(filepath.Join(docs, e.Name()), b, 0o644)
	}
	data := filepath.Join(root, "data")
	log := audit.New(filepath.Join(root, "audit.jsonl"))
	gold := func(s string) func(string) bool { return func(text string) bool { return strings.Contains(text, s) } }
	return &Staff{
		Folder:   &corpus.Folder{Dir: docs},
		DataDir:  data,
		UserDict: "../corpus/dict/userdict.txt",
		Synonyms: "../corpus/dict/synonyms.txt",
		Members:  map[int64]bool{7: true},
		Audit:    log,
		// Stands for the query log's HMAC of the id, which these tests need not compute.
		Pseudonym: func(id int64) string { return fmt.Sprintf("%x", id*104729+17) },
		Questions: []Question{
			{ID: "gy", Text: "广元为多少家企业返还了稳岗资金？", Answers: gold("884家企业")},
			{ID: "tr", Text: "铜仁十四五期间城镇新增就业目标是多少？", Answers: gold("城镇新增就业20万人")},
			{ID: "hn", Text: "湖南全省建成了多少家零工市场？"},
		},
	}, log
}

func TestReindexReport(t *testing.T) {
	ctx := context.Background()
	s, log := newStaff(t)
	cli := CLIActor("alice")
	rep, err := s.Reindex(ctx, cli, ReindexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Full || len(rep.Added) != 5 || rep.Questions != 3 {
		t.Fatalf("first reindex: full %v added %v questions %d", rep.Full, rep.Added, rep.Questions)
	}

	// A revised version of the Guangyuan plan changes one figure: the question about it changes its
	// top answer, and the report says the new answer no longer holds the saved gold.
	src, _ := os.ReadFile(filepath.Join(s.Folder.(*corpus.Folder).Dir, "guangyuan-2021-employment-center-plan.txt"))
	revised := strings.Replace(string(src), "为884家企业返还稳岗资金", "为901家企业返还稳岗资金", 1)
	if revised == string(src) {
		t.Fatal("fixture: figure not found")
	}
	added, err := s.AddDocument(ctx, TelegramActor(7), []File{{Name: "广元修订版.txt", Data: []byte(revised)}}, AddOptions{Replace: "guangyuan-2021-employment-center-plan"})
	if err != nil {
		t.Fatal(err)
	}
	if added[0].Replaced != "guangyuan-2021-employment-center-plan" {
		t.Fatalf("added %+v", added[0])
	}
	rep, err = s.Reindex(ctx, cli, ReindexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Full || strings.Join(rep.Changed, ",") != "guangyuan-2021-employment-center-plan" || len(rep.Added)+len(rep.Removed) != 0 {
		t.Fatalf("second reindex: full %v (%s) added %v changed %v removed %v", rep.Full, rep.Why, rep.Added, rep.Changed, rep.Removed)
	}
	if len(rep.Changes) != 1 {
		t.Fatalf("changes %+v", rep.Changes)
	}
	c := rep.Changes[0]
	if c.ID != "gy" || !c.Judged || !c.Before.Right || c.After.Right || !strings.Contains(c.After.Text, "901家企业") {
		t.Errorf("change %+v", c)
	}

	// Nothing changed since: nothing to publish, no answer moves.
	rep, err = s.Reindex(ctx, cli, ReindexOptions{})
	if err != nil || rep.Manifest != nil || len(rep.Changes) != 0 {
		t.Errorf("idle reindex: %+v %v", rep, err)
	}

	trail, err := log.Read()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range trail {
		got = append(got, e.Who+" "+e.Action+" "+e.Doc)
	}
	want := []string{"cli:alice reindex ", "telegram:7 replace guangyuan-2021-employment-center-plan", "cli:alice reindex ", "cli:alice reindex "}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("audit trail\n got %q\nwant %q", got, want)
	}
}

func TestStaffOnly(t *testing.T) {
	ctx := context.Background()
	s, log := newStaff(t)
	stranger := TelegramActor(42)
	_, err := s.AddDocument(ctx, stranger, []File{{Name: "x.txt", Data: []byte("某县就业工作要点\n")}}, AddOptions{})
	if !errors.Is(err, ErrNotStaff) || Explain(err) != "抱歉，只有工作人员可以管理文件。" {
		t.Errorf("add by a stranger: %v", err)
	}
	if _, err := s.RemoveDocument(ctx, stranger, "guangyuan-2021-employment-center-plan"); !errors.Is(err, ErrNotStaff) {
		t.Errorf("remove by a stranger: %v", err)
	}
	if _, err := s.Reindex(ctx, stranger, ReindexOptions{}); !errors.Is(err, ErrNotStaff) {
		t.Errorf("reindex by a stranger: %v", err)
	}
	if _, err := s.ListDocuments(ctx, stranger); !errors.Is(err, ErrNotStaff) {
		t.Errorf("list by a stranger: %v", err)
	}
	if docs, _ := corpus.Load(s.Folder.(*corpus.Folder).Dir); len(docs) != 5 {
		t.Errorf("%d documents after a stranger's attempts", len(docs))
	}
	trail, _ := log.Read()
	// A stranger is named by pseudonym, never by id: only staff's ids are kept.
	if len(trail) != 4 || trail[0].Who != "telegram-pseudonym:"+fmt.Sprintf("%x", 42*104729+17) || trail[0].Action != "denied" || trail[0].Detail["asked"] != "add" {
		t.Errorf("trail %+v", trail)
	}
	if b, _ := os.ReadFile(log.Path()); strings.Contains(string(b), "telegram:42") {
		t.Errorf("the trail holds a stranger's id:\n%s", b)
	}
	// Staff by id, and the command line, may.
	if _, err := s.RemoveDocument(ctx, TelegramActor(7), "guangyuan-2021-employment-center-plan"); err != nil {
		t.Errorf("remove by staff: %v", err)
	}
	list, err := s.ListDocuments(ctx, CLIActor("bob"))
	if err != nil {
		t.Fatal(err)
	}
	last := list[len(list)-1]
	if len(list) != 5 || last.Removed.IsZero() || last.ID != "guangyuan-2021-employment-center-plan" {
		t.Errorf("list %+v", list)
	}
}

func TestReindexBusy(t *testing.T) {
	ctx := context.Background()
	s, _ := newStaff(t)
	lock, err := index.LockReindex(ctx, s.DataDir, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	_, err = s.Reindex(ctx, CLIActor("alice"), ReindexOptions{})
	if !errors.Is(err, index.ErrBusy) || !strings.Contains(err.Error(), "a reindex is already running (pid ") {
		t.Fatalf("err %v", err)
	}
	if Explain(err) != "已有一次重建索引正在进行，请稍后再试。" {
		t.Errorf("explained as %q", Explain(err))
	}
}

func TestRefusalsExplained(t *testing.T) {
	ctx := context.Background()
	s, _ := newStaff(t)
	src, _ := os.ReadFile(filepath.Join(s.Folder.(*corpus.Folder).Dir, "hunan-2025-stable-employment.txt"))
	_, err := s.AddDocument(ctx, TelegramActor(7), []File{{Name: "copy.txt", Data: src}, {Name: "scan.png", Data: []byte("\x89PNG\r\n")}}, AddOptions{})
	msg := Explain(err)
	for _, want := range []string{"未添加任何文件", "《copy.txt》：与已有文件 hunan-2025-stable-employment", "《scan.png》：不支持的文件格式"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "corpus:") {
		t.Errorf("a Go error shows: %q", msg)
	}
}

func TestParseCaption(t *testing.T) {
	tests := []struct {
		caption string
		want    corpus.Meta
		replace string
	}{
		{"标题：关于做好就业工作的通知\n发文机关：某市人社局\n地区：贵州省铜仁市\n日期：2024年3月5日\n类型：通知\n文号：铜人社发〔2024〕12号",
			corpus.Meta{Title: "关于做好就业工作的通知", Issuer: "某市人社局", Region: "贵州省铜仁市", Date: "2024-03-05", Kind: "通知", Number: "铜人社发〔2024〕12号"}, ""},
		{"title=《稳就业若干措施》; date=2023.6; replace=hunan-2025", corpus.Meta{Title: "稳就业若干措施", Date: "2023-06"}, "hunan-2025"},
		{"替换：guangyuan-2021 地区：四川省广元市", corpus.Meta{Region: "四川省广元市"}, "guangyuan-2021"},
		{"请收下这个文件", corpus.Meta{}, ""},
	}
	for _, tt := range tests {
		got, rep := ParseCaption(tt.caption)
		if got != tt.want || rep != tt.replace {
			t.Errorf("ParseCaption(%q)\n got %+v %q\nwant %+v %q", tt.caption, got, rep, tt.want, tt.replace)
		}
	}
}

func TestNormalizeDate(t *testing.T) {
	for in, want := range map[string]string{"2024-03-05": "2024-03-05", "2024.3.5": "2024-03-05", "2024年3月": "2024-03", "2024": "2024", "2024年13月": "2024", "三月": "三月"} {
		if got := NormalizeDate(in); got != want {
			t.Errorf("NormalizeDate(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestReindexVerdicts: a reindex reports the verdict of each regression question and flags one that
// gets another verdict than it expects; a change of verdict is a change of its answer.
func TestReindexVerdicts(t *testing.T) {
	ctx := context.Background()
	s, _ := newStaff(t)
	s.Questions = []Question{
		{ID: "hn", Text: "湖南全省建成了多少家零工市场？", Expect: index.VerdictAnswer},
		{ID: "bj", Text: "北京市最低工资标准是多少？", Expect: index.VerdictNone},
	}
	cli := CLIActor("alice")
	rep, err := s.Reindex(ctx, cli, ReindexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []QuestionVerdict{{ID: "hn", Question: s.Questions[0].Text, Verdict: index.VerdictAnswer, Expect: index.VerdictAnswer},
		{ID: "bj", Question: s.Questions[1].Text, Verdict: index.VerdictNone, Expect: index.VerdictNone}}
	if fmt.Sprint(rep.Verdicts) != fmt.Sprint(want) {
		t.Fatalf("verdicts %+v", rep.Verdicts)
	}
	text := reindexText(rep)
	if !strings.Contains(text, "\n判断：已回答1个；有关但未直接回答0个；未能回答1个（bj）") || strings.Contains(text, "⚠️") {
		t.Errorf("report:\n%s", text)
	}

	// The only document about Hunan goes: the corpus no longer knows the place the question names.
	if _, err := s.RemoveDocument(ctx, cli, "hunan-2025-stable-employment"); err != nil {
		t.Fatal(err)
	}
	if rep, err = s.Reindex(ctx, cli, ReindexOptions{}); err != nil {
		t.Fatal(err)
	}
	if len(rep.Changes) != 1 {
		t.Fatalf("changes %+v", rep.Changes)
	}
	c := rep.Changes[0]
	if c.ID != "hn" || c.Before.Verdict != index.VerdictAnswer || c.After.Verdict != index.VerdictNone || !c.Unexpected() {
		t.Errorf("change %+v", c)
	}
	if v := rep.Verdicts[0]; v.Verdict != index.VerdictNone || !v.Unexpected() || rep.Verdicts[1].Unexpected() {
		t.Errorf("verdicts %+v", rep.Verdicts)
	}
	text = reindexText(rep)
	for _, want := range []string{"回归问题：问了2个，1个的首选答案或判断有变化。", "判断：已回答0个；有关但未直接回答0个；未能回答2个（hn、bj）",
		"⚠️ 与预期不同：hn 应为已回答，现为未能回答。", "\n之前：hunan-2025-stable-employment#", "〔已回答〕\n之后：", "〔未能回答〕 ⚠️ 应为已回答"} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
}

// TestCompareVerdict: the same top passage with another verdict is a change; the same verdict and
// passage is not.
func TestCompareVerdict(t *testing.T) {
	qs := []Question{{ID: "a", Text: "甲"}, {ID: "b", Text: "乙", Expect: index.VerdictAnswer}}
	p := TopAnswer{Passage: "doc#1", Title: "文件", Text: "段落"}
	at := func(v index.Verdict) TopAnswer { a := p; a.Verdict = v; return a }
	before := map[string]TopAnswer{"a": at(index.VerdictRelated), "b": at(index.VerdictAnswer)}
	after := map[string]TopAnswer{"a": at(index.VerdictRelated), "b": at(index.VerdictRelated)}
	n, changes := compare(qs, before, after)
	if n != 2 || len(changes) != 1 || changes[0].ID != "b" || changes[0].Before.Verdict != index.VerdictAnswer ||
		changes[0].After.Verdict != index.VerdictRelated || !changes[0].Unexpected() {
		t.Errorf("%d asked, changes %+v", n, changes)
	}
}
