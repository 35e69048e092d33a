// Package bottest is a fake Telegram Bot API server for tests: an httptest server that speaks the
// methods policybot uses (getMe, getUpdates, setWebhook, deleteWebhook, setMyCommands, sendMessage,
// editMessageText, editMessageReplyMarkup, answerCallbackQuery, sendChatAction, getFile,
// sendDocument) and serves files people sent at the file download path
// (/file/bot<token>/<file_path>), reads requests the way Telegram does (multipart/form-data,
// URL-encoded forms or JSON), records every request, and checks every message as Telegram would:
// HTML that parses with the tags Telegram accepts, balanced and escaped, at most 4096 UTF-16 code
// units of text (1024 for a caption), callback_data of at most 64 bytes, a document that is there,
// not empty and at most 50 MB; getFile refuses files over 20 MB, as Telegram does for bots. A message
// Telegram would refuse fails the test and is answered with Telegram's 400. Faults (429 with
// retry_after, 5xx, 403) can be queued for any method, and a method can be held to keep a call in
// flight. Updates are served by long polling (getUpdates) or delivered to a webhook the bot set.
package bottest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Request is one call of a Bot API method as the server received it.
type Request struct {
	Method string
	Params map[string]string // form fields; JSON-valued fields (reply_markup, commands) as JSON text
	Time   time.Time         // when it arrived
	Status int               // the HTTP status it was answered with; 0 while it is in progress
	Error  string            // the error description it was answered with, "" when it succeeded
}

// Sent is a message the bot sent or edited successfully.
type Sent struct {
	Method    string // sendMessage or editMessageText
	ChatID    int64
	MessageID int
	HTML      string    // the text as sent
	Text      string    // the text after parsing, as the person sees it
	Keyboard  *Keyboard // the inline keyboard, nil when none
	ReplyTo   int       // the message it replies to, 0 when none
	Time      time.Time
}

// Button returns the button of s labelled label, or false.
func (s Sent) Button(label string) (Button, bool) {
	if s.Keyboard == nil {
		return Button{}, false
	}
	for _, row := range s.Keyboard.InlineKeyboard {
		for _, b := range row {
			if b.Text == label {
				return b, true
			}
		}
	}
	return Button{}, false
}

// Fault is an error response queued for a method.
type Fault struct {
	Status int
	Body   string
}

// TooManyRequests is Telegram's 429 asking to retry after the given seconds.
func TooManyRequests(retryAfter int) Fault {
	return Fault{Status: http.StatusTooManyRequests, Body: fmt.Sprintf(
		`{"ok":false,"error_code":429,"description":"Too Many Requests: retry after %d","parameters":{"retry_after":%d}}`, retryAfter, retryAfter)}
}

// ServerError is a 5xx from a proxy in front of the Bot API: an HTML page, not JSON.
func ServerError(status int) Fault {
	return Fault{Status: status, Body: fmt.Sprintf("<html><body><h1>%d %s</h1></body></html>", status, http.StatusText(status))}
}

// Blocked is Telegram's 403 for a user who blocked the bot.
func Blocked() Fault {
	return Fault{Status: http.StatusForbidden, Body: `{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}`}
}

// Server is a fake Bot API server. Its methods are safe for concurrent use.
type Server struct {
	// URL is the server's base URL, to pass as the Bot API URL (TELEGRAM_API_URL).
	URL string
	// Token is the bot token the server accepts.
	Token string
	// Me is the bot's own user (getMe).
	Me User

	tb   testing.TB
	srv  *httptest.Server
	done chan struct{}

	mu        sync.Mutex
	changed   chan struct{} // closed and replaced whenever something is recorded
	reqs      []Request
	sent      []Sent
	updates   []Update // not yet confirmed, in order
	nextUpd   int64
	nextMsg   int
	messages  map[string]Sent // chat:message -> the message as last sent or edited
	faults    map[string][]Fault
	holds     map[string]chan struct{}
	webhook   string
	secret    string
	commands  string
	callbacks map[string]string      // callback query id -> the toast answered
	files     map[string]*storedFile // file_id -> a file people sent
	docs      []SentDocument
}

