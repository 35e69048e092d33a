package corpus

import (
	"regexp"
	"strings"
)

// The kind of a document and the region it applies to, from the body that made it and from its title.

// National is the region of a document that applies to the whole country: a law, an administrative
// regulation, a judicial interpretation, a ministry's rules, a State Council document.
const National = "全国"

// body is the kind of body that issues a document.
type body int

const (
	bodyOther         body = iota
	bodyCongress           // 全国人民代表大会 and its standing committee
	bodyCourt              // 最高人民法院, 最高人民检察院
	bodyCouncil            // 国务院 and its general office
	bodyCentral            // 中共中央 and other central bodies that make no law
	bodyMinistry           // a ministry or national administration: 公安部, 国家市场监督管理总局
	bodyLocalCongress      // a province's or city's people's congress
	bodyLocalGov           // a province's or city's people's government
	bodyLocal              // another local body: a city's bureau
)

var (
	nationalMinistry = regexp.MustCompile(`(?:部|总局|总署|署|银行)$|^(?:国家|中国|中华人民共和国)\p{Han}*(?:局|委员会|会|办公室|中心)$`)
	// normative titles end with the name of a rule-making form, perhaps followed by (试行) or (2019年修订).
	normativeEnd = regexp.MustCompile(`(?:条例|規定|规定|办法|辦法|细则|細則|规则|規則)$`)
	trailingNote = regexp.MustCompile(`(?:[\s\pZ]*[（(][^（）()]{1,12}[）)])+$`)
	nationalNum  = regexp.MustCompile(`^(?:国发|国办发|国函|国办函|法释|法发|高检发|主席令|国务院令)|部[发令函规]|总局令|总署令`)
)

// bodyOf classifies the body that issues a document; for several (最高人民法院、最高人民检察院), the
// first.
func bodyOf(issuer string) body {
	first, _, _ := strings.Cut(issuer, "、")
	first = strings.TrimPrefix(trimSpace(first), "中华人民共和国")
	switch {
	case first == "":
		return bodyOther
	case strings.Contains(first, "全国人民代表大会"):
		return bodyCongress
	case strings.HasPrefix(first, "最高人民法院") || strings.HasPrefix(first, "最高人民检察院"):
		return bodyCourt
	case strings.HasPrefix(first, "国务院"):
		return bodyCouncil
	case strings.HasPrefix(first, "中共中央") || strings.HasPrefix(first, "中央"):
		return bodyCentral
	case regionOf(first) != "":
		switch {
		case strings.Contains(first, "人民代表大会"):
			return bodyLocalCongress
		case strings.HasSuffix(first, "人民政府") || strings.HasSuffix(first, "人民政府办公厅"):
			return bodyLocalGov
		}
		return bodyLocal
	case nationalMinistry.MatchString(first):
		return bodyMinistry
	}
	return bodyOther
}

// national reports whether every body of an issuer is a national one.
func national(issuer string) bool {
	if issuer == "" {
		return false
	}
	for _, p := range strings.Split(issuer, "、") {
		switch bodyOf(p) {
		case bodyCongress, bodyCourt, bodyCouncil, bodyCentral, bodyMinistry:
		default:
			return false
		}
	}
	return true
}

// legalKind is the kind of law a body makes with a title: "" when the body makes no law, or when the
// title is not one of a rule (a ministry's 通知 is a 通知).
func legalKind(b body, title string) string {
	normative := normativeEnd.MatchString(trailingNote.ReplaceAllString(title, ""))
	switch {
	case b == bodyCongress && strings.Contains(title, "宪法"):
		return "宪法"
	case b == bodyCongress:
		return "法律"
	case b == bodyCourt:
		return "司法解释"
	case b == bodyCouncil && normative:
		return "行政法规"
	case b == bodyMinistry && normative:
		return "部门规章"
	case b == bodyLocalCongress:
		return "地方性法规"
	case b == bodyLocalGov && normative:
		return "地方政府规章"
	}
	return ""
}

// nationalKinds are the kinds of document that apply to the whole country.
var nationalKinds = map[string]bool{"宪法": true, "法律": true, "行政法规": true, "司法解释": true, "部门规章": true}

