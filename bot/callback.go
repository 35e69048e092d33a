package bot

import (
	"strconv"
	"strings"

	"policybot/handlers"
)

// MaxCallbackData is the most bytes Telegram accepts as a button's callback_data.
const MaxCallbackData = 64

// Callback data names an action and the session it acts on: "m:ID:3" (more, from result 4),
// "s:ID:2" (section of result 2), "u:ID" (👍), "d:ID" (👎). The session id is the handlers' short id,
// so the data stays far below MaxCallbackData; the state itself is kept server-side.
var actionCodes = map[handlers.ActionKind]string{
	handlers.ActionMore: "m", handlers.ActionSection: "s", handlers.ActionUp: "u", handlers.ActionDown: "d",
}

// callbackData encodes an action on session id.
func callbackData(id string, a handlers.Action) string {
	code := actionCodes[a.Kind]
	switch a.Kind {
	case handlers.ActionMore, handlers.ActionSection:
		return code + ":" + id + ":" + strconv.Itoa(a.Arg)
	}
	return code + ":" + id
}

// parseCallback decodes callback data; ok is false for data this bot did not write.
func parseCallback(data string) (kind handlers.ActionKind, id string, arg int, ok bool) {
	parts := strings.Split(data, ":")
	if len(parts) < 2 || parts[1] == "" {
		return 0, "", 0, false
	}
	for k, code := range actionCodes {
		if code == parts[0] {
			kind = k
		}
	}
	switch kind {
	case handlers.ActionMore, handlers.ActionSection:
		if len(parts) != 3 {
			return 0, "", 0, false
		}
		n, err := strconv.Atoi(parts[2])
		if err != nil {
			return 0, "", 0, false
		}
		return kind, parts[1], n, true
	case handlers.ActionUp, handlers.ActionDown:
		return kind, parts[1], 0, len(parts) == 2
	}
	return 0, "", 0, false
}

// Keyboard is an inline keyboard as the Bot API reads it (reply_markup). It is declared here rather
// than taken from the client library, whose button type always writes a "copy_text" field: a button
// must carry exactly one action, and Telegram has refused such buttons (BUTTON_COPY_TEXT_INVALID).
type Keyboard struct {
	InlineKeyboard [][]Button `json:"inline_keyboard"`
}

// Button is an inline button that sends callback data.
type Button struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data"`
}

// keyboard lays an answer's actions out as inline buttons: the 原文 buttons on one row, then 更多结果
// and the ratings. Actions whose data would not fit in callback_data are left out.
func keyboard(a handlers.Answer) *Keyboard {
	if a.ID == "" || len(a.Actions) == 0 {
		return nil
	}
	var sections, rest []Button
	for _, act := range a.Actions {
		data := callbackData(a.ID, act)
		if len(data) > MaxCallbackData || actionCodes[act.Kind] == "" {
			continue
		}
		b := Button{Text: act.Label, CallbackData: data}
		if act.Kind == handlers.ActionSection {
			sections = append(sections, b)
		} else {
			rest = append(rest, b)
		}
	}
	var rows [][]Button
	for _, r := range [][]Button{sections, rest} {
		if len(r) > 0 {
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	return &Keyboard{InlineKeyboard: rows}
}
