package handlers

import "regexp"

// Intent is what kind of thing a question asks for, as the query log records it.
type Intent string

// The intents DetectIntent tells apart.
const (
	Entitlement Intent = "entitlement" // a benefit, subsidy, loan, allowance, support
	Target      Intent = "target"      // a planned figure or goal
	Location    Intent = "location"    // where to go: a service window, market, platform, hotline
	Other       Intent = "other"
)

// Cues of each intent in a question written in simplified script, tried in order: "计划发放多少贷款"
// asks for a target before a benefit, "哪里领补贴" for a place before a benefit.
var (
	targetCues  = regexp.MustCompile(`目标|指标|力争|计划|预期|规划|到20\d\d年|20\d\d年(?:前|底|末)|控制在|以内|每年.{0,12}(?:多少|几)`)
	placeCues   = regexp.MustCompile(`(?i)哪里|哪儿|在哪|去哪|何处|地址|地点|窗口|服务圈|服务站|服务点|服务中心|零工市场|人力资源市场|驿站|大厅|网点|平台|渠道|网站|热线|电话|线上|网上|app|小程序|公众号|怎么联系|找谁`)
	benefitCues = regexp.MustCompile(`补贴|补助|贷款|待遇|保险金|失业金|养老金|救助|扶持|支持|帮助|帮扶|优惠|减免|奖励|资助|津贴|返还|报销|领取|能领|可以领|怎么领|申请|享受|政策|资金|担保|权益|福利|标准`)
)

// DetectIntent tells what a question asks for from the words it uses. The question must be in
// simplified script (see script.Converter.ToSimplified).
func DetectIntent(simplified string) Intent {
	switch {
	case targetCues.MatchString(simplified):
		return Target
	case placeCues.MatchString(simplified):
		return Location
	case benefitCues.MatchString(simplified):
		return Entitlement
	}
	return Other
}
