package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"policybot/corpus"
	"policybot/index"
	"policybot/internal/pii"
	"policybot/internal/script"
)

// What the handlers say, in simplified script; answers to a question in traditional script are
// converted.
const (
	msgEmpty        = "请直接输入您想咨询的问题。"
	msgRateLimited  = "您提问有点快了：每%s最多可以问%d个问题。请稍等片刻再问，谢谢！"
	msgFailed       = "抱歉，查询暂时出了问题，请稍后再试。"
	msgExpired      = "这条回答已过期，请重新提问。"
	msgChanged      = "这些结果所在的文件已更新，请重新提问查看最新内容。"
	msgThanks       = "谢谢您的反馈！"
	msgRatedAlready = "您已经评价过这条回答，谢谢！"
	msgRelated      = "没有找到直接回答这个问题的内容，以下段落可能有关："
	noteCut         = "问题较长（超过%d字），只按前%d字作答。"
	noteRegion      = "已优先查找“%s”的文件（发送 /region 清除 可取消）。"
	noteSomeGone    = "有的结果所在文件已更新，未显示；请重新提问查看最新内容。"
	noteLongSect    = "这一节较长，只显示了前%d字；全文请查看原文件。"
	titleQuestion   = "问："
	titleSection    = "原文"
	footerPage      = "第%d–%d条，共%d条"
	labelMore       = "更多结果"
	labelSection    = "原文 %d"
	labelUp         = "👍"
	labelDown       = "👎"
	labelLink       = "查看原文件"
	markOlder       = "较早文件，请以最新政策为准"
	hotline         = "12333"
)

// Lengths of what is shown.
const (
	titleRunes      = 60    // of the question echoed in an answer's title
	maxSectionRunes = 12000 // of a section shown by 原文
	olderAfter      = 3     // years after which a document is marked as older
	relatedPage     = 2     // passages on the first page of a related answer
)

// Ask answers a question by the search's verdict: with the passages that answer it best (a page of
// them, with buttons for the rest); when the documents hold its subject but answer it only
// indirectly, with the best one or two passages under a caveat that says so; or, when they do not
// cover it, by saying so plainly, with no passages. Questions longer than the limit are
// answered for their start, with a note; a person asking too often gets a polite message. The
// question is recorded in the query log (when there is one); a log failure is logged and the answer
// given all the same. Ask never fails: a failure becomes a short message, its detail goes to the log.
func (h *Handlers) Ask(ctx context.Context, who Who, question string) Answer {
	began, clock := h.now(), time.Now() // the time of the question; the clock for its latency
	if !who.Received.IsZero() && who.Received.Before(clock) {
		clock = who.Received
	}
	q := cleanQuestion(question)
	if q == "" {
		a := h.text(msgEmpty)
		if ex := h.examples(ctx); len(ex) > 0 {
			a.Text += "例如：" + ex[0].Question
		}
		return a
	}
	if who.ChatType != ConsoleChat && !h.limit.allow(who.UserID, began) {
		return h.text(fmt.Sprintf(msgRateLimited, period(h.cfg.RatePeriod), h.cfg.RateLimit))
	}
	var notes []string
	cut := utf8.RuneCountInString(q) > h.cfg.MaxQuestion
	if cut {
		q = cutQuestion(q, h.cfg.MaxQuestion)
	}
	sc := h.readerOf(q)
	if cut {
		notes = append(notes, h.say(sc, fmt.Sprintf(noteCut, h.cfg.MaxQuestion, h.cfg.MaxQuestion)))
	}
	chosen := h.regionOf(who.UserID)
	res, err := h.search.Search(ctx, q, index.Options{K: maxResults, Region: chosen})
	if err != nil {
		// Never the question: it belongs in the query log only.
		h.log.Error("search failed", "err", err)
		return h.display(sc, h.text(msgFailed))
	}
	verdict := verdictOf(res)
	entry := LogEntry{
		Time: began, UserID: who.UserID, ChatID: who.ChatID, ChatType: who.ChatType,
		Question: q, Script: string(sc.script), Intent: string(DetectIntent(h.conv.ToSimplified(pii.Strip(q)))),
		Region:    strings.Join(res.Regions, RegionSep),
		Confident: verdict == index.VerdictAnswer, Verdict: verdict,
	}
	if entry.Region == "" {
		entry.Region = chosen
	}
	// As the corpus names it, so that 铜仁 (a /region choice) and 铜仁市 (named in a question) count as one.
	if entry.Region != "" {
		entry.Region = CorpusRegion(entry.Region, h.docRegions())
	}
	if verdict == index.VerdictNone {
		a := h.notCovered(ctx, q, res, notes)
		entry.Latency = time.Since(clock)
		h.record(ctx, entry)
		return h.display(sc, a)
	}
	if chosen != "" && len(res.Regions) == 0 {
		notes = append(notes, h.say(sc, fmt.Sprintf(noteRegion, chosen)))
	}
	s := Session{Question: q, Script: string(sc.script), Standard: string(sc.std), Created: began, Verdict: verdict}
	hits := relevant(res.Hits)
	for _, ht := range hits {
		s.Hits = append(s.Hits, HitRef{PassageID: ht.Passage.ID(), DocHash: ht.Doc.Hash, Highlights: ht.Highlights})
	}
	a := h.page(s, 0)
	a.Notes = append(notes, a.Notes...)
	for _, ht := range a.Hits {
		entry.Results = append(entry.Results, LogResult{DocID: ht.DocID, Section: hits[ht.Rank-1].Passage.Section(),
			Title: ht.Title, Excerpt: logExcerpt(ht.Text)})
	}
	entry.Latency = time.Since(clock)
	s.LogID = h.record(ctx, entry)
	if a.ID, err = h.sessions.Put(ctx, s); err != nil {
		h.log.Error("save the state of an answer's buttons", "err", err)
		a.ID, a.Actions = "", nil
	}
	return a
}

