package handlers

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"policybot/corpus"
	"policybot/index"
	"policybot/internal/audit"
)

// Reloader swaps a newly published index in at once; *index.Live is one. Without it the index being
// served notices the new one at its next check.
type Reloader interface {
	Reload() (bool, error)
}

// ReindexObserver is told how long each reindex that published an index took; internal/admin's
// Metrics is one.
type ReindexObserver interface {
	Reindexed(d time.Duration)
}

// StaffChat is the staff's work as a chat offers it: send a document to add it (or replace one),
// /docs, /remove ID, /restore ID and /reindex, each answered with a message in Chinese. A failure is
// explained in a few words (see Explain); its detail goes to the log. Every method checks the role
// before doing any work, and a refused attempt is logged and audited with the user id. Adding and
// removing a document reindex at once, so the change is searchable (or gone) when the reply comes;
// one reindex runs at a time. It is safe for concurrent use.
type StaffChat struct {
	staff    *Staff
	live     Reloader
	observer ReindexObserver
	busy     chan struct{} // holds a token while a reindex runs
}

// NewStaffChat returns the chat's staff operations over s. live (may be nil) is swapped to a new
// index as soon as a reindex publishes it; observer (may be nil) is told how long each took.
func NewStaffChat(s *Staff, live Reloader, observer ReindexObserver) *StaffChat {
	return &StaffChat{staff: s, live: live, observer: observer, busy: make(chan struct{}, 1)}
}

// Allowed reports whether who may act as staff.
func (c *StaffChat) Allowed(who Actor) bool { return c.staff.Allowed(who) }

// Refuse answers someone who is not staff asking for action (a command name, or "add" for a
// document): a polite refusal. The attempt is logged and audited with the user id.
func (c *StaffChat) Refuse(who Actor, action string) Answer {
	c.staff.check(who, action) // logs and audits the attempt
	return Answer{Kind: KindText, Text: msgNotStaff}
}

// msgNotStaff is the refusal of a staff action.
const msgNotStaff = "抱歉，只有工作人员可以管理政策文件。如需添加或更新文件，请联系管理员。"

// Upload is a document file a person sent in a chat.
type Upload struct {
	Name    string // the file name as sent; "" when the chat gave none
	Size    int64  // its size as the chat reported it; 0 when unknown
	Caption string // the text sent with it: metadata, see ParseCaption
	// Fetch downloads the file, at most max bytes; a larger file is an error wrapping
	// corpus.ErrTooLarge.
	Fetch func(ctx context.Context, max int64) ([]byte, error)
}

// Receive adds a document a staff member sent: it checks the role, then the size (before anything is
// downloaded), downloads it, reads the metadata the caption gives (see ParseCaption; "替换：ID"
// replaces a document), adds it to the corpus and reindexes. The answer shows the metadata found
// and the passages, or says in a few words why the file was refused; nothing is changed then.
func (c *StaffChat) Receive(ctx context.Context, who Actor, up Upload) Answer {
	if !c.Allowed(who) {
		return c.Refuse(who, "add")
	}
	name := strings.TrimSpace(up.Name)
	if name == "" {
		name = "document"
	}
	if up.Size > corpus.MaxFileSize {
		c.staff.audit(audit.Entry{Who: who.String(), Action: "refused", Detail: map[string]string{"file": name, "reason": corpus.ErrTooLarge.Error()}})
		return c.failed("文件《"+name+"》未添加："+Explain(corpus.ErrTooLarge), nil)
	}
	data, err := up.Fetch(ctx, corpus.MaxFileSize)
	if err != nil {
		c.staff.log().Warn("cannot download a document sent in a chat", "who", who.String(), "file", name, "err", err)
		if errors.Is(err, corpus.ErrTooLarge) {
			return c.failed("文件《"+name+"》未添加："+Explain(corpus.ErrTooLarge), nil)
		}
		return c.failed("没能下载文件《"+name+"》，请稍后再发一次。", nil)
	}
	meta, replace := ParseCaption(up.Caption)
	added, err := c.staff.AddDocument(ctx, who, []File{{Name: name, Data: data}}, AddOptions{Meta: meta, Replace: replace})
	if err != nil {
		c.staff.log().Info("a document sent in a chat was not added", "who", who.String(), "file", name, "err", err)
		return c.failed(explainAdd(name, err), nil)
	}
	var b strings.Builder
	for _, a := range added {
		describeAdded(&b, a)
	}
	b.WriteString("\n")
	b.WriteString(c.publish(ctx, who, "现在可以检索到这份文件。"))
	return Answer{Kind: KindText, Title: "已收到并加入文件库", Text: b.String()}
}

