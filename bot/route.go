package bot

import (
	"strings"
	"unicode/utf16"

	"github.com/go-telegram/bot/models"
)

// routeKind is what the bot does with a message.
type routeKind int

const (
	ignore   routeKind = iota // not for the bot: group chatter, another bot's command, a bot's message
	ask                       // a question
	run                       // a command
	unknown                   // a command the bot does not know, addressed to it
	nonText                   // a sticker, photo, voice message… in a private chat
	document                  // a file sent in a private chat: staff add documents so
)

// route is the decision on one message.
type route struct {
	kind routeKind
	cmd  string // the command, lower case, without "/" and "@bot"
	text string // the question, or the command's argument
}

// routeMessage decides what to do with a message: in a private chat, any text is a question and a
// file is a document for the corpus; in a group, only a message that mentions the bot, replies to
// it, or is a command for it (/ask 问题, /help@this_bot). Commands are read from the bot_command entity at the start of the text, whose
// offsets count UTF-16 code units; /cmd@other_bot is for another bot.
func routeMessage(m *models.Message, me *models.User, known func(string) bool) route {
	if m.From == nil || m.From.IsBot {
		return route{}
	}
	private := m.Chat.Type == models.ChatTypePrivate
	if m.Document != nil {
		if private {
			return route{kind: document, text: m.Caption}
		}
		return route{}
	}
	if m.Text == "" {
		if private {
			return route{kind: nonText}
		}
		return route{}
	}
	if cmd, target, arg, ok := commandOf(m); ok {
		switch {
		case target != "" && !strings.EqualFold(target, me.Username):
			return route{}
		case known(cmd):
			return route{kind: run, cmd: cmd, text: arg}
		case private || target != "":
			return route{kind: unknown, cmd: cmd}
		}
		return route{}
	}
	if private {
		return route{kind: ask, text: m.Text}
	}
	if q, ok := withoutMention(m, me); ok {
		return route{kind: ask, text: q}
	}
	if r := m.ReplyToMessage; r != nil && r.From != nil && r.From.ID == me.ID {
		return route{kind: ask, text: m.Text}
	}
	return route{}
}

// commandOf returns the command at the start of a message: its name (lower case), the bot it is
// addressed to ("" when none), and the text after it.
func commandOf(m *models.Message) (name, target, arg string, ok bool) {
	for _, e := range m.Entities {
		if e.Type != models.MessageEntityTypeBotCommand || e.Offset != 0 {
			continue
		}
		_, end, ok := entitySpan(m.Text, e)
		if !ok {
			continue
		}
		word := m.Text[:end]
		if !strings.HasPrefix(word, "/") {
			return "", "", "", false
		}
		name, target, _ = strings.Cut(word[1:], "@")
		return strings.ToLower(name), target, strings.TrimSpace(m.Text[end:]), true
	}
	return "", "", "", false
}

// withoutMention returns the text of a message that mentions the bot (@username, or a text mention
// of its user), with the mention taken out.
func withoutMention(m *models.Message, me *models.User) (string, bool) {
	for _, e := range m.Entities {
		start, end, ok := entitySpan(m.Text, e)
		if !ok {
			continue
		}
		switch {
		case e.Type == models.MessageEntityTypeMention && me.Username != "" && strings.EqualFold(m.Text[start:end], "@"+me.Username),
			e.Type == models.MessageEntityTypeTextMention && e.User != nil && e.User.ID == me.ID:
			return strings.TrimSpace(strings.TrimSpace(m.Text[:start]) + " " + strings.TrimSpace(m.Text[end:])), true
		}
	}
	return "", false
}

// entitySpan returns the byte offsets in text of the span entity e marks. ok is false for an entity
// Telegram would not send: a negative offset, a length below one, or a span past the text's end
// (an update may be forged, or sent by a client with bugs).
func entitySpan(text string, e models.MessageEntity) (start, end int, ok bool) {
	if e.Offset < 0 || e.Length <= 0 || e.Offset > utf16Len(text)-e.Length {
		return 0, 0, false
	}
	return byteOffset(text, e.Offset), byteOffset(text, e.Offset+e.Length), true
}

// byteOffset converts an offset in UTF-16 code units, as Telegram's entities give them, into a byte
// offset in s, clamped to s.
func byteOffset(s string, units int) int {
	n := 0
	for i, r := range s {
		if n >= units {
			return i
		}
		n += utf16.RuneLen(r)
	}
	return len(s)
}
