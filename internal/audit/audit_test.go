package audit

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestAppendRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l := New(path)
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := l.Append(Entry{Who: "cli:alice", Action: "add", Doc: "x", Detail: map[string]string{"title": "标题"}}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	// The trail names refused citizens by pseudonym and staff by id: its owner's eyes only.
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("audit trail mode %v (%v), want 0600", fi.Mode().Perm(), err)
	}
	// A line cut short by a crash is skipped, the rest read.
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"time":"2024-01-01T00:00:00Z","who":"cli:b`)
	f.Close()
	l.Append(Entry{Who: "cli:alice", Action: "remove", Doc: "x", Detail: map[string]string{"title": "标题"}})
	es, err := l.Read()
	if err != nil || len(es) != 21 || es[20].Action != "remove" {
		t.Fatalf("%d entries, %v", len(es), err)
	}
	for _, e := range es {
		if e.Time.IsZero() || e.Who != "cli:alice" || e.Detail["title"] != "标题" {
			t.Errorf("entry %+v", e)
		}
	}
}
