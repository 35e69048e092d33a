// Package admin is the admins' web page: what citizens asked, what went unanswered, how answers were
// rated and how fast they came, from the query log, without showing who asked. It also serves
// /metrics (Prometheus) and /healthz. Everything but /healthz, the login form and its style sheet
// needs the admin token.
package admin

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"policybot/internal/querylog"
)

// ErrNoToken is returned by New without a token: the page is then not served at all.
var ErrNoToken = errors.New("admin: POLICYBOT_ADMIN_TOKEN is not set")

// ErrShortToken is returned by New for a token shorter than MinToken.
var ErrShortToken = errors.New("admin: POLICYBOT_ADMIN_TOKEN is too short")

// MinToken is the shortest admin token accepted, in bytes.
const MinToken = 16

// Config is what the admin page needs.
type Config struct {
	// Token is the admin token (POLICYBOT_ADMIN_TOKEN), required.
	Token string
	// Store is the query log the page reads, required.
	Store *querylog.Store
	// Metrics are served at /metrics; nil serves a fresh, empty set.
	Metrics *Metrics
	// Logger receives failures (never a question's text); nil discards them.
	Logger *slog.Logger
	// Location is the calendar the page counts days in; nil means time.Local.
	Location *time.Location
	// Ready, when set, is what /healthz checks; nil answers ok while the process runs.
	Ready func(ctx context.Context) error
	// Titles, when set, names a document by its id (the live index's title): for questions logged
	// before the log kept titles. nil shows such a result by its document id.
	Titles func(docID string) string
	// Status, when set, names the corpus version and the index served: /healthz answers
	// "ok corpus=VERSION index=NAME", and /metrics has policybot_corpus_info with both as labels,
	// so that replicas can be seen to agree.
	Status func() (corpus, index string)
	// Clock, when set, stands for time.Now (the screenshot in the README uses a fixed day).
	Clock func() time.Time
	// TrustedProxies are the addresses of the reverse proxies in front of the page (which terminate
	// TLS): their X-Forwarded-For names the client whose wrong tokens are counted, and their
	// X-Forwarded-Proto: https makes the session cookie Secure. nil means DefaultProxies (a proxy on
	// the same machine); an empty, non-nil list trusts none.
	TrustedProxies []netip.Prefix
}

//go:embed templates/*.html static/admin.css
var files embed.FS

// server is the admin page.
type server struct {
	Config
	auth *auth
	tmpl *template.Template
	css  []byte
}

// CheckToken reports whether token may guard the admin page: ErrNoToken when it is empty,
// ErrShortToken when it is shorter than MinToken bytes, nil otherwise.
func CheckToken(token string) error {
	if token == "" {
		return ErrNoToken
	}
	if len(token) < MinToken {
		return fmt.Errorf("%w: at least %d bytes", ErrShortToken, MinToken)
	}
	return nil
}

