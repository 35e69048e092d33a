package bottest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// MaxText is the most a message's text may hold, in UTF-16 code units after entity parsing.
const MaxText = 4096

// MaxCallbackData is the most bytes a button's callback_data may hold.
const MaxCallbackData = 64

// MaxToast is the most characters an answerCallbackQuery text may hold.
const MaxToast = 200

// allowed are the tags Telegram's HTML parse mode accepts, and the attributes each may carry.
var allowed = map[string]map[string]bool{
	"b": {}, "strong": {}, "i": {}, "em": {}, "u": {}, "ins": {}, "s": {}, "strike": {}, "del": {},
	"a":          {"href": true},
	"code":       {"class": true},
	"pre":        {},
	"blockquote": {"expandable": true},
	"tg-spoiler": {},
	"span":       {"class": true}, // only class="tg-spoiler"
	"tg-emoji":   {"emoji-id": true},
}

// entity is what Telegram accepts after "&": the four named entities and numeric ones.
var entity = regexp.MustCompile(`^&(?:lt|gt|amp|quot|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});`)

// CheckHTML parses text as Telegram's HTML parse mode does and returns the message's text after
// parsing. It returns an error, worded like Telegram's, when a tag is not one Telegram accepts, has an
// attribute it does not accept, is not closed or closed out of order, when <, > or & stand unescaped
// in text, when the message is empty, or longer than MaxText UTF-16 code units.
func CheckHTML(text string) (string, error) {
	plain, err := parseHTML(text)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(plain) == "" {
		return "", errors.New("Bad Request: message text is empty")
	}
	if n := units(plain); n > MaxText {
		return "", fmt.Errorf("Bad Request: message is too long (%d UTF-16 code units, at most %d)", n, MaxText)
	}
	return plain, nil
}

// parseHTML parses text as Telegram's HTML parse mode does and returns the text after parsing, or an
// error worded like Telegram's when it does not parse.
func parseHTML(text string) (string, error) {
	if !utf8.ValidString(text) {
		return "", errors.New("Bad Request: text must be encoded in UTF-8")
	}
	z := html.NewTokenizer(strings.NewReader(text))
	var stack []string
	var out strings.Builder
	offset := 0
	for {
		tt := z.Next()
		raw := string(z.Raw())
		at := offset
		offset += len(raw)
		switch tt {
		case html.ErrorToken:
			if !errors.Is(z.Err(), io.EOF) {
				return "", fmt.Errorf("Bad Request: can't parse entities: %v", z.Err())
			}
			if len(stack) > 0 {
				return "", fmt.Errorf("Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"%s\"", stack[len(stack)-1])
			}
			return out.String(), nil
		case html.TextToken:
			if i := strings.IndexAny(raw, "<>"); i >= 0 {
				return "", fmt.Errorf("Bad Request: can't parse entities: unescaped %q at byte offset %d", raw[i], at+i)
			}
			for i := strings.IndexByte(raw, '&'); i >= 0; {
				if !entity.MatchString(raw[i:]) {
					return "", fmt.Errorf("Bad Request: can't parse entities: unsupported entity or unescaped & at byte offset %d", at+i)
				}
				next := strings.IndexByte(raw[i+1:], '&')
				if next < 0 {
					break
				}
				i += 1 + next
			}
			out.WriteString(html.UnescapeString(raw))
		case html.StartTagToken:
			tok := z.Token()
			attrs, ok := allowed[tok.Data]
			if !ok {
				return "", fmt.Errorf("Bad Request: can't parse entities: Unsupported start tag \"%s\" at byte offset %d", tok.Data, at)
			}
			for _, a := range tok.Attr {
				if !attrs[a.Key] {
					return "", fmt.Errorf("Bad Request: can't parse entities: unsupported attribute %q of tag %q at byte offset %d", a.Key, tok.Data, at)
				}
				if tok.Data == "span" && a.Val != "tg-spoiler" {
					return "", fmt.Errorf("Bad Request: can't parse entities: Unsupported start tag \"span\" at byte offset %d", at)
				}
				if tok.Data == "a" {
					u, err := url.Parse(a.Val)
					if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "tg") {
						return "", fmt.Errorf("Bad Request: can't parse entities: bad link %q at byte offset %d", a.Val, at)
					}
				}
			}
			if tok.Data == "a" && len(tok.Attr) == 0 {
				return "", fmt.Errorf("Bad Request: can't parse entities: a link without href at byte offset %d", at)
			}
			if len(stack) > 0 {
				if top := stack[len(stack)-1]; top == "code" || (top == "pre" && tok.Data != "code") || (top == "a" && tok.Data == "a") {
					return "", fmt.Errorf("Bad Request: can't parse entities: tag %q inside %q at byte offset %d", tok.Data, top, at)
				}
			}
			stack = append(stack, tok.Data)
		case html.EndTagToken:
			tok := z.Token()
			if len(stack) == 0 || stack[len(stack)-1] != tok.Data {
				return "", fmt.Errorf("Bad Request: can't parse entities: Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", at, top(stack), tok.Data)
			}
			stack = stack[:len(stack)-1]
		case html.SelfClosingTagToken:
			return "", fmt.Errorf("Bad Request: can't parse entities: Unsupported start tag %q at byte offset %d", raw, at)
		default: // comments, doctypes
			return "", fmt.Errorf("Bad Request: can't parse entities: unexpected %q at byte offset %d", raw, at)
		}
	}
}

func top(stack []string) string {
	if len(stack) == 0 {
		return ""
	}
	return stack[len(stack)-1]
}

// CheckKeyboard checks a reply_markup as Telegram does for an inline keyboard: every button has a
// text and exactly one action, callback_data of 1 to MaxCallbackData bytes, URLs that are web links.
// It returns the keyboard.
func CheckKeyboard(markup string) (*Keyboard, error) {
	var k Keyboard
	dec := json.NewDecoder(strings.NewReader(markup))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&k); err != nil {
		return nil, fmt.Errorf("Bad Request: can't parse reply keyboard markup JSON object: %v", err)
	}
	for _, row := range k.InlineKeyboard {
		for _, b := range row {
			if b.Text == "" {
				return nil, errors.New("Bad Request: text buttons are unallowed in the inline keyboard")
			}
			actions := 0
			for _, set := range []bool{b.CallbackData != "", b.URL != "", b.CopyText != nil} {
				if set {
					actions++
				}
			}
			if actions != 1 {
				return nil, fmt.Errorf("Bad Request: button %q must carry exactly one action (callback_data, url, copy_text), has %d", b.Text, actions)
			}
			if b.CopyText != nil {
				var ct struct {
					Text string `json:"text"`
				}
				if json.Unmarshal(b.CopyText, &ct) != nil || ct.Text == "" {
					return nil, errors.New("Bad Request: BUTTON_COPY_TEXT_INVALID")
				}
			}
			if b.CallbackData != "" && len(b.CallbackData) > MaxCallbackData {
				return nil, fmt.Errorf("Bad Request: BUTTON_DATA_INVALID (%d bytes)", len(b.CallbackData))
			}
			if b.URL != "" {
				if u, err := url.Parse(b.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "tg") {
					return nil, fmt.Errorf("Bad Request: BUTTON_URL_INVALID %q", b.URL)
				}
			}
		}
	}
	return &k, nil
}
