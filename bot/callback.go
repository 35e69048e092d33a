package bot

import (
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"

	"policybot/handlers"
)

// MaxCallbackData is the most bytes Telegram accepts as a button's callback_data.
const MaxCallbackData = 64

// Callback data names an action and the session it acts on: "m:ID:3" (more, from result 4),
// "s:ID:2" (section of result 2), "u:ID" (👍), "d:ID" (👎), "k:ID" (the rating recorded, 👍 已评). The session id is the handlers' short id,
// so the data stays far below MaxCallbackData; the state itself is kept server-side. "r:N" marks the
// query log's question N resolved (an admin's button; N has at most 19 digits).
var actionCodes = map[handlers.ActionKind]string{
	handlers.ActionMore: "m", handlers.ActionSection: "s", handlers.ActionUp: "u", handlers.ActionDown: "d",
	handlers.ActionResolve: "r", handlers.ActionRated: "k",
}

// callbackData encodes an action on session id (or, for an action with a Ref, on what it names).
func callbackData(id string, a handlers.Action) string {
	code := actionCodes[a.Kind]
	switch a.Kind {
	case handlers.ActionMore, handlers.ActionSection:
		return code + ":" + id + ":" + strconv.Itoa(a.Arg)
	case handlers.ActionResolve:
		return code + ":" + a.Ref
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
	case handlers.ActionUp, handlers.ActionDown, handlers.ActionResolve, handlers.ActionRated:
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

// resolveRow is how many resolve buttons share a row.
const resolveRow = 5

// keyboard lays an answer's actions out as inline buttons: the 原文 buttons on one row, then 更多结果
// and the ratings; resolve buttons in rows of five. Actions whose data would not fit in
// callback_data, and actions on a session when the answer has none, are left out.
func keyboard(a handlers.Answer) *Keyboard {
	var sections, rest []Button
	var resolve [][]Button
	for _, act := range a.Actions {
		if act.Kind != handlers.ActionResolve && a.ID == "" || act.Kind == handlers.ActionResolve && act.Ref == "" {
			continue
		}
		data := callbackData(a.ID, act)
		if len(data) > MaxCallbackData || actionCodes[act.Kind] == "" {
			continue
		}
		b := Button{Text: act.Label, CallbackData: data}
		switch act.Kind {
		case handlers.ActionSection:
			sections = append(sections, b)
		case handlers.ActionResolve:
			if n := len(resolve); n == 0 || len(resolve[n-1]) == resolveRow {
				resolve = append(resolve, nil)
			}
			resolve[len(resolve)-1] = append(resolve[len(resolve)-1], b)
		default:
			rest = append(rest, b)
		}
	}
	var rows [][]Button
	for _, r := range append([][]Button{sections, rest}, resolve...) {
		if len(r) > 0 {
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	return &Keyboard{InlineKeyboard: rows}
}

// rated is keyboard kb after rating (+1 or -1) was recorded for the answer of session id: the 👍 and
// 👎 buttons replaced by one that shows the rating and records nothing when pressed. It returns nil
// when kb has no rating buttons for id.
func rated(kb *models.InlineKeyboardMarkup, id string, rating int) *Keyboard {
	if kb == nil {
		return nil
	}
	up, down := "u:"+id, "d:"+id
	out := &Keyboard{}
	found := false
	for _, row := range kb.InlineKeyboard {
		var r []Button
		for _, b := range row {
			switch b.CallbackData {
			case up, down:
				if !found {
					found = true
					r = append(r, Button{Text: handlers.RatedLabel(rating), CallbackData: "k:" + id})
				}
			default:
				if b.CallbackData == "" {
					continue // only this bot's buttons, which all carry data
				}
				r = append(r, Button{Text: b.Text, CallbackData: b.CallbackData})
			}
		}
		if len(r) > 0 {
			out.InlineKeyboard = append(out.InlineKeyboard, r)
		}
	}
	if !found {
		return nil
	}
	return out
}
