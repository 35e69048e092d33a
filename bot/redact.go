package bot

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
)

// redactor replaces secrets (the bot token, in plain and URL-escaped form) in text.
type redactor struct{ r *strings.Replacer }

func newRedactor(secrets ...string) redactor {
	var pairs []string
	for _, s := range secrets {
		if s == "" {
			continue
		}
		pairs = append(pairs, s, "***")
		if e := url.PathEscape(s); e != s {
			pairs = append(pairs, e, "***")
		}
		if e := url.QueryEscape(s); e != s {
			pairs = append(pairs, e, "***")
		}
	}
	return redactor{r: strings.NewReplacer(pairs...)}
}

func (rd redactor) clean(s string) string { return rd.r.Replace(s) }

// redactedError is an error whose message has the secrets taken out; it still unwraps to the original
// for errors.Is and errors.As.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// error returns err with the secrets taken out of its message, nil for nil.
func (rd redactor) error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if c := rd.clean(msg); c != msg {
		return &redactedError{msg: c, err: err}
	}
	return err
}

// RedactingHandler returns a slog handler that writes through h with every occurrence of the secrets
// (and their URL-escaped forms) replaced by *** in the message and in every attribute, errors
// included: the Telegram client puts the bot token in request URLs, and URLs end up in error messages.
func RedactingHandler(h slog.Handler, secrets ...string) slog.Handler {
	return redactHandler{h: h, rd: newRedactor(secrets...)}
}

type redactHandler struct {
	h  slog.Handler
	rd redactor
}

func (r redactHandler) Enabled(ctx context.Context, l slog.Level) bool { return r.h.Enabled(ctx, l) }

func (r redactHandler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, r.rd.clean(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(r.attr(a))
		return true
	})
	return r.h.Handle(ctx, out)
}

func (r redactHandler) WithAttrs(as []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(as))
	for i, a := range as {
		clean[i] = r.attr(a)
	}
	return redactHandler{h: r.h.WithAttrs(clean), rd: r.rd}
}

func (r redactHandler) WithGroup(name string) slog.Handler {
	return redactHandler{h: r.h.WithGroup(name), rd: r.rd}
}

func (r redactHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, r.rd.clean(v.String()))
	case slog.KindGroup:
		g := v.Group()
		out := make([]slog.Attr, len(g))
		for i, ga := range g {
			out[i] = r.attr(ga)
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(out...)}
	case slog.KindAny:
		var s string
		if err, ok := v.Any().(error); ok {
			s = err.Error()
		} else {
			s = fmt.Sprint(v.Any())
		}
		if c := r.rd.clean(s); c != s {
			return slog.String(a.Key, c)
		}
		if _, ok := v.Any().(error); ok {
			return slog.String(a.Key, s)
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
