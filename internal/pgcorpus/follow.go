package pgcorpus

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"policybot/corpus"
)

// Backoff of Listen's reconnections.
const (
	minBackoff = 500 * time.Millisecond
	maxBackoff = 30 * time.Second
)

// Listen calls changed with the version each change announces, on a connection of its own that
// LISTENs on Channel, until ctx ends. When the connection is lost it connects again, waiting longer
// each time (up to 30 s); after each (re)connection it calls changed(0), since changes made while it
// was not listening were announced to no one.
func (s *Store) Listen(ctx context.Context, changed func(version int64)) {
	wait := minBackoff
	for ctx.Err() == nil {
		began := time.Now()
		err := s.listen(ctx, changed)
		if ctx.Err() != nil {
			return
		}
		if time.Since(began) > maxBackoff {
			wait = minBackoff // it was connected a while: not a connection that keeps failing
		}
		s.log.Warn("corpus store: not listening for changes; connecting again", "err", err, "in", wait.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, maxBackoff)
	}
}

func (s *Store) listen(ctx context.Context, changed func(int64)) error {
	conn, err := pgx.Connect(ctx, s.url)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		return err
	}
	changed(0)
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		v, _ := strconv.ParseInt(n.Payload, 10, 64)
		changed(v)
	}
}

// Import replaces the store's corpus with the corpus folder dir (its documents, their originals and
// sidecars, and its trash) and the regression set regression.jsonl beside it when there is one, as
// one change. It returns the new version.
func (s *Store) Import(ctx context.Context, dir string) (int64, error) {
	files := map[string][]byte{}
	err := corpusFiles(dir, false, func(rel string, b []byte) {
		files[corpusDir+"/"+rel] = b
	})
	if err != nil {
		return 0, fmt.Errorf("import %s: %w", dir, err)
	}
	if b, err := os.ReadFile(filepath.Join(filepath.Dir(filepath.Clean(dir)), regressionFile)); err == nil {
		files[regressionFile] = b
	}
	err = s.change(ctx, "import "+dir, func(*corpus.Folder) error {
		if err := os.RemoveAll(s.folder.Dir); err != nil {
			return err
		}
		os.Remove(filepath.Join(s.dir, regressionFile))
		for p, b := range files {
			if err := writeFile(filepath.Join(s.dir, filepath.FromSlash(p)), b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return s.Mirrored(), nil
}

// Export writes the store's corpus at its current version to the folder dir, which must be empty or
// not exist, with the regression set beside it when the store has one. It returns the version
// written.
func (s *Store) Export(ctx context.Context, dir string) (int64, error) {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return 0, fmt.Errorf("export: %s is not empty", dir)
	}
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	defer tx.Rollback(ctx)
	var v int64
	if err := tx.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM corpus_changes").Scan(&v); err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	rows, err := tx.Query(ctx, "SELECT path, data FROM corpus_files ORDER BY path")
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p string
		var b []byte
		if err := rows.Scan(&p, &b); err != nil {
			return 0, fmt.Errorf("export: %w", err)
		}
		var to string
		switch {
		case p == regressionFile:
			to = filepath.Join(filepath.Dir(filepath.Clean(dir)), regressionFile)
		case strings.HasPrefix(p, corpusDir+"/"):
			to = filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(p, corpusDir+"/")))
		default:
			continue
		}
		if err := writeFile(to, b); err != nil {
			return 0, fmt.Errorf("export: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	return v, nil
}

// Status is what the store holds: its version, when it last changed and what changed, and how many
// files and bytes.
type Status struct {
	Version int64
	Changed time.Time
	Who     string
	What    string
	Files   int
	Bytes   int64
	Audit   int
}

// Stat returns the store's Status.
func (s *Store) Stat(ctx context.Context) (Status, error) {
	var st Status
	err := s.pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM corpus_changes`).Scan(&st.Version)
	if err == nil && st.Version > 0 {
		err = s.pool.QueryRow(ctx, `SELECT at, who, what FROM corpus_changes WHERE version = $1`, st.Version).Scan(&st.Changed, &st.Who, &st.What)
	}
	if err == nil {
		err = s.pool.QueryRow(ctx, `SELECT count(*), coalesce(sum(length(data)), 0) FROM corpus_files`).Scan(&st.Files, &st.Bytes)
	}
	if err == nil {
		err = s.pool.QueryRow(ctx, `SELECT count(*) FROM corpus_audit`).Scan(&st.Audit)
	}
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return st, fmt.Errorf("store status: %w", err)
	}
	return st, nil
}
