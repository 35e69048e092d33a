package querylog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// checkEvery is how often a use of an SQLite log checks that its file is still the one opened; the
// write path checks before every batch.
const checkEvery = time.Second

// handle is the store's database. For an SQLite log it also watches the file: SQLite goes on
// reading and writing a file deleted or replaced while it is open, so every later question would go
// to a file nobody can read, unseen. When the path no longer names the file opened (checked before
// each batch of writes and, for reads, at most every checkEvery), the handle closes the old database
// and opens the path again, creating and migrating a new file; the loss is logged and counted
// (Lost), and the writes go on into the new file.
type handle struct {
	cur    atomic.Pointer[sql.DB]
	path   string // the SQLite file; "" for PostgreSQL, which is not watched
	open   func(ctx context.Context) (*sql.DB, error)
	log    *slog.Logger
	mu     sync.Mutex  // serialises checks, reopening and Close
	file   os.FileInfo // the file opened; nil until watch, and after Close
	closed bool
	last   atomic.Int64 // when the file was last checked, in Unix nanoseconds
	losses atomic.Int64
}

// watch starts watching the file at h.path, which the current database has open. h.mu is held, or
// the handle is not in use yet.
func (h *handle) watch() error {
	fi, err := os.Stat(h.path)
	if err != nil {
		return err
	}
	h.file = fi
	h.last.Store(time.Now().UnixNano())
	return nil
}

// db returns the database, after checking the file when it was not checked for checkEvery.
func (h *handle) db(ctx context.Context) *sql.DB {
	if h.path != "" && time.Now().UnixNano()-h.last.Load() >= int64(checkEvery) {
		h.check(ctx)
	}
	return h.cur.Load()
}

// check reopens the log when its file was deleted or replaced; it returns an error when it cannot.
func (h *handle) check(ctx context.Context) error {
	if h.path == "" {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed || h.file == nil {
		return nil
	}
	h.last.Store(time.Now().UnixNano())
	fi, err := os.Stat(h.path)
	if err == nil && os.SameFile(fi, h.file) {
		return nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("query log %s: %w", h.path, err)
	}
	h.losses.Add(1)
	h.log.Error("the query log's file was deleted or replaced while open; what was written to it since is lost. Opening it again", "db", h.path)
	// The old database is closed first, so that SQLite removes its WAL and shared memory rather
	// than let the new file's first connection take them for its own.
	if old := h.cur.Load(); old != nil {
		old.Close()
	}
	db, err := h.open(ctx)
	if err == nil {
		h.cur.Store(db)
		err = h.watch()
	}
	if err != nil {
		h.log.Error("cannot open the query log again", "db", h.path, "err", err)
		return fmt.Errorf("reopen query log %s: %w", h.path, err)
	}
	h.log.Info("query log opened again", "db", h.path)
	return nil
}

// Lost counts the times the log's file was found deleted or replaced while open.
func (s *Store) Lost() int64 { return s.db.losses.Load() }

// The methods of *sql.DB the store uses, on the current database.

func (h *handle) BeginTx(ctx context.Context, o *sql.TxOptions) (*sql.Tx, error) {
	return h.db(ctx).BeginTx(ctx, o)
}

func (h *handle) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return h.db(ctx).QueryContext(ctx, q, args...)
}

func (h *handle) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return h.db(ctx).QueryRowContext(ctx, q, args...)
}

func (h *handle) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return h.db(ctx).ExecContext(ctx, q, args...)
}

func (h *handle) PingContext(ctx context.Context) error { return h.db(ctx).PingContext(ctx) }

func (h *handle) Conn(ctx context.Context) (*sql.Conn, error) { return h.db(ctx).Conn(ctx) }

func (h *handle) SetMaxOpenConns(n int) { h.cur.Load().SetMaxOpenConns(n) }

func (h *handle) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true // no reopening after Close
	return h.cur.Load().Close()
}