// Limits Telegram keeps on files, for bots.
const (
	// MaxDownload is the largest file a bot may download with getFile.
	MaxDownload = 20 << 20
	// MaxUpload is the largest document a bot may send.
	MaxUpload = 50 << 20
	// MaxCaption is the most a caption may hold, in UTF-16 code units after entity parsing.
	MaxCaption = 1024
)

// storedFile is a file a person sent, as the server keeps it for getFile and downloads.
type storedFile struct {
	file File
	data []byte
}

// SentDocument is a document the bot sent with sendDocument.
type SentDocument struct {
	ChatID      int64
	MessageID   int
	FileName    string
	Data        []byte
	CaptionHTML string // the caption as sent
	Caption     string // the caption after parsing, as the person sees it
	Time        time.Time
}

// New starts a fake Bot API server for a bot with the given token and username; it is closed when
// the test ends.
func New(tb testing.TB, token, username string) *Server {
	s := &Server{
		Token: token, Me: User{ID: botID(token), IsBot: true, FirstName: "政策咨询", Username: username},
		tb: tb, done: make(chan struct{}), changed: make(chan struct{}), nextUpd: 100, nextMsg: 1000,
		messages: map[string]Sent{}, faults: map[string][]Fault{}, holds: map[string]chan struct{}{},
		callbacks: map[string]string{}, files: map[string]*storedFile{},
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	tb.Cleanup(s.Close)
	return s
}

// botID is the numeric part of a token ("123456:ABC" → 123456).
func botID(token string) int64 {
	id, _ := strconv.ParseInt(strings.SplitN(token, ":", 2)[0], 10, 64)
	return id
}

// Close stops the server, ending long polls in progress.
func (s *Server) Close() {
	s.mu.Lock()
	select {
	case <-s.done:
		s.mu.Unlock()
		return
	default:
		close(s.done)
	}
	for m, ch := range s.holds {
		close(ch)
		delete(s.holds, m)
	}
	s.mu.Unlock()
	s.srv.Close()
}

// Push queues updates for the bot, numbering them (and their messages, where unnumbered) as
// Telegram does. It returns the updates as queued.
func (s *Server) Push(us ...Update) []Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range us {
		s.nextUpd++
		us[i].UpdateID = s.nextUpd
		if m := us[i].Message; m != nil && m.MessageID == 0 {
			s.nextMsg++
			m.MessageID = s.nextMsg
		}
		s.updates = append(s.updates, us[i])
	}
	s.notify()
	return us
}

// Press returns a callback_query update of user pressing the button labelled label under message m,
// or fails the test when m has no such button. Push it to deliver it.
func (s *Server) Press(m Sent, from User, label string) Update {
	s.tb.Helper()
	b, ok := m.Button(label)
	if !ok {
		s.tb.Fatalf("message %d has no button %q; keyboard %+v", m.MessageID, label, m.Keyboard)
	}
	s.mu.Lock()
	s.nextMsg++
	id := strconv.Itoa(s.nextMsg)
	s.mu.Unlock()
	chatType := "private"
	if m.ChatID < 0 {
		chatType = "supergroup"
	}
	return Update{CallbackQuery: &CallbackQuery{
		ID: "cb" + id, From: from, ChatInstance: "ci" + strconv.FormatInt(m.ChatID, 10), Data: b.CallbackData,
		Message: &Message{MessageID: m.MessageID, From: &s.Me, Chat: Chat{ID: m.ChatID, Type: chatType},
			Date: m.Time.Unix(), Text: m.Text, ReplyMarkup: m.Keyboard},
	}}
}

// Fail queues faults for the next calls of method, one call each; "download" stands for the file
// download path.
func (s *Server) Fail(method string, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], faults...)
}

