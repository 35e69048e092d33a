package querylog

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"policybot/handlers"
	"policybot/index"
)

func TestRecordAndRate(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openAt(t, b.target(t))
		at := time.Date(2026, 3, 2, 10, 30, 0, 0, time.UTC)
		e := handlers.LogEntry{Time: at, UserID: 5550001, ChatID: -1001234, ChatType: "supergroup",
			Question: "我的手机13812345678，身份证11010519491231002X，失業金怎麼領？", Script: "traditional",
			Intent: "entitlement", Region: "铜仁", Confident: true, Latency: 1234567 * time.Microsecond,
			Results: []handlers.LogResult{{DocID: "doc-a", Section: "第一章 › 一、"}, {DocID: "doc-b"}}}
		obs := &counter{}
		l := NewLog(s, testSecret, LogOptions{Observer: obs})
		id, err := l.Record(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		id2, err := l.Record(ctx, entry(at.Add(time.Minute), 5550002, "创业贷款", false))
		if err != nil {
			t.Fatal(err)
		}
		id3, err := l.Record(ctx, related(at.Add(2*time.Minute), 5550003, "失业了每个月能领多少钱"))
		if err != nil {
			t.Fatal(err)
		}
		if id2 <= id {
			t.Errorf("ids not increasing: %d then %d", id, id2)
		}
		if err := l.Rate(ctx, id, -1); err != nil {
			t.Fatal(err)
		}
		if err := l.Rate(ctx, id, 1); err != nil { // a later rating replaces the earlier
			t.Fatal(err)
		}
		if err := l.Rate(ctx, id, 2); !errors.Is(err, ErrRating) {
			t.Errorf("rating 2: %v", err)
		}
		if err := l.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Record(ctx, e); !errors.Is(err, ErrClosed) {
			t.Errorf("record after close: %v", err)
		}
		// Every question answered counts, the one after Close too (its answer went out).
		if obs.questions.Load() != 4 || obs.notConfident.Load() != 2 || obs.related.Load() != 1 || obs.failures.Load() != 0 {
			t.Errorf("observed %d questions, %d not answered, %d related, %d failures", obs.questions.Load(),
				obs.notConfident.Load(), obs.related.Load(), obs.failures.Load())
		}

		r, err := s.Question(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		want := Row{ID: id, Time: at, UserKey: pseudonym(testSecret, 5550001), ChatType: "supergroup",
			Question: "我的手机[电话]，身份证[身份证号]，失業金怎麼領？", Script: "traditional", Intent: "entitlement",
			Region: "铜仁", Confident: true, Verdict: index.VerdictAnswer, Results: e.Results, Latency: e.Latency, Rating: 1}
		if fmt.Sprint(r) != fmt.Sprint(want) || !r.Time.Equal(at) {
			t.Errorf("stored\n%+v\nwant\n%+v", r, want)
		}
		for id, want := range map[int64]index.Verdict{id2: index.VerdictNone, id3: index.VerdictRelated} {
			if r, err := s.Question(ctx, id); err != nil || r.Verdict != want || r.Confident {
				t.Errorf("question %d: verdict %q, confident %v (%v); want %q", id, r.Verdict, r.Confident, err, want)
			}
		}
		if _, err := s.Question(ctx, id+id2); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown id: %v", err)
		}
	})
}

func TestRateUnknown(t *testing.T) {
	// A rating of a question the log does not have is a lost write: logged and counted.
	s := openAt(t, sqliteBackend.target(t))
	obs := &counter{}
	l := NewLog(s, testSecret, LogOptions{Observer: obs})
	if err := l.Rate(context.Background(), 42, 1); err != nil {
		t.Fatal(err)
	}
	l.Close(context.Background())
	if obs.failures.Load() != 1 {
		t.Errorf("%d failures, want 1", obs.failures.Load())
	}
}