// More answers with the next page of the question of session id, from the result of rank from+1.
func (h *Handlers) More(ctx context.Context, who Who, id string, from int) Answer {
	s, a, ok := h.session(ctx, id)
	if !ok {
		return a
	}
	if from < 0 || from >= len(s.Hits) {
		return h.display(s.reader(), h.text(msgExpired))
	}
	a = h.page(s, from)
	a.ID = id
	return a
}

// Section answers with the whole section of the result of the given rank of session id: the text of
// its innermost section heading, as the document writes it (not converted to the reader's script).
func (h *Handlers) Section(ctx context.Context, who Who, id string, rank int) Answer {
	s, a, ok := h.session(ctx, id)
	if !ok {
		return a
	}
	sc := s.reader()
	if rank < 1 || rank > len(s.Hits) {
		return h.display(sc, h.text(msgExpired))
	}
	ref := s.Hits[rank-1]
	p, d := h.passage(ref)
	if p == nil {
		return h.display(sc, h.text(msgChanged))
	}
	text := sectionText(p, d)
	var notes []string
	if utf8.RuneCountInString(text) > maxSectionRunes {
		text = cutLines(text, maxSectionRunes)
		notes = append(notes, h.say(sc, fmt.Sprintf(noteLongSect, utf8.RuneCountInString(text))))
	}
	hit := Hit{Title: d.Title, Section: p.Section(), Text: text, Citation: citation(d), DocID: d.ID, PassageID: p.ID()}
	if hit.URL = link(d.URL); hit.URL != "" {
		hit.LinkLabel = h.say(sc, labelLink)
	}
	if hit.Validity = h.validity(d); hit.Validity != "" {
		hit.Validity = h.say(sc, hit.Validity)
	} else if h.older(d.Date) {
		notes = append([]string{h.say(sc, "⚠️ "+markOlder)}, notes...)
	}
	return Answer{Kind: KindSection, Title: h.say(sc, titleSection), Notes: notes, Hits: []Hit{hit}}
}