// Hold makes calls of method wait, after they are recorded, until release is called (or the
// server closes).
func (s *Server) Hold(method string) (release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := make(chan struct{})
	s.holds[method] = ch
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.holds[method] == ch {
				delete(s.holds, method)
				close(ch)
			}
		})
	}
}

// Requests returns the calls of method received so far ("" for all).
func (s *Server) Requests(method string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.reqs {
		if method == "" || r.Method == method {
			out = append(out, r)
		}
	}
	return out
}

// Sent returns the messages sent or edited successfully so far, in order.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

// Upload keeps data as a file a person sends, and returns the document Telegram puts in their
// message (see DocumentMessage); getFile and the download path serve it.
func (s *Server) Upload(name, mime string, data []byte) Document {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.files) + 1
	id := fmt.Sprintf("BQACAgIAAxkBAAI%04d", n)
	f := &storedFile{data: data, file: File{FileID: id, FileUniqueID: fmt.Sprintf("AgAD%04d", n), FileSize: int64(len(data)),
		FilePath: fmt.Sprintf("documents/file_%d%s", n, path.Ext(name))}}
	s.files[id] = f
	return Document{FileID: id, FileUniqueID: f.file.FileUniqueID, FileName: name, MimeType: mime, FileSize: int64(len(data))}
}

// Documents returns the documents the bot sent successfully so far, in order.
func (s *Server) Documents() []SentDocument {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SentDocument(nil), s.docs...)
}

// Toast returns the text answerCallbackQuery gave to the callback query id, and whether it was
// answered.
func (s *Server) Toast(id string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.callbacks[id]
	return t, ok
}

// Commands returns the command list the bot registered with setMyCommands, as JSON.
func (s *Server) Commands() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.commands
}

// Webhook returns the webhook URL and secret token the bot set, "" when none.
func (s *Server) Webhook() (url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook, s.secret
}

// Wait waits until cond holds (it is checked whenever a request is recorded) or timeout passes, and
// reports whether it holds.
func (s *Server) Wait(timeout time.Duration, cond func() bool) bool {
	deadline := time.After(timeout)
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return true
		}
		select {
		case <-ch:
		case <-deadline:
			return cond()
		}
	}
}

// WaitSent waits until at least n messages have been sent in total and returns them; it fails the
// test after timeout.
func (s *Server) WaitSent(n int, timeout time.Duration) []Sent {
	s.tb.Helper()
	if !s.Wait(timeout, func() bool { return len(s.Sent()) >= n }) {
		s.tb.Fatalf("waited %v for %d messages; got %d: %v", timeout, n, len(s.Sent()), texts(s.Sent()))
	}
	return s.Sent()
}

func texts(sent []Sent) []string {
	var out []string
	for _, m := range sent {
		out = append(out, m.Text)
	}
	return out
}

// Deliver posts an update to the webhook the bot set, with the secret token it registered, as
// Telegram does, and returns the HTTP status the bot answered.
func (s *Server) Deliver(ctx context.Context, u Update) (int, error) {
	hook, secret := s.Webhook()
	return s.DeliverWithSecret(ctx, u, hook, secret)
}

