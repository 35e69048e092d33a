package querylog

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migration is one step of the schema, written for each dialect. Steps are applied in order, each
// once, inside one transaction; a released step is never edited, a change is a new step.
type migration struct {
	version  int
	name     string
	sqlite   []string
	postgres []string
}

// migrations is the schema's history. Times are microseconds since 1970 (UTC), latencies
// microseconds, confident 0 or 1, verdict 'answer', 'related' or 'none' (confident is 1 exactly for
// answer; see verdictSQL for a row without one), rating -1, 0 (none) or +1, results a JSON array of
// {"doc","section"} (with "title" and "excerpt" in rows written since they were kept; see jsonResult). Neither a user id nor a chat id is a column: user_key is an HMAC of the user id
// and the chat is not recorded beyond its type.
var migrations = []migration{
	{
		version: 1,
		name:    "questions and resolved gaps",
		sqlite: []string{
			`CREATE TABLE queries (
				id         INTEGER PRIMARY KEY,
				ts         INTEGER NOT NULL,
				user_key   TEXT    NOT NULL,
				chat_type  TEXT    NOT NULL,
				question   TEXT    NOT NULL,
				norm       TEXT    NOT NULL,
				script     TEXT    NOT NULL,
				intent     TEXT    NOT NULL,
				region     TEXT    NOT NULL,
				confident  INTEGER NOT NULL,
				results    TEXT    NOT NULL,
				latency_us INTEGER NOT NULL,
				rating     INTEGER NOT NULL DEFAULT 0
			)`,
			`CREATE INDEX queries_ts ON queries (ts)`,
			`CREATE INDEX queries_norm ON queries (norm, ts)`,
			`CREATE TABLE resolved (norm TEXT PRIMARY KEY, ts INTEGER NOT NULL)`,
		},
		postgres: []string{
			`CREATE TABLE queries (
				id         BIGINT  PRIMARY KEY,
				ts         BIGINT  NOT NULL,
				user_key   TEXT    NOT NULL,
				chat_type  TEXT    NOT NULL,
				question   TEXT    NOT NULL,
				norm       TEXT    NOT NULL,
				script     TEXT    NOT NULL,
				intent     TEXT    NOT NULL,
				region     TEXT    NOT NULL,
				confident  INTEGER NOT NULL,
				results    TEXT    NOT NULL,
				latency_us BIGINT  NOT NULL,
				rating     INTEGER NOT NULL DEFAULT 0
			)`,
			`CREATE INDEX queries_ts ON queries (ts)`,
			`CREATE INDEX queries_norm ON queries (norm, ts)`,
			`CREATE TABLE resolved (norm TEXT PRIMARY KEY, ts BIGINT NOT NULL)`,
		},
	},
	{
		version: 2,
		name:    "button state shared by replicas",
		sqlite: []string{
			`CREATE TABLE state (key TEXT PRIMARY KEY, value BLOB NOT NULL, expires INTEGER NOT NULL)`,
			`CREATE INDEX state_expires ON state (expires)`,
		},
		postgres: []string{
			`CREATE TABLE state (key TEXT PRIMARY KEY, value BYTEA NOT NULL, expires BIGINT NOT NULL)`,
			`CREATE INDEX state_expires ON state (expires)`,
		},
	},
	{
		// Questions answered before verdicts were recorded had two outcomes: confident became answer;
		// not confident became none, since what was related cannot be told afterwards.
		version: 3,
		name:    "the verdict of each question: answer, related or none",
		sqlite: []string{
			`ALTER TABLE queries ADD COLUMN verdict TEXT NOT NULL DEFAULT ''`,
			`UPDATE queries SET verdict = CASE WHEN confident = 1 THEN 'answer' ELSE 'none' END`,
		},
		postgres: []string{
			`ALTER TABLE queries ADD COLUMN verdict TEXT NOT NULL DEFAULT ''`,
			`UPDATE queries SET verdict = CASE WHEN confident = 1 THEN 'answer' ELSE 'none' END`,
		},
	},
}

// migrate brings the schema of db, the store's database, up to version upto (tests stop short of the
// latest). Replicas starting
// together take turns: SQLite's write transaction and PostgreSQL's advisory lock serialise them.
func (s *Store) migrate(ctx context.Context, db interface {
	BeginTx(context.Context, *sql.TxOptions) (*sql.Tx, error)
}, upto int) error {
	fail := func(err error) error { return fmt.Errorf("migrate query log %s: %w", s.name, err) }
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback()
	if s.pg {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7243061)`); err != nil {
			return fail(err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied BIGINT NOT NULL)`); err != nil {
		return fail(err)
	}
	current, err := schemaVersion(ctx, tx)
	if err != nil {
		return fail(err)
	}
	if current > len(migrations) {
		return fail(fmt.Errorf("the schema is at version %d, newer than this program's %d", current, len(migrations)))
	}
	for _, m := range migrations {
		if m.version <= current || m.version > upto {
			continue
		}
		stmts := m.sqlite
		if s.pg {
			stmts = m.postgres
		}
		for _, st := range stmts {
			if _, err := tx.ExecContext(ctx, st); err != nil {
				return fail(fmt.Errorf("version %d (%s): %w", m.version, m.name, err))
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO schema_migrations (version, name, applied) VALUES (?, ?, ?)`),
			m.version, m.name, micros(time.Now())); err != nil {
			return fail(err)
		}
		s.log.Info("query log migrated", "db", s.name, "version", m.version, "name", m.name)
	}
	if err := tx.Commit(); err != nil {
		return fail(err)
	}
	return nil
}

// schemaVersion is the highest migration applied.
func schemaVersion(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int, error) {
	var v sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, err
	}
	return int(v.Int64), nil
}

// Version returns the schema version of the database.
func (s *Store) Version(ctx context.Context) (int, error) {
	v, err := schemaVersion(ctx, s.db)
	if err != nil {
		return 0, fmt.Errorf("schema version of %s: %w", s.name, err)
	}
	return v, nil
}
