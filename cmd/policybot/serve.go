package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"policybot/bot"
	"policybot/handlers"
	"policybot/index"
	"policybot/internal/admin"
	"policybot/internal/pgcorpus"
	"policybot/internal/querylog"
)

// Environment variables of `policybot serve`.
const (
	envToken         = "TELEGRAM_BOT_TOKEN"
	envAPIURL        = "TELEGRAM_API_URL"
	envWebhookSecret = "TELEGRAM_WEBHOOK_SECRET"
	envStaff         = "POLICYBOT_STAFF"
	envAdmins        = "POLICYBOT_ADMINS"
	envAdminToken    = "POLICYBOT_ADMIN_TOKEN"
)

// Timing of serve.
const (
	watchInterval  = time.Second      // how often the served index checks for a newer one
	staffLockWait  = time.Minute      // how long a reindex from a chat waits for one running elsewhere
	logDrain       = 10 * time.Second // how long shutdown waits for the query log's queue to be written
	adminShutdown  = 5 * time.Second  // how long shutdown waits for admin page requests in progress
	healthzTimeout = 2 * time.Second
)

// secretToken is what Telegram accepts as a webhook secret token.
var secretToken = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// cmdServe runs the Telegram bot: long polling, or a webhook with --webhook-url and --listen; with
// --admin-addr also the admin page. Without a token it says so and runs the console chat instead.
func cmdServe(ctx context.Context, e *env, args []string) error {
	cfg := Config{answers: true}
	var lc logConfig
	fs := flags("serve", e, &cfg)
	logFlags(fs, e, &lc)
	hook := fs.String("webhook-url", "", "public URL Telegram posts updates to (webhook mode; default: long polling)")
	listen := fs.String("listen", "", "address the webhook server listens on, e.g. :8443 (with --webhook-url)")
	adminAddr := fs.String("admin-addr", "", "address of the admin page, e.g. 127.0.0.1:8080 (off when empty; needs POLICYBOT_ADMIN_TOKEN)")
	fs.DurationVar(&cfg.StoreCheck, "store-check", defaultStoreCheck, "with --store, how often to ask the store for changes besides being told of each (LISTEN)")
	adminProxies := fs.String("admin-proxies", "127.0.0.0/8,::1", "addresses (or CIDR ranges) of the TLS-terminating proxies in front of the admin page whose X-Forwarded-For and X-Forwarded-Proto are believed; \"none\" for none")
	if err := parse(e, fs, args, &cfg); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: serve takes no arguments", errUsage)
	}
	if (*hook == "") != (*listen == "") {
		return fmt.Errorf("%w: --webhook-url and --listen go together", errUsage)
	}
	if _, err := lc.retention(); err != nil {
		return err
	}
	proxies, err := parseProxies(*adminProxies)
	if err != nil {
		return fmt.Errorf("%w: --admin-proxies: %v", errUsage, err)
	}
	// A bad admin token refuses before anything starts, with or without a bot.
	var page *adminPage
	if *adminAddr != "" {
		if err := admin.CheckToken(e.getenv(envAdminToken)); err != nil {
			return fmt.Errorf("%w: --admin-addr %s: %v", errUsage, *adminAddr, err)
		}
		page = &adminPage{addr: *adminAddr, proxies: proxies}
	}
	token := strings.TrimSpace(e.getenv(envToken))
	if token == "" {
		beside := ""
		if page != nil {
			beside = ", with the admin page beside it on " + page.addr
		}
		fmt.Fprintf(e.stderr, "%s is not set, so there is no Telegram bot to run: starting the console chat instead%s "+
			"(type a question and press Enter; end with Ctrl-D). The README says how to get a token from @BotFather.\n", envToken, beside)
		return chat(ctx, e, cfg, lc, page)
	}
	// From here on the token is taken out of every log line.
	e.log = slog.New(bot.RedactingHandler(e.log.Handler(), token))
	roles, err := bot.ParseRoles(e.getenv(envStaff), e.getenv(envAdmins))
	if err != nil {
		return err
	}
	secret := e.getenv(envWebhookSecret)
	if *hook != "" {
		switch {
		case secret == "":
			secret = newSecret()
			e.log.Info("generated a webhook secret token for this run; set " + envWebhookSecret + " to share one between replicas")
		case !secretToken.MatchString(secret):
			return fmt.Errorf("%w: %s may hold only A-Z, a-z, 0-9, _ and - (1 to 256 characters)", errUsage, envWebhookSecret)
		}
	}

	// Background work (the index watcher, the log's daily purge) runs until serve returns.
	bg, stopBG := context.WithCancel(ctx)
	defer stopBG()
	svc, err := startServices(bg, e, cfg, lc, false)
	if err != nil {
		return err
	}
	srv, err := page.start(e, svc)
	if err != nil {
		svc.close(e, nil)
		return err
	}
	err = serveBot(ctx, e, cfg, svc, roles, token, *hook, *listen, secret)
	stopBG()
	svc.close(e, srv)
	return err
}

// adminPage is where serve's admin page listens (--admin-addr, --admin-proxies).
type adminPage struct {
	addr    string
	proxies []netip.Prefix
}

// start serves the admin page over svc's query log and metrics; nil when p is nil (no page). It
// returns an error when the page cannot be made (no query log) or its address cannot be listened on.
func (p *adminPage) start(e *env, svc *services) (*http.Server, error) {
	if p == nil {
		return nil, nil
	}
	if svc.store == nil {
		return nil, fmt.Errorf("--admin-addr %s: the admin page needs the query log, which cannot be opened", p.addr)
	}
	srv, err := adminServer(e, p.addr, p.proxies, svc.store, svc.metrics, svc.ready, svc.status, svc.title)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		return nil, fmt.Errorf("--admin-addr: %w", err)
	}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			e.log.Error("admin page stopped", "err", err)
		}
	}()
	e.log.Info("admin page listening", "addr", "http://"+ln.Addr().String()+"/")
	return srv, nil
}

