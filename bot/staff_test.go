package bot

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"policybot/bot/bottest"
	"policybot/corpus"
	"policybot/handlers"
	"policybot/index"
	"policybot/internal/audit"
)

// desk is the staff's side of a bot under test: a copy of the shipped corpus and of its index, served
// live, with the staff operations over them.
type desk struct {
	staff    *handlers.Staff
	chat     *handlers.StaffChat
	live     *index.Live
	docs     string // the corpus folder
	auditLog string // the audit trail's file
	logs     *logBuffer
	obs      *reindexes
}

// reindexes counts the reindexes observed, as the metrics would.
type reindexes struct {
	mu sync.Mutex
	n  int
}

func (r *reindexes) Reindexed(time.Duration) { r.mu.Lock(); r.n++; r.mu.Unlock() }

func (r *reindexes) count() int { r.mu.Lock(); defer r.mu.Unlock(); return r.n }

// staffID and adminID are the staff member and the admin of the staff tests; alice and bob are
// citizens.
var (
	staffer = bottest.Person(2001, "Wang")
	admin   = bottest.Person(2002, "Li")
)

func newDesk(t *testing.T) *desk {
	t.Helper()
	root := t.TempDir()
	d := &desk{docs: filepath.Join(root, "docs"), auditLog: filepath.Join(root, "audit.jsonl"), logs: &logBuffer{}, obs: &reindexes{}}
	data := filepath.Join(root, "data")
	copyTree(t, "../corpus/docs", d.docs)
	copyTree(t, seedData, data)
	lg := slog.New(slog.NewTextHandler(d.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var err error
	if d.live, err = index.OpenLive(context.Background(), data, lg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.live.Close() })
	d.staff = &handlers.Staff{
		Folder: &corpus.Folder{Dir: d.docs}, DataDir: data,
		UserDict: "../corpus/dict/userdict.txt", Synonyms: "../corpus/dict/synonyms.txt",
		Members: map[int64]bool{staffer.ID: true, admin.ID: true}, Audit: audit.New(d.auditLog), Log: lg,
		Index: d.live, LockWait: 5 * time.Second, Pseudonym: pseudonym,
		Questions: []handlers.Question{{ID: "tr", Text: "铜仁十四五期间城镇新增就业目标是多少？"}},
	}
	d.chat = handlers.NewStaffChat(d.staff, d.live, d.obs)
	return d
}

// pseudonym stands for the query log's pseudonym of a user id.
func pseudonym(id int64) string { return fmt.Sprintf("%x", id*104729+17) }

// options returns harness options for a bot with the desk's staff operations, answering from its
// live index.
func (d *desk) options() options {
	roles, err := ParseRoles(fmt.Sprint(staffer.ID), fmt.Sprint(admin.ID))
	if err != nil {
		panic(err)
	}
	return options{searcher: d.live, roles: roles, staff: d.chat}
}

// audited returns the audit trail's entries.
func (d *desk) audited(t *testing.T) []audit.Entry {
	t.Helper()
	b, err := os.ReadFile(d.auditLog)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []audit.Entry
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if line == "" {
			continue
		}
		var e audit.Entry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		out = append(out, e)
	}
	return out
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if e.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// makeDOCX builds a small Word document of the given paragraphs (word/document.xml in a zip, as
// Word writes it).
func makeDOCX(t *testing.T, paras ...string) []byte {
	t.Helper()
	var body strings.Builder
	for _, p := range paras {
		fmt.Fprintf(&body, `<w:p><w:r><w:t xml:space="preserve">%s</w:t></w:r></w:p>`, p)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range map[string]string{
		"[Content_Types].xml": `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"word/document.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body.String() + `<w:sectPr/></w:body></w:document>`,
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

// TestStaffSendsDocument: a staff member sends a real text-layer PDF with metadata in the caption; the
// bot downloads it (getFile, then the file path), adds and indexes it, replies with the metadata and
// the passage count, and citizens' questions are answered from it at once.
func TestStaffSendsDocument(t *testing.T) {
	d := newDesk(t)
	hs := start(t, d.options())
	pdf, err := os.ReadFile("../corpus/testdata/notice.pdf")
	if err != nil {
		t.Fatal(err)
	}
	before := hs.exchange(1, bottest.Text(bottest.Private(alice), alice, "铜仁离校未就业高校毕业生的1131服务是什么？"))[0]
	if strings.Contains(before.Text, "1次政策宣讲") {
		t.Fatalf("answered before the notice was added:\n%s", before.Text)
	}

	doc := hs.srv.Upload("2024毕业生就业通知.pdf", "application/pdf", pdf)
	reply := hs.exchange(1, bottest.DocumentMessage(bottest.Private(staffer), staffer, doc, "类型：通知\n地区：贵州省铜仁市"))[0]
	for _, want := range []string{
		"已收到并加入文件库", "编号：2024毕业生就业通知（PDF，", "段）",
		"标题：铜仁市人力资源和社会保障局关于做好2024年高校毕业生就业创业工作的通知",
		"发文机关：铜仁市人力资源和社会保障局", "地区：贵州省铜仁市", "日期：2024-03-15", "类型：通知",
		"文号：铜人社发〔2024〕12号", "已重建索引", "现在可以检索到这份文件",
	} {
		if !strings.Contains(reply.Text, want) {
			t.Errorf("reply lacks %q:\n%s", want, reply.Text)
		}
	}
	if len(hs.srv.Requests("getFile")) != 1 || len(hs.srv.Requests("download")) != 1 {
		t.Errorf("getFile %d, downloads %d; want one each", len(hs.srv.Requests("getFile")), len(hs.srv.Requests("download")))
	}
	if _, err := os.Stat(filepath.Join(d.docs, "2024毕业生就业通知.orig.pdf")); err != nil {
		t.Errorf("the original is not kept in the corpus: %v", err)
	}
	if d.obs.count() != 1 {
		t.Errorf("%d reindexes observed, want 1", d.obs.count())
	}

	after := hs.exchange(1, bottest.Text(bottest.Private(alice), alice, "铜仁离校未就业高校毕业生的1131服务是什么？"))[0]
	first, _, _ := strings.Cut(after.Text, "\n\n2. ")
	if !strings.Contains(first, "1次政策宣讲") || !strings.Contains(first, "高校毕业生就业创业工作的通知") {
		t.Errorf("the new document does not answer:\n%s", after.Text)
	}
	var added bool
	for _, e := range d.audited(t) {
		if e.Action == "add" && e.Who == "telegram:2001" && e.Doc == "2024毕业生就业通知" {
			added = true
		}
	}
	if !added {
		t.Errorf("the addition is not in the audit trail: %+v", d.audited(t))
	}

	// The same text again, as Word: refused, naming the document it duplicates; nothing changes.
	docx := hs.srv.Upload("notice-again.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		makeDOCX(t, strings.Split(string(must(os.ReadFile("../corpus/testdata/notice-source.txt"))), "\n")...))
	m := hs.exchange(1, bottest.DocumentMessage(bottest.Private(staffer), staffer, docx, ""))[0]
	if !strings.Contains(m.Text, "未添加") || !strings.Contains(m.Text, "2024毕业生就业通知") {
		t.Errorf("duplicate:\n%s", m.Text)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestStaffSendsDOCX: a Word document with no caption gets the metadata read from its text; the reply
// says which fields were not found.
func TestStaffSendsDOCX(t *testing.T) {
	d := newDesk(t)
	hs := start(t, d.options())
	docx := makeDOCX(t,
		"关于印发某市零工驿站星火计划的通知",
		"一、建设目标。2026年全市建成星火零工驿站30个，为灵活就业人员提供岗位信息和技能培训。",
		"二、服务内容。星火零工驿站免费提供求职登记、岗位推荐和劳动权益咨询服务。",
	)
	up := hs.srv.Upload("星火计划.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx)
	reply := hs.exchange(1, bottest.DocumentMessage(bottest.Private(staffer), staffer, up, ""))[0]
	for _, want := range []string{"编号：星火计划（DOCX，", "标题：关于印发某市零工驿站星火计划的通知", "（未识别）", "现在可以检索到这份文件"} {
		if !strings.Contains(reply.Text, want) {
			t.Errorf("reply lacks %q:\n%s", want, reply.Text)
		}
	}
	answer := hs.exchange(1, bottest.Text(bottest.Private(bob), bob, "星火零工驿站提供哪些服务？"))[0]
	if !strings.Contains(answer.Text, "星火零工驿站免费提供求职登记") {
		t.Errorf("not answered from the new document:\n%s", answer.Text)
	}
}

// TestDocumentRefusals: a citizen's document is refused politely without being downloaded, and the
// attempt logged and audited by pseudonym; a staff member's file that is too large is refused
// before it is downloaded, and one the corpus cannot read is refused with the reason.
func TestDocumentRefusals(t *testing.T) {
	d := newDesk(t)
	hs := start(t, d.options())
	pdf := must(os.ReadFile("../corpus/testdata/notice.pdf"))

	doc := hs.srv.Upload("notice.pdf", "application/pdf", pdf)
	m := hs.exchange(1, bottest.DocumentMessage(bottest.Private(alice), alice, doc, "标题：随便"))[0]
	if !strings.Contains(m.Text, "只有工作人员") {
		t.Errorf("citizen's document: %q", m.Text)
	}
	if n := len(hs.srv.Requests("getFile")) + len(hs.srv.Requests("download")); n != 0 {
		t.Errorf("a citizen's file was fetched (%d requests)", n)
	}
	// The citizen is named by pseudonym, in the log and the audit trail, never by id.
	if !strings.Contains(d.logs.String(), "telegram-pseudonym:"+pseudonym(1001)) || strings.Contains(d.logs.String(), "1001") {
		t.Errorf("refusal not logged with the pseudonym only:\n%s", d.logs.String())
	}
	entries := d.audited(t)
	if len(entries) != 1 || entries[0].Action != "denied" || entries[0].Who != "telegram-pseudonym:"+pseudonym(1001) {
		t.Errorf("audit trail %+v", entries)
	}

	big := hs.srv.Upload("huge.pdf", "application/pdf", bytes.Repeat([]byte("%PDF-1.4 "), (corpus.MaxFileSize/9)+1))
	m = hs.exchange(1, bottest.DocumentMessage(bottest.Private(staffer), staffer, big, ""))[0]
	if !strings.Contains(m.Text, "文件太大") || len(hs.srv.Requests("getFile")) != 0 {
		t.Errorf("a file over 20 MB: %q, getFile %d", m.Text, len(hs.srv.Requests("getFile")))
	}

	png := hs.srv.Upload("photo.png", "image/png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10"))
	m = hs.exchange(1, bottest.DocumentMessage(bottest.Private(staffer), staffer, png, ""))[0]
	if !strings.Contains(m.Text, "不支持的文件格式") {
		t.Errorf("an image: %q", m.Text)
	}
	scan := hs.srv.Upload("scan.pdf", "application/pdf", []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"))
	m = hs.exchange(1, bottest.DocumentMessage(bottest.Private(staffer), staffer, scan, ""))[0]
	if !strings.Contains(m.Text, "未添加") {
		t.Errorf("a broken PDF: %q", m.Text)
	}
	list, _ := d.staff.ListDocuments(context.Background(), handlers.CLIActor("test"))
	if len(list) != 5 {
		t.Errorf("refused files changed the corpus: %d documents", len(list))
	}

	// A document in a group is not for the bot.
	before := len(hs.srv.Requests("sendMessage"))
	hs.srv.Push(bottest.DocumentMessage(team, staffer, doc, ""))
	hs.exchange(1, bottest.Text(bottest.Private(bob), bob, "/help"))
	if got := len(hs.srv.Requests("sendMessage")) - before; got != 1 {
		t.Errorf("%d messages after a document in a group and /help, want 1", got)
	}
}

// TestDownload: a download that fails with a 5xx is tried again; one that fails for good is reported
// to the staff member and adds nothing; a file Telegram no longer has likewise. The bot token (in the
// download URL) appears in no log line (the harness checks the bot's).
func TestDownload(t *testing.T) {
	d := newDesk(t)
	hs := start(t, d.options())
	pdf := must(os.ReadFile("../corpus/testdata/notice.pdf"))

	hs.srv.Fail("download", bottest.ServerError(502))
	doc := hs.srv.Upload("notice.pdf", "application/pdf", pdf)
	m := hs.exchange(1, bottest.DocumentMessage(bottest.Private(staffer), staffer, doc, ""))[0]
	if !strings.Contains(m.Text, "已收到并加入文件库") || len(hs.srv.Requests("download")) != 2 {
		t.Errorf("after a 502: %d downloads; %q", len(hs.srv.Requests("download")), m.Text)
	}

	hs.srv.Fail("download", bottest.Fault{Status: 404, Body: `{"ok":false,"error_code":404,"description":"Not Found"}`})
	doc = hs.srv.Upload("other.txt", "text/plain", []byte("关于星火零工驿站的通知\n星火零工驿站提供求职登记服务。\n"))
	m = hs.exchange(1, bottest.DocumentMessage(bottest.Private(staffer), staffer, doc, ""))[0]
	if !strings.Contains(m.Text, "没能下载文件") {
		t.Errorf("after a 404: %q", m.Text)
	}
	doc.FileID = "BQACAgIAAxkBAAI-gone"
	m = hs.exchange(1, bottest.DocumentMessage(bottest.Private(staffer), staffer, doc, ""))[0]
	if !strings.Contains(m.Text, "没能下载文件") {
		t.Errorf("unknown file: %q", m.Text)
	}
	if _, err := os.Stat(filepath.Join(d.docs, "other.txt")); err == nil {
		t.Error("a file that was not downloaded is in the corpus")
	}
	if strings.Contains(d.logs.String(), testToken) || strings.Contains(hs.logs.String(), "AAH-test_TOKEN") {
		t.Errorf("the token is in a log:\n%s\n%s", d.logs.String(), hs.logs.String())
	}
	if !strings.Contains(hs.logs.String(), "download file") {
		t.Errorf("the failed download is not logged:\n%s", hs.logs.String())
	}
}

// TestStaffCommands: /docs lists the documents, /remove takes one out of the answers at once and
// /restore brings it back, /reindex reports in a message of its own; citizens are refused each, and
// the attempts are audited by pseudonym.
func TestStaffCommands(t *testing.T) {
	d := newDesk(t)
	hs := start(t, d.options())
	list := hs.exchange(1, bottest.Text(bottest.Private(staffer), staffer, "/docs"))[0]
	for _, doc := range d.live.Documents() {
		if !strings.Contains(list.Text, doc.ID) || !strings.Contains(list.Text, "《"+doc.Title+"》") {
			t.Errorf("/docs does not list %s:\n%s", doc.ID, list.Text)
		}
	}
	if !strings.Contains(list.Text, "文件库：5份文件") || !strings.Contains(list.Text, "已索引") {
		t.Errorf("/docs:\n%s", list.Text)
	}

	const q = "湖南全省建成了多少家零工市场？"
	const gone = "hunan-2025-stable-employment"
	m := hs.exchange(1, bottest.Text(bottest.Private(staffer), staffer, "/remove "+gone))[0]
	if !strings.Contains(m.Text, "已将 "+gone) || !strings.Contains(m.Text, "回收站") || !strings.Contains(m.Text, "回答中不再引用") {
		t.Errorf("/remove:\n%s", m.Text)
	}
	if ans := hs.exchange(1, bottest.Text(bottest.Private(alice), alice, q))[0]; strings.Contains(ans.Text, "486家") {
		t.Errorf("a removed document still answers:\n%s", ans.Text)
	}
	list = hs.exchange(1, bottest.Text(bottest.Private(staffer), staffer, "/docs"))[0]
	if !strings.Contains(list.Text, "文件库：4份文件") || !strings.Contains(list.Text, "回收站") || !strings.Contains(list.Text, gone) {
		t.Errorf("/docs after remove:\n%s", list.Text)
	}
	m = hs.exchange(1, bottest.Text(bottest.Private(staffer), staffer, "/restore "+gone))[0]
	if !strings.Contains(m.Text, "已恢复") {
		t.Errorf("/restore:\n%s", m.Text)
	}
	if ans := hs.exchange(1, bottest.Text(bottest.Private(alice), alice, q))[0]; !strings.Contains(ans.Text, "486家") {
		t.Errorf("a restored document does not answer:\n%s", ans.Text)
	}
	m = hs.exchange(1, bottest.Text(bottest.Private(staffer), staffer, "/remove no-such-doc"))[0]
	if !strings.Contains(m.Text, "没有找到这个文件编号") {
		t.Errorf("/remove of an unknown id: %q", m.Text)
	}

	// /reindex: a notice that it began, then the report. An admin is staff too.
	msgs := hs.exchange(2, bottest.Text(bottest.Private(admin), admin, "/reindex full"))
	if !strings.Contains(msgs[0].Text, "开始重建索引") {
		t.Errorf("reindex notice: %q", msgs[0].Text)
	}
	for _, want := range []string{"重建索引报告", "全部重建", "未变5份文件", "回归问题：问了1个"} {
		if !strings.Contains(msgs[1].Text, want) {
			t.Errorf("report lacks %q:\n%s", want, msgs[1].Text)
		}
	}

	for _, cmd := range []string{"/docs", "/remove " + gone, "/restore " + gone, "/reindex"} {
		m := hs.exchange(1, bottest.Text(bottest.Private(bob), bob, cmd))[0]
		if !strings.Contains(m.Text, "只有工作人员") {
			t.Errorf("%s by a citizen: %q", cmd, m.Text)
		}
	}
	denied := 0
	for _, e := range d.audited(t) {
		if e.Action == "denied" && e.Who == "telegram-pseudonym:"+pseudonym(1002) {
			denied++
		}
	}
	if denied != 4 {
		t.Errorf("%d refusals audited, want 4: %+v", denied, d.audited(t))
	}
	if _, err := os.Stat(filepath.Join(d.docs, gone+".txt")); err != nil {
		t.Errorf("a citizen's /remove changed the corpus: %v", err)
	}
	help := hs.exchange(1, bottest.Text(bottest.Private(staffer), staffer, "/help"))[0]
	if !strings.Contains(help.Text, "工作人员：直接发送文件") || strings.Contains(help.Text, "管理员：") {
		t.Errorf("staff help:\n%s", help.Text)
	}
	if help := hs.exchange(1, bottest.Text(bottest.Private(bob), bob, "/help"))[0]; strings.Contains(help.Text, "工作人员：") {
		t.Errorf("a citizen's help shows the staff's:\n%s", help.Text)
	}
}

// TestLongReport: a reindex report longer than a message is split over several, each within
// Telegram's limits (the fake server checks them).
func TestLongReport(t *testing.T) {
	d := newDesk(t)
	var qs []handlers.Question
	for i := range 150 {
		qs = append(qs, handlers.Question{ID: fmt.Sprintf("q%03d", i), Text: "湖南全省建成了多少家零工市场？"})
	}
	d.staff.Questions = qs
	hs := start(t, d.options())
	// Removing the Hunan document moves the top answer of every question; restoring it (here, as at
	// the command line) and reindexing moves them back, and the report lists all 150.
	hs.exchange(1, bottest.Text(bottest.Private(staffer), staffer, "/remove hunan-2025-stable-employment"))
	if _, err := d.staff.RestoreDocument(context.Background(), handlers.CLIActor("test"), "hunan-2025-stable-employment"); err != nil {
		t.Fatal(err)
	}
	before := len(hs.srv.Sent())
	hs.srv.Push(bottest.Text(bottest.Private(staffer), staffer, "/reindex"))
	if !hs.srv.Wait(60*time.Second, func() bool {
		s := hs.srv.Sent()
		return len(s) > before && strings.Contains(s[len(s)-1].Text, "q149")
	}) {
		t.Fatalf("no long report: %v", texts(hs.srv.Sent()[before:]))
	}
	sent := hs.srv.Sent()[before:]
	if len(sent) < 4 || !strings.Contains(sent[0].Text, "开始重建索引") || !strings.Contains(sent[1].Text, "重建索引报告") {
		t.Fatalf("%d messages: %v", len(sent), texts(sent))
	}
	var report strings.Builder
	for _, m := range sent[1:] {
		report.WriteString(m.Text + "\n")
	}
	for i := range 150 {
		if id := fmt.Sprintf("q%03d 湖南", i); !strings.Contains(report.String(), id) {
			t.Errorf("the report lacks %q", id)
		}
	}
}

func texts(sent []bottest.Sent) []string {
	var out []string
	for _, m := range sent {
		out = append(out, m.Text)
	}
	return out
}
