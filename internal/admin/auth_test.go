package admin

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"policybot/internal/querylog"
)

// newPage returns the admin page's handler over an empty log, with its log lines in the returned
// buffer.
func newPage(t *testing.T, proxies []netip.Prefix) (http.Handler, *bytes.Buffer) {
	t.Helper()
	s, err := querylog.Open(context.Background(), filepath.Join(t.TempDir(), querylog.FileName), querylog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	var logs bytes.Buffer
	h, err := New(Config{Token: testToken, Store: s, Location: cst, Clock: func() time.Time { return seedNow },
		Logger: slog.New(slog.NewTextHandler(&logs, nil)), TrustedProxies: proxies})
	if err != nil {
		t.Fatal(err)
	}
	return h, &logs
}

// request is a request to the page from remote (a client, or a proxy with forwarded set as its
// X-Forwarded-For), with a bearer token or, when form is set, a login with it.
func request(h http.Handler, remote, forwarded, proto, token string, login bool) *httptest.ResponseRecorder {
	var req *http.Request
	if login {
		req = httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"token": {token}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(http.MethodGet, "/metrics", nil)
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.RemoteAddr = remote
	if forwarded != "" {
		req.Header.Set("X-Forwarded-For", forwarded)
	}
	if proto != "" {
		req.Header.Set("X-Forwarded-Proto", proto)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// TestThrottlePerClient: wrong tokens, sent as a bearer token or through the login form, are logged
// without the token and counted per client; a client with too many is refused for the minute, even
// with the right token, while other clients — behind the same proxy, or not — get in.
func TestThrottlePerClient(t *testing.T) {
	h, logs := newPage(t, nil)
	const proxy = "127.0.0.1:40000"
	const guess = "a-wrong-token-guessed-by-someone"
	for i := range maxFailures {
		if w := request(h, proxy, "203.0.113.5", "", guess, i%2 == 0); w.Code != http.StatusUnauthorized {
			t.Fatalf("wrong token %d: %d", i, w.Code)
		}
	}
	for _, login := range []bool{false, true} {
		if w := request(h, proxy, "203.0.113.5", "", testToken, login); w.Code != http.StatusTooManyRequests {
			t.Errorf("the guessing client (login %v) after %d wrong tokens: %d, want 429", login, maxFailures, w.Code)
		}
		if w := request(h, proxy, "198.51.100.7, 203.0.113.6", "", testToken, login); w.Code == http.StatusTooManyRequests || w.Code == http.StatusUnauthorized {
			t.Errorf("another client behind the proxy (login %v): %d", login, w.Code)
		}
		if w := request(h, "192.0.2.9:5555", "203.0.113.5", "", testToken, login); w.Code == http.StatusTooManyRequests || w.Code == http.StatusUnauthorized {
			t.Errorf("a client not behind the proxy naming the guesser's address (login %v): %d", login, w.Code)
		}
	}
	out := logs.String()
	if strings.Count(out, "admin token refused") != maxFailures || !strings.Contains(out, "client=203.0.113.5") ||
		!strings.Contains(out, "via=bearer") || !strings.Contains(out, "via=login") {
		t.Errorf("failures not logged as expected:\n%s", out)
	}
	if strings.Contains(out, guess) || strings.Contains(out, testToken) {
		t.Errorf("a token is in the log:\n%s", out)
	}

	// A client's own X-Forwarded-For is not believed: without a trusted proxy its address counts.
	h, _ = newPage(t, []netip.Prefix{})
	for i := range maxFailures {
		request(h, "192.0.2.10:1000", "203.0.113."+string(rune('0'+i)), "", guess, false)
	}
	if w := request(h, "192.0.2.10:1001", "203.0.113.99", "", testToken, false); w.Code != http.StatusTooManyRequests {
		t.Errorf("a client rotating X-Forwarded-For: %d, want 429", w.Code)
	}
	if w := request(h, "[2001:db8::1]:1000", "", "", testToken, false); w.Code != http.StatusOK {
		t.Errorf("another client: %d", w.Code)
	}
}

// TestSecureCookieBehindProxy: the session cookie is Secure when a trusted proxy says the client
// came over TLS (X-Forwarded-Proto: https), and not when anyone else says so.
func TestSecureCookieBehindProxy(t *testing.T) {
	for _, tc := range []struct {
		name    string
		proxies []netip.Prefix
		remote  string
		proto   string
		secure  bool
	}{
		{"proxy on this machine, https", nil, "127.0.0.1:1234", "https", true},
		{"proxy on this machine, http", nil, "127.0.0.1:1234", "http", false},
		{"proxy on this machine, no header", nil, "[::1]:1234", "", false},
		{"a client claiming https", nil, "192.0.2.1:1234", "https", false},
		{"a configured proxy", []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, "10.1.2.3:1234", "HTTPS", true},
		{"no proxy trusted", []netip.Prefix{}, "127.0.0.1:1234", "https", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := newPage(t, tc.proxies)
			w := request(h, tc.remote, "", tc.proto, testToken, true)
			cookies := w.Result().Cookies()
			if w.Code != http.StatusSeeOther || len(cookies) != 1 {
				t.Fatalf("login: %d, cookies %v", w.Code, cookies)
			}
			if cookies[0].Secure != tc.secure {
				t.Errorf("Secure %v, want %v", cookies[0].Secure, tc.secure)
			}
		})
	}
}