// serveBot runs the Telegram bot over the services until ctx ends and the answers in flight are
// done.
func serveBot(ctx context.Context, e *env, cfg Config, svc *services, roles bot.Roles, token, hook, listen, secret string) error {
	svc.sessions = newSharedSessions(svc.store, e.log)
	h, err := handlers.New(handlers.Config{Searcher: svc.live, Log: svc.qlog, Sessions: svc.sessions,
		Logger: e.log, Retention: svc.retention})
	if err != nil {
		return err
	}
	staff := newStaff(ctx, e, cfg)
	staff.Members = roles.IDs(bot.Staff)
	staff.Index = svc.live
	staff.LockWait = staffLockWait
	var pseudonym func(int64) string // names citizens refused a command, in the log and audit trail
	if svc.qlog != nil {
		pseudonym = svc.qlog.Pseudonym
	}
	staff.Pseudonym = pseudonym
	if qs, set, err := loadQuestions("", cfg); err != nil {
		e.log.Warn("regression questions cannot be read; reindex reports will not list answer changes", "set", set, "err", err)
	} else {
		staff.Questions = qs
	}
	review := &handlers.Review{Log: reviewLog{store: svc.store}, Members: roles.IDs(bot.Admin), Location: time.Local, Logger: e.log, Pseudonym: pseudonym}
	nstaff, nadmins := roles.Count()
	b, err := bot.New(ctx, bot.Config{
		Token: token, ServerURL: e.getenv(envAPIURL), Handlers: h, Roles: roles, Logger: e.log,
		Staff: handlers.NewStaffChat(staff, svc.live, svc.metrics), Review: review, Pseudonym: pseudonym,
	})
	if err != nil {
		return err
	}
	e.log.Info("bot ready", "bot", "@"+b.Username(), "staff", nstaff, "admins", nadmins, "index", svc.live.Manifest().Name)
	if hook != "" {
		return b.RunWebhook(ctx, listen, hook, secret)
	}
	return b.Run(ctx)
}

// services are what the bot and the console chat answer from and write to: the live index (swapped
// for a newer one when a reindex, here or in another process, publishes it), the query log and the
// metrics.
type services struct {
	live      *index.Live
	store     *querylog.Store // nil when the chat runs without a query log
	qlog      *querylog.Log   // likewise
	sessions  *sharedSessions // the bot's button state; nil for the console chat
	metrics   *admin.Metrics
	retention time.Duration
	// corpus is the corpus store's version the served index holds; -1 without a store.
	corpus atomic.Int64
	// corpusStore is the corpus in PostgreSQL (--store), nil for a corpus folder.
	corpusStore *pgcorpus.Store
}

// startServices builds the index when needed, opens it live and watches for newer ones until ctx
// ends, and opens the query log. For the bot the query log is required and purged daily; the console
// chat (console set) answers without it, after a warning, when it cannot be opened, and leaves the
// purge to the bot.
func startServices(ctx context.Context, e *env, cfg Config, lc logConfig, console bool) (*services, error) {
	live, err := openLive(ctx, e, cfg)
	if err != nil {
		return nil, err
	}
	go live.Watch(ctx, watchInterval)
	svc := &services{live: live, metrics: admin.NewMetrics(), corpusStore: cfg.store}
	svc.corpus.Store(-1)
	if cfg.store != nil {
		svc.corpus.Store(cfg.store.Mirrored())
		go svc.follow(ctx, e, cfg, cfg.StoreCheck)
	}
	if svc.retention, err = lc.retention(); err != nil {
		live.Close()
		return nil, err
	}
	if console {
		svc.store, svc.qlog, _, err = openQueryLog(ctx, e, cfg, lc, svc.metrics)
		if err != nil {
			e.log.Warn("the console chat runs without a query log", "err", err)
		}
		svc.renameRegions(ctx, e)
		return svc, nil
	}
	if svc.store, svc.qlog, err = startQueryLog(ctx, e, cfg, lc, svc.metrics); err != nil {
		live.Close()
		return nil, err
	}
	svc.renameRegions(ctx, e)
	return svc, nil
}

// ready is what /healthz checks: the query log answers and an index is served.
func (s *services) ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, healthzTimeout)
	defer cancel()
	if s.live.Manifest().Name == "" {
		return errors.New("no index is served")
	}
	return s.store.Ping(ctx)
}

// close shuts the services down once no handler runs any more: the query log's queue and the button
// state are written, the admin page (srv, when not nil) finishes its requests, then the log's
// database and the index are closed.
func (s *services) close(e *env, srv *http.Server) {
	if s.qlog != nil {
		within(e, logDrain, "query log entries left unwritten at shutdown", s.qlog.Close)
	}
	if s.sessions != nil {
		within(e, logDrain, "button state left unwritten at shutdown", s.sessions.Close)
	}
	if srv != nil {
		within(e, adminShutdown, "admin page shutdown", srv.Shutdown)
	}
	if s.store != nil {
		if err := s.store.Close(); err != nil {
			e.log.Warn("closing the query log", "err", err)
		}
	}
	s.live.Close()
	if s.corpusStore != nil {
		s.corpusStore.Close()
	}
	e.log.Info("index closed; bye")
}

// within runs stop with a deadline of d, logging what it says when it fails.
func within(e *env, d time.Duration, what string, stop func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if err := stop(ctx); err != nil {
		e.log.Warn(what, "err", err)
	}
}

// newSecret returns a random webhook secret token (43 characters of A-Z, a-z, 0-9, _ and -).
func newSecret() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
