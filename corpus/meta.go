package corpus

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Metadata read from a document where no sidecar gives it: its title, issuer, region, date, kind and
// number, each with where it came from (Sources). history.go reads a law's history lines, kind.go
// the kind and the region.

// Sources says where each metadata field of a document came from: one of the Source… values, or ""
// for a field that is empty and that nothing set. A field whose source is set is never inferred, so
// a field a person cleared stays empty.
type Sources struct {
	Title  string `json:"title,omitempty"`
	Issuer string `json:"issuer,omitempty"`
	Region string `json:"region,omitempty"`
	Date   string `json:"date,omitempty"`
	Kind   string `json:"kind,omitempty"`
	Number string `json:"number,omitempty"`
	URL    string `json:"url,omitempty"`
	Script string `json:"script,omitempty"`
	Status string `json:"status,omitempty"`
}

// Where a metadata field came from.
const (
	SourceSidecar  = "sidecar"          // the sidecar NAME.meta.json, as written by hand
	SourceEdit     = "docs edit"        // set with docs edit
	SourceAdd      = "docs add"         // given when the document was added (flags, or a Telegram caption)
	SourcePrevious = "previous version" // kept from the document a revised version replaced

	SourceTitleLine  = "title line"   // the document's title line: 《…》, a "# " heading, its first line
	SourcePageTitle  = "page title"   // an HTML page's <title>, a DOCX file's title property
	SourceFileName   = "file name"    // the file's name: 社会保险法(2018-12-29).md, 2023年政府工作报告.txt
	SourceHistory    = "history line" // a law's history: 2007年6月29日 第十届全国人民代表大会常务委员会…通过
	SourceDateLine   = "date line"    // 发布日期：, 成文日期：
	SourceSourceLine = "来源 line"      // 来源：, 发布机构：
	SourceSignature  = "signature"    // the issuer and date that sign a document at its end
	SourceNumber     = "文号"           // the document number: 国办发 is national
	SourceTitle      = "title"        // the title's wording: 北京市…条例, 最高人民法院关于…的解释, …通知
	SourceIssuer     = "issuer"       // the issuer: 全国人民代表大会常务委员会 is national, 广东省… is in 广东省
	SourceKind       = "kind"         // the kind: a law, an administrative regulation … is national
	SourceText       = "text"         // other lines at the top: a date line, a speech's subtitle and speaker, the script
	// The sources of an inferred status (see InferStatus).
	SourceNewer  = "newer version" // a newer document of the same title
	SourceRepeal = "repeal clause" // a newer document says 《X》同时废止
)

// Given reports whether a source is a person's word (a sidecar, docs add, docs edit) rather than
// something read from the document or the corpus.
func Given(source string) bool {
	return source == SourceSidecar || source == SourceEdit || source == SourceAdd
}

// mark records from as the source of every field of m that has a value and no source yet.
func (s *Sources) mark(m Meta, from string) {
	for _, f := range []struct {
		v   string
		src *string
	}{
		{m.Title, &s.Title}, {m.Issuer, &s.Issuer}, {m.Region, &s.Region}, {m.Date, &s.Date}, {m.Kind, &s.Kind},
		{m.Number, &s.Number}, {m.URL, &s.URL}, {m.Script, &s.Script}, {m.Status, &s.Status},
	} {
		if f.v != "" && *f.src == "" {
			*f.src = from
		}
	}
}

// written is the sources a sidecar records: all but SourceSidecar, which a sidecar's own field needs
// no word for.
func (s Sources) written() Sources {
	for _, src := range []*string{&s.Title, &s.Issuer, &s.Region, &s.Date, &s.Kind, &s.Number, &s.URL, &s.Script, &s.Status} {
		if *src == SourceSidecar {
			*src = ""
		}
	}
	return s
}

// fill sets a field found in the text, with its source, unless the field has a value or a source.
func fill(v, src *string, val, from string) {
	if *v != "" || *src != "" || val == "" {
		return
	}
	*v, *src = val, from
}

