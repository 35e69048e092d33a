package bot

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"policybot/handlers"
)

// Defaults of Config.
const (
	DefaultPollTimeout = 50 * time.Second
	DefaultWorkers     = 16
	DefaultGrace       = 30 * time.Second
	updateTimeout      = 2 * time.Minute  // the longest one update may take to answer
	jobTimeout         = 30 * time.Minute // the longest a staff job (adding a document, a reindex) may take
	maxWebhookBody     = 1 << 20
)

// SecretHeader is the header Telegram sends the webhook's secret token in.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// Config is what the bot runs with. Token and Handlers are required.
type Config struct {
	Token     string // the bot token from @BotFather
	ServerURL string // the Bot API's base URL; "" is https://api.telegram.org
	Handlers  *handlers.Handlers
	Roles     Roles
	// Staff are the staff's operations (sending a document, /docs, /remove, /restore, /reindex);
	// nil leaves them out: a file sent is then answered like a sticker.
	Staff *handlers.StaffChat
	// Review is the admins' review of the query log (/stats, /unanswered, /top, /export); nil
	// leaves it out.
	Review *handlers.Review
	// Logger receives the bot's log; the token is taken out of every line. nil discards it.
	Logger *slog.Logger
	// HTTPClient makes the calls to the Bot API; nil is a client with a timeout a little longer than
	// PollTimeout.
	HTTPClient *http.Client
	// PollTimeout is how long a long poll waits for updates; DefaultPollTimeout when 0.
	PollTimeout time.Duration
	// Workers bounds the updates answered at once; DefaultWorkers when 0.
	Workers int
	// Grace is how long answers in flight may take to finish at shutdown; DefaultGrace when 0.
	Grace time.Duration
	// Pseudonym names a person refused a staff or admin command in the log instead of their
	// Telegram id (the query log's pseudonym); nil leaves them unnamed.
	Pseudonym func(userID int64) string
	// SendRate is the most messages a second the bot sends, to all chats together, and
	// GroupPerMinute the most a minute to one group: Telegram's limits, DefaultSendRate and
	// DefaultGroupPerMin when 0. A message waits its turn rather than be refused by Telegram.
	SendRate       float64
	GroupPerMinute int
	// PressBurst and PressEvery bound each person's button presses: PressBurst at once, then one
	// every PressEvery (DefaultPressBurst and DefaultPressEvery when 0). A press beyond them gets a
	// notice to wait, and nothing is sent.
	PressBurst int
	PressEvery time.Duration
}

// Bot is a running Telegram bot: it takes updates by long polling (Run) or webhook (RunWebhook) and
// answers each in its own goroutine through the handlers.
type Bot struct {
	cfg   Config
	tg    *tgbot.Bot
	h     *handlers.Handlers
	log   *slog.Logger
	rd    redactor
	me    *models.User
	cmds  map[string]command
	slots chan struct{} // one per update being answered
	lim   *limits

	inflight sync.WaitGroup
	lastID   atomic.Int64 // the highest update id handed to a handler
	stopOnce sync.Once
	stopping chan struct{} // closed when the bot stops taking updates
	hardOnce sync.Once
	hardStop chan struct{} // closed when answers in flight must give up
}

