// Package audit keeps the audit trail of changes staff make to the corpus and the index: one JSON
// object a line, appended to a file in the data folder, never rewritten.
package audit

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"time"
)

// Entry is one change: who made it, when, what, to which document, and the details worth keeping
// (metadata before and after an edit, the file a document was added from, the figures of a reindex).
type Entry struct {
	Time   time.Time         `json:"time"`
	Who    string            `json:"who"`    // "cli:alice" (the OS user) or "telegram:123456789" (a staff id)
	Action string            `json:"action"` // add, replace, edit, remove, restore, purge, reindex, refused
	Doc    string            `json:"doc,omitempty"`
	Detail map[string]string `json:"detail,omitempty"`
}

// Log is an audit trail file. Appends are serialised within the process and written in one write
// each with O_APPEND, so lines from several processes do not interleave.
type Log struct {
	path string
	mu   sync.Mutex
}

// New returns the audit trail kept in the file at path (created on the first append).
func New(path string) *Log { return &Log{path: path} }

// Path is the trail's file.
func (l *Log) Path() string { return l.path }

// Append adds an entry to the trail, stamping it with the current time when its Time is zero, and
// syncs the file. It returns the file system's error.
func (l *Log) Append(e Entry) error {
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	b = append(b, '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	f, err := os.OpenFile(l.path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	// A line a crash cut short is ended first, so that this entry starts a line of its own.
	if st, err := f.Stat(); err == nil && st.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, st.Size()-1); err == nil && last[0] != '\n' {
			b = append([]byte{'\n'}, b...)
		}
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// Read returns the trail's entries, oldest first; a missing file is an empty trail. A line cut short
// by a crash is skipped.
func (l *Log) Read() ([]Entry, error) {
	f, err := os.Open(l.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	defer f.Close()
	var out []Entry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var e Entry
		if json.Unmarshal(sc.Bytes(), &e) == nil {
			out = append(out, e)
		}
	}
	if err := sc.Err(); err != nil {
		return out, fmt.Errorf("audit: %w", err)
	}
	return out, nil
}