// DeliverWithSecret posts an update to url with the given secret token header ("" for none).
func (s *Server) DeliverWithSecret(ctx context.Context, u Update, url, secret string) (int, error) {
	s.mu.Lock()
	s.nextUpd++
	u.UpdateID = s.nextUpd
	if m := u.Message; m != nil && m.MessageID == 0 {
		s.nextMsg++
		m.MessageID = s.nextMsg
	}
	s.mu.Unlock()
	body, err := json.Marshal(u)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// notify wakes the waiters; s.mu is held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// reply is a Bot API response.
type reply struct {
	status int
	body   any // marshalled as the result
	err    string
	raw    *Fault
	sent   *Sent         // a message sent or edited
	doc    *SentDocument // a document sent
}

// download serves a file people sent at /file/bot<token>/<file_path>, as Telegram does; rest is the
// path after /file/bot.
func (s *Server) download(w http.ResponseWriter, r *http.Request, rest string) {
	token, filePath, _ := strings.Cut(rest, "/")
	s.mu.Lock()
	at := len(s.reqs)
	s.reqs = append(s.reqs, Request{Method: "download", Params: map[string]string{"file_path": filePath}, Time: time.Now()})
	var f *storedFile
	for _, sf := range s.files {
		if sf.file.FilePath == filePath {
			f = sf
		}
	}
	fault, faulty := Fault{}, false
	if q := s.faults["download"]; len(q) > 0 {
		fault, faulty, s.faults["download"] = q[0], true, q[1:]
	}
	status := http.StatusOK
	switch {
	case faulty:
		status = fault.Status
	case r.Method != http.MethodGet && r.Method != http.MethodHead:
		status = http.StatusMethodNotAllowed
	case token != s.Token, f == nil:
		status = http.StatusNotFound
	}
	s.reqs[at].Status = status
	s.notify()
	s.mu.Unlock()
	switch {
	case faulty:
		w.WriteHeader(fault.Status)
		io.WriteString(w, fault.Body)
		return
	case status != http.StatusOK:
		writeError(w, status, http.StatusText(status))
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(f.data)))
	w.Write(f.data)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/file/bot"); ok {
		s.download(w, r, rest)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	params, uploads, err := readParams(r)
	// The request is recorded on arrival (a long poll is seen while it waits) and completed with
	// its answer.
	s.mu.Lock()
	at := len(s.reqs)
	s.reqs = append(s.reqs, Request{Method: method, Params: params, Time: time.Now()})
	s.notify()
	s.mu.Unlock()
	var rep reply
	switch {
	case token != s.Token:
		rep = reply{status: http.StatusUnauthorized, err: "Unauthorized"}
	case err != nil:
		rep = reply{status: http.StatusBadRequest, err: "Bad Request: " + err.Error()}
	default:
		if f, ok := s.fault(method); ok {
			rep = reply{status: f.Status, raw: &f}
		} else {
			rep = s.call(r.Context(), method, params, uploads)
		}
	}
	s.mu.Lock()
	req := &s.reqs[at]
	req.Status = rep.status
	if rep.status == 0 {
		req.Status = http.StatusOK
	}
	switch {
	case rep.raw != nil:
		req.Error = rep.raw.Body
	case rep.err != "":
		req.Error = rep.err
	}
	if rep.sent != nil {
		s.messages[msgKey(rep.sent.ChatID, rep.sent.MessageID)] = *rep.sent
		s.sent = append(s.sent, *rep.sent)
	}
	if rep.doc != nil {
		s.docs = append(s.docs, *rep.doc)
	}
	hold := s.holds[method]
	s.notify()
	s.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-s.done:
		}
	}
	switch {
	case rep.raw != nil:
		w.Header().Set("Content-Type", "application/json")
		if strings.HasPrefix(rep.raw.Body, "<") {
			w.Header().Set("Content-Type", "text/html")
		}
		w.WriteHeader(rep.raw.Status)
		io.WriteString(w, rep.raw.Body)
	case rep.err != "":
		writeError(w, rep.status, rep.err)
	default:
		b, _ := json.Marshal(map[string]any{"ok": true, "result": rep.body})
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	}
}