// New connects to the Bot API: it checks the token with getMe and learns the bot's username, which
// group messages mention. It returns an error when the configuration is incomplete or Telegram
// refuses the token; the token never appears in an error or a log line.
func New(ctx context.Context, cfg Config) (*Bot, error) {
	if strings.TrimSpace(cfg.Token) == "" {
		return nil, errors.New("bot: no token")
	}
	if cfg.Handlers == nil {
		return nil, errors.New("bot: no handlers")
	}
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = DefaultPollTimeout
	}
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.Grace <= 0 {
		cfg.Grace = DefaultGrace
	}
	if cfg.SendRate <= 0 {
		cfg.SendRate = DefaultSendRate
	}
	if cfg.GroupPerMinute <= 0 {
		cfg.GroupPerMinute = DefaultGroupPerMin
	}
	if cfg.PressBurst <= 0 {
		cfg.PressBurst = DefaultPressBurst
	}
	if cfg.PressEvery <= 0 {
		cfg.PressEvery = DefaultPressEvery
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: cfg.PollTimeout + 15*time.Second}
	}
	lg := cfg.Logger
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	b := &Bot{
		cfg: cfg, h: cfg.Handlers, rd: newRedactor(cfg.Token),
		log:   slog.New(RedactingHandler(lg.Handler(), cfg.Token)),
		slots: make(chan struct{}, cfg.Workers), stopping: make(chan struct{}), hardStop: make(chan struct{}),
		lim: newLimits(cfg.SendRate, cfg.GroupPerMinute, cfg.PressBurst, cfg.PressEvery),
	}
	b.cmds = b.commands()
	opts := []tgbot.Option{
		tgbot.WithSkipGetMe(),
		tgbot.WithHTTPClient(cfg.PollTimeout, statusClient{c: cfg.HTTPClient}),
		// The library's defaults print whole updates and errors (with URLs) to the standard logger.
		tgbot.WithDefaultHandler(b.onUpdate),
		tgbot.WithErrorsHandler(b.onError),
		tgbot.WithDebugHandler(func(string, ...any) {}),
		// onUpdate starts a goroutine of its own, counted for shutdown; an unbuffered channel hands
		// an update over only when a worker takes it, so none is lost in a buffer at shutdown.
		tgbot.WithNotAsyncHandlers(),
		tgbot.WithUpdatesChannelCap(0),
		tgbot.WithAllowedUpdates(tgbot.AllowedUpdates{"message", "callback_query"}),
	}
	if cfg.ServerURL != "" {
		opts = append(opts, tgbot.WithServerURL(strings.TrimRight(cfg.ServerURL, "/")))
	}
	tg, err := tgbot.New(cfg.Token, opts...)
	if err != nil {
		return nil, fmt.Errorf("bot: %w", b.rd.error(err))
	}
	b.tg = tg
	err = b.retry(ctx, "getMe", 0, func(ctx context.Context) error {
		var err error
		b.me, err = tg.GetMe(ctx)
		return err
	})
	switch {
	case errors.Is(err, tgbot.ErrorUnauthorized), errors.Is(err, tgbot.ErrorNotFound):
		return nil, errors.New("bot: Telegram refused the bot token (check TELEGRAM_BOT_TOKEN)")
	case err != nil:
		return nil, fmt.Errorf("bot: getMe: %w", b.rd.error(err))
	}
	return b, nil
}

// Username is the bot's username, as getMe gave it.
func (b *Bot) Username() string { return b.me.Username }

// register sends the command list people see in Telegram's menu. A failure is logged: the bot works
// without it.
func (b *Bot) register(ctx context.Context) {
	var list []models.BotCommand
	for _, c := range commandList {
		if c.role == Citizen && c.desc != "" {
			list = append(list, models.BotCommand{Command: c.name, Description: c.desc})
		}
	}
	b.retry(ctx, "setMyCommands", 0, func(ctx context.Context) error {
		_, err := b.tg.SetMyCommands(ctx, &tgbot.SetMyCommandsParams{Commands: list})
		return err
	})
}

// Run takes updates by long polling until ctx is done, then stops taking updates, lets the answers
// in flight finish (for up to Config.Grace) and returns. It returns an error when it cannot start.
func (b *Bot) Run(ctx context.Context) error {
	b.register(ctx)
	// A webhook left from an earlier run makes getUpdates fail with 409.
	err := b.retry(ctx, "deleteWebhook", 0, func(ctx context.Context) error {
		_, err := b.tg.DeleteWebhook(ctx, &tgbot.DeleteWebhookParams{})
		return err
	})
	if err != nil {
		return fmt.Errorf("bot: delete webhook: %w", err)
	}
	b.log.Info("listening for updates by long polling", "bot", "@"+b.me.Username, "api", b.apiURL())
	stop := context.AfterFunc(ctx, b.stop)
	defer stop()
	b.tg.Start(ctx)
	b.stop()
	b.drain()
	b.confirm()
	return nil
}

