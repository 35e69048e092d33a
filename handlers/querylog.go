package handlers

import (
	"context"
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

// LogResult is one passage shown for a question.
type LogResult struct{ DocID, Section string }

// QueryLog records questions and their ratings. Writing it must never slow or break an answer.
type QueryLog interface {
	Record(ctx context.Context, e LogEntry) (id int64, err error)
	Rate(ctx context.Context, id int64, rating int) error // +1 for 👍, -1 for 👎
}
