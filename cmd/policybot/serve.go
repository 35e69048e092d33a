package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"regexp"
	"strings"

	"policybot/bot"
	"policybot/handlers"
	"policybot/index"
)

// Environment variables of `policybot serve`.
const (
	envToken         = "TELEGRAM_BOT_TOKEN"
	envAPIURL        = "TELEGRAM_API_URL"
	envWebhookSecret = "TELEGRAM_WEBHOOK_SECRET"
	envStaff         = "POLICYBOT_STAFF"
	envAdmins        = "POLICYBOT_ADMINS"
)

// secretToken is what Telegram accepts as a webhook secret token.
var secretToken = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// cmdServe runs the Telegram bot: long polling, or a webhook with --webhook-url and --listen.
// Without a token it says so and runs the console chat instead.
func cmdServe(ctx context.Context, e *env, args []string) error {
	var cfg Config
	fs := flags("serve", e, &cfg)
	hook := fs.String("webhook-url", "", "public URL Telegram posts updates to (webhook mode; default: long polling)")
	listen := fs.String("listen", "", "address the webhook server listens on, e.g. :8443 (with --webhook-url)")
	if err := parse(fs, args, &cfg); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: serve takes no arguments", errUsage)
	}
	if (*hook == "") != (*listen == "") {
		return fmt.Errorf("%w: --webhook-url and --listen go together", errUsage)
	}
	token := strings.TrimSpace(e.getenv(envToken))
	if token == "" {
		fmt.Fprintf(e.stderr, "%s is not set, so there is no Telegram bot to run: starting the console chat instead "+
			"(type a question and press Enter; end with Ctrl-D). The README says how to get a token from @BotFather.\n", envToken)
		return chat(ctx, e, cfg)
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
	ix, err := openIndex(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer func() {
		ix.Close()
		e.log.Info("index closed; bye")
	}()
	h, err := newHandlers(e, ix)
	if err != nil {
		return err
	}
	staff, admins := roles.Count()
	b, err := bot.New(ctx, bot.Config{
		Token: token, ServerURL: e.getenv(envAPIURL), Handlers: h, Roles: roles, Logger: e.log,
	})
	if err != nil {
		return err
	}
	e.log.Info("bot ready", "bot", "@"+b.Username(), "staff", staff, "admins", admins)
	if *hook != "" {
		return b.RunWebhook(ctx, *listen, *hook, secret)
	}
	return b.Run(ctx)
}

// newHandlers returns the handlers over ix that both the bot and the console chat use.
func newHandlers(e *env, ix *index.Index) (*handlers.Handlers, error) {
	return handlers.New(handlers.Config{Searcher: ix, Logger: e.log})
}

// newSecret returns a random webhook secret token (43 characters of A-Z, a-z, 0-9, _ and -).
func newSecret() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