// confirm tells Telegram that the updates handed to handlers are done with, so that the next run
// does not get them again. Long polling confirms an update only by asking for the ones after it,
// which the library does not do when it stops; this asks once, without waiting.
func (b *Bot) confirm() {
	last := b.lastID.Load()
	if last == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	form := url.Values{"offset": {strconv.FormatInt(last+1, 10)}, "limit": {"1"}, "timeout": {"0"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.apiURL()+"/bot"+b.cfg.Token+"/getUpdates", strings.NewReader(form.Encode()))
	if err != nil {
		b.log.Warn("confirm the last updates", "err", b.rd.error(err))
		return
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := b.cfg.HTTPClient.Do(req)
	if err != nil {
		b.log.Warn("confirm the last updates", "err", b.rd.error(err))
		return
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.log.Warn("confirm the last updates", "status", resp.StatusCode)
	}
}

// RunWebhook serves updates that Telegram posts to publicURL, listening on addr, until ctx is done.
// It registers publicURL with setWebhook and the secret token, and refuses (401) any request that
// does not carry it. At the end it stops taking updates, lets the answers in flight finish and
// returns. It returns an error when it cannot listen or register the webhook.
func (b *Bot) RunWebhook(ctx context.Context, addr, publicURL, secret string) error {
	u, err := url.Parse(publicURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("bot: webhook url %q is not an http(s) URL", publicURL)
	}
	if secret == "" {
		return errors.New("bot: webhook needs a secret token")
	}
	path := u.Path
	if path == "" {
		path = "/"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("bot: listen: %w", err)
	}
	workers, stopWorkers := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWorkers()
	mux := http.NewServeMux()
	mux.Handle(path, b.webhook(secret, b.answered(workers)))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	b.register(ctx)
	err = b.retry(ctx, "setWebhook", 0, func(ctx context.Context) error {
		_, err := b.tg.SetWebhook(ctx, &tgbot.SetWebhookParams{
			URL: publicURL, SecretToken: secret, AllowedUpdates: []string{"message", "callback_query"},
		})
		return err
	})
	if err != nil {
		srv.Close()
		stopWorkers()
		return fmt.Errorf("bot: set webhook: %w", err)
	}
	b.log.Info("listening for updates by webhook", "bot", "@"+b.me.Username, "addr", ln.Addr().String(), "url", publicURL)
	select {
	case <-ctx.Done():
	case err = <-served:
		b.log.Error("webhook server stopped", "err", err)
	}
	// Stop taking updates: the server finishes the requests it has, each of which has handed its
	// update to a worker by the time it returns.
	b.stop()
	sctx, cancel := context.WithTimeout(context.Background(), b.cfg.Grace)
	srv.Shutdown(sctx)
	cancel()
	stopWorkers()
	b.drain()
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("bot: webhook server: %w", err)
	}
	return nil
}

// answered is the webhook's handler of updates: it answers Telegram's request once the update has
// been answered (or its handler gave up), not when it is taken. Behind a load balancer, a replica
// that dies with an update in hand has not said 200 for it: Telegram (or the balancer) sends it
// again, to a replica that answers it. A document a staff member sends is taken in by a job of its
// own (see job), which the request does not wait for. ctx is the handlers' context.
func (b *Bot) answered(ctx context.Context) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var upd models.Update
		if err := json.NewDecoder(r.Body).Decode(&upd); err != nil {
			b.log.Warn("webhook request that is not an update refused", "err", err)
			http.Error(w, "not an update", http.StatusBadRequest)
			return
		}
		select {
		case <-b.dispatch(ctx, &upd):
		case <-r.Context().Done():
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// webhook refuses requests without the secret token (the library would answer them 200 and drop
// them silently), and bounds the body.
func (b *Bot) webhook(secret string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if subtle.ConstantTimeCompare([]byte(r.Header.Get(SecretHeader)), []byte(secret)) != 1 {
			b.log.Warn("webhook request without the right secret token refused", "remote", r.RemoteAddr)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		select {
		case <-b.stopping:
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		default:
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxWebhookBody)
		next.ServeHTTP(w, r)
	})
}

func (b *Bot) apiURL() string {
	if b.cfg.ServerURL == "" {
		return "https://api.telegram.org"
	}
	return b.cfg.ServerURL
}

// stop marks the bot as no longer taking updates.
func (b *Bot) stop() { b.stopOnce.Do(func() { close(b.stopping) }) }

// drain waits for the answers in flight, for up to Config.Grace; then it tells them to give up and
// waits for them to return.
func (b *Bot) drain() {
	done := make(chan struct{})
	go func() {
		b.inflight.Wait()
		close(done)
	}()
	t := time.NewTimer(b.cfg.Grace)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		b.log.Warn("answers still in flight at shutdown; stopping them", "grace", b.cfg.Grace)
		b.hardOnce.Do(func() { close(b.hardStop) })
		<-done
	}
	b.log.Info("stopped taking updates; answers in flight finished")
}

