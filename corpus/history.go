package corpus

import (
	"regexp"
	"strconv"
	"strings"
)

// A law's history, as laws, regulations and judicial interpretations print it under their title, one
// event a line or all in one bracket:
//
//	2007年6月29日 第十届全国人民代表大会常务委员会第二十八次会议通过
//	2012年12月28日 第十一届全国人民代表大会常务委员会第三十次会议《关于修改〈…〉的决定》修正
//	（1994年7月5日第八届全国人民代表大会常务委员会第八次会议通过　根据2009年8月27日…第一次修正）

var (
	// historyStart opens a history line: a date, perhaps after a bracket or 根据.
	historyStart = anchor(`^[（(【\[]?[\s\pZ]*(?:根据)?[\s\pZ]*(?:(?:19|20)\d{2}|[〇零一二三四五六七八九]{4})[\s\pZ]*年[\s\pZ]*[\d一二三四五六七八九十]{1,2}[\s\pZ]*月[\s\pZ]*[\d一二三四五六七八九十]{1,3}[\s\pZ]*日`)
	historyDate  = regexp.MustCompile(`((?:19|20)\d{2})[\s\pZ]*年[\s\pZ]*(\d{1,2})[\s\pZ]*月[\s\pZ]*(\d{1,2})[\s\pZ]*日`)
	historyCN    = regexp.MustCompile(`([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,2})月([一二三四五六七八九十]{1,3})日`)
	historyVerb  = regexp.MustCompile(`通过|修正|修订|修改|公布|发布|批准|施行|实施|生效`)
	bookQuoted   = regexp.MustCompile(`《[^《》]*》|〈[^〈〉]*〉`)

	// The bodies a history line names.
	congress = regexp.MustCompile(`((?:\p{Han}{2,12}?(?:省|市|自治区|自治州|州|盟|县|区|旗))?)(?:第[一二三四五六七八九十百]+届)?(全国)?人民代表大会(常务委员会)?`)
	courts   = regexp.MustCompile(`最高人民法院|最高人民检察院`)
	council  = regexp.MustCompile(`国务院(?:、(?:中华人民共和国)?中央军事委员会)?`)
	localGov = regexp.MustCompile(`(\p{Han}{2,12}?人民政府)(?:令|第\d+次常务会议|常务会议|发布|公布)`)
	ministry = regexp.MustCompile(`(?:中华人民共和国|经)?(\p{Han}{2,16}?(?:部|总局|总署|局|委员会|银行|署))(?:、|令|第\d+号令|第\d+次(?:部务|局务|委务|署务|部长办公|委员)会议|(?:部务|局务|委务|署务|部长办公)会议|发布|公布)`)
)

// event is one line (or bracketed part) of a law's history: the date, what happened, by whom.
type event struct {
	date    string // YYYY-MM-DD
	verb    string // 通过, 修正, 修订, 修改, 公布, 发布, 批准, 施行 …
	bodies  []string
	inForce bool // 施行, 实施, 生效: the day it takes effect, not a version
}

type history []event

// readHistory reads the history lines among a document's first lines.
func readHistory(head []line) history {
	var h history
	for _, l := range topLines(head) {
		t := cnDates(normDigits(l.text))
		if !historyStart.MatchString(t) {
			continue
		}
		locs := historyDate.FindAllStringSubmatchIndex(t, -1)
		var pending event // parts without a verb join the next: 最高人民法院…会议、2012年3月8日最高人民检察院…会议通过
		for i, loc := range locs {
			end := len(t)
			if i+1 < len(locs) {
				end = locs[i+1][0]
			}
			part := bookQuoted.ReplaceAllString(t[loc[1]:end], "")
			pending.date = ymd(t[loc[2]:loc[3]], t[loc[4]:loc[5]], t[loc[6]:loc[7]])
			pending.bodies = append(pending.bodies, bodiesIn(part)...)
			verbs := historyVerb.FindAllString(part, -1)
			if len(verbs) == 0 {
				continue
			}
			pending.verb = verbs[len(verbs)-1]
			pending.inForce = pending.verb == "施行" || pending.verb == "实施" || pending.verb == "生效"
			h = append(h, pending)
			pending = event{}
		}
	}
	return h
}

// cnDates writes dates in Chinese numerals (一九九四年七月五日) with Arabic ones.
func cnDates(s string) string {
	if !strings.ContainsAny(s, "〇零") {
		return s
	}
	return historyCN.ReplaceAllStringFunc(s, func(d string) string {
		m := historyCN.FindStringSubmatch(d)
		return cnYear(m[1]) + "年" + strconv.Itoa(cnNumber(m[2])) + "月" + strconv.Itoa(cnNumber(m[3])) + "日"
	})
}

// date is the date of the latest version: the latest event that is not the day it took effect, or,
// when there is none, the latest day it took effect.
func (h history) date() string {
	latest, effect := "", ""
	for _, e := range h {
		if e.inForce {
			effect = max(effect, e.date)
		} else {
			latest = max(latest, e.date)
		}
	}
	if latest == "" {
		return effect
	}
	return latest
}

// issuer is the body or bodies that made the law: those its first event names (a city's congress
// that passed a local regulation, not the province's that approved it).
func (h history) issuer() string {
	for _, e := range h {
		if len(e.bodies) > 0 {
			return strings.Join(dedup(e.bodies), "、")
		}
	}
	return ""
}

// kind is the kind of law its maker makes: 法律 for the National People's Congress, 司法解释 for the
// Supreme People's Court and Procuratorate, 行政法规 for the State Council, 部门规章 for a ministry,
// 地方性法规 for a local people's congress, 地方政府规章 for a local government; "" when no history line
// names a maker.
func (h history) kind(title string) string {
	for _, e := range h {
		if len(e.bodies) > 0 {
			return legalKind(bodyOf(e.bodies[0]), title)
		}
	}
	return ""
}

// bodiesIn returns the bodies a part of a history line names, or none.
func bodiesIn(part string) []string {
	if m := congress.FindStringSubmatch(part); m != nil && (m[1] != "" || m[2] != "") {
		place := strings.TrimPrefix(strings.TrimPrefix(m[1], "经"), "由") // 经酉阳土家族苗族自治县…
		return []string{place + m[2] + "人民代表大会" + m[3]}
	}
	if ms := courts.FindAllString(part, -1); ms != nil {
		return ms
	}
	if m := council.FindString(part); m != "" {
		return []string{strings.ReplaceAll(m, "中华人民共和国", "")}
	}
	if m := localGov.FindStringSubmatch(part); m != nil {
		return []string{m[1]}
	}
	var out []string
	for _, m := range ministry.FindAllStringSubmatch(part, -1) {
		out = append(out, m[1])
	}
	return out
}

func dedup(ss []string) []string {
	var out []string
	for _, s := range ss {
		if !contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
