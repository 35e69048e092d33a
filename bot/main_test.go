package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"policybot/bot/bottest"
	"policybot/handlers"
	"policybot/index"
	"policybot/internal/seedtest"
)

// seeds is the index of the shipped corpus, built once in TestMain into the data folder seedData.
var (
	seeds    *index.Index
	seedData string
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "policybot-bot-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	seedData = dir
	code := func() int {
		if seedtest.Fuzzing() {
			return m.Run()
		}
		ix, err := seedtest.Build(dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		seeds = ix
		defer seeds.Close()
		return m.Run()
	}()
	os.RemoveAll(dir)
	os.Exit(code)
}

const (
	testToken = "123456789:AAH-test_TOKEN-must-never-be-logged"
	botName   = "policy_test_bot"
)

// fixedNow is the tests' clock: November 2026, when the shipped documents of 2021 and 2022 are more
// than three years old and the one of 2025 is not.
func fixedNow() time.Time { return time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC) }

// logBuffer collects log output from many goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// fakeLog is a query log that keeps entries and ratings in memory; with fail set, every write fails.
type fakeLog struct {
	mu      sync.Mutex
	entries []handlers.LogEntry
	ratings map[int64][]int
	fail    bool
}

func (f *fakeLog) Record(_ context.Context, e handlers.LogEntry) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail {
		return 0, errors.New("querylog: database is locked")
	}
	f.entries = append(f.entries, e)
	return int64(len(f.entries)), nil
}

// count is the number of questions recorded.
func (f *fakeLog) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.entries)
}

func (f *fakeLog) Rate(_ context.Context, id int64, rating int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail {
		return errors.New("querylog: database is locked")
	}
	if f.ratings == nil {
		f.ratings = map[int64][]int{}
	}
	f.ratings[id] = append(f.ratings[id], rating)
	return nil
}

func (f *fakeLog) all() []handlers.LogEntry {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]handlers.LogEntry(nil), f.entries...)
}

// harness is a bot running against a fake Bot API server.
type harness struct {
	t    *testing.T
	srv  *bottest.Server
	bot  *Bot
	qlog *fakeLog
	logs *logBuffer
	stop context.CancelFunc
	done chan error
}

// options change a harness before it starts.
type options struct {
	searcher handlers.Searcher
	roles    Roles
	grace    time.Duration
	failLog  bool
	staff    *handlers.StaffChat
	review   *handlers.Review
	// The send and press limits (Config.SendRate …); zero takes the bot's defaults.
	sendRate       float64
	groupPerMinute int
	pressBurst     int
	pressEvery     time.Duration
}

// start runs a bot by long polling against a new fake server.
func start(t *testing.T, o options) *harness {
	t.Helper()
	srv := bottest.New(t, testToken, botName)
	hs := &harness{t: t, srv: srv, qlog: &fakeLog{fail: o.failLog}, logs: &logBuffer{}, done: make(chan error, 1)}
	b := hs.newBot(o)
	hs.bot = b
	ctx, cancel := context.WithCancel(context.Background())
	hs.stop = cancel
	go func() { hs.done <- b.Run(ctx) }()
	t.Cleanup(func() {
		hs.shutdown()
		if strings.Contains(hs.logs.String(), testToken) || strings.Contains(hs.logs.String(), "AAH-test_TOKEN") {
			t.Errorf("the token appears in the log:\n%s", hs.logs.String())
		}
	})
	// The bot is serving once it polls.
	if !srv.Wait(10*time.Second, func() bool { return len(srv.Requests("getUpdates")) > 0 }) {
		t.Fatal("the bot never polled for updates")
	}
	return hs
}

func (hs *harness) newBot(o options) *Bot {
	hs.t.Helper()
	if o.searcher == nil {
		o.searcher = seeds
	}
	logger := slog.New(slog.NewTextHandler(hs.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h, err := handlers.New(handlers.Config{Searcher: o.searcher, Log: hs.qlog, Logger: logger, Now: fixedNow})
	if err != nil {
		hs.t.Fatal(err)
	}
	b, err := New(context.Background(), Config{
		Token: testToken, ServerURL: hs.srv.URL, Handlers: h, Roles: o.roles, Logger: logger,
		PollTimeout: 2 * time.Second, Grace: o.grace, Staff: o.staff, Review: o.review, Pseudonym: pseudonym,
		SendRate: o.sendRate, GroupPerMinute: o.groupPerMinute, PressBurst: o.pressBurst, PressEvery: o.pressEvery,
	})
	if err != nil {
		hs.t.Fatal(err)
	}
	return b
}

// shutdown stops the bot as SIGTERM does and waits for Run to return.
func (hs *harness) shutdown() {
	hs.stop()
	select {
	case err, ok := <-hs.done:
		if ok && err != nil {
			hs.t.Errorf("Run: %v", err)
		}
		if ok {
			close(hs.done)
		}
	case <-time.After(30 * time.Second):
		hs.t.Fatal("Run did not return after shutdown")
	}
}

// exchange pushes updates and waits until n more messages have been sent; it returns those.
func (hs *harness) exchange(n int, us ...bottest.Update) []bottest.Sent {
	hs.t.Helper()
	before := len(hs.srv.Sent())
	hs.srv.Push(us...)
	return hs.srv.WaitSent(before+n, 20*time.Second)[before:]
}

var (
	alice = bottest.Person(1001, "Alice")
	bob   = bottest.Person(1002, "Bob")
	team  = bottest.Group(-100777, "就业服务群")
)