// Feedback records a 👍 (rating +1) or 👎 (-1) for the answer of session id and returns the words to
// acknowledge it with. A log failure is logged; the person is thanked all the same.
func (h *Handlers) Feedback(ctx context.Context, who Who, id string, rating int) string {
	s, err := h.sessions.Get(ctx, id)
	if err != nil {
		if !errors.Is(err, ErrNoSession) {
			h.log.Error("read the state of an answer's buttons", "err", err)
		}
		return msgExpired
	}
	if rating > 0 {
		rating = 1
	} else {
		rating = -1
	}
	if h.cfg.Log != nil && s.LogID != 0 {
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), logTimeout)
		defer cancel()
		if err := h.cfg.Log.Rate(lctx, s.LogID, rating); err != nil {
			h.log.Error("query log: rate", "err", err, "id", s.LogID)
		}
	}
	return h.say(s.reader(), msgThanks)
}

// Rated returns the words to acknowledge a press of a rating already recorded for the answer of
// session id (the button that shows it, ActionRated): nothing more is recorded.
func (h *Handlers) Rated(ctx context.Context, who Who, id string) string {
	s, err := h.sessions.Get(ctx, id)
	if err != nil {
		return msgRatedAlready
	}
	return h.say(s.reader(), msgRatedAlready)
}

// session reads session id, or returns the answer to give when it cannot.
func (h *Handlers) session(ctx context.Context, id string) (Session, Answer, bool) {
	s, err := h.sessions.Get(ctx, id)
	if err == nil {
		return s, Answer{}, true
	}
	if errors.Is(err, ErrNoSession) {
		return s, h.text(msgExpired), false
	}
	h.log.Error("read the state of an answer's buttons", "err", err)
	return s, h.text(msgFailed), false
}

// record writes e to the query log and returns its id, 0 when there is no log or it failed.
func (h *Handlers) record(ctx context.Context, e LogEntry) int64 {
	if h.cfg.Log == nil {
		return 0
	}
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), logTimeout)
	defer cancel()
	id, err := h.cfg.Log.Record(lctx, e)
	if err != nil {
		h.log.Error("query log: record", "err", err)
		return 0
	}
	return id
}

// page is the answer showing the results of s from index from, with the buttons that go on from it.
// The pages of a related answer carry its caveat, and its first page holds at most relatedPage
// passages.
func (h *Handlers) page(s Session, from int) Answer {
	sc := s.reader()
	size := h.cfg.PageSize
	a := Answer{Kind: KindResults, Title: titleQuestion + shorten(s.Question, titleRunes)}
	if s.Verdict == index.VerdictRelated {
		a.Kind, a.Text = KindRelated, msgRelated
		if from == 0 {
			size = min(size, relatedPage)
		}
	}
	end := min(from+size, len(s.Hits))
	gone := false
	w := h.wordsOf(s.Question)
	var older []string // titles of the documents shown that are more than three years old
	for i := from; i < end; i++ {
		hit, more, d := h.hit(s.Hits[i], i+1, w)
		if d == nil {
			gone = true
			continue
		}
		a.Hits = append(a.Hits, hit)
		if more {
			a.Actions = append(a.Actions, Action{Kind: ActionSection, Label: fmt.Sprintf(labelSection, i+1), Arg: i + 1})
		}
		if hit.Validity == "" && h.older(d.Date) && !slices.Contains(older, hit.Title) {
			older = append(older, hit.Title)
		}
	}
	if len(a.Hits) == 0 {
		return h.display(sc, h.text(msgChanged))
	}
	if len(older) > 0 {
		// Said once, at the top, rather than under each passage.
		note := "⚠️ " + markOlder
		if docs := titles(a.Hits); len(older) < len(docs) {
			note = "⚠️ 《" + strings.Join(older, "》《") + "》是" + markOlder
		}
		a.Notes = append(a.Notes, note)
	}
	if gone {
		a.Notes = append(a.Notes, noteSomeGone)
	}
	a.Footer = fmt.Sprintf(footerPage, from+1, end, len(s.Hits))
	if end < len(s.Hits) {
		a.Actions = append(a.Actions, Action{Kind: ActionMore, Label: labelMore, Arg: end})
	}
	a.Actions = append(a.Actions, Action{Kind: ActionUp, Label: labelUp}, Action{Kind: ActionDown, Label: labelDown})
	return h.display(sc, a)
}

