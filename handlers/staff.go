package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"policybot/corpus"
	"policybot/index"
	"policybot/internal/audit"
	"policybot/internal/lockfile"
)

// ErrNotStaff reports a staff action asked for by someone who is not on the staff list.
var ErrNotStaff = errors.New("handlers: not staff")

// Actor is who asks for a staff action, as the audit trail names them.
type Actor struct {
	Via string // "cli" or "telegram"
	// Name is the OS user name for the command line; for Telegram, the user id in decimal.
	Name       string
	TelegramID int64
}

// CLIActor is a person at the command line, named by their OS user name. Whoever can run the command
// can change the files anyway, so the command line is always allowed.
func CLIActor(user string) Actor {
	if user == "" {
		user = "unknown"
	}
	return Actor{Via: "cli", Name: user}
}

// TelegramActor is a Telegram user, by id.
func TelegramActor(id int64) Actor {
	return Actor{Via: "telegram", Name: strconv.FormatInt(id, 10), TelegramID: id}
}

// String names the actor for the audit trail: "cli:alice" or "telegram:123456789".
func (a Actor) String() string { return a.Via + ":" + a.Name }

// Auditor records changes; *audit.Log is one.
type Auditor interface {
	Append(e audit.Entry) error
}

// DocumentIndex is what staff operations need of the index being served (*index.Index and
// *index.Live are ones): which documents it holds, as indexed.
type DocumentIndex interface {
	Document(id string) *corpus.Document
}

// Question is a saved regression question: after a reindex, staff see which of them changed their
// top answer or verdict. Answers, when set, says whether a passage's text answers it (the eval set's
// gold); Expect, when set, is the verdict it should get, and a report flags a question that does not.
type Question struct {
	ID, Text string
	Answers  func(text string) bool
	Expect   index.Verdict
}

// Corpus is where staff operations keep the documents: a corpus folder (*corpus.Folder), or the
// corpus in PostgreSQL that replicas share (*pgcorpus.Store). Each change is made whole or not at
// all (see corpus.Folder). It is larger than this package's other interfaces because it is the
// folder's whole set of operations, which both stores offer alike.
type Corpus interface {
	Add(ctx context.Context, reqs []corpus.AddRequest) ([]*corpus.Added, error)
	Edit(ctx context.Context, id string, set corpus.Meta) (before, after corpus.Meta, err error)
	Remove(ctx context.Context, id string) (*corpus.Entry, error)
	Restore(ctx context.Context, id string) (*corpus.Entry, error)
	Purge(ctx context.Context) ([]corpus.Entry, error)
	Recover(ctx context.Context) ([]string, error)
	Snapshot(ctx context.Context) ([]*corpus.Document, error)
	List() ([]corpus.Entry, error)
	Trash() ([]corpus.Entry, error)
	Get(id string) (*corpus.Document, *corpus.Entry, error)
	// Root is the folder the documents are read from (for a store, its local copy) and the folders
	// under it left out: what the index's fingerprint is taken over.
	Root() (dir string, skip []string)
}

// Staff holds the operations staff use to keep the corpus current: add, replace, edit, remove,
// restore and purge documents, list them, and reindex. Each takes the Actor for the audit trail and
// refuses anyone a Telegram transport passes in who is not on the staff list. It knows no transport:
// the command line and the Telegram bot are thin layers over it.
type Staff struct {
	// Folder is the corpus: a *corpus.Folder, or the store replicas share (the name is the folder's,
	// from before there was another).
	Folder   Corpus
	DataDir  string
	UserDict string // the user dictionary file, "" for none
	Synonyms string // the synonym list file, "" for none
	// Members are the Telegram user ids allowed to act as staff (admins included).
	Members map[int64]bool
	Audit   Auditor
	Log     *slog.Logger
	// Index is the index being served, for saying which documents are indexed; nil opens the
	// published one when asked.
	Index DocumentIndex
	// Questions are the regression questions a reindex reports on.
	Questions []Question
	// LockWait is how long a reindex waits for another to finish before saying one is running.
	LockWait time.Duration
	// Pause is the reindex's test hook (see index.UpdateOptions.Pause).
	Pause func(step string)
	// Pseudonym names a Telegram user who is not staff, refused a staff action, in the process log
	// and the audit trail instead of their id: the query log's pseudonym of the id (a citizen's id is
	// kept nowhere). nil names them all "telegram:not-staff".
	Pseudonym func(telegramID int64) string
}

