package admin

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"
)

// cookieName is the session cookie the login form sets.
const cookieName = "policybot_admin"

// sessionLength is how long a login lasts.
const sessionLength = 12 * time.Hour

// auth checks the admin token: as "Authorization: Bearer TOKEN", or through the session cookie that
// logging in with it sets. The cookie holds an expiry and an HMAC of it keyed with the token, not
// the token itself; changing the token ends every session. Wrong tokens, by either way, are logged
// (without the token) and counted per client address: a client with maxFailures in the last minute
// is refused (429) until the minute has passed, without a token being compared; other clients are
// not affected.
type auth struct {
	token   []byte
	now     func() time.Time
	log     *slog.Logger
	proxies []netip.Prefix // reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed

	mu       sync.Mutex
	failures map[string][]time.Time // failed token checks in the last minute, by client
}

// verdict is what auth makes of a request.
type verdict int

const (
	denied    verdict = iota // neither token nor session, or a wrong token
	allowed                  // the token, or a valid session
	throttled                // a client with too many wrong tokens in the last minute
)

// equal compares a presented token with the admin token in constant time, whatever their lengths.
func (a *auth) equal(presented string) bool {
	x, y := sha256.Sum256([]byte(presented)), sha256.Sum256(a.token)
	return subtle.ConstantTimeCompare(x[:], y[:]) == 1
}

// check decides on a request by its bearer token or session cookie. A wrong bearer token counts as
// a failure of the client's.
func (a *auth) check(r *http.Request) verdict {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			return denied
		}
		return a.try(r, "bearer", strings.TrimSpace(tok))
	}
	if a.session(r) {
		return allowed
	}
	return denied
}

// try checks a token presented by r's client (how: "bearer" or "login"), unless the client is
// throttled; a wrong one is logged and counted.
func (a *auth) try(r *http.Request, how, presented string) verdict {
	client := a.client(r)
	if a.throttled(client) {
		a.log.Warn("admin token not checked: too many wrong tokens from this client", "client", client, "via", how)
		return throttled
	}
	if a.equal(presented) {
		return allowed
	}
	a.failed(client)
	a.log.Warn("admin token refused", "client", client, "via", how, "path", r.URL.Path)
	return denied
}

// session reports whether r carries a valid session cookie.
func (a *auth) session(r *http.Request) bool {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return false
	}
	exp, mac, ok := strings.Cut(c.Value, ".")
	if !ok {
		return false
	}
	unix, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || !a.now().Before(time.Unix(unix, 0)) {
		return false
	}
	want := a.mac(exp)
	got, err := base64.RawURLEncoding.DecodeString(mac)
	return err == nil && hmac.Equal(got, want)
}

// DefaultProxies are the reverse proxies believed when Config.TrustedProxies is nil: one on the same
// machine, which is how the README puts the page behind TLS.
var DefaultProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// fromProxy returns the address r's connection comes from and whether it is a trusted proxy's.
func (a *auth) fromProxy(r *http.Request) (netip.Addr, bool) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}, false
	}
	return ap.Addr().Unmap(), a.trusted(ap.Addr().Unmap())
}

func (a *auth) trusted(addr netip.Addr) bool {
	for _, p := range a.proxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// client names the client behind r for counting its failures: the connection's address, or, when
// the connection is a trusted proxy's, the last address in X-Forwarded-For that is not a trusted
// proxy (the one the proxy saw; those before it are the client's to forge). An IPv6 address counts
// as its /64, which one client usually holds whole.
func (a *auth) client(r *http.Request) string {
	addr, proxied := a.fromProxy(r)
	if proxied {
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break
			}
			addr = hop.Unmap()
			if !a.trusted(addr) {
				break
			}
		}
	}
	if !addr.IsValid() {
		return r.RemoteAddr
	}
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return p.String()
	}
	return addr.String()
}

// overTLS reports whether the client reached the page over TLS: directly, or through a trusted proxy
// that terminated it and says so with X-Forwarded-Proto: https. The header of anyone else is ignored,
// since any client can send it.
func (a *auth) overTLS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	_, proxied := a.fromProxy(r)
	return proxied && strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto")), "https")
}

func (a *auth) mac(expiry string) []byte {
	m := hmac.New(sha256.New, a.token)
	m.Write([]byte("policybot admin session " + expiry))
	return m.Sum(nil)
}

// newSession returns the cookie of a new session, Secure when the client reached the page over TLS.
func (a *auth) newSession(r *http.Request) *http.Cookie {
	exp := strconv.FormatInt(a.now().Add(sessionLength).Unix(), 10)
	return &http.Cookie{
		Name:     cookieName,
		Value:    exp + "." + base64.RawURLEncoding.EncodeToString(a.mac(exp)),
		Path:     "/",
		MaxAge:   int(sessionLength.Seconds()),
		HttpOnly: true,
		Secure:   a.overTLS(r),
		SameSite: http.SameSiteStrictMode,
	}
}

// ended is the cookie that ends a session.
func ended() *http.Cookie {
	return &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode}
}

// maxFailures is how many wrong tokens a client may present in a minute; after that its tokens are
// not checked for the rest of the minute.
const maxFailures = 10

// maxClients bounds the clients whose failures are remembered; past it the one that failed longest
// ago is forgotten.
const maxClients = 4096

// throttled reports whether client's tokens are refused for now, after too many failures.
func (a *auth) throttled(client string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.recent(client)) >= maxFailures
}

// recent returns client's failures of the last minute, forgetting older ones. a.mu is held.
func (a *auth) recent(client string) []time.Time {
	cut := a.now().Add(-time.Minute)
	fs := a.failures[client]
	for len(fs) > 0 && !fs[0].After(cut) {
		fs = fs[1:]
	}
	if len(fs) == 0 {
		delete(a.failures, client)
		return nil
	}
	a.failures[client] = fs
	return fs
}

// failed counts a wrong token of client's.
func (a *auth) failed(client string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.failures == nil {
		a.failures = map[string][]time.Time{}
	}
	if _, ok := a.failures[client]; !ok && len(a.failures) >= maxClients {
		oldest, when := "", a.now()
		for c := range a.failures {
			if fs := a.recent(c); len(fs) > 0 && fs[len(fs)-1].Before(when) {
				oldest, when = c, fs[len(fs)-1]
			}
		}
		delete(a.failures, oldest)
	}
	a.failures[client] = append(a.recent(client), a.now())
}
