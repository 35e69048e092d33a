package handlers

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"policybot/corpus"
	"policybot/index"
	"policybot/internal/script"
)

// maxListed is how many documents /start lists by name.
const maxListed = 15

// Start greets a person: what the bot knows (the documents in force, by title and region) and three
// example questions drawn from them.
func (h *Handlers) Start(ctx context.Context, who Who) Answer {
	var b strings.Builder
	b.WriteString("我可以回答就业、创业和社会保障政策方面的问题。回答都摘自下面这些政策文件的原文，并注明出处：\n")
	docs := h.listed(h.search.Documents())
	for i, d := range docs {
		if i == maxListed {
			fmt.Fprintf(&b, "……等共%d份文件\n", len(docs))
			break
		}
		b.WriteString("• 《" + d.Title + "》")
		if d.Region != "" {
			b.WriteString("（" + d.Region + "）")
		}
		b.WriteString("\n")
	}
	if len(docs) == 0 {
		b.WriteString("（目前还没有文件）\n")
	}
	if ex := h.examples(ctx); len(ex) > 0 {
		b.WriteString("\n可以这样问：\n")
		for _, e := range ex {
			b.WriteString("• " + e.Question + "\n")
		}
	}
	b.WriteString("\n直接发送问题即可（简体、繁体都可以）；发送 /help 查看用法。")
	return h.display(langReader(who.Lang), Answer{Kind: KindText, Title: "您好！我是就业创业政策咨询助手", Text: b.String()})
}

// langReader is how a person whose client reports language tag lang reads: traditional script for
// zh-Hant, zh-TW, zh-HK and zh-MO (Hong Kong's standard for the last two), else simplified.
func langReader(lang string) reader {
	l := strings.ToLower(strings.ReplaceAll(lang, "_", "-"))
	switch {
	case strings.HasPrefix(l, "zh-hk"), strings.HasPrefix(l, "zh-mo"), strings.HasPrefix(l, "zh-hant-hk"), strings.HasPrefix(l, "zh-hant-mo"):
		return reader{script: script.Traditional, std: script.HongKong}
	case strings.HasPrefix(l, "zh-hant"), strings.HasPrefix(l, "zh-tw"):
		return reader{script: script.Traditional, std: script.Taiwan}
	}
	return reader{script: script.Simplified}
}

// listed returns the documents /start lists: those in force, and not the redacted copy of another.
func (h *Handlers) listed(docs []*corpus.Document) []*corpus.Document {
	red := h.redactedCopies(docs)
	var out []*corpus.Document
	for _, d := range inForce(docs) {
		if !red[d.ID] {
			out = append(out, d)
		}
	}
	return out
}

// minMasks is how many masked runs (***) make a document a redacted copy, when the corpus holds the
// near-duplicate it was made from.
const minMasks = 3