func writeError(w http.ResponseWriter, status int, desc string) {
	b, _ := json.Marshal(map[string]any{"ok": false, "error_code": status, "description": desc})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// fault takes the next fault queued for method.
func (s *Server) fault(method string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.faults[method]
	if len(q) == 0 {
		return Fault{}, false
	}
	s.faults[method] = q[1:]
	return q[0], true
}

// upload is a file sent in a multipart request.
type upload struct {
	name string
	data []byte
}

// readParams reads a request's parameters as Telegram does: from a multipart or URL-encoded form,
// a JSON object, or the query string; and the files a multipart form carries.
func readParams(r *http.Request) (map[string]string, map[string]upload, error) {
	out := map[string]string{}
	files := map[string]upload{}
	for k, v := range r.URL.Query() {
		out[k] = v[0]
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxUpload+1<<20))
	if err != nil {
		return nil, nil, err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		// A method without parameters: the client may send an empty body of any content type.
		return out, files, nil
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "multipart/form-data":
		if err := r.ParseMultipartForm(10 << 20); err != nil {
			return nil, nil, fmt.Errorf("read multipart form: %v", err)
		}
		for k, v := range r.MultipartForm.Value {
			out[k] = v[0]
		}
		for k, fhs := range r.MultipartForm.File {
			f, err := fhs[0].Open()
			if err != nil {
				return nil, nil, err
			}
			data, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				return nil, nil, err
			}
			files[k] = upload{name: fhs[0].Filename, data: data}
		}
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return nil, nil, err
		}
		for k, v := range r.PostForm {
			out[k] = v[0]
		}
	case "application/json":
		var m map[string]json.RawMessage
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			return nil, nil, err
		}
		for k, v := range m {
			var str string
			if json.Unmarshal(v, &str) == nil {
				out[k] = str
			} else {
				out[k] = string(v)
			}
		}
	}
	return out, files, nil
}

// call runs a method.
func (s *Server) call(ctx context.Context, method string, p map[string]string, files map[string]upload) reply {
	switch method {
	case "getMe":
		return reply{body: s.Me}
	case "getUpdates":
		return s.getUpdates(ctx, p)
	case "setWebhook":
		if _, err := url.Parse(p["url"]); err != nil || p["url"] == "" {
			return reply{status: 400, err: "Bad Request: bad webhook: invalid URL"}
		}
		s.mu.Lock()
		s.webhook, s.secret = p["url"], p["secret_token"]
		s.mu.Unlock()
		return reply{body: true}
	case "deleteWebhook":
		s.mu.Lock()
		s.webhook, s.secret = "", ""
		s.mu.Unlock()
		return reply{body: true}
	case "setMyCommands":
		return s.setMyCommands(p)
	case "sendMessage", "editMessageText":
		return s.message(method, p)
	case "editMessageReplyMarkup":
		if p["reply_markup"] != "" {
			if _, err := CheckKeyboard(p["reply_markup"]); err != nil {
				s.tb.Errorf("editMessageReplyMarkup refused: %v", err)
				return reply{status: 400, err: err.Error()}
			}
		}
		return reply{body: true}
	case "answerCallbackQuery":
		if p["callback_query_id"] == "" {
			return reply{status: 400, err: "Bad Request: query is too old and response timeout expired or query ID is invalid"}
		}
		if n := len([]rune(p["text"])); n > MaxToast {
			s.tb.Errorf("answerCallbackQuery text of %d characters", n)
			return reply{status: 400, err: "Bad Request: MESSAGE_TOO_LONG"}
		}
		s.mu.Lock()
		s.callbacks[p["callback_query_id"]] = p["text"]
		s.mu.Unlock()
		return reply{body: true}
	case "sendChatAction":
		return reply{body: true}
	case "getFile":
		return s.getFile(p)
	case "sendDocument":
		return s.sendDocument(p, files)
	}
	return reply{status: http.StatusNotFound, err: "Not Found: method not found"}
}

