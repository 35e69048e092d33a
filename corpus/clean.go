package corpus

import (
	"regexp"
	"strings"
	"unicode"
)

// furniture matches lines of web-page furniture that are not part of a document: breadcrumbs, source
// and font-size bars, share and print links, previous/next links, site registration footers.
var furniture = regexp.MustCompile(`^(?:` + strings.Join([]string{
	`.*(?:您当前所在的?位置|您现在的位置|当前位置[:：]|您的位置[:：])`,
	`(?:来源|來源|信息来源|文章来源)[:：]`,
	`字号[:：]|字號[:：]|【?字体[:：]?(?:大|中|小)`,
	`(?:发布|發布|更新|发文)(?:时间|日期|時間)[:：]`,
	`(?:浏览|瀏覽|阅读|閱讀|访问)(?:次数|量|数)[:：]`,
	`(?:责任编辑|責任編輯|编辑|校对|审核)[:：]`,
	`.*扫一扫(?:在手机)?(?:打开|打開)?(?:当前|當前)?(?:页|頁)?`,
	`.*(?:扫描|掃描)二维码`,
	`(?:上一篇|下一篇|上一條|下一條|上一条|下一条)[:：]?`,
	`.*(?:公网安备|公網安備|ICP备|ICP證|ICP证|网站标识码|網站標識碼)`,
	`(?:版权所有|版權所有|Copyright|©)`,
	`(?:主办单位|主辦單位|承办单位|承辦單位)[:：]`,
	`(?:繼續訪問|继续访问|返回顶部|返回頂部|关闭窗口|關閉窗口|打印本页|打印本頁)$`,
	`【?(?:打印|关闭|關閉|收藏|分享)】?(?:\s*【?(?:打印|关闭|關閉|收藏|分享)】?)*$`,
	`分享到[:：]?`,
	`<!--.*-->$`,
}, "|") + `)`)

// isFurniture reports whether a trimmed line is web-page furniture rather than document text. A line
// without a word of the patterns (furnitureCues) is not run through them.
func isFurniture(line string) bool {
	return hasFurnitureCue(line) && furniture.MatchString(line)
}

// trimSpace trims white space of every kind (ASCII, full-width, no-break, en and em spaces) and
// zero-width spaces from both ends of s.
func trimSpace(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '\u200b' })
}

// dropFurniture removes the lines of text that are web-page furniture.
func dropFurniture(text string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(text, "\n") {
		if t := trimSpace(l); t != "" && isFurniture(t) {
			continue
		}
		b.WriteString(l)
	}
	return b.String()
}
