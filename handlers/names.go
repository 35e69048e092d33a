package handlers

import (
	"policybot/index"
	"policybot/internal/script"
)

// The one Chinese vocabulary admins and staff read the query log in: the chat (/stats, /unanswered,
// /top), the admin page, the CSV export and `policybot logs stats` all name intents, verdicts,
// ratings, chat types and scripts with these functions, so that one thing has one name everywhere.
// The query log stores the English codes (entitlement, answer, private…); only what people read is
// named here.

// The verdicts as staff and admins read them: a question answered, one whose subject the documents
// hold but which no passage answers directly, and one they do not cover.
const (
	NameAnswer  = "已回答"
	NameRelated = "有关但未直接回答"
	NameNone    = "未能回答"
)

// Labels of what the names name, where a heading or column needs one.
const (
	LabelIntent  = "问题类型"
	LabelVerdict = "判断"
	LabelRegion  = "地区"
	LabelRating  = "评价"
)

// VerdictName names verdict v in Chinese (NameAnswer, NameRelated, NameNone); another value is
// returned as it is.
func VerdictName(v index.Verdict) string {
	switch v {
	case index.VerdictAnswer:
		return NameAnswer
	case index.VerdictRelated:
		return NameRelated
	case index.VerdictNone:
		return NameNone
	}
	return string(v)
}

// IntentName names an intent (as DetectIntent tells it and the query log stores it) in Chinese;
// another value is returned as it is, "" as "".
func IntentName(intent string) string {
	switch Intent(intent) {
	case Entitlement:
		return "待遇补贴"
	case Target:
		return "目标指标"
	case Location:
		return "办事地点"
	case Other:
		return "其他"
	}
	return intent
}

// RatingName names a rating: 好评 for +1 (👍), 差评 for -1 (👎), "" for none.
func RatingName(rating int) string {
	switch {
	case rating > 0:
		return "好评"
	case rating < 0:
		return "差评"
	}
	return ""
}

// ChatTypeName names the kind of chat a question came from (Telegram's chat types, and
// ConsoleChat); another value is returned as it is.
func ChatTypeName(chatType string) string {
	switch chatType {
	case "private":
		return "私聊"
	case "group":
		return "群组"
	case "supergroup":
		return "超级群组"
	case "channel":
		return "频道"
	case ConsoleChat:
		return "控制台"
	}
	return chatType
}

// ScriptName names the script a question was written in (简体 or 繁体); another value is returned as
// it is.
func ScriptName(name string) string {
	switch script.Script(name) {
	case script.Simplified:
		return "简体"
	case script.Traditional:
		return "繁体"
	}
	return name
}
