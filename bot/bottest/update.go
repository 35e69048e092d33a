package bottest

import (
	"encoding/json"
	"regexp"
	"time"
	"unicode/utf16"
)

// The Bot API objects the fake server sends and records, as Telegram writes them in JSON. They are
// declared here rather than taken from the client library, so that the tests check the library's
// reading of real-shaped updates instead of its own writing.

// User is a Telegram user or bot.
type User struct {
	ID        int64  `json:"id"`
	IsBot     bool   `json:"is_bot"`
	FirstName string `json:"first_name"`
	Username  string `json:"username,omitempty"`
}

// Chat is a private chat, group, supergroup or channel.
type Chat struct {
	ID    int64  `json:"id"`
	Type  string `json:"type"`
	Title string `json:"title,omitempty"`
}

// Entity is a MessageEntity; Offset and Length count UTF-16 code units, as Telegram counts them.
type Entity struct {
	Type   string `json:"type"`
	Offset int    `json:"offset"`
	Length int    `json:"length"`
	User   *User  `json:"user,omitempty"`
}

// Message is a message as Telegram sends it in an update or returns it from a method.
type Message struct {
	MessageID      int         `json:"message_id"`
	From           *User       `json:"from,omitempty"`
	Chat           Chat        `json:"chat"`
	Date           int64       `json:"date"`
	Text           string      `json:"text,omitempty"`
	Entities       []Entity    `json:"entities,omitempty"`
	Caption        string      `json:"caption,omitempty"`
	ReplyToMessage *Message    `json:"reply_to_message,omitempty"`
	Document       *Document   `json:"document,omitempty"`
	Sticker        *Sticker    `json:"sticker,omitempty"`
	Photo          []PhotoSize `json:"photo,omitempty"`
	ReplyMarkup    *Keyboard   `json:"reply_markup,omitempty"`
}

// Sticker is the part of a sticker message the tests need.
type Sticker struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Type         string `json:"type"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	IsAnimated   bool   `json:"is_animated"`
	IsVideo      bool   `json:"is_video"`
	Emoji        string `json:"emoji,omitempty"`
}

// Document is a general file in a message (Server.Upload keeps one to be fetched).
type Document struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileName     string `json:"file_name,omitempty"`
	MimeType     string `json:"mime_type,omitempty"`
	FileSize     int64  `json:"file_size,omitempty"`
}

// File is a file ready to download, as getFile describes it.
type File struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileSize     int64  `json:"file_size,omitempty"`
	FilePath     string `json:"file_path,omitempty"`
}

// PhotoSize is one size of a photo.
type PhotoSize struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
}

// CallbackQuery is a press of an inline button.
type CallbackQuery struct {
	ID           string   `json:"id"`
	From         User     `json:"from"`
	Message      *Message `json:"message,omitempty"`
	ChatInstance string   `json:"chat_instance"`
	Data         string   `json:"data,omitempty"`
}

// Update is one incoming update.
type Update struct {
	UpdateID      int64          `json:"update_id"`
	Message       *Message       `json:"message,omitempty"`
	EditedMessage *Message       `json:"edited_message,omitempty"`
	CallbackQuery *CallbackQuery `json:"callback_query,omitempty"`
}

// Keyboard is an inline keyboard (reply_markup).
type Keyboard struct {
	InlineKeyboard [][]Button `json:"inline_keyboard"`
}

// Button is an inline keyboard button. A button must carry exactly one action; CopyText is here so
// that a button sending callback data and an (even empty) copy_text is caught.
type Button struct {
	Text         string          `json:"text"`
	CallbackData string          `json:"callback_data,omitempty"`
	URL          string          `json:"url,omitempty"`
	CopyText     json.RawMessage `json:"copy_text,omitempty"`
}

// Person returns a citizen with the given id.
func Person(id int64, name string) User { return User{ID: id, FirstName: name} }

// Private is the private chat with u.
func Private(u User) Chat { return Chat{ID: u.ID, Type: "private"} }

// Group is a supergroup with the given (negative) id.
func Group(id int64, title string) Chat { return Chat{ID: id, Type: "supergroup", Title: title} }

// Text returns an update of a text message from u in chat, with the entities Telegram would mark:
// bot commands (/start, /ask@name_bot) and @mentions, their offsets in UTF-16 code units. Server.Push
// numbers the update and the message.
func Text(chat Chat, from User, text string) Update {
	return Update{Message: &Message{
		From: &from, Chat: chat, Date: time.Now().Unix(),
		Text: text, Entities: Entities(text),
	}}
}

// Reply returns an update of a text message from u replying to message to.
func Reply(chat Chat, from User, to Message, text string) Update {
	u := Text(chat, from, text)
	u.Message.ReplyToMessage = &to
	return u
}

// StickerMessage returns an update of a sticker sent by u in chat.
func StickerMessage(chat Chat, from User) Update {
	return Update{Message: &Message{
		From: &from, Chat: chat, Date: time.Now().Unix(),
		Sticker: &Sticker{FileID: "CAACAgIAAxkBAAE", FileUniqueID: "AgADAQAD", Type: "regular", Width: 512, Height: 512, Emoji: "👍"},
	}}
}

// DocumentMessage returns an update of a document (see Server.Upload) sent by from in chat, with a
// caption ("" for none).
func DocumentMessage(chat Chat, from User, doc Document, caption string) Update {
	return Update{Message: &Message{From: &from, Chat: chat, Date: time.Now().Unix(), Document: &doc, Caption: caption}}
}

// commandOrMention finds what Telegram marks in a text: /commands at the start of a word, and
// @usernames.
var commandOrMention = regexp.MustCompile(`(?:^|[\s])(/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?|@[A-Za-z0-9_]{5,32})`)

// Entities marks bot commands and mentions in text as Telegram does, offsets in UTF-16 code units.
func Entities(text string) []Entity {
	var out []Entity
	for _, m := range commandOrMention.FindAllStringSubmatchIndex(text, -1) {
		start, end := m[2], m[3]
		typ := "mention"
		if text[start] == '/' {
			typ = "bot_command"
		}
		out = append(out, Entity{Type: typ, Offset: units(text[:start]), Length: units(text[start:end])})
	}
	return out
}

// units is the length of s in UTF-16 code units.
func units(s string) int { return len(utf16.Encode([]rune(s))) }