// onUpdate is called by the library's worker for each update: it answers the update in a goroutine
// of its own, at most Config.Workers at a time, counted so that shutdown can wait for it. The answer
// runs on a context that outlives the polling (so that shutdown lets it finish) but not the grace
// period.
func (b *Bot) onUpdate(ctx context.Context, _ *tgbot.Bot, upd *models.Update) {
	b.dispatch(ctx, upd)
}

// dispatch answers upd in a goroutine of its own, once one of the Workers slots is free, and returns
// a channel closed when it is answered.
func (b *Bot) dispatch(ctx context.Context, upd *models.Update) <-chan struct{} {
	done := make(chan struct{})
	received := time.Now()
	storeMax(&b.lastID, upd.ID)
	b.slots <- struct{}{}
	b.inflight.Add(1)
	go func() {
		defer close(done)
		defer b.inflight.Done()
		defer func() { <-b.slots }()
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), updateTimeout)
		defer cancel()
		go func() {
			select {
			case <-b.hardStop:
				cancel()
			case <-hctx.Done():
			}
		}()
		defer b.recover(hctx, chatOf(upd))
		b.handle(hctx, upd, received)
	}()
	return done
}

// job runs fn on its own, for work that may outlast an update's time limit (adding a document, a
// reindex): counted as in flight, so shutdown lets it finish for the grace period and then stops it.
// A panic in it is logged and the person in chat gets an apology.
func (b *Bot) job(chat int64, fn func(ctx context.Context)) {
	b.inflight.Add(1)
	go func() {
		defer b.inflight.Done()
		ctx, cancel := context.WithTimeout(context.Background(), jobTimeout)
		defer cancel()
		go func() {
			select {
			case <-b.hardStop:
				cancel()
			case <-ctx.Done():
			}
		}()
		defer b.recover(ctx, chat)
		fn(ctx)
	}()
}

// storeMax sets v to x when x is larger.
func storeMax(v *atomic.Int64, x int64) {
	for {
		old := v.Load()
		if x <= old || v.CompareAndSwap(old, x) {
			return
		}
	}
}

