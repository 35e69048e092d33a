package querylog

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"
)

// TestDeletedFile: when the SQLite file is deleted while the log is open, the next write opens the
// path again (a new file, migrated), counts and logs the loss, and writes there; the reads (the
// admin page) read the new file, not the deleted one. The same when the file is replaced.
func TestDeletedFile(t *testing.T) {
	ctx := context.Background()
	target := sqliteBackend.target(t)
	var logs bytes.Buffer
	s, err := Open(ctx, target, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	obs := &counter{}
	l := NewLog(s, testSecret, LogOptions{Observer: obs})
	defer l.Close(ctx)
	ask := func(q string) {
		t.Helper()
		if _, err := l.Record(ctx, entry(time.Now(), 1, q, true)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor := func(q string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			rows, _, err := s.Find(ctx, Filter{}, 0, 10)
			if err == nil && len(rows) > 0 && rows[0].Question == q {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%q never read back: %v %+v", q, err, rows)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	ask("第一个问题")
	waitFor("第一个问题")

	if err := os.Remove(target); err != nil {
		t.Fatal(err)
	}
	ask("删除以后的问题")
	waitFor("删除以后的问题")
	rows, total, err := s.Find(ctx, Filter{}, 0, 10)
	if err != nil || total != 1 || len(rows) != 1 {
		t.Fatalf("after the file was deleted: %d rows (%v), want only the new question in a new file", total, err)
	}
	if _, err := os.Stat(target); err != nil {
		t.Errorf("no file at the log's path: %v", err)
	}
	if n := obs.failures.Load(); n != 1 || s.Lost() != 1 {
		t.Errorf("%d failures counted, %d losses, want 1", n, s.Lost())
	}
	if !strings.Contains(logs.String(), "deleted or replaced") {
		t.Errorf("the loss is not logged:\n%s", logs.String())
	}

	// Replaced by another file, found by a read (the admin page) once checkEvery has passed.
	if err := os.Rename(target, target+".old"); err != nil {
		t.Fatal(err)
	}
	other, err := Open(ctx, target, Options{})
	if err != nil {
		t.Fatal(err)
	}
	other.Close()
	s.db.last.Store(0) // as if checkEvery had passed
	if _, total, err := s.Find(ctx, Filter{}, 0, 10); err != nil || total != 0 {
		t.Errorf("reading a replaced file: %d rows (%v), want the new, empty file's", total, err)
	}
	if s.Lost() != 2 {
		t.Errorf("%d losses, want 2", s.Lost())
	}
}
