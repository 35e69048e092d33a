package bot

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"

	"policybot/bot/bottest"
)

// asModel reads an update as the client library reads Telegram's JSON.
func asModel(t *testing.T, u bottest.Update) *models.Message {
	t.Helper()
	b, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	var m models.Update
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m.Message
}

// TestRouteMessage decides on real-shaped messages: entities with UTF-16 offsets (an emoji before a
// mention is two units), /cmd@bot in groups, other bots' commands.
func TestRouteMessage(t *testing.T) {
	me := &models.User{ID: 123456789, IsBot: true, Username: botName}
	known := func(c string) bool { return c == "start" || c == "ask" || c == "help" }
	bot := bottest.User{ID: me.ID, IsBot: true, FirstName: "bot", Username: botName}
	for _, tc := range []struct {
		name string
		u    bottest.Update
		kind routeKind
		cmd  string
		text string
	}{
		{"private text", bottest.Text(bottest.Private(alice), alice, "失业金怎么领"), ask, "", "失业金怎么领"},
		{"private /start", bottest.Text(bottest.Private(alice), alice, "/start"), run, "start", ""},
		{"private /start@me", bottest.Text(bottest.Private(alice), alice, "/START@"+botName+" deep"), run, "start", "deep"},
		{"private unknown", bottest.Text(bottest.Private(alice), alice, "/frob x"), unknown, "frob", ""},
		{"private command later in text", bottest.Text(bottest.Private(alice), alice, "😀 /start"), ask, "", "😀 /start"},
		{"private sticker", bottest.StickerMessage(bottest.Private(alice), alice), nonText, "", ""},
		{"group chatter", bottest.Text(team, alice, "今天开会"), ignore, "", ""},
		{"group sticker", bottest.StickerMessage(team, alice), ignore, "", ""},
		{"group mention after emoji", bottest.Text(team, alice, "👋😀 @"+botName+" 失业金怎么领"), ask, "", "👋😀 失业金怎么领"},
		{"group mention of someone else", bottest.Text(team, alice, "@someone_else 失业金怎么领"), ignore, "", ""},
		{"group /ask", bottest.Text(team, alice, "/ask 创业贷款"), run, "ask", "创业贷款"},
		{"group /ask@me", bottest.Text(team, alice, "/ask@"+botName+" 创业贷款"), run, "ask", "创业贷款"},
		{"group /help@other", bottest.Text(team, alice, "/help@other_bot"), ignore, "", ""},
		{"group unknown /cmd", bottest.Text(team, alice, "/weather"), ignore, "", ""},
		{"group unknown /cmd@me", bottest.Text(team, alice, "/weather@"+botName), unknown, "weather", ""},
		{"group reply to the bot", bottest.Reply(team, alice, bottest.Message{MessageID: 9, From: &bot, Chat: team, Date: 1}, "那广元呢"), ask, "", "那广元呢"},
		{"group reply to a person", bottest.Reply(team, alice, bottest.Message{MessageID: 9, From: &bob, Chat: team, Date: 1}, "好的"), ignore, "", ""},
		{"a bot's message", bottest.Text(bottest.Private(alice), bottest.User{ID: 5, IsBot: true, FirstName: "b"}, "hi"), ignore, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := routeMessage(asModel(t, tc.u), me, known)
			if r.kind != tc.kind || r.cmd != tc.cmd || (tc.text != "" && r.text != tc.text) {
				t.Errorf("route %+v, want kind %d cmd %q text %q", r, tc.kind, tc.cmd, tc.text)
			}
		})
	}
}

// TestRouteBadEntities: entities with a negative offset or length, or past the end of the text, are
// ignored rather than sliced (a negative length used to panic in withoutMention).
func TestRouteBadEntities(t *testing.T) {
	me := &models.User{ID: 123456789, IsBot: true, Username: botName}
	text := "@" + botName + " 失业金怎么领"
	for _, e := range []models.MessageEntity{
		{Type: models.MessageEntityTypeMention, Offset: 0, Length: -5},
		{Type: models.MessageEntityTypeMention, Offset: 5, Length: -2},
		{Type: models.MessageEntityTypeMention, Offset: -3, Length: 4},
		{Type: models.MessageEntityTypeMention, Offset: 5, Length: 1 << 40},
		{Type: models.MessageEntityTypeMention, Offset: 1 << 62, Length: 1 << 62},
		{Type: models.MessageEntityTypeBotCommand, Offset: 0, Length: -1},
		{Type: models.MessageEntityTypeTextMention, Offset: 3, Length: -2, User: me},
	} {
		m := &models.Message{From: &models.User{ID: 1}, Chat: models.Chat{ID: -1, Type: models.ChatTypeGroup}, Text: text, Entities: []models.MessageEntity{e}}
		var r route
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("entity %+v: panic %v", e, p)
				}
			}()
			r = routeMessage(m, me, func(string) bool { return true })
		}()
		if r.kind != ignore {
			t.Errorf("entity %+v: route %+v, want ignored", e, r)
		}
	}
}

// FuzzRouteMessage: any text with any entities routes without a panic; a question or a command's
// argument is made of the message's text, valid UTF-8 when the text is.
func FuzzRouteMessage(f *testing.F) {
	f.Add("@"+botName+" 失业金怎么领", "mention", 0, 13, true)
	f.Add("/ask@"+botName+" 创业贷款", "bot_command", 0, 19, true)
	f.Add("👋😀 @"+botName+" 失业金", "mention", 5, 13, true)
	f.Add("@"+botName+" x", "mention", 0, -5, true)
	f.Add("/start", "bot_command", 0, 6, false)
	me := &models.User{ID: 123456789, IsBot: true, Username: botName}
	f.Fuzz(func(t *testing.T, text, typ string, offset, length int, group bool) {
		chat := models.Chat{ID: 7, Type: models.ChatTypePrivate}
		if group {
			chat = models.Chat{ID: -7, Type: models.ChatTypeSupergroup}
		}
		e := models.MessageEntity{Type: models.MessageEntityType(typ), Offset: offset, Length: length, User: me}
		m := &models.Message{From: &models.User{ID: 1}, Chat: chat, Text: text, Entities: []models.MessageEntity{e, e}}
		r := routeMessage(m, me, func(c string) bool { return c == "ask" || c == "start" })
		if utf8.ValidString(text) && !utf8.ValidString(r.text) {
			t.Fatalf("route %+v of %q: not UTF-8", r, text)
		}
		if r.cmd != strings.ToLower(r.cmd) {
			t.Fatalf("command %q not lower case", r.cmd)
		}
		if len(r.text) > len(text) {
			t.Fatalf("route text %q longer than the message %q", r.text, text)
		}
	})
}

func TestCallbackData(t *testing.T) {
	for _, tc := range []struct {
		data string
		ok   bool
	}{
		{"m:abc:3", true}, {"s:abc:1", true}, {"u:abc", true}, {"d:abc", true},
		{"m:abc", false}, {"m::3", false}, {"x:abc:1", false}, {"s:abc:x", false}, {"", false}, {"u:abc:1", false},
	} {
		if _, _, _, ok := parseCallback(tc.data); ok != tc.ok {
			t.Errorf("parseCallback(%q) ok = %v", tc.data, ok)
		}
	}
}
