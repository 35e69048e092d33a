package corpus

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

var (
	bookTitle   = regexp.MustCompile(`^《([^《》]{4,80})》$`)
	sourceLine  = regexp.MustCompile(`^(?:来源|來源|信息来源|文章来源|发布机构|發布機構)[:：]\s*(\S+)`)
	dateLabeled = regexp.MustCompile(`(?:发布|發布|成文|印发|印發)(?:时间|日期|時間)[:：]\s*(\d{4})[-年./](\d{1,2})(?:[-月./](\d{1,2}))?`)
	dateNumeric = regexp.MustCompile(`^(\d{4})年(\d{1,2})月(?:(\d{1,2})日)?$`)
	dateCN      = regexp.MustCompile(`^([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,2})月(?:([一二三四五六七八九十]{1,3})日)?$`)
	docNumber   = regexp.MustCompile(`\p{Han}{1,12}[〔\[［(（]\d{4}[〕\]］)）]\s*\d{1,4}\s*号|第\s*(?:\d{1,4}|[一二三四五六七八九十百零〇]{1,5})\s*号`)
	issuerEnd   = regexp.MustCompile(`(?:局|厅|廳|委员会|委員會|委|政府|办公室|辦公室|办公厅|辦公廳|部|中心|院|会|會|党组|黨組)$`)
	regionStart = regexp.MustCompile(`^(\p{Han}{2,3}(?:省|自治区))?(\p{Han}{2,4}?(?:市|自治州|州|盟|地区|县|区))?`)
	// kinds maps words in a title to the kind of document.
	kinds = []struct{ word, kind string }{
		{"规划", "规划"}, {"規劃", "规划"}, {"讲话", "讲话"}, {"講話", "讲话"}, {"通知", "通知"},
		{"意见", "意见"}, {"意見", "意见"}, {"办法", "办法"}, {"辦法", "办法"}, {"条例", "条例"},
		{"條例", "条例"}, {"方案", "方案"}, {"决定", "决定"}, {"規定", "规定"}, {"规定", "规定"},
		{"工作总结", "工作总结"}, {"工作打算", "工作总结"}, {"工作报告", "工作报告"}, {"细则", "细则"},
		{"法", "法律"},
	}
)

// fillMeta fills the metadata fields a sidecar left empty from the document's opening lines: a
// 《title》 line, a Markdown "# title", the HTML page title or the first short line; 来源: for the
// issuer; a publication date (发布日期:, 2022年2月, 二〇二二年二月); the region from the start of the
// issuer or title; the kind from the title's wording.
func fillMeta(d *Document, pageTitle string) {
	head := lines(d.Text)
	if len(head) > 20 {
		head = head[:20]
	}
	if d.Title == "" {
		d.Title = findTitle(head, pageTitle, d.ID)
	}
	for _, l := range head {
		if m := sourceLine.FindStringSubmatch(l.text); m != nil && d.Issuer == "" {
			d.Issuer = trimSpace(m[1])
		}
		if d.Date == "" {
			d.Date = findDate(l.text)
		}
	}
	if d.Number == "" {
		for _, l := range head {
			if utf8.RuneCountInString(l.text) > maxHeadingRunes {
				continue
			}
			if m := docNumber.FindString(l.text); m != "" {
				d.Number = strings.Join(strings.Fields(m), "")
				break
			}
		}
	}
	if d.Date == "" || d.Issuer == "" {
		signature(d)
	}
	if d.Region == "" {
		for _, s := range []string{d.Issuer, d.Title} {
			if r := regionOf(s); r != "" {
				d.Region = r
				break
			}
		}
	}
	if d.Kind == "" {
		for _, k := range kinds {
			if strings.Contains(d.Title, k.word) {
				d.Kind = k.kind
				break
			}
		}
	}
}

// signature reads the issuer and date from a document's closing lines, where an official document is
// signed: the issuing body on one line, the date on the next.
func signature(d *Document) {
	ls := lines(d.Text)
	first := len(ls) - 8
	if first < 0 {
		first = 0
	}
	for i := len(ls) - 1; i >= first; i-- {
		date := findDate(ls[i].text)
		if date == "" || !dateNumeric.MatchString(ls[i].text) && !dateCN.MatchString(ls[i].text) {
			continue
		}
		if d.Date == "" {
			d.Date = date
		}
		if d.Issuer == "" && i > 0 {
			prev := ls[i-1].text
			if utf8.RuneCountInString(prev) <= maxLeadRunes && !strings.ContainsAny(prev, sentenceEnd+"，,：:") && issuerEnd.MatchString(prev) {
				d.Issuer = prev
			}
		}
		return
	}
}

func findTitle(head []line, pageTitle, id string) string {
	// A page title that the page repeats as a line is the document's title.
	for _, l := range head {
		if pageTitle != "" && collapseInner(l.text) == collapseInner(pageTitle) {
			return collapseInner(pageTitle)
		}
	}
	for _, l := range head {
		if m := bookTitle.FindStringSubmatch(l.text); m != nil {
			return collapseInner(m[1])
		}
	}
	for _, l := range head {
		if l.md == 1 {
			return l.text
		}
	}
	for _, l := range head {
		if isFurniture(l.text) {
			continue
		}
		if strings.HasSuffix(l.text, "：") || strings.HasSuffix(l.text, ":") {
			break // a salutation (各区县人社局：) opens the body
		}
		if isTitleLike(l.text) && headingOf(l.text) < 0 && !tocLine.MatchString(collapseInner(l.text)) {
			return collapseInner(l.text)
		}
		break
	}
	if pageTitle != "" {
		return pageTitle
	}
	return id
}

// findDate recognises a publication date in a line and returns it as YYYY[-MM[-DD]], or "".
func findDate(t string) string {
	if m := dateLabeled.FindStringSubmatch(t); m != nil {
		return ymd(m[1], m[2], m[3])
	}
	if m := dateNumeric.FindStringSubmatch(t); m != nil {
		return ymd(m[1], m[2], m[3])
	}
	if m := dateCN.FindStringSubmatch(t); m != nil {
		y := ""
		for _, r := range m[1] {
			y += strconv.Itoa(cnDigit(r))
		}
		return ymd(y, strconv.Itoa(cnNumber(m[2])), strconv.Itoa(cnNumber(m[3])))
	}
	return ""
}

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

// regionOf returns the province and city an issuer or title starts with ("湖南省", "广元市",
// "贵州省铜仁市"), or "".
func regionOf(s string) string {
	m := regionStart.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return m[1] + m[2]
}
