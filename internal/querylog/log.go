package querylog

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"policybot/handlers"
	"policybot/index"
	"policybot/internal/pii"
)

// Errors the write path returns; the caller answers the question anyway.
var (
	// ErrBusy is returned when questions arrive faster than the database takes them (it is locked,
	// slow or down) and the entry was dropped rather than delay the answer.
	ErrBusy = errors.New("querylog: log is behind, entry dropped")
	// ErrClosed is returned after Close.
	ErrClosed = errors.New("querylog: log closed")
	// ErrLost reports questions written to an SQLite file that was deleted or replaced while the
	// log had it open: they are gone with it.
	ErrLost = errors.New("querylog: the log's file was deleted or replaced while open")
	// ErrRating is returned for a rating other than +1 or -1.
	ErrRating = errors.New("querylog: rating must be +1 or -1")
)

// Observer is told what the log sees, for metrics: each question recorded (whether or not its write
// succeeds later), with its verdict, and each write that was lost. internal/admin's Metrics
// implements it.
type Observer interface {
	Question(verdict index.Verdict, latency time.Duration)
	WriteFailed()
}

// LogOptions configures a Log. The zero value is ready to use.
type LogOptions struct {
	// Observer receives each question and each lost write; nil ignores them.
	Observer Observer
	// Logger receives a line for each lost write (never the question's text); nil discards them.
	Logger *slog.Logger
	// Queue is how many writes may wait for the database before new ones are dropped (default 4096).
	Queue int
	// WriteTimeout bounds one batch of writes to the database (default 10s).
	WriteTimeout time.Duration
}

// Log is the write path of the query log: it implements handlers.QueryLog. Record and Rate never
// wait for the database: they mask and pseudonymise the entry, hand it to a writer goroutine and
// return. When the database is locked, full or broken, the writes fail there, are logged and counted
// (Observer.WriteFailed), and the answers go out regardless.
type Log struct {
	store   *Store
	secret  []byte
	obs     Observer
	log     *slog.Logger
	timeout time.Duration

	mu     sync.RWMutex // guards closed against sends on ops
	closed bool
	ops    chan op
	done   chan struct{}
	lastID atomic.Int64
	lost   int64 // the store's Lost already counted as failures; the writer's
}

var _ handlers.QueryLog = (*Log)(nil)

// op is one write: a question (row set) or a rating of question id.
type op struct {
	row    *Row
	id     int64
	rating int
}

// NewLog starts the write path of store; secret pseudonymises user ids (see Secret). Close stops it.
func NewLog(store *Store, secret []byte, o LogOptions) *Log {
	if o.Queue <= 0 {
		o.Queue = 4096
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 10 * time.Second
	}
	l := &Log{store: store, secret: secret, obs: o.Observer, log: o.Logger, timeout: o.WriteTimeout,
		ops: make(chan op, o.Queue), done: make(chan struct{})}
	if l.log == nil {
		l.log = slog.New(slog.DiscardHandler)
	}
	l.lost = store.Lost()
	go l.write()
	return l
}

// maxQuestion is the most runes of a question the log keeps (a Telegram message holds 4096).
const maxQuestion = 4096

// Record queues e for the log and returns the id that Rate takes later. The user id is replaced by
// its pseudonym and the chat id is dropped before anything is queued; phone, 身份证 and other long
// numbers and e-mail addresses in the question are masked (pii.Mask), so neither the question nor
// anything derived from it (its normalised form) holds them. It returns ErrBusy when the queue is full (the database is not keeping up)
// and ErrClosed after Close; the answer should go out either way.
func (l *Log) Record(ctx context.Context, e handlers.LogEntry) (int64, error) {
	verdict := e.Outcome()
	if l.obs != nil {
		l.obs.Question(verdict, e.Latency)
	}
	t := e.Time
	if t.IsZero() {
		t = time.Now()
	}
	// Masked before it is cut, so that the cut cannot leave part of a number unmasked.
	q := pii.Mask(e.Question)
	if utf8.RuneCountInString(q) > maxQuestion {
		q = string([]rune(q)[:maxQuestion])
	}
	row := &Row{
		ID:        l.nextID(),
		Time:      t,
		UserKey:   pseudonym(l.secret, e.UserID),
		ChatType:  e.ChatType,
		Question:  q,
		Script:    e.Script,
		Intent:    e.Intent,
		Region:    e.Region,
		Confident: verdict == index.VerdictAnswer,
		Verdict:   verdict,
		Results:   e.Results,
		Latency:   e.Latency,
	}
	if err := l.enqueue(op{row: row}); err != nil {
		return 0, err
	}
	return row.ID, nil
}

// Pseudonym is the key the log stores for Telegram user userID instead of the id (an HMAC of it with
// the log's secret), for naming a person elsewhere without their id.
func (l *Log) Pseudonym(userID int64) string { return pseudonym(l.secret, userID) }