// hit is the passage ref names as shown, in the document's script (display converts it), with its
// document d; d is nil when the passage or its document is no longer in the index as it was. Only
// the question's specific words are bold, at most maxRuns of them; a long passage is cut to the
// sentences around them. more reports whether 原文 would show more than the hit: the passage was
// cut, or its section holds more than the passage.
func (h *Handlers) hit(ref HitRef, rank int, w words) (hit Hit, more bool, d *corpus.Document) {
	p, d := h.passage(ref)
	if p == nil {
		return Hit{}, false, nil
	}
	text, spans := p.Text, validSpans(ref.Highlights, p.Text)
	if n := len(p.Path); n > 0 {
		// Shown under its section path, a passage that opens with its section's heading does not
		// print the heading a second time.
		cut := headingPrefix(text, p.Path[n-1].Text)
		text, spans = text[cut:], shiftSpans(spans, cut)
	}
	ex := cutPassage(text, h.specific(text, spans, w), w.figures)
	hit = Hit{
		Rank: rank, Title: d.Title, Section: p.Section(), Text: ex.text,
		Highlights: fewRuns(ex.text, ex.spans), Citation: citation(d), DocID: d.ID, PassageID: p.ID(),
	}
	if hit.URL = link(d.URL); hit.URL != "" {
		hit.LinkLabel = labelLink
	}
	hit.Validity = h.validity(d)
	more = ex.cut || len(strings.TrimSpace(sectionText(p, d))) > len(strings.TrimSpace(p.Text))
	return hit, more, d
}

// words is what of a question chat looks for in a passage shown.
type words struct {
	regions []string // the corpus's regions, by short name: not bold
	figures bool     // the question asks how many
}

func (h *Handlers) wordsOf(question string) words {
	return words{regions: h.shortRegions(), figures: asksFigure(h.conv.ToSimplified(question))}
}

// specific keeps the spans of text that hold a specific word of the question: two characters or
// more, not a generic word (index.Generic), not a region.
func (h *Handlers) specific(text string, spans []index.Span, w words) []index.Span {
	var out []index.Span
	for _, s := range spans {
		word := h.conv.ToSimplified(strings.ToLower(text[s.Start:s.End]))
		if utf8.RuneCountInString(word) < 2 || index.Generic(word) || isRegion(word, w.regions) {
			continue
		}
		out = append(out, s)
	}
	return out
}

// isRegion reports whether word is a region's short name, or names one with its suffix (铜仁市).
func isRegion(word string, regions []string) bool {
	for _, r := range regions {
		if strings.Contains(word, r) && utf8.RuneCountInString(word) <= utf8.RuneCountInString(r)+1 {
			return true
		}
	}
	return false
}

// titles are the distinct documents' titles of hits.
func titles(hits []Hit) []string {
	var out []string
	for _, ht := range hits {
		if !slices.Contains(out, ht.Title) {
			out = append(out, ht.Title)
		}
	}
	return out
}

// validity is the label of a document no longer in force, naming the document that replaced or
// repealed it when the index holds it; "" for a document in force.
func (h *Handlers) validity(d *corpus.Document) string {
	label := corpus.StatusLabel(d.Status)
	if label == "" || d.SupersededBy == "" {
		return label
	}
	by := h.search.Document(d.SupersededBy)
	if by == nil || by.Title == "" {
		return label
	}
	name := "《" + by.Title + "》"
	if by.Date != "" {
		name += "（" + by.Date + "）"
	}
	if d.Status == corpus.StatusSuperseded {
		return label + "，现行版本：" + name
	}
	return label + "（由" + name + "废止）"
}