func TestConcurrentWrites(t *testing.T) {
	// Many goroutines answering at once, and two writers on one database (two processes, or two
	// replicas), each recording and rating. Each person's questions go through both writers, which
	// share the secret as replicas share POLICYBOT_LOG_SECRET: one person is one user in the log.
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		target := b.target(t)
		const writers, goroutines, each = 2, 16, 25
		obs := &counter{}
		var logs []*Log
		for range writers {
			logs = append(logs, NewLog(openAt(t, target), testSecret, LogOptions{Observer: obs}))
		}
		var mu sync.Mutex
		seen := map[int64]bool{}
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				l := logs[g%writers]
				for i := range each {
					id, err := l.Record(ctx, entry(time.Now(), int64(g/writers), fmt.Sprintf("问题 %d %d", g, i), i%2 == 0))
					if err != nil {
						t.Error(err)
						return
					}
					if i%5 == 0 {
						if err := l.Rate(ctx, id, -1); err != nil {
							t.Error(err)
						}
					}
					mu.Lock()
					if seen[id] {
						t.Errorf("id %d given twice", id)
					}
					seen[id] = true
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		for _, l := range logs {
			if err := l.Close(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if obs.failures.Load() != 0 {
			t.Fatalf("%d writes failed", obs.failures.Load())
		}
		s := openAt(t, target)
		st, err := s.Stats(ctx, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if st.Questions != goroutines*each || st.Users != goroutines/writers || st.Down != goroutines*((each+4)/5) ||
			st.NotConfident != goroutines*(each/2) {
			t.Errorf("stats %+v, want %d questions from %d users, %d 👎, %d not confident", st, goroutines*each,
				goroutines/writers, goroutines*((each+4)/5), goroutines*(each/2))
		}
	})
}

func TestPseudonymisation(t *testing.T) {
	const user, chat = int64(987654321012), int64(-1009876543210)
	// What must not appear: each id in decimal, and as the big-endian integer SQLite would write.
	var forbidden [][]byte
	for _, id := range []int64{user, -chat} {
		forbidden = append(forbidden, []byte(strconv.FormatInt(id, 10)), []byte(strconv.FormatInt(-id, 10)))
		var be [8]byte
		binary.BigEndian.PutUint64(be[:], uint64(id))
		i := 0
		for i < 7 && be[i] == 0 {
			i++
		}
		forbidden = append(forbidden, be[i:])
	}
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		target := b.target(t)
		s := openAt(t, target)
		var entries []handlers.LogEntry
		for i := range 50 {
			e := entry(time.Now(), user, fmt.Sprintf("灵活就业人员社保补贴怎么申请 %d", i), i%3 == 0)
			e.ChatID, e.ChatType = chat, "group"
			entries = append(entries, e)
		}
		entries = append(entries, entry(time.Now(), user+1, "另一个人的问题", true))
		ids := record(t, s, entries...)
		l := NewLog(s, testSecret, LogOptions{})
		for _, id := range ids {
			l.Rate(ctx, id, -1)
		}
		l.Close(ctx)

		// One person, one key; another person, another key; another secret, another key.
		rows, _, err := s.Find(ctx, Filter{}, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		keys := map[string]int{}
		for _, r := range rows {
			keys[r.UserKey]++
		}
		if len(keys) != 2 || keys[pseudonym(testSecret, user)] != 50 {
			t.Errorf("keys %v", keys)
		}
		if pseudonym([]byte("another secret, as long as 32 bytes"), user) == pseudonym(testSecret, user) {
			t.Error("the key does not depend on the secret")
		}

		if b.name == "postgres" {
			// Every row of every table, as text.
			for _, table := range []string{"queries", "resolved", "state", "schema_migrations"} {
				for _, f := range forbidden[0:1] {
					var n int
					if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+` t WHERE t::text LIKE $1`,
						"%"+string(f)+"%").Scan(&n); err != nil || n != 0 {
						t.Errorf("%s: %d rows hold the user id (%v)", table, n, err)
					}
				}
			}
			return
		}
		// Every byte of the database's files (the main file, and the WAL while it is open).
		check := func(when string) {
			files, _ := filepath.Glob(target + "*")
			if len(files) == 0 {
				t.Fatal("no database files")
			}
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				for _, id := range forbidden {
					if bytes.Contains(data, id) {
						t.Errorf("%s: %s holds %q", when, filepath.Base(f), id)
					}
				}
				if when == "closed" && !bytes.Contains(data, []byte("灵活就业人员社保补贴怎么申请")) && strings.HasSuffix(f, ".db") {
					t.Errorf("the question is not in %s: the check looks in the wrong place", f)
				}
			}
		}
		check("open")
		s.Close()
		check("closed")
	})
}