func (s *Staff) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

// Allowed reports whether who may act as staff: anyone at the command line, and the Telegram users
// listed in Members.
func (s *Staff) Allowed(who Actor) bool {
	switch who.Via {
	case "cli":
		return true
	case "telegram":
		return s.Members[who.TelegramID]
	}
	return false
}

// check refuses a non-staff actor, logging and auditing the attempt with the user id.
func (s *Staff) check(who Actor, action string) error {
	if s.Allowed(who) {
		return nil
	}
	name := s.refused(who)
	s.log().Warn("staff action refused: not staff", "who", name, "action", action)
	s.audit(audit.Entry{Who: name, Action: "denied", Detail: map[string]string{"asked": action}})
	return fmt.Errorf("%s: %w", action, ErrNotStaff)
}

// refused names an actor who is not staff for the log and the audit trail: a Telegram user by the
// pseudonym of their id ("telegram-pseudonym:KEY"), never the id itself.
func (s *Staff) refused(who Actor) string {
	if who.Via != "telegram" {
		return who.String()
	}
	if s.Pseudonym == nil {
		return "telegram:not-staff"
	}
	return "telegram-pseudonym:" + s.Pseudonym(who.TelegramID)
}

func (s *Staff) audit(e audit.Entry) {
	if s.Audit == nil {
		return
	}
	if err := s.Audit.Append(e); err != nil {
		s.log().Error("cannot write the audit trail", "err", err, "action", e.Action, "doc", e.Doc)
	}
}

// File is a document file handed in by a person.
type File struct {
	Name string // its file name, as sent
	Data []byte
}

// AddOptions are what a person says about the files they add: metadata (fields left empty are read
// from each document) and the id of the document a single file replaces.
type AddOptions struct {
	Meta    corpus.Meta
	Replace string
}

// AddDocument checks the files and adds them to the corpus (see corpus.Folder.Add): all of them, or,
// when any is refused, none, with a *corpus.RefusedError saying why for each. Replace is allowed with
// one file only. The documents are searchable after the next Reindex. Every addition and refusal is
// written to the audit trail.
func (s *Staff) AddDocument(ctx context.Context, who Actor, files []File, opt AddOptions) ([]*corpus.Added, error) {
	if err := s.check(who, "add"); err != nil {
		return nil, err
	}
	if opt.Replace != "" && len(files) != 1 {
		return nil, fmt.Errorf("add: --replace takes exactly one file, not %d", len(files))
	}
	reqs := make([]corpus.AddRequest, len(files))
	for i, f := range files {
		reqs[i] = corpus.AddRequest{Name: f.Name, Data: f.Data, Meta: opt.Meta, Replace: opt.Replace}
	}
	added, err := s.Folder.Add(audit.WithWho(ctx, who.String()), reqs)
	var refused *corpus.RefusedError
	if errors.As(err, &refused) {
		for _, f := range refused.Files {
			s.audit(audit.Entry{Who: who.String(), Action: "refused", Detail: map[string]string{"file": f.File, "reason": f.Err.Error()}})
		}
	}
	for _, a := range added {
		action := "add"
		detail := map[string]string{"title": a.Doc.Title, "passages": strconv.Itoa(a.Passages), "file": a.Doc.Source}
		if a.Replaced != "" {
			action = "replace"
		}
		if a.Doc.Original != "" {
			detail["original"] = a.Doc.Original
		}
		for _, f := range files {
			if corpus.IDFor(f.Name) == a.Doc.ID || len(files) == 1 {
				detail["file"] = f.Name
			}
		}
		s.audit(audit.Entry{Who: who.String(), Action: action, Doc: a.Doc.ID, Detail: detail})
		s.log().Info("document added", "who", who.String(), "doc", a.Doc.ID, "replaced", a.Replaced)
	}
	if err != nil {
		return added, fmt.Errorf("add: %w", err)
	}
	return added, nil
}