// recover turns a panic in a handler into a log line (with the stack) and an apology to the person
// in chat; the bot keeps serving.
func (b *Bot) recover(ctx context.Context, chat int64) {
	p := recover()
	if p == nil {
		return
	}
	b.log.Error("panic while answering an update", "chat", chat, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
	if chat != 0 {
		func() {
			defer func() { recover() }()
			b.send(ctx, chat, 0, Render(handlers.Answer{Kind: handlers.KindText, Text: msgSorry}))
		}()
	}
}

// msgSorry is what a person gets when answering them failed unexpectedly.
const msgSorry = "抱歉，处理您的消息时出错了，请稍后再试。"

// chatOf is the chat an update comes from, 0 when unknown.
func chatOf(upd *models.Update) int64 {
	switch {
	case upd.Message != nil:
		return upd.Message.Chat.ID
	case upd.CallbackQuery != nil:
		if m := upd.CallbackQuery.Message.Message; m != nil {
			return m.Chat.ID
		}
		if m := upd.CallbackQuery.Message.InaccessibleMessage; m != nil {
			return m.Chat.ID
		}
	}
	return 0
}

// onError receives the library's errors, which come from long polling: a 429 there is waited out for
// its retry_after (the library's polling loop would retry after at most 5 s), the rest is logged.
func (b *Bot) onError(err error) {
	err = b.rd.error(err)
	var tm *tgbot.TooManyRequestsError
	switch {
	case errors.As(err, &tm):
		wait := min(max(time.Duration(tm.RetryAfter)*time.Second, time.Second), maxRetryWait)
		b.log.Warn("Telegram asks to slow down polling", "retry_after", tm.RetryAfter)
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
		case <-b.stopping:
		}
	case errors.Is(err, context.Canceled):
	default:
		b.log.Warn("Bot API", "err", err)
	}
}

// handle answers one update, received at the given time.
func (b *Bot) handle(ctx context.Context, upd *models.Update, received time.Time) {
	switch {
	case upd.Message != nil:
		b.onMessage(ctx, upd.Message, received)
	case upd.CallbackQuery != nil:
		b.onCallback(ctx, upd.CallbackQuery)
	}
}

// who is the person and chat of a message.
func who(from *models.User, chat models.Chat) handlers.Who {
	w := handlers.Who{ChatID: chat.ID, ChatType: string(chat.Type)}
	if from != nil {
		w.UserID, w.Lang = from.ID, from.LanguageCode
	}
	return w
}

func (b *Bot) onMessage(ctx context.Context, m *models.Message, received time.Time) {
	r := routeMessage(m, b.me, func(cmd string) bool { _, ok := b.cmds[cmd]; return ok })
	w := who(m.From, m.Chat)
	w.Received = received
	replyTo := 0
	if m.Chat.Type != models.ChatTypePrivate {
		replyTo = m.ID
	}
	var a handlers.Answer
	switch r.kind {
	case ignore:
		return
	case ask:
		a = b.h.Ask(ctx, w, r.text)
	case nonText:
		a = b.h.NonText(ctx, w)
	case document:
		if b.cfg.Staff == nil {
			a = b.h.NonText(ctx, w)
			break
		}
		if !b.cfg.Roles.Allows(w.UserID, Staff) {
			// Refused before anything is downloaded; the attempt is logged and audited.
			a = b.cfg.Staff.Refuse(handlers.TelegramActor(w.UserID), "add")
			break
		}
		b.onDocument(ctx, m, w)
		return
	case unknown:
		a = handlers.Answer{Kind: handlers.KindText, Text: "不认识这个命令。发送 /help 查看用法，或直接输入您的问题。"}
	case run:
		c := b.cmds[r.cmd]
		switch {
		case !b.cfg.Roles.Allows(w.UserID, c.role) && c.role == Staff && b.cfg.Staff != nil:
			// Logged and audited with the user id by the staff operations.
			a = b.cfg.Staff.Refuse(handlers.TelegramActor(w.UserID), c.name)
		case !b.cfg.Roles.Allows(w.UserID, c.role):
			b.log.Warn("command refused: role required", "command", c.name, "role", c.role.String(), "user", b.refused(w.UserID))
			a = handlers.Answer{Kind: handlers.KindText, Text: "抱歉，这个命令只有" + roleName(c.role) + "可以使用。"}
		case c.private && m.Chat.Type != models.ChatTypePrivate:
			a = handlers.Answer{Kind: handlers.KindText, Text: "请在与我的私聊中使用这个命令：提问记录不在群里显示。"}
		default:
			a = c.run(ctx, b, w, r.text)
		}
	}
	b.send(ctx, m.Chat.ID, replyTo, Render(a))
}