func (s *Server) getUpdates(ctx context.Context, p map[string]string) reply {
	s.mu.Lock()
	hook := s.webhook
	s.mu.Unlock()
	if hook != "" {
		return reply{status: http.StatusConflict, err: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
	}
	offset, _ := strconv.ParseInt(p["offset"], 10, 64)
	limit, _ := strconv.Atoi(p["limit"])
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(p["timeout"])
	deadline := time.After(time.Duration(timeout) * time.Second)
	for {
		s.mu.Lock()
		// An offset confirms every update before it.
		for len(s.updates) > 0 && offset > 0 && s.updates[0].UpdateID < offset {
			s.updates = s.updates[1:]
		}
		out := append([]Update{}, s.updates[:min(limit, len(s.updates))]...)
		ch := s.changed
		s.mu.Unlock()
		if len(out) > 0 || timeout <= 0 {
			return reply{body: out}
		}
		select {
		case <-ch:
		case <-deadline:
			return reply{body: out}
		case <-ctx.Done():
			return reply{body: out}
		case <-s.done:
			return reply{body: out}
		}
	}
}

// Pending returns the updates not yet confirmed by the bot.
func (s *Server) Pending() []Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Update(nil), s.updates...)
}

func (s *Server) setMyCommands(p map[string]string) reply {
	var cmds []struct {
		Command     string `json:"command"`
		Description string `json:"description"`
	}
	if err := json.Unmarshal([]byte(p["commands"]), &cmds); err != nil {
		return reply{status: 400, err: "Bad Request: can't parse commands JSON object"}
	}
	for _, c := range cmds {
		n := len([]rune(c.Description))
		if len(c.Command) < 1 || len(c.Command) > 32 || strings.Trim(c.Command, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" || n < 1 || n > 256 {
			s.tb.Errorf("setMyCommands refused: command %+v", c)
			return reply{status: 400, err: "Bad Request: BOT_COMMAND_INVALID"}
		}
	}
	s.mu.Lock()
	s.commands = p["commands"]
	s.mu.Unlock()
	return reply{body: true}
}