// passage returns the passage ref names and its document, or nil when either is gone or the document
// changed since the answer was given.
func (h *Handlers) passage(ref HitRef) (*corpus.Passage, *corpus.Document) {
	p := h.search.Passage(ref.PassageID)
	if p == nil {
		return nil, nil
	}
	d := h.search.Document(p.DocID)
	if d == nil || (ref.DocHash != "" && d.Hash != ref.DocHash) {
		return nil, nil
	}
	return p, d
}

// verdictOf is res's verdict as the chat acts on it: none when there are no passages to show, and
// for a result without a verdict (a searcher that sets only Confident), answer when confident and
// none when not.
func verdictOf(res *index.Result) index.Verdict {
	switch {
	case len(res.Hits) == 0:
		return index.VerdictNone
	case res.Verdict == index.VerdictAnswer, res.Verdict == index.VerdictRelated:
		return res.Verdict
	case res.Verdict == "" && res.Confident:
		return index.VerdictAnswer
	}
	return index.VerdictNone
}

// relevant keeps the hits worth showing for an answer or a related answer: the best, and the others
// that hold a fair share of the question's words. Lower hits that hold little of it are not shown.
func relevant(hits []index.Hit) []index.Hit {
	out := hits[:1]
	for _, ht := range hits[1:] {
		if ht.Coverage >= minMoreCoverage {
			out = append(out, ht)
		}
	}
	return out
}

// minMoreCoverage is the share of the question's words a result after the first must hold to be shown.
const minMoreCoverage = index.MinCoverage * 0.6

// notCovered says that the documents do not cover question, and how to go on.
func (h *Handlers) notCovered(ctx context.Context, question string, res *index.Result, notes []string) Answer {
	var b strings.Builder
	b.WriteString("抱歉，现有的政策文件没有涉及这个问题")
	if strings.HasPrefix(res.Reason, "文件不涉及") {
		b.WriteString("（" + res.Reason + "）")
	}
	b.WriteString("，所以不拿不相关的内容来回答您。\n可以这样试试：\n")
	if ex := h.examples(ctx); len(ex) > 0 {
		b.WriteString("• 用政策文件里的说法，说清一件事，比如“" + ex[0].Question + "”；\n")
	} else {
		b.WriteString("• 用政策文件里的说法，说清一件事；\n")
	}
	if rs := h.shortRegions(); len(rs) > 0 {
		b.WriteString("• 写明地区，比如“" + strings.Join(rs[:min(len(rs), 3)], "”“") + "”；\n")
	}
	b.WriteString("• 发送 /start 看看我有哪些文件。\n")
	b.WriteString("也可以拨打人力资源和社会保障服务热线 " + hotline + " 咨询。")
	return Answer{Kind: KindNotCovered, Title: titleQuestion + shorten(question, titleRunes), Notes: notes, Text: b.String()}
}

// text is a plain message.
func (h *Handlers) text(s string) Answer { return Answer{Kind: KindText, Text: s} }

// reader is how a person reads: the script they write in and, for traditional script, the
// standard (Taiwan's or Hong Kong's).
type reader struct {
	script script.Script
	std    script.Standard
}

// readerOf is how the writer of text reads: in its script, and in traditional script, in the
// standard its characters tell (Taiwan's when they tell nothing).
func (h *Handlers) readerOf(text string) reader {
	if sc := h.conv.Detect(text); sc == script.Traditional {
		return reader{script: sc, std: h.conv.StandardOf(text)}
	}
	return reader{script: script.Simplified}
}

// reader is how the person who asked s's question reads.
func (s Session) reader() reader {
	r := reader{script: script.Script(s.Script), std: script.Standard(s.Standard)}
	if r.script == script.Traditional && r.std == "" {
		r.std = script.Taiwan
	}
	return r
}

// say converts the handlers' own words (simplified) to sc.
func (h *Handlers) say(sc reader, s string) string {
	if sc.script == script.Traditional {
		return h.conv.ToStandard(s, sc.std)
	}
	return s
}

