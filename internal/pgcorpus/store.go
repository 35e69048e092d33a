// Package pgcorpus keeps the corpus in PostgreSQL, for replicas that must answer from the same
// documents: every file of a corpus folder (each document's text, its metadata sidecar with its
// status, its original PDF or DOCX, the trash with what was removed when, and the regression set
// beside the folder), the audit trail, and a version that every change raises.
//
// A Store works on a local copy of the corpus folder (its mirror, a folder of the data folder), so
// that every operation is corpus.Folder's own: a change takes a lock in the database, brings the
// mirror up to the database's version, makes the change in the mirror as the folder corpus does,
// then writes the files it changed, a row of corpus_changes (the new version) and a notification on
// the channel policybot_corpus, in one transaction. A replica learns of the new version by LISTEN
// (Follow) or by asking (Version) and brings its mirror, then its index, up to it (Sync).
package pgcorpus

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"policybot/corpus"
	"policybot/internal/audit"
	"policybot/internal/lockfile"
)

// Channel is the PostgreSQL notification channel a change is announced on, with the new version as
// its payload.
const Channel = "policybot_corpus"

// Paths of the mirror, relative to its folder, and of the files in the database.
const (
	corpusDir      = "corpus"           // the corpus folder
	regressionFile = "regression.jsonl" // the regression set, beside it as regression.jsonl is beside a corpus folder
	mirrorLock     = ".lock"
	mirrorVersion  = "version" // the version the mirror holds, written once it holds all of it
)

// lockKey is the advisory lock every change takes (any fixed number; "pbcorpus" in ASCII).
const lockKey int64 = 0x7062636f72707573

// ErrStore reports a store URL that is not a PostgreSQL one.
var ErrStore = errors.New("pgcorpus: the store must be a postgres:// or postgresql:// URL")

const schema = `
CREATE TABLE IF NOT EXISTS corpus_files (
	path    text PRIMARY KEY,
	data    bytea NOT NULL,
	sha256  text NOT NULL,
	version bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS corpus_changes (
	version bigserial PRIMARY KEY,
	at      timestamptz NOT NULL DEFAULT clock_timestamp(),
	who     text NOT NULL DEFAULT '',
	what    text NOT NULL,
	written text[] NOT NULL DEFAULT '{}',
	deleted text[] NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS corpus_audit (
	id    bigserial PRIMARY KEY,
	at    timestamptz NOT NULL DEFAULT now(),
	who   text NOT NULL,
	action text NOT NULL,
	doc   text NOT NULL DEFAULT '',
	entry jsonb NOT NULL
);
`

// Store is the corpus in PostgreSQL, with its mirror in a local folder. Its methods are safe for
// concurrent use, and several processes (replicas, the command line) may use one database at once.
type Store struct {
	pool   *pgxpool.Pool
	url    string
	dir    string // the mirror: dir/corpus, dir/regression.jsonl
	log    *slog.Logger
	folder *corpus.Folder

	mu       sync.Mutex
	version  int64 // the database version the mirror holds; -1 when not known
	migrated bool  // the tables are known to exist (Open made sure, or OpenLocal's first Sync)
}

// Open connects to the store at url (postgres://…), creates its tables when they are missing, and
// keeps its mirror in dir. It returns an error when url is not a PostgreSQL URL or the database
// cannot be reached.
func Open(ctx context.Context, url, dir string, log *slog.Logger) (*Store, error) {
	if !strings.HasPrefix(url, "postgres://") && !strings.HasPrefix(url, "postgresql://") {
		return nil, ErrStore
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("open corpus store: %w", err)
	}
	s := &Store{pool: pool, url: url, dir: dir, log: log, version: -1}
	s.folder = &corpus.Folder{Dir: filepath.Join(dir, corpusDir)}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	s.migrated = true
	if err := os.MkdirAll(s.folder.Dir, 0o755); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open corpus store: %w", err)
	}
	return s, nil
}

