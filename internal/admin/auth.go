package admin

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
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
// the token itself; changing the token ends every session.
type auth struct {
	token []byte
	now   func() time.Time

	mu       sync.Mutex
	failures []time.Time // failed logins in the last minute
}

// equal compares a presented token with the admin token in constant time, whatever their lengths.
func (a *auth) equal(presented string) bool {
	x, y := sha256.Sum256([]byte(presented)), sha256.Sum256(a.token)
	return subtle.ConstantTimeCompare(x[:], y[:]) == 1
}

// authorized reports whether r carries the token or a valid session.
func (a *auth) authorized(r *http.Request) bool {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		return ok && strings.EqualFold(scheme, "Bearer") && a.equal(strings.TrimSpace(tok))
	}
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

func (a *auth) mac(expiry string) []byte {
	m := hmac.New(sha256.New, a.token)
	m.Write([]byte("policybot admin session " + expiry))
	return m.Sum(nil)
}

// session returns the cookie of a new session.
func (a *auth) session(r *http.Request) *http.Cookie {
	exp := strconv.FormatInt(a.now().Add(sessionLength).Unix(), 10)
	return &http.Cookie{
		Name:     cookieName,
		Value:    exp + "." + base64.RawURLEncoding.EncodeToString(a.mac(exp)),
		Path:     "/",
		MaxAge:   int(sessionLength.Seconds()),
		HttpOnly: true,
		Secure:   r.TLS != nil,
		SameSite: http.SameSiteStrictMode,
	}
}

// ended is the cookie that ends a session.
func ended() *http.Cookie {
	return &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode}
}

// maxFailures is how many failed logins a minute are answered before the form stops trying tokens
// for the rest of the minute.
const maxFailures = 10

// throttled reports whether logins are refused for now, after too many failures.
func (a *auth) throttled() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	cut := a.now().Add(-time.Minute)
	keep := a.failures[:0]
	for _, t := range a.failures {
		if t.After(cut) {
			keep = append(keep, t)
		}
	}
	a.failures = keep
	return len(a.failures) >= maxFailures
}

func (a *auth) failed() {
	a.mu.Lock()
	a.failures = append(a.failures, a.now())
	a.mu.Unlock()
}
