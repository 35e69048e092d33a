package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"policybot/handlers"
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
			Count: g.Count, Users: g.Users, NotConfident: g.NotConfident, Related: g.Related, None: g.None, Down: g.Down, Last: g.Last}
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
	sessionPrefix  = "answer:"
	sessionTimeout = time.Second // the most a chat answer waits for the database
)

// sharedSessions keeps handlers' sessions in the query log's state table for ttl. When the database
// cannot be written in time, the session is kept in memory instead (a button then works on this
// replica only) and the failure logged; reads look in both.
type sharedSessions struct {
	store *querylog.Store
	ttl   time.Duration
	mem   *handlers.MemorySessions
	log   *slog.Logger
}

func newSharedSessions(store *querylog.Store, log *slog.Logger) *sharedSessions {
	return &sharedSessions{store: store, ttl: handlers.DefaultSessionTTL, mem: handlers.NewMemorySessions(0, 0), log: log}
}

// Put stores s under a new id.
func (s *sharedSessions) Put(ctx context.Context, sess handlers.Session) (string, error) {
	b, err := json.Marshal(sess)
	if err != nil {
		return "", fmt.Errorf("put session: %w", err)
	}
	id := newSessionID()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sessionTimeout)
	defer cancel()
	if err := s.store.PutState(ctx, sessionPrefix+id, b, s.ttl); err != nil {
		s.log.Warn("button state kept in memory: the shared store cannot be written", "err", err)
		return s.mem.Put(ctx, sess)
	}
	return id, nil
}

// Get returns the session stored under id, handlers.ErrNoSession when there is none.
func (s *sharedSessions) Get(ctx context.Context, id string) (handlers.Session, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sessionTimeout)
	defer cancel()
	b, err := s.store.GetState(ctx, sessionPrefix+id)
	if err == nil {
		var sess handlers.Session
		if err := json.Unmarshal(b, &sess); err != nil {
			return handlers.Session{}, fmt.Errorf("get session: %w", err)
		}
		return sess, nil
	}
	if sess, merr := s.mem.Get(ctx, id); merr == nil {
		return sess, nil
	}
	if errors.Is(err, querylog.ErrNotFound) {
		return handlers.Session{}, handlers.ErrNoSession
	}
	return handlers.Session{}, err
}

// newSessionID returns 64 random bits, base64url-encoded (11 characters).
func newSessionID() string {
	var b [8]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