// redactedCopies returns the ids of the documents of docs that are redacted copies of another: with
// figures or names masked (corpus.Masks), and a near-duplicate in docs with fewer masks. The answer is
// kept until the documents change (a reindex swaps the slice).
func (h *Handlers) redactedCopies(docs []*corpus.Document) map[string]bool {
	if len(docs) == 0 {
		return nil
	}
	h.mu.Lock()
	if h.listed0 == docs[0] && h.nListed == len(docs) {
		defer h.mu.Unlock()
		return h.redacted
	}
	h.mu.Unlock()
	masks := map[string]int{}
	any := false
	ids := make([]string, len(docs))
	sigs := make([]corpus.Signature, len(docs))
	// Document by document, so that one document's text at a time is read.
	for i, d := range docs {
		text := h.docText(d)
		ids[i], sigs[i] = d.ID, corpus.Sign(text)
		if m := corpus.Masks(text); m > 0 {
			masks[d.ID] = m
			any = any || m >= minMasks
		}
	}
	red := map[string]bool{}
	if any {
		for _, dup := range corpus.Duplicates(ids, sigs) {
			a, b := masks[dup.A], masks[dup.B]
			switch {
			case a >= minMasks && a > b:
				red[dup.A] = true
			case b >= minMasks && b > a:
				red[dup.B] = true
			}
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.listed0, h.nListed, h.redacted = docs[0], len(docs), red
	return red
}

// Help says how to ask, how to narrow to a region and what the buttons do.
func (h *Handlers) Help(ctx context.Context, who Who) Answer {
	var b strings.Builder
	b.WriteString("怎么问：直接发送您的问题，一次问一件事，简体、繁体都可以")
	if ex := h.examples(ctx); len(ex) > 0 {
		b.WriteString("，比如“" + ex[0].Question + "”")
	}
	b.WriteString("。在群里，请 @我、回复我的消息，或发送“/ask 问题”。\n")
	b.WriteString("限定地区：发送“/region 地区名”优先查找该地的文件，发送“/region 清除”取消")
	if rs := h.shortRegions(); len(rs) > 0 {
		b.WriteString("。现有地区：" + strings.Join(rs, "、"))
	}
	b.WriteString("。\n")
	fmt.Fprintf(&b, "按钮：“%s”看接下来的%d条；“原文 N”看第N条所在的整节原文；%s %s 告诉我们回答有没有用。\n", labelMore, h.cfg.PageSize, labelUp, labelDown)
	b.WriteString("每条回答都摘自政策文件原文，注明文件、章节、发文单位和日期；没有直接回答的，会先说明，再给出可能有关的段落；文件里没有的，我会直接说明。")
	b.WriteString("也可以拨打人力资源和社会保障服务热线 " + hotline + " 咨询。\n")
	b.WriteString("其他：/start 介绍，/privacy 我们记录什么。")
	return Answer{Kind: KindText, Title: "使用说明", Text: b.String()}
}

// Privacy says what is recorded of a question and for how long.
func (h *Handlers) Privacy(ctx context.Context, who Who) Answer {
	var b strings.Builder
	if h.cfg.Log == nil {
		b.WriteString("• 本服务目前不保存提问记录：您的问题只用于当场查找答案。\n")
	} else {
		b.WriteString("• 我们记录：问题的文字、问题的类型和地区、显示了哪些结果、用时，以及您的评价（👍/👎），用来了解大家问什么、哪些问题还答不好。\n")
		b.WriteString("• 不保存您的 Telegram 账号或群号：只保存由账号算出的化名编号，无法还原成您的账号。问题里的电话号码、身份证号、其他长号码和电子邮箱会被遮盖。\n")
		fmt.Fprintf(&b, "• 记录保存%d天后自动删除。\n", int(h.cfg.Retention.Hours()/24))
	}
	b.WriteString("• 程序的运行日志不含您的问题。\n")
	b.WriteString("• 为防止刷屏，最近一分钟的提问次数只在内存中计数；用 /region 选的地区也只保存在内存中，程序重启后清除。")
	return Answer{Kind: KindText, Title: "隐私说明", Text: b.String()}
}

// NonText answers a message that is not text (a sticker, photo, voice message): a hint to type.
func (h *Handlers) NonText(ctx context.Context, who Who) Answer {
	a := h.text("请用文字输入您的问题")
	if ex := h.examples(ctx); len(ex) > 0 {
		a.Text += "，例如：" + ex[0].Question
	} else {
		a.Text += "。"
	}
	return a
}

// clearWords clear the region chosen with /region.
var clearWords = map[string]bool{"清除": true, "清空": true, "取消": true, "全部": true, "不限": true, "clear": true, "none": true}

// Region narrows a person's later questions to a region of the corpus (/region 铜仁), clears the
// choice (/region 清除), or, without an argument, says the current choice and the regions there are.
func (h *Handlers) Region(ctx context.Context, who Who, arg string) Answer {
	arg = h.conv.ToSimplified(cleanQuestion(arg))
	regions := h.shortRegions()
	have := "现有地区：" + strings.Join(regions, "、") + "。"
	if len(regions) == 0 {
		have = "现有文件没有标明地区。"
	}
	switch {
	case arg == "":
		cur := h.regionOf(who.UserID)
		if cur == "" {
			return h.text("目前没有限定地区。发送“/region 地区名”优先查找该地的文件。" + have)
		}
		return h.text("目前优先查找“" + cur + "”的文件；发送“/region 清除”取消。" + have)
	case clearWords[strings.ToLower(arg)]:
		h.setRegion(who.UserID, "")
		return h.text("已取消地区限定，以后在全部文件中查找。")
	}
	if !h.knownRegion(arg) {
		return h.text("现有文件中没有“" + arg + "”的政策文件。" + have)
	}
	h.setRegion(who.UserID, arg)
	return h.text("好的，以后优先查找“" + arg + "”的文件（问题里写了别的地区时，按问题里的地区）。发送“/region 清除”取消。")
}

func (h *Handlers) regionOf(user int64) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.regions[user]
}

func (h *Handlers) setRegion(user int64, region string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if region == "" {
		delete(h.regions, user)
		return
	}
	h.regions[user] = region
}

// Administrative levels of a region as documents write it (贵州省铜仁市, 湖南省).
var (
	provinceLevel = regexp.MustCompile(`^\p{Han}{2,}?(?:省|自治区|特别行政区)`)
	innerLevel    = regexp.MustCompile(`^\p{Han}{2,}?(?:市|自治州|地区|盟)`)
)

// regionSuffixes are the administrative suffixes a short name leaves out.
var regionSuffixes = []string{"特别行政区", "自治区", "自治州", "地区", "省", "市", "州", "盟", "县", "区", "旗"}

// shortName is a region as people say it: its innermost level without the suffix (贵州省铜仁市 →
// 铜仁, 湖南省 → 湖南).
func shortName(region string) string {
	region = strings.TrimSpace(region)
	rest := region
	for _, re := range []*regexp.Regexp{provinceLevel, innerLevel} {
		if m := re.FindString(rest); m != "" && m != rest {
			rest = rest[len(m):]
		}
	}
	for _, s := range regionSuffixes {
		if base := strings.TrimSuffix(rest, s); base != rest && utf8.RuneCountInString(base) >= 2 {
			return base
		}
	}
	return rest
}

// shortRegions are the regions of the corpus's documents, by short name, in document order.
func (h *Handlers) shortRegions() []string {
	var out []string
	seen := map[string]bool{}
	for _, d := range h.search.Documents() {
		if d.Region == "" {
			continue
		}
		n := h.conv.ToSimplified(shortName(d.Region))
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// knownRegion reports whether name (simplified) names a region of some document, with or without its
// administrative suffix.
func (h *Handlers) knownRegion(name string) bool {
	base := name
	for _, s := range regionSuffixes {
		if b := strings.TrimSuffix(name, s); b != name && utf8.RuneCountInString(b) >= 2 {
			base = b
			break
		}
	}
	for _, d := range h.search.Documents() {
		if d.Region != "" && strings.Contains(h.conv.ToSimplified(d.Region), base) {
			return true
		}
	}
	return false
}

// Example is a question the corpus answers, shown to newcomers.
type Example struct {
	Intent   Intent
	Question string
}

// examplesCache holds the examples of one corpus.
type examplesCache struct {
	key  string
	list []Example
}

// Words that name benefits and service places, for drawing example questions from the corpus. They
// are vocabulary, not answers: an example is shown only when the corpus answers it.
var (
	benefitWords = []string{"创业担保贷款", "失业保险金", "失业补助金", "一次性创业补贴", "创业补贴", "就业补贴",
		"社会保险补贴", "职业培训补贴", "培训补贴", "稳岗返还", "岗位补贴", "求职创业补贴", "生活补贴", "技能提升补贴",
		"吸纳就业补贴", "以工代训补贴", "养老保险待遇", "失业保险待遇"}
	placeWords = []string{"零工市场", "就业服务站", "服务窗口", "服务圈", "人力资源市场", "公共就业服务中心", "就业驿站",
		"服务大厅", "劳动者维权岗", "就业服务平台", "创业孵化基地"}
	// targetLine finds a planned figure; targetClause takes the thing measured from a clause of it.
	targetLine   = regexp.MustCompile(`目标|力争|到20\d\d年|“?十[一二三四五]五”?期间|预期`)
	targetClause = regexp.MustCompile(`^(?:“?十[一二三四五]五”?期间)?(?:其中|全市|全省|累计|力争|确保|努力|实现|完成|新增)*(\p{Han}{3,10}?)(?:达到|达|超过|保持在|控制在|不低于|为)?[0-9]+(?:\.[0-9]+)?(?:万人次|万人|万户|万元|亿元|人次|人|%|个|家|户)`)
	clauseSep    = regexp.MustCompile(`[，,；;。：:！!？?\n]`)
)

// inForce returns the documents in force: a repealed or superseded one is no example of what the bot
// knows.
func inForce(docs []*corpus.Document) []*corpus.Document {
	var out []*corpus.Document
	for _, d := range docs {
		if d.InForce() {
			out = append(out, d)
		}
	}
	return out
}

// maxTries bounds the candidate questions tried for each kind of example.
const maxTries = 12

// examples returns up to three questions the corpus answers confidently, one for each of a benefit,
// a target and a service place, drawn from the documents' text and checked by searching. They are
// worked out once for each set of documents, from those in force.
func (h *Handlers) examples(ctx context.Context) []Example {
	docs := h.listed(h.search.Documents())
	var key strings.Builder
	for _, d := range docs {
		key.WriteString(d.ID + "\x00" + d.Hash + "\x00")
	}
	h.exMu.Lock()
	defer h.exMu.Unlock()
	if h.ex.list != nil && h.ex.key == key.String() {
		return h.ex.list
	}
	used := map[string]bool{} // regions used by an example so far: prefer variety
	list := []Example{}
	for _, kind := range []struct {
		intent Intent
		cands  []candidate
	}{
		{Entitlement, wordCandidates(docs, h.docText, benefitWords, h.conv.ToSimplified, "%s的%s有什么政策？", "%s%s怎么申请？")},
		{Target, targetCandidates(docs, h.docText, h.conv.ToSimplified)},
		{Location, wordCandidates(docs, h.docText, placeWords, h.conv.ToSimplified, "%s的%s在哪里？", "%s有哪些%s？")},
	} {
		if e, ok := h.pick(ctx, kind.intent, kind.cands, used); ok {
			list = append(list, e)
		}
	}
	h.ex = examplesCache{key: key.String(), list: list}
	return list
}

// docText returns a document's text. The index lists its documents without their text, which stays on
// disk until a document is asked for by its id.
func (h *Handlers) docText(d *corpus.Document) string {
	if d.Text != "" {
		return d.Text
	}
	if full := h.search.Document(d.ID); full != nil {
		return full.Text
	}
	return ""
}

// candidate is a possible example question: its text, the region it is about, and the words the
// best passage must hold for the corpus to answer it.
type candidate struct {
	question, region, word string
}

// pick returns the first candidate the corpus answers confidently with a passage holding its word,
// preferring a region not used yet.
func (h *Handlers) pick(ctx context.Context, intent Intent, cands []candidate, used map[string]bool) (Example, bool) {
	var fallback *candidate
	tries := 0
	for i := range cands {
		c := &cands[i]
		if tries == maxTries || (used[c.region] && fallback != nil) {
			continue
		}
		tries++
		res, err := h.search.Search(ctx, c.question, index.Options{K: 1})
		if err != nil || !res.Confident || len(res.Hits) == 0 ||
			!strings.Contains(h.conv.ToSimplified(res.Hits[0].Passage.Text), c.word) ||
			DetectIntent(c.question) != intent {
			continue
		}
		if !used[c.region] {
			used[c.region] = true
			return Example{Intent: intent, Question: c.question}, true
		}
		if fallback == nil {
			fallback = c
		}
	}
	if fallback != nil {
		return Example{Intent: intent, Question: fallback.question}, true
	}
	return Example{}, false
}

// wordCandidates are questions about the words of list the documents use, most used first, each
// about the region of the document that uses it most, in each of the templates (region, word).
func wordCandidates(docs []*corpus.Document, text func(*corpus.Document) string, list []string, simp func(string) string, templates ...string) []candidate {
	type use struct {
		word, region string
		n            int
	}
	best := make([]use, len(list))
	for i, w := range list {
		best[i].word = w
	}
	// Document by document, so that one document's text at a time is read.
	for _, d := range docs {
		if d.Region == "" {
			continue
		}
		t := simp(text(d))
		for i, w := range list {
			if n := strings.Count(t, w); n > best[i].n {
				best[i].n, best[i].region = n, simp(shortName(d.Region))
			}
		}
	}
	var uses []use
	for _, b := range best {
		if b.n > 0 {
			uses = append(uses, b)
		}
	}
	sort.SliceStable(uses, func(i, j int) bool { return uses[i].n > uses[j].n })
	var out []candidate
	for _, u := range uses {
		for _, t := range templates {
			out = append(out, candidate{question: fmt.Sprintf(t, u.region, u.word), region: u.region, word: u.word})
		}
	}
	return out
}

// targetCandidates are questions about the planned figures the documents state ("实现城镇新增就业20万人"
// → "铜仁城镇新增就业的目标是多少？"), in document order.
func targetCandidates(docs []*corpus.Document, text func(*corpus.Document) string, simp func(string) string) []candidate {
	var out []candidate
	seen := map[string]bool{}
	for _, d := range docs {
		if d.Region == "" {
			continue
		}
		region := simp(shortName(d.Region))
		for _, line := range strings.Split(simp(text(d)), "\n") {
			if !targetLine.MatchString(line) {
				continue
			}
			for _, clause := range clauseSep.Split(line, -1) {
				m := targetClause.FindStringSubmatch(strings.TrimSpace(clause))
				if m == nil || seen[region+m[1]] {
					continue
				}
				seen[region+m[1]] = true
				out = append(out, candidate{question: region + m[1] + "的目标是多少？", region: region, word: m[1]})
			}
		}
	}
	return out
}