// OpenLocal opens the store at url without reaching it, for a replica that must answer while the
// database cannot be reached: its mirror in dir, as a Sync left it, is the corpus until a Sync
// succeeds (Mirrored says which version it holds). It returns ErrStore when url is not a PostgreSQL
// URL, and ErrNoMirror when dir holds no complete mirror.
func OpenLocal(url, dir string, log *slog.Logger) (*Store, error) {
	if !strings.HasPrefix(url, "postgres://") && !strings.HasPrefix(url, "postgresql://") {
		return nil, ErrStore
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	v := LocalVersion(dir)
	if v < 0 {
		return nil, ErrNoMirror
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, ErrStore
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg) // connects when first used
	if err != nil {
		return nil, fmt.Errorf("open corpus store: %w", err)
	}
	s := &Store{pool: pool, url: url, dir: dir, log: log, version: v}
	s.folder = &corpus.Folder{Dir: filepath.Join(dir, corpusDir)}
	return s, nil
}

// ErrNoMirror is OpenLocal's error when there is no complete local copy of the store to answer from.
var ErrNoMirror = errors.New("pgcorpus: no local copy of the corpus store")

// LocalVersion returns the version of the store's corpus the mirror in dir holds, -1 when it holds
// none or is in the middle of a change.
func LocalVersion(dir string) int64 {
	b, err := os.ReadFile(filepath.Join(dir, mirrorVersion))
	if err != nil {
		return -1
	}
	v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || v < 0 {
		return -1
	}
	return v
}

// setVersion records the version the mirror holds, in memory and in its folder; -1 says the mirror is
// being changed. The caller holds s.mu and the mirror's lock.
func (s *Store) setVersion(v int64) error {
	s.version = v
	p := filepath.Join(s.dir, mirrorVersion)
	if v < 0 {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("corpus mirror: %w", err)
		}
		return nil
	}
	if err := writeFile(p, []byte(strconv.FormatInt(v, 10)+"\n")); err != nil {
		return fmt.Errorf("corpus mirror: %w", err)
	}
	return nil
}

// ready creates the store's tables when OpenLocal could not. The caller holds s.mu.
func (s *Store) ready(ctx context.Context) error {
	if s.migrated {
		return nil
	}
	if err := s.migrate(ctx); err != nil {
		return err
	}
	s.migrated = true
	return nil
}

func (s *Store) migrate(ctx context.Context) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("open corpus store: %w", err)
	}
	defer tx.Rollback(ctx)
	// Replicas that start together create the tables one at a time.
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", lockKey); err != nil {
		return fmt.Errorf("open corpus store: %w", err)
	}
	if _, err := tx.Exec(ctx, schema); err != nil {
		return fmt.Errorf("open corpus store: create tables: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("open corpus store: %w", err)
	}
	return nil
}

// Close closes the store's connections.
func (s *Store) Close() { s.pool.Close() }

// Dir is the mirror's corpus folder, which Sync keeps at the database's version: what the index is
// built from.
func (s *Store) Dir() string { return s.folder.Dir }

// Root is the mirror's corpus folder and the folders left out of it (none), as corpus.Folder.Root.
func (s *Store) Root() (string, []string) { return s.folder.Dir, nil }

// Version returns the store's version: the number of the last change, 0 for an empty store.
func (s *Store) Version(ctx context.Context) (int64, error) {
	var v int64
	err := s.pool.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM corpus_changes").Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("corpus store version: %w", err)
	}
	return v, nil
}

// Mirrored returns the version the mirror holds, -1 before the first Sync.
func (s *Store) Mirrored() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version
}

// Sync brings the mirror up to the database's version and returns that version. Only the files that
// differ are written; each is written aside and renamed into place, documents' text files last.
func (s *Store) Sync(ctx context.Context) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ready(ctx); err != nil {
		return 0, err
	}
	l, err := s.lockMirror(ctx)
	if err != nil {
		return 0, err
	}
	defer l.Release()
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return 0, fmt.Errorf("sync corpus: %w", err)
	}
	defer tx.Rollback(ctx)
	if err := s.syncLocked(ctx, tx); err != nil {
		return 0, err
	}
	return s.version, nil
}