// EditDocument corrects document id's metadata: each non-empty field of set replaces the field ("-"
// clears it), including whether it is in force (Status, SupersededBy; see corpus.Folder.Edit). It
// returns the metadata before and after.
func (s *Staff) EditDocument(ctx context.Context, who Actor, id string, set corpus.Meta) (before, after corpus.Meta, err error) {
	if err := s.check(who, "edit"); err != nil {
		return before, after, err
	}
	before, after, err = s.Folder.Edit(audit.WithWho(ctx, who.String()), id, set)
	if err != nil {
		return before, after, fmt.Errorf("edit %s: %w", id, err)
	}
	if before != after {
		d := map[string]string{}
		diffMeta(d, before, after)
		s.audit(audit.Entry{Who: who.String(), Action: "edit", Doc: id, Detail: d})
	}
	return before, after, nil
}

func diffMeta(d map[string]string, a, b corpus.Meta) {
	for _, f := range []struct{ name, a, b string }{
		{"title", a.Title, b.Title}, {"issuer", a.Issuer, b.Issuer}, {"region", a.Region, b.Region},
		{"date", a.Date, b.Date}, {"kind", a.Kind, b.Kind}, {"url", a.URL, b.URL}, {"number", a.Number, b.Number},
		{"script", a.Script, b.Script}, {"status", a.Status, b.Status}, {"superseded_by", a.SupersededBy, b.SupersededBy},
	} {
		if f.a != f.b {
			d[f.name] = f.a + " → " + f.b
		}
	}
}

// RemoveDocument moves document id to the corpus folder's trash. It stays searchable until the next
// Reindex, and can be restored until the trash is purged.
func (s *Staff) RemoveDocument(ctx context.Context, who Actor, id string) (*corpus.Entry, error) {
	if err := s.check(who, "remove"); err != nil {
		return nil, err
	}
	e, err := s.Folder.Remove(audit.WithWho(ctx, who.String()), id)
	if err != nil {
		return nil, fmt.Errorf("remove %s: %w", id, err)
	}
	s.audit(audit.Entry{Who: who.String(), Action: "remove", Doc: id, Detail: map[string]string{"title": e.Meta.Title}})
	return e, nil
}

// RestoreDocument brings document id back from the trash.
func (s *Staff) RestoreDocument(ctx context.Context, who Actor, id string) (*corpus.Entry, error) {
	if err := s.check(who, "restore"); err != nil {
		return nil, err
	}
	e, err := s.Folder.Restore(audit.WithWho(ctx, who.String()), id)
	if err != nil {
		return nil, fmt.Errorf("restore %s: %w", id, err)
	}
	s.audit(audit.Entry{Who: who.String(), Action: "restore", Doc: id, Detail: map[string]string{"title": e.Meta.Title}})
	return e, nil
}

// PurgeTrash deletes the documents in the trash for good and returns them.
func (s *Staff) PurgeTrash(ctx context.Context, who Actor) ([]corpus.Entry, error) {
	if err := s.check(who, "purge"); err != nil {
		return nil, err
	}
	gone, err := s.Folder.Purge(audit.WithWho(ctx, who.String()))
	if err != nil {
		return nil, fmt.Errorf("purge: %w", err)
	}
	for _, e := range gone {
		s.audit(audit.Entry{Who: who.String(), Action: "purge", Doc: e.ID, Detail: map[string]string{"title": e.Meta.Title, "removed": e.Removed.Format(time.RFC3339)}})
	}
	return gone, nil
}

// Status of a document with respect to the index being served.
const (
	StatusIndexed = "indexed"     // searchable as it is
	StatusChanged = "changed"     // changed since it was indexed: the next reindex takes the change
	StatusNew     = "not indexed" // added since the last reindex
	StatusRemoved = "removed"     // in the trash, but still searchable until the next reindex
)

