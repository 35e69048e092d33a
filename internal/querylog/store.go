// Package querylog is the query log: every question citizens ask, pseudonymised and masked, with the
// verdict and results it got and the rating it was given later; the gaps admins marked resolved; and
// short-lived button state that replicas share. It keeps them in an embedded SQLite file in the data
// folder, or in PostgreSQL when several replicas share one log.
//
// Store reads and administers the log; Log (see NewLog) is the write path the chat uses, which never
// blocks an answer.
package querylog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"modernc.org/sqlite"               // registers the "sqlite" database/sql driver
	sqlitelib "modernc.org/sqlite/lib"

	"policybot/internal/script"
)

// FileName is the name of the SQLite query log in the data folder.
const FileName = "querylog.db"

// Path returns the path of the SQLite query log in dataDir.
func Path(dataDir string) string { return filepath.Join(dataDir, FileName) }

// ErrNotFound is returned when the question, gap or state asked for is not in the log.
var ErrNotFound = errors.New("querylog: not found")

// Store is the query log in a database. It is safe for concurrent use.
type Store struct {
	db     *handle
	pg     bool
	name   string // the SQLite path, or the PostgreSQL host and database, for messages
	log    *slog.Logger
	script *script.Converter
}

// Options configures a Store. The zero value is ready to use.
type Options struct {
	// Logger receives the store's own messages (never a question's text); nil discards them.
	Logger *slog.Logger
	// BusyTimeout is how long an SQLite statement waits for a lock held by another connection or
	// process before failing (default 5s). PostgreSQL waits as its server is configured.
	BusyTimeout time.Duration
}

// IsPostgres reports whether target names a PostgreSQL database rather than an SQLite file.
func IsPostgres(target string) bool {
	return strings.HasPrefix(target, "postgres://") || strings.HasPrefix(target, "postgresql://")
}

// private makes the SQLite file path readable by its owner only (0600), creating it empty when it is
// not there, before SQLite opens it: SQLite creates the -wal and -shm files with the database
// file's permissions, so the questions in all three stay private. Existing -wal and -shm files are
// tightened too.
func private(path string) error {
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm()&0o077 == 0 {
			continue
		}
		if err := os.Chmod(p, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// Open opens the query log at target, a PostgreSQL URL (postgres://user:pass@host/db) or the path of
// an SQLite file (created with its folder when missing), and brings its schema up to date. It returns
// an error when the database cannot be reached or its schema is newer than this program knows.
func Open(ctx context.Context, target string, o Options) (*Store, error) {
	return open(ctx, target, o, len(migrations))
}

// open opens the store and migrates its schema up to version upto.
func open(ctx context.Context, target string, o Options, upto int) (*Store, error) {
	conv, err := script.New()
	if err != nil {
		return nil, fmt.Errorf("open query log: %w", err)
	}
	s := &Store{log: o.Logger, script: conv}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	var db *sql.DB
	if IsPostgres(target) {
		s.pg = true
		s.name = redact(target)
		db, err = sql.Open("pgx", target)
		if err != nil {
			return nil, fmt.Errorf("open query log %s: %w", s.name, err)
		}
		db.SetMaxOpenConns(8)
		db.SetConnMaxIdleTime(5 * time.Minute)
		s.db = &handle{log: s.log}
		s.db.cur.Store(db)
	} else {
		s.name = target
		if strings.ContainsAny(target, "?#") {
			return nil, fmt.Errorf("open query log %s: the path may not contain ? or #", target)
		}
		busy := o.BusyTimeout
		if busy <= 0 {
			busy = 5 * time.Second
		}
		// WAL lets admins read while the bot writes; write transactions take the lock when they begin
		// (immediate), so the busy timeout applies instead of a deadlock error mid-transaction; deleted
		// rows are overwritten (secure_delete), so purged questions do not linger in free pages.
		dsn := target + "?_pragma=busy_timeout(" + strconv.FormatInt(busy.Milliseconds(), 10) + ")" +
			"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=secure_delete(1)&_txlock=immediate"
		openFile := func() (*sql.DB, error) {
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return nil, err
			}
			if err := private(target); err != nil {
				return nil, err
			}
			db, err := sql.Open("sqlite", dsn)
			if err != nil {
				return nil, err
			}
			db.SetMaxOpenConns(4)
			return db, nil
		}
		if db, err = openFile(); err != nil {
			return nil, fmt.Errorf("open query log %s: %w", target, err)
		}
		// Opening the file again, when it was deleted or replaced while open (see handle).
		reopen := func(ctx context.Context) (*sql.DB, error) {
			db, err := openFile()
			if err == nil {
				if err = s.migrate(ctx, db, upto); err != nil {
					db.Close()
				}
			}
			return db, err
		}
		s.db = &handle{log: s.log, path: target, open: reopen}
		s.db.cur.Store(db)
	}
	if err := s.migrateRetrying(ctx, upto, o.BusyTimeout); err != nil {
		db.Close()
		return nil, err
	}
	if !s.pg {
		if err := s.db.watch(); err != nil {
			db.Close()
			return nil, fmt.Errorf("open query log %s: %w", target, err)
		}
	}
	return s, nil
}

// migrateRetrying migrates the schema, trying again while SQLite says the database is busy. Several
// processes opening a new SQLite log at once (two replicas, or the bot and `policybot logs`) race to
// turn on WAL, and SQLite answers some of them SQLITE_BUSY at once, without waiting out its busy
// timeout; they try again until the timeout has passed.
func (s *Store) migrateRetrying(ctx context.Context, upto int, timeout time.Duration) error {
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	deadline := time.Now().Add(timeout)
	wait := 5 * time.Millisecond
	for {
		err := s.migrate(ctx, s.db, upto)
		if s.pg || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, 200*time.Millisecond)
	}
}

// isBusy reports an SQLite error saying that the database is locked by another connection.
func isBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlitelib.SQLITE_BUSY
}

// Close closes the database. It returns the driver's error, if any.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close query log %s: %w", s.name, err)
	}
	return nil
}

// Shared reports whether the log is in PostgreSQL, where several replicas may write it: their
// pseudonymisation key must then come from configuration (POLICYBOT_LOG_SECRET), not a data folder.
func (s *Store) Shared() bool { return s.pg }

// String names the database for messages, without credentials.
func (s *Store) String() string { return s.name }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("ping query log %s: %w", s.name, err)
	}
	return nil
}

// q rewrites a query written with ? placeholders for the store's dialect ($1, $2… for PostgreSQL).
// The queries of this package never hold a ? inside a string literal.
func (s *Store) q(query string) string {
	if !s.pg {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// redact returns a PostgreSQL URL without its password, for messages.
func redact(target string) string {
	u, err := url.Parse(target)
	if err != nil {
		return "postgres"
	}
	return "postgres://" + u.Host + u.Path
}

// micros and fromMicros convert between times and the microseconds since 1970 the log stores.
func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us) }
