package index

import "strings"

// A question's specific words say what it is about (失业保险金, 零工市场, 隐私权); its generic words
// could stand in a question about anything (公司, 经济, 政策, 办理, 多少钱). Whether the documents answer a
// question is decided on its specific words: a passage that matches only generic words answers
// nothing.

// genericWords are words of citizens' questions about public services that say what is asked of a
// subject rather than the subject: generic in this domain, though not frequent in general Chinese.
var genericWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		劳动 公司 单位 企业 经济 政策 规定 法律 法规 办理 申请 手续 流程 程序 材料 条件 标准 要求 问题 情况 事情 东西
		多少钱 钱 费用 时间 时候 期限 地方 部门 机构 现在 目前 今年 去年 明年 每年 每月 每个月
		一个月 一年 个人 人员 员工 职工 工人 老板 公民 群众 居民 百姓 老百姓 家里 家庭 我家 孩子 父母 需要 享受 领取 获得 给予
		提供 支持 帮助 服务 管理 处理 解决 相关 有关 具体 哪里 那里 这里 这边 那边 可能 应该 一般 怎么 怎么样 承担 负责 责任
		权利 义务 行为 方面 方式 办法 措施 工作 发展 建设 推进 加强 实施 落实 开展 进行 没有 不是 不能 不会 不用 能够 还是
		告诉 知道 了解 咨询 请问 谢谢 你好 您好 不想 想问 问问 问一下 打听 听说 几年 这几年 那些 这样 那样 这么 那么 多少 一些
		有没有 能不能 可不可以 是不是 行不行 好不好 怎么算 算不算 给不给 管不管 跑 远 近 多 少`) {
		m[w] = true
	}
	return m
}()

// subjectTags are the parts of speech (jieba's tags) of words that can say what a question is about:
// nouns, verbs, verbal and adjectival nouns, abbreviations, foreign words. Numerals, pronouns,
// adverbs, particles, idioms of asking (怎么办/l) and unknown strings (typos, /x) cannot.
var subjectTags = map[string]bool{"n": true, "nz": true, "nt": true, "nw": true, "vn": true, "v": true, "an": true, "j": true, "eng": true, "nrt": true}

// generic reports whether a word of a question says nothing of its subject by itself.
func generic(word string) bool {
	return genericWords[word]
}

// Generic reports whether a word of a question (simplified script) says nothing of its subject by
// itself: 政策, 办理, 多少钱 and the other generic words of citizens' questions. Chat uses it to bold
// only a question's specific words.
func Generic(word string) bool { return generic(word) }
