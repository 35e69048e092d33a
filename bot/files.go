package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"policybot/corpus"
	"policybot/handlers"
)

// Files in and out of chats: staff send documents for the corpus, admins get the query log as a CSV.

// MaxCaption is the most text a file's caption holds, in UTF-16 code units after entity parsing.
const MaxCaption = 1024

// onDocument adds a document a staff member sent (the role is checked already): the work runs on
// its own, as it may take longer than an update may; the person sees the bot typing meanwhile, then
// the metadata found and the passage count, or why the file was refused.
func (b *Bot) onDocument(ctx context.Context, m *models.Message, w handlers.Who) {
	d := m.Document
	up := handlers.Upload{
		Name:    handlers.UploadName(d.FileName, d.MimeType, "document"),
		Size:    d.FileSize,
		Caption: m.Caption,
		Fetch:   b.fetcher(d.FileID, w.ChatID),
	}
	b.typing(ctx, w.ChatID)
	b.job(w.ChatID, func(ctx context.Context) {
		b.send(ctx, w.ChatID, 0, Render(b.cfg.Staff.Receive(ctx, handlers.TelegramActor(w.UserID), up)))
	})
}

// typing shows the person that the bot is at work. A failure is of no consequence.
func (b *Bot) typing(ctx context.Context, chatID int64) {
	b.retry(ctx, "sendChatAction", chatID, func(ctx context.Context) error {
		_, err := b.tg.SendChatAction(ctx, &tgbot.SendChatActionParams{ChatID: chatID, Action: models.ChatActionTyping})
		return err
	})
}

// fetcher returns a function that downloads the file fileID from Telegram: getFile gives its path and
// size, then the file is read from the Bot API's file URL, at most max bytes. The URL holds the bot
// token: it is never logged, and errors are cleaned of it.
func (b *Bot) fetcher(fileID string, chatID int64) func(ctx context.Context, max int64) ([]byte, error) {
	return func(ctx context.Context, max int64) ([]byte, error) {
		var f *models.File
		err := b.retry(ctx, "getFile", chatID, func(ctx context.Context) error {
			var err error
			f, err = b.tg.GetFile(ctx, &tgbot.GetFileParams{FileID: fileID})
			return err
		})
		if err != nil {
			if strings.Contains(err.Error(), "file is too big") {
				return nil, fmt.Errorf("get file: %w", corpus.ErrTooLarge)
			}
			return nil, fmt.Errorf("get file: %w", err)
		}
		if f.FileSize > max {
			return nil, fmt.Errorf("get file: %w: %d bytes", corpus.ErrTooLarge, f.FileSize)
		}
		if f.FilePath == "" {
			return nil, errors.New("get file: Telegram gave no file path")
		}
		var data []byte
		err = b.retry(ctx, "download file", chatID, func(ctx context.Context) error {
			data, err = b.download(ctx, b.tg.FileDownloadLink(f), max)
			return err
		})
		if err != nil {
			return nil, err
		}
		return data, nil
	}
}

// download reads at most max bytes from url; more is an error wrapping corpus.ErrTooLarge.
func (b *Bot) download(ctx context.Context, url string, max int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("download file: %w", b.rd.error(err))
	}
	resp, err := (statusClient{c: b.cfg.HTTPClient}).Do(req)
	if err != nil {
		return nil, fmt.Errorf("download file: %w", b.rd.error(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download file: %s", resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("download file: %w", b.rd.error(err))
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("download file: %w", corpus.ErrTooLarge)
	}
	return data, nil
}

// sendFile sends a file to a chat as a document, with its caption (plain text, escaped; cut to fit).
func (b *Bot) sendFile(ctx context.Context, chatID int64, f *handlers.Attachment) error {
	caption := f.Caption
	for utf16Len(caption) > MaxCaption {
		caption = handlers.CutRunes(caption, len([]rune(caption))-(utf16Len(caption)-MaxCaption)-1) + "…"
	}
	return b.retry(ctx, "sendDocument", chatID, func(ctx context.Context) error {
		if err := b.lim.wait(ctx, chatID); err != nil {
			return err
		}
		_, err := b.tg.SendDocument(ctx, &tgbot.SendDocumentParams{
			ChatID:    chatID,
			Document:  &models.InputFileUpload{Filename: f.Name, Data: bytes.NewReader(f.Data)},
			Caption:   escape(caption),
			ParseMode: models.ParseModeHTML,
		})
		return err
	})
}