// display converts what a is shown with to sc: the handlers' words, and the documents' titles,
// sections, passages and citations (a passage in traditional script is shown in simplified to a
// question in simplified). Highlights move with the text.
func (h *Handlers) display(sc reader, a Answer) Answer {
	conv := h.conv.ToSimplified
	if sc.script == script.Traditional {
		conv = func(s string) string { return h.conv.ToStandard(s, sc.std) }
	}
	a.Title, a.Text, a.Footer = conv(a.Title), conv(a.Text), conv(a.Footer)
	a.Notes = append([]string(nil), a.Notes...)
	for i := range a.Notes {
		a.Notes[i] = conv(a.Notes[i])
	}
	a.Actions = append([]Action(nil), a.Actions...)
	for i := range a.Actions {
		a.Actions[i].Label = conv(a.Actions[i].Label)
	}
	a.Hits = append([]Hit(nil), a.Hits...)
	for i := range a.Hits {
		ht := &a.Hits[i]
		text := conv(ht.Text)
		ht.Highlights = moveSpans(ht.Text, text, ht.Highlights)
		ht.Text = text
		ht.Title, ht.Section, ht.Citation = conv(ht.Title), conv(ht.Section), conv(ht.Citation)
		ht.LinkLabel, ht.Validity = conv(ht.LinkLabel), conv(ht.Validity)
	}
	return a
}

// moveSpans maps byte spans of from to the same characters of to, which has as many runes (the
// script conversion is rune for rune). It returns nil when the texts do not line up.
func moveSpans(from, to string, spans []index.Span) []index.Span {
	if len(spans) == 0 || from == to {
		return spans
	}
	if utf8.RuneCountInString(from) != utf8.RuneCountInString(to) {
		return nil
	}
	at := make(map[int]int, len(spans)*2) // byte offset in from -> in to
	for _, s := range spans {
		at[s.Start], at[s.End] = -1, -1
	}
	j := 0
	for i := range from {
		if _, ok := at[i]; ok {
			at[i] = j
		}
		_, n := utf8.DecodeRuneInString(to[j:])
		j += n
	}
	if _, ok := at[len(from)]; ok {
		at[len(from)] = len(to)
	}
	out := make([]index.Span, 0, len(spans))
	for _, s := range spans {
		if a, b := at[s.Start], at[s.End]; a >= 0 && b > a {
			out = append(out, index.Span{Start: a, End: b})
		}
	}
	return out
}

// validSpans keeps the spans that lie in text, in order, not overlapping, on character boundaries.
func validSpans(spans []index.Span, text string) []index.Span {
	var out []index.Span
	last := 0
	for _, s := range spans {
		if s.Start < last || s.End <= s.Start || s.End > len(text) ||
			!utf8.RuneStart(text[s.Start]) || (s.End < len(text) && !utf8.RuneStart(text[s.End])) {
			continue
		}
		out = append(out, s)
		last = s.End
	}
	return out
}

// headingPrefix returns how many bytes at the start of text repeat heading (white space aside), with
// the full stop, colon or spaces after it; 0 when text does not open with heading or is nothing more.
func headingPrefix(text, heading string) int {
	i := 0
	for _, r := range heading {
		if unicode.IsSpace(r) {
			continue
		}
		for i < len(text) {
			c, n := utf8.DecodeRuneInString(text[i:])
			if !unicode.IsSpace(c) {
				break
			}
			i += n
		}
		c, n := utf8.DecodeRuneInString(text[i:])
		if c != r {
			return 0
		}
		i += n
	}
	for i < len(text) {
		c, n := utf8.DecodeRuneInString(text[i:])
		if !unicode.IsSpace(c) && !strings.ContainsRune("。：:．.、", c) {
			break
		}
		i += n
	}
	if strings.TrimSpace(text[i:]) == "" {
		return 0
	}
	return i
}