func (s *Store) lockMirror(ctx context.Context) (*lockfile.Lock, error) {
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return nil, fmt.Errorf("corpus mirror: %w", err)
	}
	return lockfile.Acquire(ctx, filepath.Join(s.dir, mirrorLock), "a change to the corpus mirror", time.Minute)
}

// syncLocked brings the mirror to the version tx sees. The caller holds s.mu and the mirror's lock.
func (s *Store) syncLocked(ctx context.Context, tx pgx.Tx) error {
	var v int64
	if err := tx.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM corpus_changes").Scan(&v); err != nil {
		return fmt.Errorf("sync corpus: %w", err)
	}
	if v == s.version {
		return nil
	}
	rows, err := tx.Query(ctx, "SELECT path, sha256 FROM corpus_files")
	if err != nil {
		return fmt.Errorf("sync corpus: %w", err)
	}
	want := map[string]string{}
	for rows.Next() {
		var p, h string
		if err := rows.Scan(&p, &h); err != nil {
			rows.Close()
			return fmt.Errorf("sync corpus: %w", err)
		}
		want[p] = h
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sync corpus: %w", err)
	}
	have, err := s.scan()
	if err != nil {
		return err
	}
	var fetch []string
	for p, h := range want {
		if have[p] != h {
			fetch = append(fetch, p)
		}
	}
	// Text files last: a document's sidecar and original are in place before its text is.
	sort.Slice(fetch, func(i, j int) bool {
		ti, tj := isText(fetch[i]), isText(fetch[j])
		if ti != tj {
			return tj
		}
		return fetch[i] < fetch[j]
	})
	// Text files first to go: a reader never sees a document without its sidecar.
	var gone []string
	for p := range have {
		if _, ok := want[p]; !ok {
			gone = append(gone, p)
		}
	}
	sort.Slice(gone, func(i, j int) bool { return isText(gone[i]) && !isText(gone[j]) })
	if err := s.setVersion(-1); err != nil {
		return err
	}
	for _, p := range gone {
		if err := os.Remove(filepath.Join(s.dir, filepath.FromSlash(p))); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("sync corpus: %w", err)
		}
	}
	for _, p := range fetch {
		var b []byte
		if err := tx.QueryRow(ctx, "SELECT data FROM corpus_files WHERE path = $1", p).Scan(&b); err != nil {
			return fmt.Errorf("sync corpus %s: %w", p, err)
		}
		if err := writeFile(filepath.Join(s.dir, filepath.FromSlash(p)), b); err != nil {
			return fmt.Errorf("sync corpus: %w", err)
		}
	}
	pruneEmpty(filepath.Join(s.dir, corpusDir))
	if len(fetch)+len(gone) > 0 {
		s.log.Info("corpus mirror updated", "version", v, "written", len(fetch), "deleted", len(gone))
	}
	return s.setVersion(v)
}

func isText(p string) bool {
	ext := strings.ToLower(filepath.Ext(p))
	_, ok := corpus.Formats[ext]
	return ok && !corpus.IsOriginal(p) && !strings.HasSuffix(p, corpus.MetaSuffix)
}

// scan hashes the mirror's files, by path relative to the mirror (slashes): the corpus folder's,
// its trash included, and the regression set; not its lock or a change being staged.
func (s *Store) scan() (map[string]string, error) {
	out := map[string]string{}
	if b, err := os.ReadFile(filepath.Join(s.dir, regressionFile)); err == nil {
		out[regressionFile] = hash(b)
	}
	err := corpusFiles(filepath.Join(s.dir, corpusDir), true, func(rel string, b []byte) {
		out[corpusDir+"/"+rel] = hash(b)
	})
	if err != nil {
		return nil, fmt.Errorf("scan corpus mirror: %w", err)
	}
	return out, nil
}