// explainAdd says why the file name was not added.
func explainAdd(name string, err error) string {
	var refused *corpus.RefusedError
	if errors.As(err, &refused) && len(refused.Files) == 1 {
		return "文件《" + name + "》未添加：" + Explain(refused.Files[0].Err)
	}
	return "文件《" + name + "》未添加：" + Explain(err)
}

// describeAdded writes what an added document is: its id, format, passages and metadata.
func describeAdded(b *strings.Builder, a *corpus.Added) {
	if a.Replaced != "" {
		fmt.Fprintf(b, "已替换文件 %s（旧版已移到回收站）\n", a.Replaced)
	}
	fmt.Fprintf(b, "编号：%s（%s，%d段）\n", a.Doc.ID, formatName(a.Format), a.Passages)
	missing := false
	for _, f := range metaFields(a.Doc.Meta) {
		v := f.value
		if v == "" {
			if f.optional {
				continue
			}
			v, missing = "（未识别）", true
		}
		b.WriteString(f.label + "：" + v + "\n")
	}
	for _, r := range a.Resembles {
		fmt.Fprintf(b, "注意：与文件 %s《%s》相似度 %.0f%%，两份都保留。\n", r.ID, r.Title, 100*r.Similarity)
	}
	if missing {
		b.WriteString("（未识别的项可以在说明文字里写明后重新发送，如“日期：2024-03-15”；或用命令行 policybot docs edit 修改。）\n")
	}
}

// metaField is one line of metadata as shown to staff.
type metaField struct {
	label, value string
	optional     bool // left out when empty
}

func metaFields(m corpus.Meta) []metaField {
	return []metaField{
		{"标题", m.Title, false}, {"发文机关", m.Issuer, false}, {"地区", m.Region, false},
		{"日期", m.Date, false}, {"类型", m.Kind, false}, {"文号", m.Number, true}, {"链接", m.URL, true},
	}
}

func formatName(f string) string {
	switch f {
	case "pdf", "docx", "html":
		return strings.ToUpper(f)
	case "md":
		return "Markdown"
	}
	return "文本"
}

// Documents lists the corpus folder's documents, with whether the index serves each as it is, then
// the trash.
func (c *StaffChat) Documents(ctx context.Context, who Actor) Answer {
	if !c.Allowed(who) {
		return c.Refuse(who, "list")
	}
	docs, err := c.staff.ListDocuments(ctx, who)
	if err != nil && docs == nil {
		return c.failed(Explain(err), err)
	}
	var live, trash []string
	for _, d := range docs {
		if !d.Removed.IsZero() {
			line := fmt.Sprintf("%s《%s》 %s移除", d.ID, d.Meta.Title, d.Removed.Local().Format("2006-01-02"))
			if d.Status == StatusRemoved {
				line += "（下次重建索引前仍可检索到）"
			}
			trash = append(trash, "• "+line)
			continue
		}
		parts := []string{d.ID, statusName(d.Status)}
		if label := corpus.StatusLabel(d.Meta.Status); label != "" {
			parts = append(parts, label)
		}
		for _, s := range []string{d.Meta.Date, d.Meta.Region} {
			if s != "" {
				parts = append(parts, s)
			}
		}
		live = append(live, "• 《"+d.Meta.Title+"》\n  "+strings.Join(parts, " · "))
	}
	var b strings.Builder
	if len(live) == 0 {
		b.WriteString("文件库里还没有文件。直接把文件（PDF、Word、网页或文本）发给我即可添加。")
	} else {
		b.WriteString(strings.Join(live, "\n"))
	}
	if len(trash) > 0 {
		b.WriteString("\n\n回收站（/restore 编号 可恢复）：\n" + strings.Join(trash, "\n"))
	}
	b.WriteString("\n\n发送文件即可添加；/remove 编号 移除；/reindex 重建索引。")
	return Answer{Kind: KindText, Title: fmt.Sprintf("文件库：%d份文件", len(live)), Text: b.String()}
}

