// Package lockfile takes an exclusive lock on a file, across processes, without ever waiting
// forever: a lock held by another process is waited for up to a timeout, then reported with the
// holder's process id, start time and purpose. The kernel drops the lock when its holder dies, even by
// kill -9, so a crashed run never leaves a lock behind.
package lockfile

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// ErrBusy reports a lock that another holder kept for longer than the caller was willing to wait.
var ErrBusy = errors.New("lockfile: busy")

// BusyError says who holds a lock: the holder's process id, when it took the lock and what for.
type BusyError struct {
	PID   int
	Since time.Time
	What  string // the holder's purpose, e.g. "reindex"
}

func (e *BusyError) Error() string {
	what := e.What
	if what == "" {
		what = "another run"
	}
	if e.PID == 0 {
		return fmt.Sprintf("%s is already running", what)
	}
	return fmt.Sprintf("%s is already running (pid %d, since %s)", what, e.PID, e.Since.Local().Format("2006-01-02 15:04:05"))
}

// Unwrap makes errors.Is(err, ErrBusy) hold.
func (e *BusyError) Unwrap() error { return ErrBusy }

// Lock is a held lock. Release it when done.
type Lock struct {
	f *os.File
}

// poll is how often a held lock is tried again while waiting.
const poll = 50 * time.Millisecond

// Acquire takes the exclusive lock on path (creating the file), waiting up to wait for another holder
// to let go; wait 0 tries once. what names the holder's purpose for others' messages. It returns a
// *BusyError (wrapping ErrBusy) when the lock stayed held, ctx's error when ctx ends first, or the
// file system's error.
func Acquire(ctx context.Context, path, what string, wait time.Duration) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	deadline := time.Now().Add(wait)
	for {
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if ok {
			break
		}
		if !time.Now().Before(deadline) {
			f.Close()
			return nil, holder(path)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(poll):
		}
	}
	info := fmt.Sprintf("%d\n%s\n%s\n", os.Getpid(), time.Now().UTC().Format(time.RFC3339), what)
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(info), 0)
	}
	return &Lock{f: f}, nil
}

// holder reads who holds the lock at path.
func holder(path string) *BusyError {
	e := &BusyError{}
	b, err := os.ReadFile(path)
	if err != nil {
		return e
	}
	parts := strings.SplitN(string(b), "\n", 4)
	if len(parts) >= 3 {
		e.PID, _ = strconv.Atoi(parts[0])
		e.Since, _ = time.Parse(time.RFC3339, parts[1])
		e.What = parts[2]
	}
	return e
}

// Release lets go of the lock. The file stays, so that holders never race on creating it.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	l.f.Truncate(0)
	err := unlock(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}