// titleKinds maps the words a title ends with, or else holds, to the kind of document, in order of
// preference.
var titleKinds = []struct{ word, kind string }{
	{"规划", "规划"}, {"規劃", "规划"}, {"讲话", "讲话"}, {"講話", "讲话"}, {"通知", "通知"},
	{"意见", "意见"}, {"意見", "意见"}, {"办法", "办法"}, {"辦法", "办法"}, {"条例", "条例"},
	{"條例", "条例"}, {"方案", "方案"}, {"决定", "决定"}, {"決定", "决定"}, {"規定", "规定"}, {"规定", "规定"},
	{"工作总结", "工作总结"}, {"工作打算", "工作总结"}, {"工作报告", "工作报告"}, {"細則", "细则"}, {"细则", "细则"},
	{"规则", "规则"}, {"規則", "规则"}, {"批复", "批复"}, {"公告", "公告"}, {"通告", "通告"}, {"决议", "决议"},
	{"纲要", "纲要"}, {"指南", "指南"}, {"解释", "解释"}, {"规范", "规范"}, {"標準", "标准"}, {"标准", "标准"},
	{"章程", "章程"}, {"守则", "守则"},
}

// kindOfTitle returns the kind a title's wording names: the form it ends with (…的通知, …条例（试行）),
// else the first form it holds; a title ending in 法 is a law. "" when it names none.
func kindOfTitle(title string) string {
	t := trailingNote.ReplaceAllString(trimSpace(title), "")
	t = strings.TrimRight(t, "》>")
	if strings.HasSuffix(t, "法") && !strings.HasSuffix(t, "办法") && !strings.HasSuffix(t, "辦法") && !strings.HasSuffix(t, "方法") && !strings.HasSuffix(t, "做法") {
		return "法律"
	}
	if strings.Contains(t, "宪法修正案") || strings.Contains(t, "法修正案") {
		return "法律"
	}
	// A 条例 of a place is a local regulation: a local government's rules may not be called 条例.
	if (strings.HasSuffix(t, "条例") || strings.HasSuffix(t, "條例")) && regionOf(t) != "" {
		return "地方性法规"
	}
	for _, k := range titleKinds {
		if strings.HasSuffix(t, k.word) {
			return k.kind
		}
	}
	for _, k := range titleKinds {
		if strings.Contains(t, k.word) {
			return k.kind
		}
	}
	return ""
}

// findRegion returns the region a document applies to and where that was read: 全国 for a national
// kind or issuer, else the province and city of its issuer, its title, or the assembly a report was
// delivered to; 全国 for a national document number (国办发, 人社部发).
func findRegion(d *Document, top []line) (string, string) {
	if nationalKinds[d.Kind] {
		return National, SourceKind
	}
	if national(d.Issuer) {
		return National, SourceIssuer
	}
	if r := regionOf(d.Issuer); r != "" {
		return r, SourceIssuer
	}
	if r := regionOf(d.Title); r != "" {
		return r, SourceTitle
	}
	// A title of the whole country's (中华人民共和国…, 全国…); and only laws and the State Council's
	// regulations are 条例 without a place in their own title: a local regulation names its place, a
	// ministry's or a government's rules are never 条例.
	if d.Sources.Title == SourceTitleLine && (strings.HasPrefix(d.Title, "中华人民共和国") || strings.HasPrefix(d.Title, "全国") ||
		strings.HasSuffix(trailingNote.ReplaceAllString(d.Title, ""), "条例")) {
		return National, SourceTitle
	}
	for _, l := range top {
		if m := subtitle.FindStringSubmatch(l.text); m != nil {
			if strings.Contains(m[4], "全国人民代表大会") {
				return National, SourceText
			}
			if r := regionOf(m[4]); r != "" {
				return r, SourceText
			}
		}
	}
	if nationalNum.MatchString(d.Number) {
		return National, SourceNumber
	}
	return "", ""
}