func statusName(s string) string {
	switch s {
	case StatusIndexed:
		return "已索引"
	case StatusChanged:
		return "已修改，待重建索引"
	case StatusNew:
		return "未索引"
	}
	return s
}

// Remove moves document id to the trash and reindexes, so answers no longer quote it.
func (c *StaffChat) Remove(ctx context.Context, who Actor, id string) Answer {
	if !c.Allowed(who) {
		return c.Refuse(who, "remove")
	}
	id = strings.TrimSpace(id)
	if id == "" {
		return Answer{Kind: KindText, Text: "请写明要移除的文件编号，如：/remove 编号（/docs 列出全部文件及编号）。"}
	}
	e, err := c.staff.RemoveDocument(ctx, who, id)
	if err != nil {
		return c.failed("未移除 "+id+"："+Explain(err), err)
	}
	text := fmt.Sprintf("已将 %s《%s》移到回收站（/restore %s 可恢复）。\n\n%s", id, e.Meta.Title, id, c.publish(ctx, who, "回答中不再引用这份文件。"))
	return Answer{Kind: KindText, Title: "已移除", Text: text}
}

// Restore brings document id back from the trash and reindexes.
func (c *StaffChat) Restore(ctx context.Context, who Actor, id string) Answer {
	if !c.Allowed(who) {
		return c.Refuse(who, "restore")
	}
	id = strings.TrimSpace(id)
	if id == "" {
		return Answer{Kind: KindText, Text: "请写明要恢复的文件编号，如：/restore 编号（/docs 列出回收站里的文件）。"}
	}
	e, err := c.staff.RestoreDocument(ctx, who, id)
	if err != nil {
		return c.failed("未恢复 "+id+"："+Explain(err), err)
	}
	text := fmt.Sprintf("已恢复 %s《%s》。\n\n%s", id, e.Meta.Title, c.publish(ctx, who, "现在又可以检索到这份文件。"))
	return Answer{Kind: KindText, Title: "已恢复", Text: text}
}

// publish reindexes after a change to the corpus (waiting for a reindex already running here) and
// says whether it is done: done is the sentence that ends the news that it is.
func (c *StaffChat) publish(ctx context.Context, who Actor, done string) string {
	select {
	case c.busy <- struct{}{}:
	case <-ctx.Done():
		return "重建索引没能开始（" + Explain(ctx.Err()) + "）。请稍后发送 /reindex。"
	}
	rep, err := c.reindex(ctx, who, ReindexOptions{})
	<-c.busy
	if err != nil {
		return "文件库已更新，但重建索引没有完成：" + Explain(err) + "完成前回答仍来自原来的索引；请稍后发送 /reindex。"
	}
	return fmt.Sprintf("已重建索引（用时%s；共%d份文件、%d段），%s", took(rep.Seconds), documents(rep), rep.Passages, done)
}

// documents is how many documents the index holds after rep.
func documents(rep *ReindexReport) int {
	return len(rep.Added) + len(rep.Changed) + rep.Unchanged
}

