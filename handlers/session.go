package handlers

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"sync"
	"time"

	"policybot/index"
)

// ErrNoSession reports that the state behind a button is gone: expired, or never there.
var ErrNoSession = errors.New("handlers: no such session")

// Session is the state behind an answer's buttons: the question and the passages found for it. It
// is plain data, so that a store shared by several bot processes can keep it.
type Session struct {
	Question string `json:"question"` // as answered (cut to the length limit)
	Script   string `json:"script"`   // the script it was asked in: "simplified" or "traditional"
	// Standard is, for traditional script, the standard it was asked in: "tw" or "hk" (script.Standard);
	// "" is Taiwan's, as in the state an earlier version saved.
	Standard string    `json:"standard,omitempty"`
	Hits     []HitRef  `json:"hits"`   // every passage kept for paging, best first
	LogID    int64     `json:"log_id"` // the query log's id for the question; 0 when not logged
	Created  time.Time `json:"created"`
	// Verdict is how the documents answered the question: answer, or related (its pages carry the
	// caveat). "" is answer, as in the state an earlier version saved.
	Verdict index.Verdict `json:"verdict,omitempty"`
}

// HitRef names a passage kept in a session.
type HitRef struct {
	PassageID  string       `json:"passage"`
	DocHash    string       `json:"doc_hash"` // the document's content hash when the answer was given
	Highlights []index.Span `json:"highlights,omitempty"`
}

// Sessions keeps sessions under short ids that fit in Telegram's 64-byte callback data.
// Implementations must be safe for concurrent use.
type Sessions interface {
	// Put stores s and returns its new id. It returns an error when the store cannot be written.
	Put(ctx context.Context, s Session) (string, error)
	// Get returns the session stored under id, ErrNoSession when there is none (or it expired), or
	// another error when the store cannot be read.
	Get(ctx context.Context, id string) (Session, error)
}

// Defaults of NewMemorySessions.
const (
	DefaultSessionTTL  = 24 * time.Hour
	DefaultMaxSessions = 20000
)

// MemorySessions keeps sessions in memory, for one bot process. Sessions expire after their TTL,
// and the oldest are dropped when there are more than the maximum.
type MemorySessions struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu    sync.Mutex
	byID  map[string]memSession
	order []string // ids, oldest first
}

type memSession struct {
	s       Session
	expires time.Time
}

// NewMemorySessions returns an empty in-memory store keeping each session for ttl, and at most max
// sessions; zero values take DefaultSessionTTL and DefaultMaxSessions.
func NewMemorySessions(ttl time.Duration, max int) *MemorySessions {
	if ttl <= 0 {
		ttl = DefaultSessionTTL
	}
	if max <= 0 {
		max = DefaultMaxSessions
	}
	return &MemorySessions{ttl: ttl, max: max, now: time.Now, byID: map[string]memSession{}}
}

// Put stores s under a new random id of 11 characters. It never fails.
func (m *MemorySessions) Put(_ context.Context, s Session) (string, error) {
	id := newID()
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	for len(m.order) > 0 {
		first, ok := m.byID[m.order[0]]
		if ok && len(m.order) < m.max && now.Before(first.expires) {
			break
		}
		delete(m.byID, m.order[0])
		m.order = m.order[1:]
	}
	m.byID[id] = memSession{s: s, expires: now.Add(m.ttl)}
	m.order = append(m.order, id)
	return id, nil
}

// Get returns the session stored under id, or ErrNoSession.
func (m *MemorySessions) Get(_ context.Context, id string) (Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.byID[id]
	if !ok || !m.now().Before(e.expires) {
		return Session{}, ErrNoSession
	}
	return e.s, nil
}

// newID returns 64 random bits, base64url-encoded (11 characters).
func newID() string {
	var b [8]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