// refused names a person refused a command in the log: staff by Telegram id (as the audit trail
// names them), anyone else by pseudonym, never by id.
func (b *Bot) refused(userID int64) string {
	if b.cfg.Roles.Allows(userID, Staff) {
		return strconv.FormatInt(userID, 10)
	}
	if b.cfg.Pseudonym == nil {
		return "not-allowed"
	}
	return "pseudonym:" + b.cfg.Pseudonym(userID)
}

func roleName(r Role) string {
	if r == Admin {
		return "管理员"
	}
	return "工作人员"
}

// onCallback answers a button press: 更多结果 and 原文 send new messages, 👍/👎 a toast.
func (b *Bot) onCallback(ctx context.Context, q *models.CallbackQuery) {
	var chat models.Chat
	msgID := 0
	switch {
	case q.Message.Message != nil:
		chat, msgID = q.Message.Message.Chat, q.Message.Message.ID
	case q.Message.InaccessibleMessage != nil:
		chat, msgID = q.Message.InaccessibleMessage.Chat, q.Message.InaccessibleMessage.MessageID
	}
	w := who(&q.From, chat)
	kind, id, arg, ok := parseCallback(q.Data)
	if !ok || chat.ID == 0 {
		b.toast(ctx, q.ID, "这个按钮已失效，请重新提问。")
		return
	}
	if !b.lim.press(q.From.ID) {
		b.toast(ctx, q.ID, msgTooFast)
		return
	}
	var a handlers.Answer
	switch kind {
	case handlers.ActionResolve:
		if b.cfg.Review == nil || !b.cfg.Roles.Allows(w.UserID, Admin) {
			b.log.Warn("button refused: role required", "action", "resolve", "role", Admin.String(), "user", b.refused(w.UserID))
			b.toast(ctx, q.ID, "抱歉，只有管理员可以标记。")
			return
		}
		b.toast(ctx, q.ID, b.cfg.Review.Resolve(ctx, w, id))
		return
	case handlers.ActionUp, handlers.ActionDown:
		rating := 1
		if kind == handlers.ActionDown {
			rating = -1
		}
		b.toast(ctx, q.ID, b.h.Feedback(ctx, w, id, rating))
		// The keyboard shows the rating recorded in place of the pair.
		if m := q.Message.Message; m != nil {
			if kb := rated(m.ReplyMarkup, id, rating); kb != nil {
				p := &tgbot.EditMessageReplyMarkupParams{ChatID: chat.ID, MessageID: msgID, ReplyMarkup: kb}
				if err := b.retry(ctx, "editMessageReplyMarkup", chat.ID, func(ctx context.Context) error {
					if err := b.lim.wait(ctx, chat.ID); err != nil {
						return err
					}
					_, err := b.tg.EditMessageReplyMarkup(ctx, p)
					return err
				}); err != nil {
					b.log.Warn("show the rating recorded", "err", err)
				}
			}
		}
		return
	case handlers.ActionRated:
		b.toast(ctx, q.ID, b.h.Rated(ctx, w, id))
		return
	case handlers.ActionMore:
		a = b.h.More(ctx, w, id, arg)
	case handlers.ActionSection:
		a = b.h.Section(ctx, w, id, arg)
	}
	if a.Kind == handlers.KindText {
		// Nothing to show (the answer expired): say so where the button was pressed.
		b.toast(ctx, q.ID, a.Text)
		return
	}
	b.toast(ctx, q.ID, "")
	replyTo := 0
	if chat.Type != models.ChatTypePrivate {
		replyTo = msgID
	}
	b.send(ctx, chat.ID, replyTo, Render(a))
}