var (
	regionProvince = regexp.MustCompile(`^\p{Han}{2,5}?(?:省|自治区|特别行政区)`)
	regionCity     = regexp.MustCompile(`^(?:\p{Han}{2,10}?自治(?:州|县|旗)|\p{Han}{2,4}?(?:市|州|盟|地区|县|区|旗))`)
	// notPlace are words ending like a place name that name none: 自然保护区, 少数民族地区, 中小城市.
	notPlace = regexp.MustCompile(`(?:保护区|开发区|示范区|试验区|实验区|功能区|自贸区|合作区|园区|景区|社区|城区|矿区|灾区|山区|牧区|林区|辖区|学区|街区|老区|库区|片区|专区|特区|民族地区|贫困地区|边远地区|农村地区|重点地区|相关地区|有关地区|其他地区|其它地区|台湾地区|港澳地区)$|^(?:中小城市|大中城市|大城市|小城市|中等城市|特大城市|超大城市|各城市|市区|各市州|各市|各州|各县|各区|全区|全县|全市|本市|本区|本县|都市|超市|门市|上市|股市|菜市|夜市|集市)$`)
)

// provinces are the provinces, autonomous regions and municipalities of the mainland, as a title may
// name them without their suffix (上海港口条例, 中国（上海）自由贸易试验区条例).
var provinces = map[string]string{
	"北京": "北京市", "天津": "天津市", "上海": "上海市", "重庆": "重庆市", "河北": "河北省", "山西": "山西省",
	"辽宁": "辽宁省", "吉林": "吉林省", "黑龙江": "黑龙江省", "江苏": "江苏省", "浙江": "浙江省", "安徽": "安徽省",
	"福建": "福建省", "江西": "江西省", "山东": "山东省", "河南": "河南省", "湖北": "湖北省", "湖南": "湖南省",
	"广东": "广东省", "海南": "海南省", "四川": "四川省", "贵州": "贵州省", "云南": "云南省", "陕西": "陕西省",
	"甘肃": "甘肃省", "青海": "青海省", "内蒙古": "内蒙古自治区", "广西": "广西壮族自治区", "西藏": "西藏自治区",
	"宁夏": "宁夏回族自治区", "新疆": "新疆维吾尔自治区",
}

// provinceNames are the provinces' full names, and those of Taiwan, Hong Kong and Macao.
var provinceNames = func() map[string]bool {
	m := map[string]bool{"": true, "台湾省": true, "香港特别行政区": true, "澳门特别行政区": true}
	for _, full := range provinces {
		m[full] = true
	}
	return m
}()

// regionOf returns the province and city (or county) an issuer or title starts with ("湖南省",
// "广元市", "贵州省铜仁市", "彭水苗族土家族自治县", "上海市" for 上海港口条例), or "".
func regionOf(s string) string {
	s = trimSpace(s)
	if r := strings.TrimPrefix(strings.TrimPrefix(s, "中国（"), "中国("); r != s {
		s = r // 中国（上海）自由贸易试验区
	}
	province := regionProvince.FindString(s)
	if !provinceNames[province] {
		province = "" // 王某诉安徽省…: a case's title, not a province's
	}
	if province == "" {
		for _, n := range []int{3, 2} {
			if rs := []rune(s); len(rs) > n && provinces[string(rs[:n])] != "" {
				full := provinces[string(rs[:n])]
				if !strings.HasPrefix(s, full) {
					if city := regionCity.FindString(s); city != "" && !notPlace.MatchString(city) && strings.HasPrefix(city, string(rs[:n])) {
						break // 上海市 is read below; 吉林市 is a city of 吉林省
					}
					return full
				}
			}
		}
	}
	if notPlace.MatchString(province) {
		return ""
	}
	rest := s[len(province):]
	city := regionCity.FindString(rest)
	if next := rest[len(city):]; notPlace.MatchString(city) || strings.HasPrefix(next, "场") || strings.HasPrefix(next, "域") || strings.HasPrefix(next, "级") {
		city = "" // 国家市场监督管理总局, 京津冀区域, 省市级
	}
	return province + city
}

// caseHeading matches the headings of a court's or an arbitration's case as courts and departments
// publish them (典型案例): the facts, the outcome, the point it makes.
var caseHeading = regexp.MustCompile(`^(?:#+\s*)?(?:[一二三四五六七八九十]+、\s*)?(?:基本案情|简要案情|案情简介|案情回顾|裁判结果|处理结果|裁判要旨|裁判要点|裁判理由|典型意义|案例分析)\s*$`)

// isCase reports whether a text is a published case: two or more of its lines are a case's headings.
func isCase(text string) bool {
	n := 0
	for _, l := range strings.Split(text, "\n") {
		if caseHeading.MatchString(strings.TrimSpace(l)) {
			if n++; n >= 2 {
				return true
			}
		}
	}
	return false
}
