package querylog

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"policybot/handlers"
	"policybot/index"
	"policybot/internal/pgtest"
)

// backend makes fresh, empty databases of one kind for a test.
type backend struct {
	name string
	// target returns the address of a new empty database, removed when the test ends.
	target func(t *testing.T) string
}

var sqliteBackend = backend{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), FileName) }}

var postgresBackend = backend{"postgres", func(t *testing.T) string { return pgtest.URL(t, "t_") }}

// eachBackend runs fn as a subtest on SQLite and on PostgreSQL: both must pass the same tests.
func eachBackend(t *testing.T, fn func(t *testing.T, b backend)) {
	for _, b := range []backend{sqliteBackend, postgresBackend} {
		t.Run(b.name, func(t *testing.T) { fn(t, b) })
	}
}

// openAt opens the store at target, closed when the test ends.
func openAt(t *testing.T, target string) *Store {
	t.Helper()
	s, err := Open(context.Background(), target, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// counter is an Observer that counts.
type counter struct {
	questions, notConfident, related, failures atomic.Int64
}

func (c *counter) Question(verdict index.Verdict, latency time.Duration) {
	c.questions.Add(1)
	if verdict != index.VerdictAnswer {
		c.notConfident.Add(1)
	}
	if verdict == index.VerdictRelated {
		c.related.Add(1)
	}
}

func (c *counter) WriteFailed() { c.failures.Add(1) }

var testSecret = []byte("0123456789abcdef0123456789abcdef")

// record writes entries through a Log and waits until they are in the database; it returns their
// ids in order.
func record(t *testing.T, s *Store, entries ...handlers.LogEntry) []int64 {
	t.Helper()
	obs := &counter{}
	l := NewLog(s, testSecret, LogOptions{Observer: obs})
	ids := make([]int64, len(entries))
	for i, e := range entries {
		id, err := l.Record(context.Background(), e)
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = id
	}
	if err := l.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := obs.failures.Load(); n != 0 {
		t.Fatalf("%d writes failed", n)
	}
	return ids
}

// entry is a question asked at t by user, answered with confidence or not (the verdict answer or
// none; see related).
func entry(t time.Time, user int64, question string, confident bool) handlers.LogEntry {
	return handlers.LogEntry{Time: t, UserID: user, ChatID: user, ChatType: "private", Question: question,
		Script: "simplified", Intent: "entitlement", Confident: confident,
		Results: []handlers.LogResult{{DocID: "doc-a", Section: "第一章 › 一、"}}, Latency: 120 * time.Millisecond}
}

// related is a question asked at t by user that got the verdict related.
func related(t time.Time, user int64, question string) handlers.LogEntry {
	e := entry(t, user, question, false)
	e.Verdict = index.VerdictRelated
	return e
}

// oldRow writes a question as versions before the verdict column did (also a replica of such a
// version while the others are upgraded): confident or not, no verdict. It returns its id.
func oldRow(t *testing.T, s *Store, id int64, at time.Time, question string, confident bool) int64 {
	t.Helper()
	if _, err := s.db.ExecContext(context.Background(), s.q(`INSERT INTO queries
		(id, ts, user_key, chat_type, question, norm, script, intent, region, confident, results, latency_us)
		VALUES (?, ?, 'u', 'private', ?, ?, 'simplified', 'other', '', ?, '[]', 1000)`),
		id, micros(at), question, normalize(s.script, question), boolInt(confident)); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestMigrations(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		target := b.target(t)

		// A database made by the first version of the schema, with a question in it.
		old, err := open(ctx, target, Options{}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := old.Version(ctx); v != 1 {
			t.Fatalf("version %d after migrating to 1", v)
		}
		if err := old.PutState(ctx, "k", []byte("v"), time.Hour); err == nil {
			t.Fatal("state table exists before its migration")
		}
		ids := []int64{oldRow(t, old, 1, time.Now(), "失业金怎么领", false)}
		old.Close()

		// Opening it migrates the rest and keeps the data; opening again changes nothing.
		for range 2 {
			s, err := Open(ctx, target, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if v, _ := s.Version(ctx); v != len(migrations) {
				t.Fatalf("version %d, want %d", v, len(migrations))
			}
			if r, err := s.Question(ctx, ids[0]); err != nil || r.Question != "失业金怎么领" {
				t.Fatalf("question after migration: %+v, %v", r, err)
			}
			if err := s.PutState(ctx, "k", []byte("v"), time.Hour); err != nil {
				t.Fatal(err)
			}
			var n int
			if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil || n != len(migrations) {
				t.Fatalf("%d migrations recorded (%v), want %d", n, err, len(migrations))
			}
			s.Close()
		}

		// A schema newer than the program is refused, not written to.
		s := openAt(t, target)
		if _, err := s.db.ExecContext(ctx, s.q(`INSERT INTO schema_migrations (version, name, applied) VALUES (?, ?, ?)`),
			len(migrations)+1, "from the future", 0); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(ctx, target, Options{}); err == nil || !strings.Contains(err.Error(), "newer") {
			t.Fatalf("opening a newer schema: %v", err)
		}
	})
}

func TestMigrationsConcurrent(t *testing.T) {
	// Replicas starting at once against one new database take turns migrating it.
	eachBackend(t, func(t *testing.T, b backend) {
		target := b.target(t)
		errs := make(chan error, 4)
		for range 4 {
			go func() {
				s, err := Open(context.Background(), target, Options{})
				if err == nil {
					s.Close()
				}
				errs <- err
			}()
		}
		for range 4 {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
		s := openAt(t, target)
		if v, _ := s.Version(context.Background()); v != len(migrations) {
			t.Fatalf("version %d", v)
		}
	})
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	// A file that is not a database.
	bad := filepath.Join(t.TempDir(), "querylog.db")
	if err := os.WriteFile(bad, []byte(strings.Repeat("not a database ", 1000)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, bad, Options{}); err == nil {
		t.Error("opened a file that is not a database")
	}
	if _, err := Open(ctx, filepath.Join(t.TempDir(), "a?b.db"), Options{}); err == nil {
		t.Error("opened a path with a question mark")
	}
	// A PostgreSQL server that is not there; the error names it without the password.
	_, err := Open(ctx, "postgres://u:secretpw@127.0.0.1:1/db?connect_timeout=2", Options{})
	if err == nil {
		t.Fatal("opened a PostgreSQL server that is not there")
	}
	if strings.Contains(err.Error(), "secretpw") {
		t.Errorf("error shows the password: %v", err)
	}
	if !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("error does not name the server: %v", err)
	}
}

// TestMigrationVerdict: the migration that adds the verdict makes the questions logged before it
// answer when they were confident and none when not; a question a replica of an earlier version
// writes afterwards is read the same way; new questions keep the verdict they were given.
func TestMigrationVerdict(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		target := b.target(t)
		now := time.Now()
		old, err := open(ctx, target, Options{}, 2)
		if err != nil {
			t.Fatal(err)
		}
		confident := oldRow(t, old, 1, now.Add(-3*time.Minute), "创业担保贷款额度", true)
		notConfident := oldRow(t, old, 2, now.Add(-2*time.Minute), "怎么申请办理护照", false)
		old.Close()

		s := openAt(t, target)
		if v, _ := s.Version(ctx); v != len(migrations) {
			t.Fatalf("version %d, want %d", v, len(migrations))
		}
		// The migration wrote the verdict of the questions there were.
		for id, want := range map[int64]string{confident: "answer", notConfident: "none"} {
			var got string
			if err := s.db.QueryRowContext(ctx, s.q(`SELECT verdict FROM queries WHERE id = ?`), id).Scan(&got); err != nil || got != want {
				t.Errorf("question %d's verdict column after the migration: %q (%v), want %q", id, got, err, want)
			}
		}
		lateOld := oldRow(t, s, 3, now.Add(-time.Minute), "深圳人才引进补贴", false)
		lateOldConfident := oldRow(t, s, 4, now.Add(-time.Minute), "失业金怎么领", true)
		ids := record(t, s, related(now, 5, "失业了每个月能领多少钱"))
		for _, tc := range []struct {
			id        int64
			verdict   index.Verdict
			confident bool
		}{
			{confident, index.VerdictAnswer, true}, {notConfident, index.VerdictNone, false},
			{lateOld, index.VerdictNone, false}, {lateOldConfident, index.VerdictAnswer, true},
			{ids[0], index.VerdictRelated, false},
		} {
			r, err := s.Question(ctx, tc.id)
			if err != nil || r.Verdict != tc.verdict || r.Confident != tc.confident {
				t.Errorf("question %d: verdict %q, confident %v (%v); want %q, %v", tc.id, r.Verdict, r.Confident, err, tc.verdict, tc.confident)
			}
		}
		st, err := s.Stats(ctx, now.Add(-time.Hour), now.Add(time.Hour))
		if err != nil || st.Questions != 5 || st.Related != 1 || st.None != 2 || st.NotConfident != 3 {
			t.Errorf("stats %+v %v", st, err)
		}
	})
}