// shiftSpans moves spans of a text whose first cut bytes are dropped, dropping the spans in them.
func shiftSpans(spans []index.Span, cut int) []index.Span {
	if cut == 0 {
		return spans
	}
	var out []index.Span
	for _, s := range spans {
		if s.End <= cut {
			continue
		}
		out = append(out, index.Span{Start: max(s.Start, cut) - cut, End: s.End - cut})
	}
	return out
}

// sectionText is the text of the innermost section of p, as the document writes it; at the top of a
// document, the passage's own span.
func sectionText(p *corpus.Passage, d *corpus.Document) string {
	start, end := p.Start, p.End
	if n := len(p.Path); n > 0 {
		start, end = p.Path[n-1].Start, p.Path[n-1].End
	}
	if start < 0 || end > len(d.Text) || start >= end {
		return p.Text
	}
	return strings.TrimSpace(d.Text[start:end])
}

// citation is the issuer, region and date of d.
func citation(d *corpus.Document) string {
	var parts []string
	for _, s := range []string{d.Issuer, d.Region, d.Date} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " · ")
}

// link returns u when it is a web address a person can open, else "".
func link(u string) string {
	pu, err := url.Parse(strings.TrimSpace(u))
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
		return ""
	}
	return pu.String()
}

// older reports whether a document dated date (YYYY, YYYY-MM or YYYY-MM-DD) is more than three years
// old: the end of the period it names is more than three years ago. An undated document is not marked.
func (h *Handlers) older(date string) bool {
	end, ok := periodEnd(date)
	return ok && end.AddDate(olderAfter, 0, 0).Before(h.now())
}

// periodEnd is the last moment of the year, month or day date names.
func periodEnd(date string) (time.Time, bool) {
	parts := strings.Split(strings.TrimSpace(date), "-")
	nums := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return time.Time{}, false
		}
		nums[i] = n
	}
	switch {
	case len(nums) == 1 && nums[0] > 1900:
		return time.Date(nums[0]+1, 1, 1, 0, 0, 0, 0, time.UTC), true
	case len(nums) == 2 && nums[1] >= 1 && nums[1] <= 12:
		return time.Date(nums[0], time.Month(nums[1])+1, 1, 0, 0, 0, 0, time.UTC), true
	case len(nums) == 3 && nums[1] >= 1 && nums[1] <= 12 && nums[2] >= 1 && nums[2] <= 31:
		return time.Date(nums[0], time.Month(nums[1]), nums[2]+1, 0, 0, 0, 0, time.UTC), true
	}
	return time.Time{}, false
}

// cleanQuestion trims a question and turns runs of white space and control characters into one space.
func cleanQuestion(q string) string {
	var b strings.Builder
	space := false
	for _, r := range q {
		if r == utf8.RuneError || unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// CutRunes returns the first n characters of s (all of s when it is shorter).
func CutRunes(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// cutQuestion returns the first n characters of q. A number the cut would split (a phone number
// typed at the end of a long message) is left out whole, so that no part of it escapes the query
// log's masking (pii.Mask), which sees only what is answered.
func cutQuestion(q string, n int) string {
	head := CutRunes(q, n)
	if next, _ := utf8.DecodeRuneInString(q[len(head):]); pii.InNumber(next) {
		head = strings.TrimRightFunc(head, pii.InNumber)
	}
	return strings.TrimSpace(head)
}

// shorten returns s, or its first n characters and "…".
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return CutRunes(s, n) + "…"
}

// cutLines returns the lines of s that fit in n characters (at least the first n characters).
func cutLines(s string, n int) string {
	cut := CutRunes(s, n)
	if i := strings.LastIndexByte(cut, '\n'); i > len(cut)/2 {
		cut = cut[:i]
	}
	return strings.TrimSpace(cut)
}

// period says a rate-limit period in Chinese.
func period(d time.Duration) string {
	switch {
	case d == time.Minute:
		return "分钟"
	case d%time.Minute == 0:
		return strconv.Itoa(int(d/time.Minute)) + "分钟"
	}
	return strconv.Itoa(int(d.Round(time.Second)/time.Second)) + "秒"
}
