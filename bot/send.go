package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"policybot/handlers"
)

// ServerError is a 5xx answer from the Bot API or a proxy in front of it. The client library does not
// tell them apart from other failures, so the HTTP client the bot gives it turns them into this error,
// which the library wraps and the retry loop recognises.
type ServerError struct{ Status int }

func (e *ServerError) Error() string {
	return fmt.Sprintf("bot api: %d %s", e.Status, http.StatusText(e.Status))
}

// statusClient is an HTTP client that reports 5xx responses as a *ServerError.
type statusClient struct{ c *http.Client }

func (s statusClient) Do(req *http.Request) (*http.Response, error) {
	resp, err := s.c.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 500 {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		resp.Body.Close()
		return nil, &ServerError{Status: resp.StatusCode}
	}
	return resp, nil
}

// Retry policy for calls to the Bot API.
const (
	maxAttempts  = 5
	firstBackoff = 500 * time.Millisecond
	maxBackoff   = 8 * time.Second
	maxRetryWait = 2 * time.Minute // longest retry_after honoured
)

// errDropped marks a message that is not retried because Telegram will never take it: the person
// blocked the bot, or the message was refused.
var errDropped = errors.New("bot: message dropped")

// retry calls call until it succeeds, retrying a 429 after its retry_after, and 5xx and network
// errors with exponential backoff, up to maxAttempts. A 403 (the person blocked the bot or left the
// chat) and a 400 are logged and dropped, not retried.
func (b *Bot) retry(ctx context.Context, what string, chatID int64, call func(context.Context) error) error {
	backoff := firstBackoff
	for attempt := 1; ; attempt++ {
		err := call(ctx)
		if err == nil {
			return nil
		}
		err = b.rd.error(err)
		if ctx.Err() != nil {
			return err
		}
		var wait time.Duration
		var tm *tgbot.TooManyRequestsError
		var se *ServerError
		var ne net.Error
		switch {
		case errors.As(err, &tm):
			wait = min(max(time.Duration(tm.RetryAfter)*time.Second, time.Second), maxRetryWait)
			b.log.Warn("Telegram asks to slow down", "method", what, "retry_after", tm.RetryAfter)
		case errors.Is(err, tgbot.ErrorForbidden):
			b.log.Info("message dropped: the person blocked the bot or left the chat", "method", what, "chat", chatID)
			return fmt.Errorf("%w: %v", errDropped, err)
		case errors.Is(err, tgbot.ErrorBadRequest):
			b.log.Error("message refused by Telegram", "method", what, "chat", chatID, "err", err)
			return fmt.Errorf("%w: %v", errDropped, err)
		case errors.As(err, &se), errors.As(err, &ne):
			wait, backoff = backoff, min(backoff*2, maxBackoff)
			b.log.Warn("Bot API call failed; retrying", "method", what, "attempt", attempt, "err", err)
		default:
			b.log.Error("Bot API call failed", "method", what, "chat", chatID, "err", err)
			return err
		}
		if attempt == maxAttempts {
			b.log.Error("Bot API call failed; giving up", "method", what, "chat", chatID, "attempts", attempt, "err", err)
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
}

// send sends messages to a chat in order, the first replying to message replyTo (0 for none). It
// stops at the first message that cannot be sent.
func (b *Bot) send(ctx context.Context, chatID int64, replyTo int, msgs []Message) error {
	for i, m := range msgs {
		p := &tgbot.SendMessageParams{
			ChatID: chatID, Text: m.HTML, ParseMode: models.ParseModeHTML,
			LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tgbot.True()},
		}
		if m.Keyboard != nil {
			p.ReplyMarkup = m.Keyboard
		}
		if replyTo != 0 && i == 0 {
			p.ReplyParameters = &models.ReplyParameters{MessageID: replyTo, AllowSendingWithoutReply: true}
		}
		err := b.retry(ctx, "sendMessage", chatID, func(ctx context.Context) error {
			if err := b.lim.wait(ctx, chatID); err != nil {
				return err
			}
			_, err := b.tg.SendMessage(ctx, p)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// toast answers a callback query, with text shown briefly at the top of the chat ("" for none).
func (b *Bot) toast(ctx context.Context, id, text string) {
	p := &tgbot.AnswerCallbackQueryParams{CallbackQueryID: id, Text: handlers.CutRunes(text, 200)}
	b.retry(ctx, "answerCallbackQuery", 0, func(ctx context.Context) error {
		_, err := b.tg.AnswerCallbackQuery(ctx, p)
		return err
	})
}