var (
	bookTitle   = anchor(`^《([^《》]{4,80})》$`)
	sourceLine  = anchor(`^(?:来源|來源|信息来源|文章来源|发布机构|發布機構)[:：]\s*(\S+)`)
	dateLabeled = needing(`(?:发布|發布|成文|印发|印發)(?:时间|日期|時間)[:：]\s*(\d{4})[-年./](\d{1,2})(?:[-月./](\d{1,2}))?`, ":", "：")
	dateNumeric = anchor(`^[（(]?(\d{4})年(\d{1,2})月(?:(\d{1,2})日)?[）)]?$`)
	dateISO     = anchor(`^((?:19|20)\d{2})[-./](\d{1,2})[-./](\d{1,2})$`)
	// publisher is a line saying who published the document: 最高人民法院发布.
	publisher = anchor(`^(\p{Han}[\p{Han}、 ]{1,30}?)[\s\pZ]*(?:发布|印发|公布|發布|印發)$`)
	dateCN    = anchor(`^[（(]?([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,2})月(?:([一二三四五六七八九十]{1,3})日)?[）)]?$`)
	docNumber = needing(`\p{Han}{1,12}[〔\[［(（]\d{4}[〕\]］)）]\s*\d{1,4}\s*号|第\s*(?:\d{1,4}|[一二三四五六七八九十百零〇]{1,5})\s*号`, "号")
	issuerEnd = regexp.MustCompile(`(?:局|厅|廳|委员会|委員會|委|政府|办公室|辦公室|办公厅|辦公廳|部|中心|院|会|會|党组|黨組|总署|署|中央|银行)$`)
	// subtitle is the line under a speech's or a report's title: ——2023年3月5日在第十四届全国人民代表大会第一次会议上.
	subtitle = anchor(`^[—–－-]{1,2}[\s\pZ]*(\d{4})年(\d{1,2})月(\d{1,2})日[\s\pZ]*在(.{2,60}?)上(?:的(?:讲话|报告|工作报告))?$`)
	// speech is a speech's subtitle: ——汪小卫在全市促进就业创业工作会议上的讲话.
	speech = anchor(`^[—–－-]{1,2}.{2,60}上的(讲话|講話|报告|報告|工作报告|发言|致辞)$`)
	// speaker is the line naming who delivered a government's work report: 国务院总理 李克强.
	speaker = anchor(`^(\p{Han}{0,16}?(?:国务院|人民政府))[\s　]*(?:代理)?(?:代?总理|代?省长|代?市长|代?县长|代?区长|代?州长|代?盟长|主席)[\s　]*\p{Han}{2,4}$`)
	// titleIssuer is the issuing body a title opens with: 人力资源社会保障部 财政部关于…的通知.
	titleIssuer = anchor(`^(\p{Han}[\p{Han}、，, 　]{1,60}?)关于`)
	// nameDate is a date written into a file name: 社会保险法(2018-12-29), 通知_20240315, 2023年政府工作报告.
	nameDateParen = regexp.MustCompile(`[\s\pZ]*[（(][\s\pZ]*((?:19|20)\d{2})(?:[-年./](\d{1,2}))?(?:[-月./](\d{1,2})日?)?[\s\pZ]*年?[）)][\s\pZ]*$`)
	nameDateTail  = regexp.MustCompile(`[\s\pZ_-]+((?:19|20)\d{2})[-./]?(0[1-9]|1[0-2])[-./]?(0[1-9]|[12]\d|3[01])$`)
	nameYearHead  = anchor(`^((?:19|20)\d{2})年度?`)
	// statusMark is a document saying of itself that it is no longer in force: （已废止）after its
	// title, 时效性：已失效, 本办法已于2020年12月31日废止.
	statusMark  = regexp.MustCompile(`[（(【\[][\s\pZ]*(?:已废止|已失效|已廢止|失效|废止|廢止)[\s\pZ]*[）)】\]]$`)
	statusLine  = anchor(`^[【\[]?(?:时效性|時效性|效力状态|效力狀態|时效状态|效力)[】\]]?[\s\pZ]*[:：]?[\s\pZ]*(?:已废止|已失效|已廢止|失效|废止|廢止)$`)
	statusSaid  = anchor(`^(?:本|此|该|該)(?:件|文件|文|规定|規定|办法|辦法|条例|條例|通知|意见|意見|决定|決定|细则|細則|规则|規則|解释|解釋|规章|規章)?已(?:于|於)?[^，。；]{0,20}?(?:废止|廢止|失效)[。.]?$`)
	allDigitsFW = strings.NewReplacer("０", "0", "１", "1", "２", "2", "３", "3", "４", "4", "５", "5", "６", "6", "７", "7", "８", "8", "９", "9")
)

// headLines is how many of a document's first lines its metadata is read from.
const headLines = 20