// corpusFiles calls each with every file of the corpus folder root, by its path relative to root
// (slashes), and its content: the documents, their sidecars and originals, the trash; not the
// folder's lock, a change being staged, or a file a sync is writing. With missingOK a missing root
// (or an entry gone while the folder is listed) is left out rather than an error.
func corpusFiles(root string, missingOK bool, each func(rel string, b []byte)) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if missingOK && errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == ".staging" {
				return fs.SkipDir
			}
			return nil
		}
		if rel == ".lock" || strings.HasSuffix(rel, ".tmp-sync") || !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		each(rel, b)
		return nil
	})
}

func hash(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func writeFile(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp-sync"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// pruneEmpty removes the empty folders under root (a trash entry purged elsewhere), not root.
func pruneEmpty(root string) {
	var dirs []string
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && path != root {
			dirs = append(dirs, path)
		}
		return nil
	})
	for i := len(dirs) - 1; i >= 0; i-- {
		os.Remove(dirs[i]) // fails, as it should, for a folder that is not empty
	}
}

// change makes a change to the corpus: under the store's lock, with the mirror at the database's
// version, op changes the mirror's folder; the files it changed are written to the database with a
// new version (a row of corpus_changes saying who made it, when and what: see audit.WithWho), and
// the version announced, in one transaction. When the transaction fails the mirror
// is read again from the database by the next Sync, so a change that was not stored is not kept.
func (s *Store) change(ctx context.Context, what string, op func(*corpus.Folder) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ready(ctx); err != nil {
		return err
	}
	l, err := s.lockMirror(ctx)
	if err != nil {
		return err
	}
	defer l.Release()
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", lockKey); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := s.syncLocked(ctx, tx); err != nil {
		return err
	}
	before, err := s.scan()
	if err != nil {
		return err
	}
	prev := s.version
	// Until the change is stored, the mirror may hold what the database does not.
	if err := s.setVersion(-1); err != nil {
		return err
	}
	if err := op(s.folder); err != nil {
		return err
	}
	after, err := s.scan()
	if err != nil {
		return err
	}
	var written, deleted []string
	for p, h := range after {
		if before[p] != h {
			written = append(written, p)
		}
	}
	for p := range before {
		if _, ok := after[p]; !ok {
			deleted = append(deleted, p)
		}
	}
	written, deleted = append([]string{}, written...), append([]string{}, deleted...) // never NULL
	sort.Strings(written)
	sort.Strings(deleted)
	if len(written)+len(deleted) == 0 {
		// Nothing changed (an edit that set what was there): no new version.
		if err := tx.Commit(ctx); err != nil {
			return err
		}
		return s.setVersion(prev)
	}
	var v int64
	if err := tx.QueryRow(ctx, "INSERT INTO corpus_changes (who, what, written, deleted) VALUES ($1, $2, $3, $4) RETURNING version",
		audit.Who(ctx), what, written, deleted).Scan(&v); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	for _, p := range written {
		b, err := os.ReadFile(filepath.Join(s.dir, filepath.FromSlash(p)))
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO corpus_files (path, data, sha256, version) VALUES ($1, $2, $3, $4)
			ON CONFLICT (path) DO UPDATE SET data = excluded.data, sha256 = excluded.sha256, version = excluded.version`,
			p, b, after[p], v); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	if len(deleted) > 0 {
		if _, err := tx.Exec(ctx, "DELETE FROM corpus_files WHERE path = ANY($1)", deleted); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	// Delivered to listeners when the transaction commits, and not at all if it does not.
	if _, err := tx.Exec(ctx, "SELECT pg_notify($1, $2)", Channel, strconv.FormatInt(v, 10)); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := s.setVersion(v); err != nil {
		return err
	}
	s.log.Info("corpus changed", "version", v, "what", what, "written", len(written), "deleted", len(deleted))
	return nil
}

// Add adds documents as corpus.Folder.Add does, in one transaction of the store.
func (s *Store) Add(ctx context.Context, reqs []corpus.AddRequest) ([]*corpus.Added, error) {
	var added []*corpus.Added
	var aerr error
	err := s.change(ctx, "add", func(f *corpus.Folder) error {
		added, aerr = f.Add(ctx, reqs)
		if len(added) == 0 && aerr != nil {
			return aerr
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return added, aerr
}

// Edit changes a document's metadata as corpus.Folder.Edit does, in one transaction of the store.
func (s *Store) Edit(ctx context.Context, id string, set corpus.Meta) (before, after corpus.Meta, err error) {
	err = s.change(ctx, "edit "+id, func(f *corpus.Folder) error {
		var e error
		before, after, e = f.Edit(ctx, id, set)
		return e
	})
	return before, after, err
}

// Remove moves a document to the trash as corpus.Folder.Remove does, in one transaction of the store.
func (s *Store) Remove(ctx context.Context, id string) (*corpus.Entry, error) {
	var e *corpus.Entry
	err := s.change(ctx, "remove "+id, func(f *corpus.Folder) error {
		var err error
		e, err = f.Remove(ctx, id)
		return err
	})
	return e, err
}

// Restore brings a document back from the trash as corpus.Folder.Restore does, in one transaction
// of the store.
func (s *Store) Restore(ctx context.Context, id string) (*corpus.Entry, error) {
	var e *corpus.Entry
	err := s.change(ctx, "restore "+id, func(f *corpus.Folder) error {
		var err error
		e, err = f.Restore(ctx, id)
		return err
	})
	return e, err
}

// Purge deletes the trash for good as corpus.Folder.Purge does, in one transaction of the store.
func (s *Store) Purge(ctx context.Context) ([]corpus.Entry, error) {
	var gone []corpus.Entry
	err := s.change(ctx, "purge", func(f *corpus.Folder) error {
		var err error
		gone, err = f.Purge(ctx)
		return err
	})
	return gone, err
}

// Recover brings the mirror up to the store's version (a change never stays half made in the
// database), then finishes what corpus.Folder.Recover finds in the mirror.
func (s *Store) Recover(ctx context.Context) ([]string, error) {
	if _, err := s.Sync(ctx); err != nil {
		return nil, err
	}
	return s.folder.Recover(ctx)
}

// Snapshot reads every document at the store's version (see corpus.Folder.Snapshot).
func (s *Store) Snapshot(ctx context.Context) ([]*corpus.Document, error) {
	if _, err := s.Sync(ctx); err != nil {
		return nil, err
	}
	return s.folder.Snapshot(ctx)
}

// syncWait bounds the Sync of the methods that take no context.
const syncWait = 30 * time.Second

func (s *Store) syncNow() error {
	ctx, cancel := context.WithTimeout(context.Background(), syncWait)
	defer cancel()
	_, err := s.Sync(ctx)
	return err
}

// List lists the documents at the store's version (see corpus.Folder.List).
func (s *Store) List() ([]corpus.Entry, error) {
	if err := s.syncNow(); err != nil {
		return nil, err
	}
	return s.folder.List()
}

// Trash lists the removed documents at the store's version (see corpus.Folder.Trash).
func (s *Store) Trash() ([]corpus.Entry, error) {
	if err := s.syncNow(); err != nil {
		return nil, err
	}
	return s.folder.Trash()
}

// Get returns a document at the store's version (see corpus.Folder.Get).
func (s *Store) Get(id string) (*corpus.Document, *corpus.Entry, error) {
	if err := s.syncNow(); err != nil {
		return nil, nil, err
	}
	return s.folder.Get(id)
}

// Append writes an entry of the audit trail to the store (it implements handlers.Auditor).
func (s *Store) Append(e audit.Entry) error {
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	ctx, cancel := context.WithTimeout(context.Background(), syncWait)
	defer cancel()
	_, err := s.pool.Exec(ctx, "INSERT INTO corpus_audit (at, who, action, doc, entry) VALUES ($1, $2, $3, $4, $5)",
		e.Time, e.Who, e.Action, e.Doc, e)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}