// message runs sendMessage or editMessageText, checking the message as Telegram does. A message
// Telegram would refuse fails the test.
func (s *Server) message(method string, p map[string]string) reply {
	chatID, err := strconv.ParseInt(p["chat_id"], 10, 64)
	if err != nil {
		return reply{status: 400, err: "Bad Request: chat not found"}
	}
	text := p["text"]
	switch p["parse_mode"] {
	case "HTML":
		text, err = CheckHTML(p["text"])
	case "":
		if strings.TrimSpace(text) == "" {
			err = fmt.Errorf("Bad Request: message text is empty")
		} else if units(text) > MaxText {
			err = fmt.Errorf("Bad Request: message is too long")
		}
	default:
		err = fmt.Errorf("Bad Request: unsupported parse_mode %q", p["parse_mode"])
	}
	if err != nil {
		s.tb.Errorf("%s refused: %v\n%s", method, err, p["text"])
		return reply{status: 400, err: err.Error()}
	}
	var kb *Keyboard
	if p["reply_markup"] != "" {
		if kb, err = CheckKeyboard(p["reply_markup"]); err != nil {
			s.tb.Errorf("%s refused: %v", method, err)
			return reply{status: 400, err: err.Error()}
		}
	}
	m := Sent{Method: method, ChatID: chatID, HTML: p["text"], Text: text, Keyboard: kb, Time: time.Now()}
	if rp := p["reply_parameters"]; rp != "" {
		var r struct {
			MessageID int `json:"message_id"`
		}
		json.Unmarshal([]byte(rp), &r)
		m.ReplyTo = r.MessageID
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if method == "editMessageText" {
		m.MessageID, _ = strconv.Atoi(p["message_id"])
		old, ok := s.messages[msgKey(chatID, m.MessageID)]
		if !ok {
			return reply{status: 400, err: "Bad Request: message to edit not found"}
		}
		if old.HTML == m.HTML && p["reply_markup"] == "" {
			return reply{status: 400, err: "Bad Request: message is not modified"}
		}
	} else {
		s.nextMsg++
		m.MessageID = s.nextMsg
	}
	chatType := "private"
	if chatID < 0 {
		chatType = "supergroup"
	}
	me := s.Me
	return reply{sent: &m, body: Message{MessageID: m.MessageID, From: &me, Chat: Chat{ID: chatID, Type: chatType}, Date: m.Time.Unix(), Text: text, ReplyMarkup: kb}}
}

func msgKey(chat int64, msg int) string { return strconv.FormatInt(chat, 10) + ":" + strconv.Itoa(msg) }

// getFile describes a file people sent, for downloading; Telegram refuses bots files over 20 MB.
func (s *Server) getFile(p map[string]string) reply {
	s.mu.Lock()
	f, ok := s.files[p["file_id"]]
	s.mu.Unlock()
	switch {
	case p["file_id"] == "":
		return reply{status: 400, err: "Bad Request: file_id is empty"}
	case !ok:
		return reply{status: 400, err: "Bad Request: invalid file_id"}
	case f.file.FileSize > MaxDownload:
		return reply{status: 400, err: "Bad Request: file is too big"}
	}
	return reply{body: f.file}
}

// sendDocument takes a document the bot sends, checking it as Telegram does: a file uploaded in the
// form (or a file_id or URL), not empty, at most 50 MB, and a caption that parses and is at most
// 1024 UTF-16 code units. A document Telegram would refuse fails the test.
func (s *Server) sendDocument(p map[string]string, files map[string]upload) reply {
	chatID, err := strconv.ParseInt(p["chat_id"], 10, 64)
	if err != nil {
		return reply{status: 400, err: "Bad Request: chat not found"}
	}
	up, ok := files["document"]
	switch {
	case !ok && p["document"] == "":
		err = errors.New("Bad Request: there is no document in the request")
	case !ok:
		err = errors.New("Bad Request: wrong remote file identifier specified")
	case len(up.data) == 0:
		err = errors.New("Bad Request: file must be non-empty")
	case len(up.data) > MaxUpload:
		err = errors.New("Request Entity Too Large")
	}
	caption := p["caption"]
	if err == nil && caption != "" {
		caption, err = CheckCaption(p["caption"], p["parse_mode"])
	}
	if err == nil && p["reply_markup"] != "" {
		_, err = CheckKeyboard(p["reply_markup"])
	}
	if err != nil {
		s.tb.Errorf("sendDocument refused: %v", err)
		return reply{status: 400, err: err.Error()}
	}
	s.mu.Lock()
	s.nextMsg++
	d := SentDocument{ChatID: chatID, MessageID: s.nextMsg, FileName: up.name, Data: up.data, CaptionHTML: p["caption"], Caption: caption, Time: time.Now()}
	me := s.Me
	s.mu.Unlock()
	chatType := "private"
	if chatID < 0 {
		chatType = "supergroup"
	}
	return reply{doc: &d, body: Message{MessageID: d.MessageID, From: &me, Chat: Chat{ID: chatID, Type: chatType}, Date: d.Time.Unix(),
		Caption: caption, Document: &Document{FileID: fmt.Sprintf("BQACAgIAAxkDAAI%04d", d.MessageID), FileUniqueID: fmt.Sprintf("AgADs%04d", d.MessageID),
			FileName: up.name, FileSize: int64(len(up.data))}}}
}

// CheckCaption parses a caption as Telegram does for parse_mode ("" or "HTML") and returns its text
// after parsing; it returns an error, worded like Telegram's, when it does not parse or is longer
// than MaxCaption UTF-16 code units.
func CheckCaption(caption, parseMode string) (string, error) {
	text := caption
	switch parseMode {
	case "":
	case "HTML":
		var err error
		if text, err = parseHTML(caption); err != nil {
			return "", err
		}
	default:
		return "", fmt.Errorf("Bad Request: unsupported parse_mode %q", parseMode)
	}
	if n := units(text); n > MaxCaption {
		return "", fmt.Errorf("Bad Request: message caption is too long (%d UTF-16 code units, at most %d)", n, MaxCaption)
	}
	return text, nil
}