// fillMeta fills the metadata fields that neither a sidecar nor a person gave, from the document's
// opening lines, its closing signature and its file name (name, without extension), recording in
// d.Sources where each came from:
//
//   - title: a 《title》 line, a Markdown "# title", the page title repeated as a line, the first short
//     line; else the file name without its date part (a file name that is the title with a year in
//     front, 2023年政府工作报告 for 政府工作报告, wins over the title line);
//   - issuer: the body a law's history lines name, the body a title opens with (X关于…), 来源:, the
//     speaker of a work report, the signature;
//   - date: the file name's date, unless the text gives the same date more precisely; else 发布日期:,
//     the latest version in a law's history lines, a date line or a speech's subtitle at the top, the
//     signature;
//   - kind: from the body that made a law (法律, 行政法规, 司法解释, 部门规章, 地方性法规 …), else
//     from the title's wording;
//   - region: 全国 for national kinds and issuers, else the province and city the issuer or the title
//     opens with, or the assembly a report was delivered to;
//   - status: repealed when the document says so of itself at the top (（已废止）, 时效性：失效).
func fillMeta(d *Document, pageTitle, name string) {
	head := lines(d.Text)
	if len(head) > headLines {
		head = head[:headLines]
	}
	m, s := &d.Meta, &d.Sources
	hist := readHistory(head)
	top := topLines(head)

	// Title.
	if m.Title == "" && s.Title == "" {
		t, from := findTitle(head, pageTitle)
		base := titleFromName(name)
		if base == "" {
			base = path.Base(d.ID)
		}
		if y := nameYearHead.FindString(base); t == "" || y != "" && base == y+t {
			t, from = base, SourceFileName
		}
		fill(&m.Title, &s.Title, t, from)
	}
	if statusMark.MatchString(m.Title) && !Given(s.Title) {
		m.Title = trimSpace(statusMark.ReplaceAllString(m.Title, ""))
		fill(&m.Status, &s.Status, StatusRepealed, SourceTitleLine)
	}

	// Document number.
	if m.Number == "" && s.Number == "" {
		for _, l := range head {
			// A law's history names the orders of its past versions (国务院令第306号公布): no number of this one.
			if utf8.RuneCountInString(l.text) > maxHeadingRunes || historyStart.MatchString(normDigits(l.text)) {
				continue
			}
			if n := docNumber.FindString(l.text); n != "" {
				fill(&m.Number, &s.Number, strings.Join(strings.Fields(n), ""), SourceText)
				break
			}
		}
	}

	// Issuer.
	// The signature is read from the end of the text, only when a field it gives is still missing.
	var sigIssuer, sigDate string
	signed := false
	sign := func() {
		if !signed {
			sigIssuer, sigDate = signature(d.Text)
			signed = true
		}
	}
	fill(&m.Issuer, &s.Issuer, hist.issuer(), SourceHistory)
	fill(&m.Issuer, &s.Issuer, issuerOfTitle(m.Title), SourceTitle)
	fill(&m.Issuer, &s.Issuer, coverIssuers(head), SourceText)
	for _, l := range head {
		if sm := sourceLine.FindStringSubmatch(l.text); sm != nil {
			fill(&m.Issuer, &s.Issuer, trimSpace(sm[1]), SourceSourceLine)
			break
		}
	}
	for _, l := range top {
		if sm := speaker.FindStringSubmatch(l.text); sm != nil {
			fill(&m.Issuer, &s.Issuer, sm[1], SourceText)
			break
		}
		if sm := publisher.FindStringSubmatch(l.text); sm != nil && issuerOfTitle(sm[1]+"关于") != "" {
			fill(&m.Issuer, &s.Issuer, issuerOfTitle(sm[1]+"关于"), SourceText)
			break
		}
	}
	if m.Issuer == "" && s.Issuer == "" {
		sign()
		fill(&m.Issuer, &s.Issuer, sigIssuer, SourceSignature)
	}

	// Date.
	if m.Date == "" && s.Date == "" {
		date, from := "", ""
		for _, l := range head {
			if dm := dateLabeled.FindStringSubmatch(l.text); dm != nil {
				date, from = ymd(dm[1], dm[2], dm[3]), SourceDateLine
				break
			}
		}
		if date == "" {
			date, from = hist.date(), SourceHistory
		}
		if date == "" {
			for _, l := range head {
				if date = lineDate(l.text); date != "" {
					from = SourceText
					break
				}
			}
		}
		if date == "" {
			sign()
			date, from = sigDate, SourceSignature
		}
		// The file name's date is a person's word on the version; the text may say the same day
		// more precisely (2023 in the name, 2023-03-05 in the subtitle).
		if fd := dateFromName(name); fd != "" && !strings.HasPrefix(date, fd) {
			date, from = fd, SourceFileName
		}
		fill(&m.Date, &s.Date, date, from)
	}

	// Kind, then region (which national kinds decide).
	if m.Kind == "" && s.Kind == "" {
		k, from := hist.kind(m.Title), SourceHistory
		if k == "" && s.Issuer == SourceTitle {
			k, from = legalKind(bodyOf(m.Issuer), m.Title), SourceTitle
		}
		if k == "" {
			k, from = kindOfTitle(m.Title), SourceTitle
		}
		if k == "" && isCase(d.Text) {
			k, from = "案例", SourceText
		}
		if k == "" {
			for _, l := range top {
				if sm := speech.FindStringSubmatch(l.text); sm != nil {
					k, from = "讲话", SourceText
					if strings.Contains(sm[1], "报告") {
						k = "工作报告"
					}
					break
				}
			}
		}
		fill(&m.Kind, &s.Kind, k, from)
	}
	if m.Region == "" && s.Region == "" {
		region, from := findRegion(d, top)
		fill(&m.Region, &s.Region, region, from)
	}

	// Status, when the document says of itself that it is no longer in force.
	for _, l := range head {
		t := strings.Trim(l.text, " 　")
		if utf8.RuneCountInString(t) <= maxHeadingRunes && (statusLine.MatchString(t) || statusSaid.MatchString(t) || statusMark.MatchString(t) && isTitleLike(t)) {
			fill(&m.Status, &s.Status, StatusRepealed, SourceText)
			break
		}
	}
}