func TestWriteNeverBlocks(t *testing.T) {
	ctx := context.Background()
	target := sqliteBackend.target(t)
	s, err := Open(ctx, target, Options{BusyTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	obs := &counter{}
	l := NewLog(s, testSecret, LogOptions{Observer: obs, Queue: 4})
	defer l.Close(ctx)

	// Locked: another process holds the database's write lock.
	other, err := Open(ctx, target, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	// While the lock is held, Record returns an id: it does not wait for the database (a synchronous
	// write would fail after the busy timeout instead).
	id, err := l.Record(ctx, entry(time.Now(), 1, "锁住时的问题", true))
	if err != nil || id == 0 {
		t.Fatalf("record while locked: %d, %v", id, err)
	}
	waitFor(t, func() bool { return obs.failures.Load() >= 1 }, "the locked write to be counted as failed")
	// When questions come faster than the locked database takes them, they are dropped, not waited for.
	var busy int
	for range 50 {
		if _, err := l.Record(ctx, entry(time.Now(), 1, "排队的问题", true)); errors.Is(err, ErrBusy) {
			busy++
		}
	}
	if busy == 0 {
		t.Error("the queue never filled")
	}
	conn.ExecContext(ctx, "ROLLBACK")
	conn.Close()
	waitFor(t, func() bool { return obs.failures.Load() >= int64(1+busy) }, "the dropped writes to be counted")

	// Unlocked again, writes go through.
	l2 := NewLog(s, testSecret, LogOptions{Observer: obs})
	id, err = l2.Record(ctx, entry(time.Now(), 1, "解锁后的问题", true))
	if err != nil {
		t.Fatal(err)
	}
	l2.Close(ctx)
	if _, err := s.Question(ctx, id); err != nil {
		t.Fatalf("after unlock: %v", err)
	}

	// Full: the database may not grow.
	fullObs := &counter{}
	fullStore := openAt(t, sqliteBackend.target(t))
	fullStore.db.SetMaxOpenConns(1)
	var pages int
	fullStore.db.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages)
	if _, err := fullStore.db.ExecContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", pages)); err != nil {
		t.Fatal(err)
	}
	full := NewLog(fullStore, testSecret, LogOptions{Observer: fullObs})
	for i := range 200 {
		if _, err := full.Record(ctx, entry(time.Now(), 1, strings.Repeat("很长的问题", 100)+strconv.Itoa(i), true)); err != nil {
			t.Fatal(err)
		}
	}
	full.Close(ctx)
	if fullObs.failures.Load() == 0 {
		t.Error("writes to a full database were not counted as failed")
	}

	// Broken: the database is gone from under the log.
	brokenObs := &counter{}
	broken := openAt(t, sqliteBackend.target(t))
	bl := NewLog(broken, testSecret, LogOptions{Observer: brokenObs})
	broken.db.Close()
	if _, err := bl.Record(ctx, entry(time.Now(), 1, "坏了的数据库", true)); err != nil {
		t.Fatal(err)
	}
	bl.Close(ctx)
	if brokenObs.failures.Load() != 1 {
		t.Errorf("%d failures on a closed database, want 1", brokenObs.failures.Load())
	}
}

// waitFor polls cond until it holds; the test's own deadline bounds it.
func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	for !cond() {
		if dl, ok := t.Deadline(); ok && time.Until(dl) < time.Second {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestNextID(t *testing.T) {
	l := &Log{}
	prev := int64(0)
	for range 10000 {
		id := l.nextID()
		if id <= prev {
			t.Fatalf("id %d after %d", id, prev)
		}
		if id <= 0 {
			t.Fatalf("id %d", id)
		}
		prev = id
	}
}

// BenchmarkRecord is what an answer pays for logging: masking, pseudonymising and queueing, not the
// database write.
func BenchmarkRecord(b *testing.B) {
	s, err := Open(context.Background(), filepath.Join(b.TempDir(), FileName), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	l := NewLog(s, testSecret, LogOptions{Queue: b.N + 1})
	e := entry(time.Now(), 123456789, "我的手机13812345678，灵活就业人员社保补贴怎么申请？", true)
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		if _, err := l.Record(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	l.Close(ctx)
}

// BenchmarkWrite is how many questions a second the writer puts into SQLite.
func BenchmarkWrite(b *testing.B) {
	s, err := Open(context.Background(), filepath.Join(b.TempDir(), FileName), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	l := NewLog(s, testSecret, LogOptions{Queue: b.N + 1})
	e := entry(time.Now(), 123456789, "灵活就业人员社保补贴怎么申请？", true)
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		l.Record(ctx, e)
	}
	l.Close(ctx)
}
