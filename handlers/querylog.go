package handlers

import (
	"context"
	"strings"
	"time"

	"policybot/index"
)

// LogEntry is one question as the query log records it.
type LogEntry struct {
	Time      time.Time
	UserID    int64  // raw Telegram user id (0 for the console); the log pseudonymises it, never stores it
	ChatID    int64  // raw chat id; likewise never stored raw
	ChatType  string // "private", "group", "supergroup", "channel", "console"
	Question  string
	Script    string // "simplified" or "traditional"
	Intent    string // "entitlement", "target", "location", "other"
	Region    string // region named in the question or chosen with /region, "" if none
	Confident bool
	Verdict   index.Verdict // how the documents answered it; "" for a caller that knows only Confident (see Outcome)
	Results   []LogResult   // the passages shown, best first
	Latency   time.Duration
}

// Outcome is e's verdict: Verdict, or when that is "", answer when Confident and none when not.
func (e LogEntry) Outcome() index.Verdict {
	switch {
	case e.Verdict != "":
		return e.Verdict
	case e.Confident:
		return index.VerdictAnswer
	}
	return index.VerdictNone
}

// LogResult is one passage shown for a question: its document and section, and, so that admins
// can read what was answered without the index at hand, the document's title and the start of the
// passage as shown. Rows logged before titles and excerpts were kept have them empty.
type LogResult struct {
	DocID   string
	Section string
	Title   string // the document's title, without 《》
	Excerpt string // the passage as shown, cut to ExcerptRunes with …… when longer
}

// ExcerptRunes is the most runes of a passage the query log keeps as its excerpt.
const ExcerptRunes = 80

// logExcerpt cuts a passage's text to ExcerptRunes runes for the query log, lines joined by spaces.
func logExcerpt(text string) string {
	text = strings.Join(strings.Fields(text), " ")
	r := []rune(text)
	if len(r) <= ExcerptRunes {
		return text
	}
	return string(r[:ExcerptRunes]) + "……"
}

// QueryLog records questions and their ratings. Writing it must never slow or break an answer.
type QueryLog interface {
	Record(ctx context.Context, e LogEntry) (id int64, err error)
	Rate(ctx context.Context, id int64, rating int) error // +1 for 👍, -1 for 👎
}
