package lockfile

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestAcquire(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "x.lock")
	l, err := Acquire(ctx, path, "a reindex", 0)
	if err != nil {
		t.Fatal(err)
	}
	// A second holder (another open file, as another process would have) is refused after its wait,
	// and told who holds the lock.
	_, err = Acquire(ctx, path, "a reindex", 120*time.Millisecond)
	var busy *BusyError
	if !errors.As(err, &busy) || !errors.Is(err, ErrBusy) || busy.PID != os.Getpid() || time.Since(busy.Since) > time.Minute {
		t.Fatalf("second acquire: %v", err)
	}
	if !strings.HasPrefix(err.Error(), "a reindex is already running (pid ") {
		t.Errorf("message %q", err)
	}
	// A waiting holder gets the lock once it is released.
	done := make(chan error, 1)
	go func() {
		l2, err := Acquire(ctx, path, "a reindex", time.Minute)
		if err == nil {
			l2.Release()
		}
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Errorf("waiter: %v", err)
	}
	// A cancelled wait ends with the context's error.
	l, _ = Acquire(ctx, path, "x", 0)
	defer l.Release()
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Acquire(cctx, path, "x", time.Minute); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