// reindex runs a reindex, swaps the new index in and reports its duration. The caller holds busy.
func (c *StaffChat) reindex(ctx context.Context, who Actor, opt ReindexOptions) (*ReindexReport, error) {
	rep, err := c.staff.Reindex(ctx, who, opt)
	if err != nil {
		c.staff.log().Warn("reindex failed", "who", who.String(), "err", err)
		return nil, err
	}
	if rep.Manifest != nil {
		if c.observer != nil {
			c.observer.Reindexed(time.Duration(rep.Seconds * float64(time.Second)))
		}
		if c.live != nil {
			if _, err := c.live.Reload(); err != nil {
				c.staff.log().Warn("cannot swap in the new index yet; the watcher will try again", "err", err)
			}
		}
	}
	c.staff.log().Info("reindexed", "who", who.String(), "full", rep.Full, "added", len(rep.Added),
		"changed", len(rep.Changed), "removed", len(rep.Removed), "passages", rep.Passages)
	return rep, nil
}

// Reindex brings the index up to date with the corpus folder ("/reindex full" rebuilds every
// document) and answers with the report: documents added, changed and removed, passages, and the
// regression questions whose top answer changed. A second reindex asked for while one runs is told
// so at once. started, when not nil, is called with a short notice once the reindex is sure to run,
// before the work, so a chat can say it has begun.
func (c *StaffChat) Reindex(ctx context.Context, who Actor, arg string, started func(Answer)) Answer {
	if !c.Allowed(who) {
		return c.Refuse(who, "reindex")
	}
	opt := ReindexOptions{}
	switch strings.ToLower(strings.TrimSpace(arg)) {
	case "":
	case "full", "全部", "完全", "--full":
		opt.Full = true
	default:
		return Answer{Kind: KindText, Text: "用法：/reindex 只处理有变化的文件；/reindex full 全部重建。"}
	}
	select {
	case c.busy <- struct{}{}:
	default:
		return Answer{Kind: KindText, Text: "已有一次重建索引正在进行，完成后会发送报告，请稍候。"}
	}
	defer func() { <-c.busy }()
	if started != nil {
		started(Answer{Kind: KindText, Text: "开始重建索引，完成后把报告发给您。期间回答仍来自原来的索引。"})
	}
	rep, err := c.reindex(ctx, who, opt)
	if err != nil {
		return c.failed("重建索引没有完成："+Explain(err)+"回答仍来自原来的索引。", nil)
	}
	return Answer{Kind: KindText, Title: "重建索引报告", Text: reindexText(rep)}
}

// took says a duration in seconds, in Chinese.
func took(s float64) string {
	if s < 1 {
		return fmt.Sprintf("%.2f秒", s)
	}
	return fmt.Sprintf("%.1f秒", s)
}

// reindexText is a reindex report for a person, in Chinese.
func reindexText(rep *ReindexReport) string {
	var b strings.Builder
	for _, u := range rep.Unreadable {
		b.WriteString("无法读取、未纳入索引：" + u + "\n")
	}
	if rep.Manifest == nil {
		fmt.Fprintf(&b, "没有变化：索引已是最新（%d份文件，%d段）。", rep.Unchanged, rep.Passages)
		return b.String()
	}
	mode := "增量"
	if rep.Full {
		mode = "全部重建：" + whyName(rep.Why)
	}
	fmt.Fprintf(&b, "完成（%s），用时%s：新增%d、修改%d、移除%d、未变%d份文件。\n", mode, took(rep.Seconds),
		len(rep.Added), len(rep.Changed), len(rep.Removed), rep.Unchanged)
	fmt.Fprintf(&b, "索引共%d段，本次处理%d段（%.1f KB文字）；已发布为 %s，现在的回答来自新索引。", rep.Passages, rep.Cut,
		float64(rep.Bytes)/(1<<10), rep.Manifest.Name)
	for _, l := range []struct {
		what string
		ids  []string
	}{{"新增", rep.Added}, {"修改", rep.Changed}, {"移除", rep.Removed}} {
		if len(l.ids) > 0 {
			b.WriteString("\n" + l.what + "：" + strings.Join(l.ids, "、"))
		}
	}
	if rep.Questions == 0 {
		return b.String()
	}
	fmt.Fprintf(&b, "\n\n回归问题：问了%d个，%d个的首选答案或判断有变化。", rep.Questions, len(rep.Changes))
	if len(rep.Verdicts) > 0 {
		b.WriteString("\n判断：" + verdictSummary(rep.Verdicts))
	}
	var unexpected []string
	for _, q := range rep.Verdicts {
		if q.Unexpected() {
			unexpected = append(unexpected, fmt.Sprintf("%s 应为%s，现为%s", q.ID, VerdictName(q.Expect), VerdictName(q.Verdict)))
		}
	}
	if len(unexpected) > 0 {
		b.WriteString("\n⚠️ 与预期不同：" + strings.Join(unexpected, "；") + "。")
	}
	for _, ch := range rep.Changes {
		after := topAnswer(ch.After, ch.Judged)
		if ch.Unexpected() {
			after += " ⚠️ 应为" + VerdictName(ch.Expect)
		}
		fmt.Fprintf(&b, "\n\n%s %s\n之前：%s\n之后：%s", ch.ID, ch.Question, topAnswer(ch.Before, ch.Judged), after)
	}
	return b.String()
}

