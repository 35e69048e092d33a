package main

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"policybot/handlers"
	"policybot/internal/querylog"
)

// TestSessionsDoNotWaitForTheDatabase: while another connection holds the log's database locked,
// Put returns the id of the state with the state not yet in the database (it is written after the
// answer, not on its way), and the button finds it in memory meanwhile; once the lock is released
// the state reaches the database, with the question masked, for the other replicas.
func TestSessionsDoNotWaitForTheDatabase(t *testing.T) {
	ctx := context.Background()
	path := querylog.Path(t.TempDir())
	// A busy timeout far longer than the test: a Put that waited for the lock would hang here.
	st, err := querylog.Open(ctx, path, querylog.Options{BusyTimeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	unlock := lockDB(t, path)

	s := newSharedSessions(st, slog.New(slog.DiscardHandler))
	id, err := s.Put(ctx, handlers.Session{Question: "电话138.1234.5678 失业金怎么领", Hits: []handlers.HitRef{{PassageID: "a#1"}}})
	if err != nil || id == "" {
		t.Fatalf("put while the database is locked: %q %v", id, err)
	}
	// Not in the database yet (readers are not blocked by the lock, in WAL mode): Put did not wait.
	if _, err := st.GetState(ctx, sessionPrefix+id); !errors.Is(err, querylog.ErrNotFound) {
		t.Fatalf("the state is in the database before the lock is released: %v", err)
	}
	if got, err := s.Get(ctx, id); err != nil || len(got.Hits) != 1 {
		t.Fatalf("the button's state while locked: %+v %v", got, err)
	}
	unlock()
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	b, err := st.GetState(ctx, sessionPrefix+id)
	if err != nil {
		t.Fatalf("the state never reached the database: %v", err)
	}
	if strings.Contains(string(b), "1234") || !strings.Contains(string(b), "失业金怎么领") {
		t.Errorf("state in the database: %s", b)
	}
	// A replica without the state in memory reads it from the database.
	other := newSharedSessions(st, slog.New(slog.DiscardHandler))
	defer other.Close(ctx)
	if got, err := other.Get(ctx, id); err != nil || len(got.Hits) != 1 {
		t.Errorf("another replica's read: %+v %v", got, err)
	}
	if _, err := other.Get(ctx, "no-such-id"); !errors.Is(err, handlers.ErrNoSession) {
		t.Errorf("unknown id: %v", err)
	}
}

// BenchmarkSessionPutLocked measures Put while another connection holds the database locked: the
// answer path's cost of keeping button state.
func BenchmarkSessionPutLocked(b *testing.B) {
	ctx := context.Background()
	path := querylog.Path(b.TempDir())
	st, err := querylog.Open(ctx, path, querylog.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	unlock := lockDB(b, path)
	s := newSharedSessions(st, slog.New(slog.DiscardHandler))
	for b.Loop() {
		s.Put(ctx, handlers.Session{Question: "失业金怎么领"})
	}
	b.StopTimer()
	unlock()
	s.Close(ctx)
}