// DocumentInfo is a document as staff see it: its files and metadata, and whether the index serves it
// as it is.
type DocumentInfo struct {
	corpus.Entry
	Status string
}

// ListDocuments lists the corpus folder's documents, with their status in the index, followed by the
// documents in the trash (Entry.Removed set). It first finishes or undoes a change a crash
// interrupted.
func (s *Staff) ListDocuments(ctx context.Context, who Actor) ([]DocumentInfo, error) {
	if err := s.check(who, "list"); err != nil {
		return nil, err
	}
	// Finish or undo a change a crash interrupted, so the list shows the folder as it is.
	if did, err := s.Folder.Recover(ctx); err != nil {
		s.log().Warn("cannot recover the corpus folder", "err", err)
	} else if len(did) > 0 {
		s.log().Info("recovered the corpus folder", "did", did)
	}
	ix, done := s.index()
	defer done()
	entries, err := s.Folder.List()
	if err != nil {
		s.log().Warn("documents that cannot be read", "err", err)
	}
	var out []DocumentInfo
	for _, e := range entries {
		out = append(out, DocumentInfo{Entry: e, Status: status(ix, e)})
	}
	trash, err := s.Folder.Trash()
	if err != nil {
		return out, err
	}
	for _, e := range trash {
		st := ""
		if ix != nil && ix.Document(e.ID) != nil && !listed(entries, e.ID) {
			st = StatusRemoved
		}
		out = append(out, DocumentInfo{Entry: e, Status: st})
	}
	return out, nil
}

func listed(entries []corpus.Entry, id string) bool {
	for _, e := range entries {
		if e.ID == id {
			return true
		}
	}
	return false
}

func status(ix DocumentIndex, e corpus.Entry) string {
	if ix == nil {
		return StatusNew
	}
	d := ix.Document(e.ID)
	switch {
	case d == nil:
		return StatusNew
	case d.Meta != e.Meta || e.Hash != "" && d.Hash != e.Hash:
		return StatusChanged
	}
	return StatusIndexed
}

// index returns the index to check documents against and a function to call when done with it.
func (s *Staff) index() (DocumentIndex, func()) {
	if s.Index != nil {
		return s.Index, func() {}
	}
	ix, err := index.Open(s.DataDir)
	if err != nil {
		return nil, func() {}
	}
	return ix, func() { ix.Close() }
}

// Shown is one document as ShowDocument returns it.
type Shown struct {
	DocumentInfo
	Doc      *corpus.Document
	Passages []corpus.Passage
}

// ShowDocument returns document id with its metadata, files, status and passages (as the next
// reindex will cut them).
func (s *Staff) ShowDocument(ctx context.Context, who Actor, id string) (*Shown, error) {
	if err := s.check(who, "show"); err != nil {
		return nil, err
	}
	doc, e, err := s.Folder.Get(id)
	if err != nil {
		return nil, fmt.Errorf("show %s: %w", id, err)
	}
	ix, done := s.index()
	defer done()
	st := status(ix, *e)
	return &Shown{DocumentInfo: DocumentInfo{Entry: *e, Status: st}, Doc: doc, Passages: corpus.Cut(doc)}, nil
}

// ReindexOptions tune a reindex.
type ReindexOptions struct {
	Full bool // rebuild every document, not only the changed ones
	// Progress is called as documents are indexed (documents and passages done, bytes of text).
	Progress func(docs, passages int, bytes int64)
	// Total is called once before indexing begins with the number of documents to index.
	Total func(docs int)
}

// TopAnswer is a regression question's top answer in one index.
type TopAnswer struct {
	Passage string // passage id, "" when nothing was found
	Title   string
	Section string
	Text    string
	Verdict index.Verdict // "" when the question was not asked of that index
	Right   bool          // the passage answers the question (by the question's gold), when that is known
}

// AnswerChange is a regression question whose top answer or verdict a reindex changed.
type AnswerChange struct {
	ID, Question  string
	Before, After TopAnswer
	Judged        bool          // the question has gold answers, so Right says something
	Expect        index.Verdict // the verdict the question expects, "" when it declares none
}