// New returns the admin page's handler, to be served on its own address (--admin-addr). It returns
// ErrNoToken without a token, ErrShortToken for one shorter than MinToken, and an error without a
// store.
func New(c Config) (http.Handler, error) {
	if err := CheckToken(c.Token); err != nil {
		return nil, err
	}
	if c.Store == nil {
		return nil, errors.New("admin: no query log")
	}
	if c.Metrics == nil {
		c.Metrics = NewMetrics()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Location == nil {
		c.Location = time.Local
	}
	if c.Clock == nil {
		c.Clock = time.Now
	}
	tmpl, err := template.New("").Funcs(funcs(c.Location, c.Titles)).ParseFS(files, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("admin: templates: %w", err)
	}
	css, err := files.ReadFile("static/admin.css")
	if err != nil {
		return nil, fmt.Errorf("admin: style sheet: %w", err)
	}
	if c.TrustedProxies == nil {
		c.TrustedProxies = DefaultProxies
	}
	s := &server{Config: c, tmpl: tmpl, css: css,
		auth: &auth{token: []byte(c.Token), now: c.Clock, log: c.Logger, proxies: c.TrustedProxies}}

	if c.Status != nil {
		// A second page on the same metrics (a test's) finds it registered already.
		c.Metrics.Registry().Register(statusCollector(c.Status))
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /admin.css", s.style)
	mux.HandleFunc("GET /login", s.loginForm)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.logout)
	mux.Handle("GET /metrics", s.admin(c.Metrics.handler()))
	mux.Handle("GET /{$}", s.admin(http.HandlerFunc(s.dashboard)))
	mux.Handle("GET /export", s.admin(http.HandlerFunc(s.export)))
	mux.Handle("POST /resolve", s.admin(http.HandlerFunc(s.resolve)))
	// Forms posted from another site (a forged resolve or login) are refused.
	return secure(http.NewCrossOriginProtection().Handler(mux)), nil
}

// secure sets the headers every answer carries: nothing loads from elsewhere, nothing frames the
// page, nothing is cached or leaks a referrer.
func secure(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

// admin lets through requests with the token or a session; others get 401 (a browser asking for
// the page gets the login form with it), and a client with too many wrong tokens 429.
func (s *server) admin(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch s.auth.check(r) {
		case allowed:
			h.ServeHTTP(w, r)
			return
		case throttled:
			w.Header().Set("Retry-After", "60")
			http.Error(w, "429 尝试次数过多，请一分钟后再试 (too many wrong tokens)", http.StatusTooManyRequests)
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="policybot admin"`)
		if r.Method == http.MethodGet && r.URL.Path == "/" {
			s.render(w, http.StatusUnauthorized, "login", loginPage{})
			return
		}
		http.Error(w, "401 需要管理员令牌 (admin token required)", http.StatusUnauthorized)
	})
}

func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	if s.Ready != nil {
		if err := s.Ready(r.Context()); err != nil {
			s.Logger.Warn("health check failed", "err", err)
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if s.Status != nil {
		c, ix := s.Status()
		fmt.Fprintf(w, "ok corpus=%s index=%s\n", c, ix)
		return
	}
	fmt.Fprintln(w, "ok")
}

func (s *server) style(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Write(s.css)
}

// loginPage is what the login form shows.
type loginPage struct {
	Error string
}

func (s *server) loginForm(w http.ResponseWriter, r *http.Request) {
	if s.auth.check(r) == allowed {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.render(w, http.StatusOK, "login", loginPage{})
}

func (s *server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	switch s.auth.try(r, "login", r.PostFormValue("token")) {
	case throttled:
		w.Header().Set("Retry-After", "60")
		s.render(w, http.StatusTooManyRequests, "login", loginPage{Error: "尝试次数过多，请一分钟后再试。"})
		return
	case denied:
		s.render(w, http.StatusUnauthorized, "login", loginPage{Error: "令牌不正确。"})
		return
	}
	http.SetCookie(w, s.auth.newSession(r))
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *server) logout(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, ended())
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (s *server) resolve(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	id, err := strconv.ParseInt(r.PostFormValue("id"), 10, 64)
	if err != nil {
		http.Error(w, "400 无效的编号", http.StatusBadRequest)
		return
	}
	if err := s.Store.Resolve(r.Context(), id); err != nil {
		if errors.Is(err, querylog.ErrNotFound) {
			http.Error(w, "404 没有这个问题", http.StatusNotFound)
			return
		}
		s.fail(w, "resolve", err)
		return
	}
	http.Redirect(w, r, "/#unanswered", http.StatusSeeOther)
}

// fail answers 500 with a short message; the detail goes to the log.
func (s *server) fail(w http.ResponseWriter, what string, err error) {
	s.Logger.Error("admin page failed", "what", what, "err", err)
	http.Error(w, "500 查询日志暂时无法读取，请稍后再试。", http.StatusInternalServerError)
}

// render executes a template into a buffer first, so that a failure halfway does not send half a
// page.
func (s *server) render(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := s.tmpl.ExecuteTemplate(&buf, name, data); err != nil {
		s.fail(w, "render "+name, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
