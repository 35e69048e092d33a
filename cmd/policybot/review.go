package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"policybot/handlers"
	"policybot/internal/pii"
	"policybot/internal/querylog"
)

// What serve wires between the query log and the handlers: the admins' review of the log and the
// button state shared by replicas. querylog imports handlers, so the adapters live here.

// reviewLog is the query log as the admins' chat commands read it (handlers.ReviewLog).
type reviewLog struct{ store *querylog.Store }

var _ handlers.ReviewLog = reviewLog{}

// Summary is querylog's Summary in handlers' types.
func (r reviewLog) Summary(ctx context.Context, now time.Time, loc *time.Location) (handlers.LogSummary, error) {
	s, err := r.store.Summary(ctx, now, loc)
	if err != nil {
		return handlers.LogSummary{}, err
	}
	return handlers.LogSummary{Today: periodStats(s.Today), Week: periodStats(s.Week)}, nil
}

func periodStats(s querylog.Stats) handlers.PeriodStats {
	return handlers.PeriodStats{From: s.From, To: s.To, Questions: s.Questions, Users: s.Users,
		NotConfident: s.NotConfident, Related: s.Related, None: s.None, Up: s.Up, Down: s.Down, P50: s.P50, P95: s.P95,
		Regions: nameCounts(s.Regions), Intents: nameCounts(s.Intents)}
}

func nameCounts(cs []querylog.Count) []handlers.NameCount {
	out := make([]handlers.NameCount, len(cs))
	for i, c := range cs {
		out[i] = handlers.NameCount{Name: c.Name, N: c.N}
	}
	return out
}

func questionGroups(gs []querylog.Group) []handlers.QuestionGroup {
	out := make([]handlers.QuestionGroup, len(gs))
	for i, g := range gs {
		out[i] = handlers.QuestionGroup{ID: g.ID, Question: g.Question, Intent: g.Intent, Region: g.Region,
			Count: g.Count, Users: g.Users, NotConfident: g.NotConfident, Related: g.Related, None: g.None, Down: g.Down, Last: g.Last,
			Verdict: g.Verdict, Results: g.Results}
	}
	return out
}

// Unanswered is querylog's Unanswered in handlers' types.
func (r reviewLog) Unanswered(ctx context.Context, since time.Time, limit int) ([]handlers.QuestionGroup, error) {
	gs, err := r.store.Unanswered(ctx, since, limit)
	return questionGroups(gs), err
}

// Top is querylog's Top in handlers' types.
func (r reviewLog) Top(ctx context.Context, from, to time.Time, limit int) ([]handlers.QuestionGroup, error) {
	gs, err := r.store.Top(ctx, from, to, limit)
	return questionGroups(gs), err
}

// Resolve marks a question's group resolved; an unknown id wraps handlers.ErrNoQuestion.
func (r reviewLog) Resolve(ctx context.Context, id int64) error {
	err := r.store.Resolve(ctx, id)
	if errors.Is(err, querylog.ErrNotFound) {
		return fmt.Errorf("%w: %w", handlers.ErrNoQuestion, err)
	}
	return err
}

// Export writes the questions of [from, to) as querylog's CSV.
func (r reviewLog) Export(ctx context.Context, w io.Writer, from, to time.Time, loc *time.Location) error {
	return r.store.Export(ctx, w, querylog.Filter{From: from, To: to}, querylog.CSV, loc)
}

// Button state (the pages behind 更多结果) kept in the query log's database, so that a button
// pressed on an answer from one replica works when the press reaches another.
const (
	sessionPrefix = "answer:"
	sessionRead   = time.Second      // the most a button press waits for the database
	sessionWrite  = 10 * time.Second // the most one write of state waits for the database
	sessionQueue  = 1024             // states waiting for the database before new ones are kept in memory only
)

// sharedSessions keeps handlers' sessions in memory at once, and in the query log's state table for
// ttl as soon as the database takes them: Put never waits for the database, so a locked or slow log
// does not delay an answer. A writer goroutine puts each state in the database; when it cannot (the
// database is locked, or behind by sessionQueue states) the failure is logged and the state stays in
// this process's memory only, where a button pressed here still finds it. Reads look in memory
// first. Close stops the writer.
type sharedSessions struct {
	store *querylog.Store
	ttl   time.Duration
	mem   *handlers.MemorySessions
	log   *slog.Logger

	mu     sync.RWMutex // guards closed against sends on writes
	closed bool
	writes chan stateWrite
	done   chan struct{}
}

// stateWrite is a state waiting for the database.
type stateWrite struct {
	key   string
	value []byte
}

func newSharedSessions(store *querylog.Store, log *slog.Logger) *sharedSessions {
	s := &sharedSessions{store: store, ttl: handlers.DefaultSessionTTL, mem: handlers.NewMemorySessions(0, 0), log: log,
		writes: make(chan stateWrite, sessionQueue), done: make(chan struct{})}
	go s.write()
	return s
}

// Put stores s under a new id: in memory now, in the database soon after. The question is masked
// as the query log masks it (pii.Mask), since the state is kept in the log's database.
func (s *sharedSessions) Put(ctx context.Context, sess handlers.Session) (string, error) {
	sess.Question = pii.Mask(sess.Question)
	b, err := json.Marshal(sess)
	if err != nil {
		return "", fmt.Errorf("put session: %w", err)
	}
	id, err := s.mem.Put(ctx, sess)
	if err != nil {
		return "", err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return id, nil
	}
	select {
	case s.writes <- stateWrite{key: sessionPrefix + id, value: b}:
	default:
		s.log.Warn("button state kept in memory: the shared store is behind")
	}
	return id, nil
}

// write puts the queued states in the database until Close.
func (s *sharedSessions) write() {
	defer close(s.done)
	for w := range s.writes {
		ctx, cancel := context.WithTimeout(context.Background(), sessionWrite)
		if err := s.store.PutState(ctx, w.key, w.value, s.ttl); err != nil {
			s.log.Warn("button state kept in memory: the shared store cannot be written", "err", err)
		}
		cancel()
	}
}

// Close stops taking states for the database and waits until those queued are written, or ctx
// ends.
func (s *sharedSessions) Close(ctx context.Context) error {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.writes)
	}
	s.mu.Unlock()
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("close button state: %w", ctx.Err())
	}
}

// Get returns the session stored under id, handlers.ErrNoSession when there is none.
func (s *sharedSessions) Get(ctx context.Context, id string) (handlers.Session, error) {
	if sess, err := s.mem.Get(ctx, id); err == nil {
		return sess, nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sessionRead)
	defer cancel()
	b, err := s.store.GetState(ctx, sessionPrefix+id)
	if errors.Is(err, querylog.ErrNotFound) {
		return handlers.Session{}, handlers.ErrNoSession
	}
	if err != nil {
		return handlers.Session{}, err
	}
	var sess handlers.Session
	if err := json.Unmarshal(b, &sess); err != nil {
		return handlers.Session{}, fmt.Errorf("get session: %w", err)
	}
	return sess, nil
}
