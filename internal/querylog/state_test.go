package querylog

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestState(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		target := b.target(t)
		// Two stores on one database stand for two replicas: what one puts, the other gets.
		a, c := openAt(t, target), openAt(t, target)
		if err := a.PutState(ctx, "more:123:456", []byte{0, 1, 2, 0xff}, time.Hour); err != nil {
			t.Fatal(err)
		}
		if v, err := c.GetState(ctx, "more:123:456"); err != nil || string(v) != "\x00\x01\x02\xff" {
			t.Fatalf("get from the other replica: %q %v", v, err)
		}
		// Put replaces.
		if err := c.PutState(ctx, "more:123:456", []byte("page 2"), time.Hour); err != nil {
			t.Fatal(err)
		}
		if v, _ := a.GetState(ctx, "more:123:456"); string(v) != "page 2" {
			t.Errorf("after replacing: %q", v)
		}
		// Empty values are values.
		if err := a.PutState(ctx, "empty", nil, time.Hour); err != nil {
			t.Fatal(err)
		}
		if v, err := a.GetState(ctx, "empty"); err != nil || len(v) != 0 {
			t.Errorf("empty: %q %v", v, err)
		}
		// Expired state is not there.
		if err := a.PutState(ctx, "gone", []byte("x"), -time.Millisecond); err != nil {
			t.Fatal(err)
		}
		if _, err := a.GetState(ctx, "gone"); !errors.Is(err, ErrNotFound) {
			t.Errorf("expired: %v", err)
		}
		if _, err := a.GetState(ctx, "never"); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing: %v", err)
		}
		if err := c.DeleteState(ctx, "more:123:456"); err != nil {
			t.Fatal(err)
		}
		if _, err := a.GetState(ctx, "more:123:456"); !errors.Is(err, ErrNotFound) {
			t.Errorf("deleted: %v", err)
		}
		if err := c.DeleteState(ctx, "more:123:456"); err != nil {
			t.Errorf("deleting twice: %v", err)
		}
	})
}

func TestStateDoesNotWaitForLock(t *testing.T) {
	// The chat puts button state while answering; a lock held elsewhere must not hold the answer
	// longer than the caller's deadline. The busy timeout is far longer than the test may run, so an
	// implementation that waits for the lock hangs here.
	ctx := context.Background()
	target := sqliteBackend.target(t)
	s, err := Open(ctx, target, Options{BusyTimeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	other := openAt(t, target)
	conn, err := other.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := s.PutState(short, "k", []byte("v"), time.Hour); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("put while locked: %v", err)
	}
	if err := s.DeleteState(short, "k"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("delete while locked: %v", err)
	}
	// Reading does not wait for writers (WAL).
	if _, err := s.GetState(ctx, "k"); !errors.Is(err, ErrNotFound) {
		t.Errorf("get while locked: %v", err)
	}
	conn.ExecContext(ctx, "ROLLBACK")
}
