package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"policybot/corpus"
	"policybot/index"
	"policybot/internal/script"
)

// Searcher is what the handlers need of the index: *index.Index implements it, and so does an index
// that is swapped for a newer one while the bot runs.
type Searcher interface {
	Search(ctx context.Context, question string, opt index.Options) (*index.Result, error)
	Passage(id string) *corpus.Passage
	Document(id string) *corpus.Document
	Documents() []*corpus.Document
}

// Who is the person a handler acts for, and where they wrote from.
type Who struct {
	UserID   int64  // Telegram user id; 0 for the console
	ChatID   int64  // Telegram chat id; 0 for the console
	ChatType string // "private", "group", "supergroup", "channel" or "console"
	// Lang is the person's language as their Telegram client reports it (an IETF tag: zh-hans,
	// zh-hant, zh-tw, zh-hk, en); "" when unknown. It chooses the script of replies to commands
	// that carry no Chinese of the person's own, such as /start.
	Lang string
	// Received is when the message arrived; an answer's latency runs from it. Zero means when the
	// handler began.
	Received time.Time
}

// ConsoleChat is the chat type of the console chat, whose one person (at the terminal) is not
// rate-limited.
const ConsoleChat = "console"

// Defaults of Config.
const (
	DefaultMaxQuestion = 300 // characters of a question that are answered
	DefaultRateLimit   = 10  // questions a person may ask per DefaultRatePeriod
	DefaultRatePeriod  = time.Minute
	DefaultPageSize    = 3
	DefaultRetention   = 180 * 24 * time.Hour
	maxResults         = 12 // passages kept for paging through 更多结果
	logTimeout         = 2 * time.Second
)

// Config is what the handlers run with. Searcher is required; the rest has defaults.
type Config struct {
	Searcher Searcher
	// Log records questions and ratings; nil records nothing.
	Log QueryLog
	// Sessions keeps the state behind an answer's buttons; nil keeps it in memory
	// (NewMemorySessions with its defaults).
	Sessions Sessions
	// Logger receives failures (never a citizen's question); nil discards them.
	Logger *slog.Logger
	// Now is the clock; nil is time.Now.
	Now func() time.Time

	MaxQuestion int           // characters of a question that are answered; DefaultMaxQuestion when 0
	RateLimit   int           // questions per RatePeriod and person; DefaultRateLimit when 0, none when < 0
	RatePeriod  time.Duration // DefaultRatePeriod when 0
	PageSize    int           // passages per answer; DefaultPageSize when 0
	// Retention is how long the query log keeps a question, as /privacy tells it.
	Retention time.Duration
}

// Handlers is what a person can ask and do, free of any transport. It is safe for concurrent use.
type Handlers struct {
	cfg      Config
	search   Searcher
	sessions Sessions
	log      *slog.Logger
	conv     *script.Converter
	limit    *limiter

	mu      sync.Mutex
	regions map[int64]string // region each person narrowed to with /region
	// redacted caches the ids of the redacted copies among the documents of listed (see
	// redactedCopies).
	listed0  *corpus.Document
	nListed  int
	redacted map[string]bool

	exMu sync.Mutex // held while examples are worked out
	ex   examplesCache
}

// New returns handlers for cfg. It returns an error when cfg has no Searcher or the script
// converter's dictionaries cannot be loaded.
func New(cfg Config) (*Handlers, error) {
	if cfg.Searcher == nil {
		return nil, errors.New("handlers: no searcher")
	}
	conv, err := script.New()
	if err != nil {
		return nil, fmt.Errorf("handlers: %w", err)
	}
	if cfg.Sessions == nil {
		cfg.Sessions = NewMemorySessions(0, 0)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxQuestion <= 0 {
		cfg.MaxQuestion = DefaultMaxQuestion
	}
	if cfg.RateLimit == 0 {
		cfg.RateLimit = DefaultRateLimit
	}
	if cfg.RatePeriod <= 0 {
		cfg.RatePeriod = DefaultRatePeriod
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = DefaultPageSize
	}
	if cfg.Retention <= 0 {
		cfg.Retention = DefaultRetention
	}
	return &Handlers{
		cfg: cfg, search: cfg.Searcher, sessions: cfg.Sessions, log: cfg.Logger, conv: conv,
		limit:   newLimiter(cfg.RateLimit, cfg.RatePeriod),
		regions: map[int64]string{},
	}, nil
}

// now is the handlers' clock.
func (h *Handlers) now() time.Time { return h.cfg.Now() }