// Rate queues a rating (+1 for 👍, -1 for 👎) of the question Record returned id for; a later
// rating replaces an earlier one. It returns ErrRating for another value, ErrBusy when the queue is
// full and ErrClosed after Close.
func (l *Log) Rate(ctx context.Context, id int64, rating int) error {
	if rating != 1 && rating != -1 {
		return ErrRating
	}
	return l.enqueue(op{id: id, rating: rating})
}

func (l *Log) enqueue(o op) error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return ErrClosed
	}
	select {
	case l.ops <- o:
		return nil
	default:
		l.failed("queue full", ErrBusy)
		return ErrBusy
	}
}

// Close stops taking entries and waits until those queued are written, or ctx ends. It returns
// ctx's error when entries were left unwritten.
func (l *Log) Close(ctx context.Context) error {
	l.mu.Lock()
	if !l.closed {
		l.closed = true
		close(l.ops)
	}
	l.mu.Unlock()
	select {
	case <-l.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("close query log: %w", ctx.Err())
	}
}

// idEpoch is the start of the ids' clock.
var idEpoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// nextID returns a new question id without asking the database, so that Record need not wait for
// it: milliseconds since 2024 shifted left 21 bits, plus 21 random bits so that replicas writing one
// log practically never collide (two ids would have to fall in the same millisecond and draw the
// same bits; an id that does collide fails its write, which is logged and counted); increasing
// within a process. Ids fit in an int64 until the year 2163.
func (l *Log) nextID() int64 {
	var b [4]byte
	rand.Read(b[:])
	id := time.Since(idEpoch).Milliseconds()<<21 | int64(binary.LittleEndian.Uint32(b[:])&(1<<21-1))
	for {
		last := l.lastID.Load()
		if id <= last {
			id = last + 1
		}
		if l.lastID.CompareAndSwap(last, id) {
			return id
		}
	}
}

// write is the writer goroutine: it takes what is queued, in batches, until Close.
func (l *Log) write() {
	defer close(l.done)
	batch := make([]op, 0, 256)
	for o := range l.ops {
		batch = append(batch[:0], o)
	more:
		for len(batch) < cap(batch) {
			select {
			case o, ok := <-l.ops:
				if !ok {
					break more
				}
				batch = append(batch, o)
			default:
				break more
			}
		}
		l.flush(batch)
	}
}

// flush writes a batch in one transaction; when that fails it writes each entry on its own, so one
// bad entry loses only itself.
func (l *Log) flush(batch []op) {
	ctx, cancel := context.WithTimeout(context.Background(), l.timeout)
	defer cancel()
	// A file deleted or replaced under the log is opened again before anything more is written to
	// it; the writes that went to the lost file are counted as one failure.
	if err := l.store.db.check(ctx); err != nil {
		l.log.Error("query log check failed", "db", l.store.name, "err", err)
	}
	if n := l.store.Lost(); n > l.lost {
		for ; l.lost < n; l.lost++ {
			l.failed("questions written to a file that was deleted", ErrLost)
		}
	}
	if len(batch) > 1 {
		if err := l.store.apply(ctx, batch); err == nil {
			return
		}
	}
	for _, o := range batch {
		if err := l.store.apply(ctx, []op{o}); err != nil {
			what := "question"
			if o.row == nil {
				what = "rating"
			}
			l.failed(what, err)
		}
	}
}

// failed logs and counts a lost write. The question's text is never logged.
func (l *Log) failed(what string, err error) {
	l.log.Error("query log write failed", "what", what, "db", l.store.name, "err", err)
	if l.obs != nil {
		l.obs.WriteFailed()
	}
}

// apply writes ops in one transaction. A rating of a question not in the log is ErrNotFound.
func (s *Store) apply(ctx context.Context, ops []op) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("write query log: %w", err)
	}
	defer tx.Rollback()
	for _, o := range ops {
		if o.row != nil {
			r := o.row
			res, err := json.Marshal(toJSONResults(r.Results))
			if err != nil {
				return fmt.Errorf("write query log: %w", err)
			}
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO queries
				(id, ts, user_key, chat_type, question, norm, script, intent, region, confident, verdict, results, latency_us)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`),
				r.ID, micros(r.Time), r.UserKey, r.ChatType, r.Question, normalize(s.script, r.Question),
				r.Script, r.Intent, r.Region, boolInt(r.Confident), string(r.Verdict), string(res), r.Latency.Microseconds()); err != nil {
				return fmt.Errorf("write query log: %w", err)
			}
			continue
		}
		res, err := tx.ExecContext(ctx, s.q(`UPDATE queries SET rating = ? WHERE id = ?`), o.rating, o.id)
		if err != nil {
			return fmt.Errorf("rate query %d: %w", o.id, err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return fmt.Errorf("rate query %d: %w", o.id, ErrNotFound)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("write query log: %w", err)
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