// topLines are the lines before a document's body: its title, subtitle, number, history, speaker.
// They end at the first heading, article, salutation (各位代表：) or paragraph.
func topLines(head []line) []line {
	for i, l := range head {
		t := l.text
		if isFurniture(t) {
			continue
		}
		if i > 0 && (headingOf(t) >= 0 || l.md > 1 || strings.HasSuffix(t, "：") || strings.HasSuffix(t, ":") ||
			isBody(t) && !historyStart.MatchString(normDigits(t)) && !subtitle.MatchString(t)) {
			return head[:i]
		}
	}
	return head
}

// signature reads the issuer and date from a document's closing lines, where an official document is
// signed: the issuing body on one line, the date on the next.
func signature(text string) (issuer, date string) {
	ls := lines(text)
	first := max(len(ls)-8, 0)
	for i := len(ls) - 1; i >= first; i-- {
		date = lineDate(ls[i].text)
		if date == "" {
			continue
		}
		if i > 0 {
			prev := ls[i-1].text
			if utf8.RuneCountInString(prev) <= maxLeadRunes && !strings.ContainsAny(prev, sentenceEnd+"，,：:") && issuerEnd.MatchString(prev) {
				issuer = prev
			}
		}
		return issuer, date
	}
	return "", ""
}

// coverIssuers returns the issuing bodies a document's first lines name right above its date, as a
// plan's or a report's cover does (铜仁市人力资源和社会保障局, 铜仁市发展和改革委员会, 二〇二二年二月),
// joined with 、; "" when there are none.
func coverIssuers(head []line) string {
	for i, l := range head {
		if lineDate(l.text) == "" || subtitle.MatchString(l.text) {
			continue
		}
		var bodies []string
		for j := i - 1; j >= 0; j-- {
			t := head[j].text
			if utf8.RuneCountInString(t) > maxLeadRunes || strings.ContainsAny(t, sentenceEnd+"，,：:“”《》\"") || !issuerEnd.MatchString(t) {
				break
			}
			bodies = append([]string{t}, bodies...)
		}
		return strings.Join(bodies, "、")
	}
	return ""
}

// findTitle returns the document's own title and where it was found, or "", "" when it has none.
func findTitle(head []line, pageTitle string) (string, string) {
	// A page title that the page repeats as a line is the document's title.
	for _, l := range head {
		if pageTitle != "" && collapseInner(l.text) == collapseInner(pageTitle) {
			return collapseInner(pageTitle), SourceTitleLine
		}
	}
	for _, l := range head {
		if m := bookTitle.FindStringSubmatch(l.text); m != nil {
			return collapseInner(m[1]), SourceTitleLine
		}
	}
	for _, l := range head {
		if l.md == 1 {
			return l.text, SourceTitleLine
		}
	}
	for _, l := range head {
		if isFurniture(l.text) {
			continue
		}
		t := l.text
		if strings.HasSuffix(t, "：") || strings.HasSuffix(t, ":") {
			break // a salutation (各区县人社局：) opens the body
		}
		// A subtitle, a date, a law's history or a document number is no title.
		if strings.HasPrefix(t, "—") || strings.HasPrefix(t, "-") || lineDate(t) != "" || historyStart.MatchString(normDigits(t)) || docNumber.FindString(t) == t {
			break
		}
		if isTitleLike(t) && headingOf(t) < 0 && !tocLine.MatchString(collapseInner(t)) {
			return collapseInner(t), SourceTitleLine
		}
		break
	}
	if pageTitle != "" {
		return pageTitle, SourcePageTitle
	}
	return "", ""
}