// Unexpected reports whether the question now gets another verdict than the one it expects.
func (c AnswerChange) Unexpected() bool { return c.Expect != "" && c.After.Verdict != c.Expect }

// QuestionVerdict is the verdict a regression question gets from the new index.
type QuestionVerdict struct {
	ID, Question    string
	Verdict, Expect index.Verdict // Expect is "" when the question declares none
}

// Unexpected reports whether the question gets another verdict than the one it expects.
func (q QuestionVerdict) Unexpected() bool { return q.Expect != "" && q.Verdict != q.Expect }

// ReindexReport is what a reindex did and what it changed for the regression questions.
type ReindexReport struct {
	*index.UpdateReport
	Unreadable []string       // corpus files left out, with why
	Questions  int            // regression questions asked of both indexes
	Changes    []AnswerChange // those whose top answer or verdict changed
	// Verdicts are the verdict of each regression question asked of the new index, in the set's
	// order; empty when no new index was published.
	Verdicts []QuestionVerdict
}

// Reindex brings the index up to date with the corpus folder (only changed documents unless
// opt.Full; see index.Update) and publishes it, then asks the regression questions of the old and the
// new index and reports the verdict of each and those whose top answer or verdict changed. Searches go on being answered from the old
// index until the new one is published. It returns an error wrapping index.ErrBusy, naming the
// running reindex, when another holds the lock past LockWait.
func (s *Staff) Reindex(ctx context.Context, who Actor, opt ReindexOptions) (*ReindexReport, error) {
	if err := s.check(who, "reindex"); err != nil {
		return nil, err
	}
	rep := &ReindexReport{}
	docs, err := s.Folder.Snapshot(ctx)
	if err != nil {
		var busy *lockfile.BusyError
		if errors.As(err, &busy) || docs == nil {
			return nil, fmt.Errorf("reindex: %w", err)
		}
		for _, e := range splitErrors(err) {
			rep.Unreadable = append(rep.Unreadable, e.Error())
			s.log().Warn("document left out", "err", e)
		}
	}
	dir, skip := s.Folder.Root()
	if len(docs) == 0 {
		return nil, fmt.Errorf("reindex: no readable documents in %s", dir)
	}
	fp, err := index.CorpusFingerprint(dir, skip, s.UserDict, s.Synonyms)
	if err != nil {
		return nil, fmt.Errorf("reindex: %w", err)
	}
	before := s.answers(ctx, "")
	up, err := index.Update(ctx, s.DataDir, docs, index.UpdateOptions{
		BuildOptions: index.BuildOptions{UserDict: s.UserDict, Synonyms: s.Synonyms, Fingerprint: fp, Progress: opt.Progress},
		Total:        opt.Total,
		Full:         opt.Full, LockWait: s.LockWait, Pause: s.Pause,
	})
	if err != nil {
		return nil, fmt.Errorf("reindex: %w", err)
	}
	rep.UpdateReport = up
	if up.Manifest != nil {
		after := s.answers(ctx, up.Manifest.Name)
		rep.Questions, rep.Changes = compare(s.Questions, before, after)
		rep.Verdicts = verdicts(s.Questions, after)
	} else {
		rep.Questions = len(s.Questions)
	}
	d := map[string]string{
		"full": strconv.FormatBool(up.Full), "added": strings.Join(up.Added, ","), "changed": strings.Join(up.Changed, ","),
		"removed": strings.Join(up.Removed, ","), "passages": strconv.Itoa(up.Passages),
		"answers_changed": strconv.Itoa(len(rep.Changes)),
	}
	if up.Manifest != nil {
		d["index"] = up.Manifest.Name
	}
	s.audit(audit.Entry{Who: who.String(), Action: "reindex", Detail: d})
	return rep, nil
}