// verdictSummary counts the questions of each verdict, naming those not answered:
// "已回答26个；有关但未直接回答2个（d07、d19）；未能回答3个（d29、d30、d31）".
func verdictSummary(qs []QuestionVerdict) string {
	var parts []string
	for _, v := range []index.Verdict{index.VerdictAnswer, index.VerdictRelated, index.VerdictNone} {
		var ids []string
		for _, q := range qs {
			if q.Verdict == v {
				ids = append(ids, q.ID)
			}
		}
		part := fmt.Sprintf("%s%d个", VerdictName(v), len(ids))
		if v != index.VerdictAnswer && len(ids) > 0 {
			part += "（" + strings.Join(ids, "、") + "）"
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, "；")
}

func whyName(why string) string {
	switch why {
	case "--full":
		return "按要求"
	case "there is no index yet":
		return "还没有索引"
	}
	return why
}

// topAnswer describes a regression question's top answer in one line.
func topAnswer(a TopAnswer, judged bool) string {
	if a.Passage == "" {
		if a.Verdict == "" {
			return "（没有答案）"
		}
		return "（没有找到段落）〔" + VerdictName(a.Verdict) + "〕"
	}
	text := strings.Join(strings.Fields(a.Text), " ")
	if utf8.RuneCountInString(text) > 40 {
		text = CutRunes(text, 40) + "…"
	}
	s := a.Passage + "《" + a.Title + "》" + text
	notes := []string{VerdictName(a.Verdict)}
	if judged {
		if a.Right {
			notes = append(notes, "答对")
		} else {
			notes = append(notes, "未答对")
		}
	}
	if len(notes) > 0 {
		s += "〔" + strings.Join(notes, "，") + "〕"
	}
	return s
}

// Help says what staff can do in the chat.
func (c *StaffChat) Help() string {
	return "工作人员：直接发送文件（PDF、Word .docx、网页 .html、文本 .txt/.md，不超过" + strconv.Itoa(corpus.MaxFileSize>>20) +
		"MB）即可添加，加入后自动重建索引；说明文字里可写元数据，如“标题：… 发文机关：… 地区：… 日期：2024-03-15 类型：通知 文号：…”，" +
		"写“替换：编号”则替换该文件的旧版。/docs 列出文件；/remove 编号 移到回收站；/restore 编号 恢复；/reindex 重建索引（/reindex full 全部重建）。"
}

// failed is an answer saying text; err, when set, goes to the log.
func (c *StaffChat) failed(text string, err error) Answer {
	if err != nil {
		c.staff.log().Warn("staff action failed", "err", err)
	}
	return Answer{Kind: KindText, Text: text}
}

// UploadName is the file name to give a document a chat sent without one, from its MIME type.
func UploadName(name, mime, fallback string) string {
	if name = strings.TrimSpace(filepath.Base(name)); name != "" && name != "." && name != "/" {
		return name
	}
	ext := map[string]string{
		"application/pdf": ".pdf", "text/plain": ".txt", "text/markdown": ".md", "text/html": ".html",
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
	}[strings.ToLower(strings.TrimSpace(strings.Split(mime, ";")[0]))]
	return fallback + ext
}