// titleFromName is a file name (without extension) as a title: without the date a file name may
// carry, (2018-12-29) or _20240315. A year in front (2023年政府工作报告) is part of the title.
func titleFromName(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	if name == "." || name == "/" {
		return ""
	}
	t := nameDateParen.ReplaceAllString(name, "")
	t = nameDateTail.ReplaceAllString(t, "")
	return trimSpace(t)
}

// dateFromName returns the date a file name carries, as YYYY[-MM[-DD]], or "".
func dateFromName(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	if m := nameDateParen.FindStringSubmatch(name); m != nil {
		return ymd(m[1], m[2], m[3])
	}
	if m := nameDateTail.FindStringSubmatch(name); m != nil {
		return ymd(m[1], m[2], m[3])
	}
	if m := nameYearHead.FindStringSubmatch(name); m != nil {
		return m[1]
	}
	return ""
}

// issuerOfTitle returns the body or bodies a title opens with (最高人民法院 最高人民检察院关于… gives
// 最高人民法院、最高人民检察院), or "".
func issuerOfTitle(title string) string {
	m := titleIssuer.FindStringSubmatch(title)
	if m == nil {
		return ""
	}
	var parts []string
	for _, p := range strings.FieldsFunc(m[1], func(r rune) bool { return strings.ContainsRune("、，, 　", r) }) {
		if !issuerEnd.MatchString(p) || utf8.RuneCountInString(p) < 2 {
			return ""
		}
		if q := strings.TrimPrefix(p, "中华人民共和国"); utf8.RuneCountInString(q) >= 2 {
			p = q // 中华人民共和国国务院: 国务院
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "、")
}

// lineDate reads a line that is a date and nothing else (2022年2月15日, 二〇二二年二月, in brackets or
// not), or a speech's subtitle, as YYYY[-MM[-DD]]; "" for any other line.
func lineDate(t string) string {
	if m := dateNumeric.FindStringSubmatch(t); m != nil {
		return ymd(m[1], m[2], m[3])
	}
	if m := dateISO.FindStringSubmatch(t); m != nil {
		return ymd(m[1], m[2], m[3])
	}
	if m := dateCN.FindStringSubmatch(t); m != nil {
		return ymd(cnYear(m[1]), strconv.Itoa(cnNumber(m[2])), strconv.Itoa(cnNumber(m[3])))
	}
	if m := subtitle.FindStringSubmatch(t); m != nil {
		return ymd(m[1], m[2], m[3])
	}
	return ""
}

func cnYear(s string) string {
	y := ""
	for _, r := range s {
		if r == '零' {
			r = '〇'
		}
		y += strconv.Itoa(cnDigit(r))
	}
	return y
}

// normDigits writes full-width digits as ASCII ones.
func normDigits(s string) string { return allDigitsFW.Replace(s) }

func ymd(y, m, d string) string {
	mi, _ := strconv.Atoi(m)
	di, _ := strconv.Atoi(d)
	switch {
	case mi < 1 || mi > 12:
		return y
	case di < 1 || di > 31:
		return fmt.Sprintf("%s-%02d", y, mi)
	}
	return fmt.Sprintf("%s-%02d-%02d", y, mi, di)
}

func cnDigit(r rune) int {
	return strings.IndexRune("〇一二三四五六七八九", r) / len("一")
}

// cnNumber reads a Chinese number from 一 to 九十九, or 0.
func cnNumber(s string) int {
	if s == "" {
		return 0
	}
	rs := []rune(s)
	if i := strings.IndexRune(s, '十'); i >= 0 {
		tens, ones := 1, 0
		if rs[0] != '十' {
			tens = cnDigit(rs[0])
		}
		if rs[len(rs)-1] != '十' {
			ones = cnDigit(rs[len(rs)-1])
		}
		return tens*10 + ones
	}
	return cnDigit(rs[0])
}