// answers asks the regression questions of the published index (or, when name is "", of whichever is
// published now) and returns the top answer of each; nil when there is no index.
func (s *Staff) answers(ctx context.Context, name string) map[string]TopAnswer {
	if len(s.Questions) == 0 {
		return nil
	}
	ix, err := index.Open(s.DataDir)
	if err != nil {
		return nil
	}
	defer ix.Close()
	if name != "" && ix.Manifest.Name != name {
		s.log().Warn("another index was published meanwhile", "want", name, "got", ix.Manifest.Name)
	}
	out := make(map[string]TopAnswer, len(s.Questions))
	for _, q := range s.Questions {
		res, err := ix.Search(ctx, q.Text, index.Options{K: 1})
		if err != nil {
			s.log().Warn("regression question failed", "id", q.ID, "err", err)
			continue
		}
		a := TopAnswer{Verdict: verdictOf(res)}
		if len(res.Hits) > 0 {
			h := res.Hits[0]
			a.Passage, a.Title, a.Section, a.Text = h.Passage.ID(), h.Doc.Title, h.Passage.Section(), h.Passage.Text
			if q.Answers != nil {
				a.Right = q.Answers(h.Passage.Text)
			}
		}
		out[q.ID] = a
	}
	return out
}

// compare lists the questions whose top answer differs: another passage text or document, or
// another verdict. Before a first index every answer is new.
func compare(qs []Question, before, after map[string]TopAnswer) (int, []AnswerChange) {
	var out []AnswerChange
	n := 0
	for _, q := range qs {
		a, ok := after[q.ID]
		if !ok {
			continue
		}
		n++
		b := before[q.ID]
		if docOf(a.Passage) == docOf(b.Passage) && a.Text == b.Text && a.Verdict == b.Verdict {
			continue
		}
		out = append(out, AnswerChange{ID: q.ID, Question: q.Text, Before: b, After: a, Judged: q.Answers != nil, Expect: q.Expect})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return n, out
}

// verdicts lists the verdict each question got from the index whose answers are after.
func verdicts(qs []Question, after map[string]TopAnswer) []QuestionVerdict {
	var out []QuestionVerdict
	for _, q := range qs {
		if a, ok := after[q.ID]; ok {
			out = append(out, QuestionVerdict{ID: q.ID, Question: q.Text, Verdict: a.Verdict, Expect: q.Expect})
		}
	}
	return out
}

func docOf(passage string) string {
	if i := strings.LastIndexByte(passage, '#'); i >= 0 {
		return passage[:i]
	}
	return passage
}

func splitErrors(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// captionKeys maps the words a caption may use for each metadata field.
var captionKeys = map[string]string{
	"标题": "title", "題目": "title", "标题名称": "title", "名称": "title", "title": "title", "標題": "title",
	"发文机关": "issuer", "發文機關": "issuer", "发布机构": "issuer", "机关": "issuer", "来源": "issuer", "issuer": "issuer", "來源": "issuer",
	"地区": "region", "地區": "region", "region": "region",
	"日期": "date", "发布日期": "date", "發布日期": "date", "成文日期": "date", "date": "date",
	"类型": "kind", "類型": "kind", "文种": "kind", "kind": "kind",
	"文号": "number", "文號": "number", "发文字号": "number", "number": "number",
	"链接": "url", "網址": "url", "网址": "url", "url": "url",
	"替换": "replace", "替換": "replace", "replace": "replace",
}

var captionField = regexp.MustCompile(`(?m)(?:^|[\s;；,，])#?([\p{Han}A-Za-z]{2,8})\s*[:：=]\s*`)

// ParseCaption reads metadata from the caption sent with a document: "标题：… 发文机关：… 地区：… 日期：…
// 类型：… 文号：… 替换：ID" (or title=…, issuer=…, region=…, date=…, kind=…, number=…, url=…,
// replace=…), fields separated by new lines, semicolons or spaces. Unknown keys are ignored; a
// caption without any is no metadata.
func ParseCaption(caption string) (corpus.Meta, string) {
	var m corpus.Meta
	replace := ""
	locs := captionField.FindAllStringSubmatchIndex(caption, -1)
	for i, loc := range locs {
		key := captionKeys[strings.ToLower(caption[loc[2]:loc[3]])]
		end := len(caption)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		v := strings.Trim(strings.TrimSpace(caption[loc[1]:end]), ";；,，")
		v = strings.TrimSpace(v)
		if utf8.RuneCountInString(v) > 200 {
			v = string([]rune(v)[:200])
		}
		switch key {
		case "title":
			m.Title = strings.Trim(v, "《》")
		case "issuer":
			m.Issuer = v
		case "region":
			m.Region = v
		case "date":
			m.Date = NormalizeDate(v)
		case "kind":
			m.Kind = v
		case "number":
			m.Number = v
		case "url":
			m.URL = v
		case "replace":
			replace = v
		}
	}
	return m, replace
}

var dateForms = regexp.MustCompile(`^(\d{4})(?:\s*[-./年]\s*(\d{1,2})(?:\s*[-./月]\s*(\d{1,2})\s*日?)?\s*月?)?$`)

// NormalizeDate writes a date a person typed (2024-03-05, 2024.3.5, 2024年3月5日, 2024年3月, 2024) as
// YYYY[-MM[-DD]]; anything else is returned trimmed, as typed.
func NormalizeDate(s string) string {
	s = strings.TrimSpace(s)
	m := dateForms.FindStringSubmatch(s)
	if m == nil {
		return s
	}
	out := m[1]
	if mo, _ := strconv.Atoi(m[2]); mo >= 1 && mo <= 12 {
		out += fmt.Sprintf("-%02d", mo)
		if d, _ := strconv.Atoi(m[3]); d >= 1 && d <= 31 {
			out += fmt.Sprintf("-%02d", d)
		}
	}
	return out
}

// Explain says in Chinese, for a person in a chat, why a staff action failed; the detail is for the
// log. It never shows a Go error.
func Explain(err error) string {
	var dup *corpus.DuplicateError
	var busy *lockfile.BusyError
	var refused *corpus.RefusedError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &refused) && len(refused.Files) > 0:
		parts := make([]string, len(refused.Files))
		for i, f := range refused.Files {
			parts[i] = fmt.Sprintf("《%s》：%s", f.File, Explain(f.Err))
		}
		return "未添加任何文件。" + strings.Join(parts, "；")
	case errors.Is(err, ErrNotStaff):
		return "抱歉，只有工作人员可以管理文件。"
	case errors.As(err, &dup) && dup.Exact:
		return fmt.Sprintf("与已有文件 %s《%s》内容相同，未重复添加。", dup.ID, dup.Title)
	case errors.As(err, &dup):
		return fmt.Sprintf("与已有文件 %s《%s》相似度 %.0f%%，可能是其修订版。如要替换，请注明“替换：%s”。", dup.ID, dup.Title, 100*dup.Similarity, dup.ID)
	case errors.Is(err, corpus.ErrEmpty):
		return "文件是空的。"
	case errors.Is(err, corpus.ErrTooLarge):
		return fmt.Sprintf("文件太大（上限 %d MB）。", corpus.MaxFileSize>>20)
	case errors.Is(err, corpus.ErrNoTextLayer):
		return "这个 PDF 没有文字层（可能是扫描件），暂不支持文字识别（OCR）。请提供可复制文字的 PDF、Word 或文本文件。"
	case errors.Is(err, corpus.ErrFormat):
		return "不支持的文件格式。请发送 .txt、.md、.html、.docx 或有文字层的 .pdf 文件。"
	case errors.Is(err, corpus.ErrNotText):
		return "文件内容无法识别为文字（可能是二进制文件或乱码）。"
	case errors.Is(err, corpus.ErrDamaged):
		return "文件已损坏或无法读取（也可能设有密码）。"
	case errors.Is(err, corpus.ErrNotFound):
		return "没有找到这个文件编号。"
	case errors.Is(err, corpus.ErrExists):
		return "已有同一编号的文件。"
	case errors.As(err, &busy):
		return "已有一次重建索引正在进行，请稍后再试。"
	case errors.Is(err, context.DeadlineExceeded):
		return "处理超时，请稍后再试。"
	}
	return "操作未能完成，请稍后再试。"
}
