package querylog

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"
)

func TestPurge(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		target := b.target(t)
		s := openAt(t, target)
		now := time.Now()
		ids := record(t, s,
			entry(now.AddDate(0, 0, -200), 1, "二百天前问的独特问题", false),
			entry(now.AddDate(0, 0, -181), 2, "一百八十一天前的问题", false),
			entry(now.AddDate(0, 0, -179), 3, "一百七十九天前的问题", false),
			entry(now.Add(-time.Hour), 4, "刚才的问题", true),
		)
		if err := s.Resolve(ctx, ids[0]); err != nil {
			t.Fatal(err)
		}
		s.db.ExecContext(ctx, s.q(`UPDATE resolved SET ts = ?`), micros(now.AddDate(0, 0, -190)))
		s.PutState(ctx, "old", []byte("x"), -time.Second)
		s.PutState(ctx, "live", []byte("y"), time.Hour)

		p, err := s.Purge(ctx, now.Add(-DefaultRetention))
		if err != nil {
			t.Fatal(err)
		}
		if p != (Purged{Questions: 2, Resolved: 1, States: 1}) {
			t.Errorf("purged %+v", p)
		}
		rows, total, err := s.Find(ctx, Filter{}, 0, 10)
		if err != nil || total != 2 || rows[0].ID != ids[3] || rows[1].ID != ids[2] {
			t.Errorf("left %+v %v", rows, err)
		}
		if v, err := s.GetState(ctx, "live"); err != nil || string(v) != "y" {
			t.Errorf("live state %q %v", v, err)
		}
		// Purging again deletes nothing more.
		if p, err := s.Purge(ctx, now.Add(-DefaultRetention)); err != nil || p != (Purged{}) {
			t.Errorf("second purge %+v %v", p, err)
		}
		if b.name == "sqlite" {
			// What was purged is gone from the file, not just unlinked from the table.
			s.Close()
			data, err := os.ReadFile(target)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(data, []byte("二百天前问的独特问题")) {
				t.Error("the purged question is still in the database file")
			}
			if !bytes.Contains(data, []byte("一百七十九天前的问题")) {
				t.Error("a kept question is not in the file: the check looks in the wrong place")
			}
		}
	})
}

func TestRetain(t *testing.T) {
	s := openAt(t, sqliteBackend.target(t))
	record(t, s, entry(time.Now().AddDate(0, 0, -10), 1, "十天前", false), entry(time.Now(), 1, "今天", false))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Retain(ctx, 7*24*time.Hour, time.Hour); close(done) }()
	// Retain purges at once, then waits for the next interval or the end of ctx.
	waitFor(t, func() bool {
		_, total, err := s.Find(context.Background(), Filter{}, 0, 10)
		return err == nil && total == 1
	}, "the first purge")
	cancel()
	<-done
}
