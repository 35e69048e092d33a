package handlers

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"policybot/corpus"
)

// TestStaffChatOneReindex: while a reindex runs, a second /reindex is told so at once, and a document
// added meanwhile waits for the first to finish, then is indexed by a reindex of its own.
func TestStaffChatOneReindex(t *testing.T) {
	ctx := context.Background()
	s, _ := newStaff(t)
	if _, err := s.Reindex(ctx, CLIActor("test"), ReindexOptions{}); err != nil {
		t.Fatal(err)
	}
	paused, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	s.Pause = func(step string) {
		if step == "indexing" {
			once.Do(func() { close(paused); <-release })
		}
	}
	c := NewStaffChat(s, nil, nil)
	staff := TelegramActor(7)

	first := make(chan Answer, 1)
	started := make(chan Answer, 1)
	go func() { first <- c.Reindex(ctx, staff, "full", func(a Answer) { started <- a }) }()
	<-paused
	if a := <-started; !strings.Contains(a.Text, "开始重建索引") {
		t.Errorf("notice %q", a.Text)
	}
	if a := c.Reindex(ctx, staff, "", func(Answer) { t.Error("a second reindex started") }); !strings.Contains(a.Text, "正在进行") {
		t.Errorf("second reindex: %q", a.Text)
	}

	added := make(chan Answer, 1)
	go func() {
		added <- c.Receive(ctx, staff, Upload{Name: "星火计划.txt", Caption: "地区：某市",
			Fetch: func(context.Context, int64) ([]byte, error) {
				return []byte("关于星火零工驿站的通知\n一、星火零工驿站免费提供求职登记和岗位推荐服务。\n"), nil
			}})
	}()
	select {
	case a := <-added:
		t.Fatalf("the document's reindex did not wait for the running one: %q", a.Text)
	case <-time.After(300 * time.Millisecond):
	}
	close(release)
	if a := <-first; !strings.Contains(a.Text, "全部重建") {
		t.Errorf("first report:\n%s", a.Text)
	}
	a := <-added
	if !strings.Contains(a.Text, "地区：某市") || !strings.Contains(a.Text, "现在可以检索到这份文件") {
		t.Errorf("added:\n%s", a.Text)
	}
}

// TestStaffChatRefusals: someone not on the staff list is refused before anything is fetched, and
// the attempt audited; a file the chat says is too large is not fetched either.
func TestStaffChatRefusals(t *testing.T) {
	ctx := context.Background()
	s, log := newStaff(t)
	c := NewStaffChat(s, nil, nil)
	fetched := false
	fetch := func(context.Context, int64) ([]byte, error) { fetched = true; return []byte("x"), nil }
	for name, a := range map[string]Answer{
		"receive": c.Receive(ctx, TelegramActor(99), Upload{Name: "a.txt", Fetch: fetch}),
		"docs":    c.Documents(ctx, TelegramActor(99)),
		"remove":  c.Remove(ctx, TelegramActor(99), "guangyuan-2021-employment-center-plan"),
		"reindex": c.Reindex(ctx, TelegramActor(99), "", nil),
	} {
		if a.Text != msgNotStaff {
			t.Errorf("%s: %q", name, a.Text)
		}
	}
	if fetched {
		t.Error("a non-staff file was fetched")
	}
	entries, err := log.Read()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 4 {
		t.Errorf("%d audit entries, want 4 refusals: %+v", len(entries), entries)
	}
	for _, e := range entries {
		if e.Action != "denied" || e.Who != "telegram-pseudonym:"+fmt.Sprintf("%x", 99*104729+17) {
			t.Errorf("audit entry %+v", e)
		}
	}
	a := c.Receive(ctx, TelegramActor(7), Upload{Name: "big.pdf", Size: corpus.MaxFileSize + 1, Fetch: fetch})
	if fetched || !strings.Contains(a.Text, "文件太大") {
		t.Errorf("too large: fetched %v, %q", fetched, a.Text)
	}
	a = c.Receive(ctx, TelegramActor(7), Upload{Name: "a.pdf", Fetch: func(context.Context, int64) ([]byte, error) {
		return nil, errors.New("download file: 502 Bad Gateway")
	}})
	if !strings.Contains(a.Text, "没能下载") {
		t.Errorf("download failed: %q", a.Text)
	}
	if _, err := os.Stat(s.Folder.(*corpus.Folder).Dir + "/a.txt"); err == nil {
		t.Error("a refused file is in the corpus")
	}
}

func TestUploadName(t *testing.T) {
	for _, tc := range []struct{ name, mime, want string }{
		{"通知.pdf", "application/pdf", "通知.pdf"},
		{"../../etc/passwd", "", "passwd"},
		{"", "application/pdf", "document.pdf"},
		{"", "text/plain; charset=utf-8", "document.txt"},
		{"", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "document.docx"},
		{"", "image/png", "document"},
	} {
		if got := UploadName(tc.name, tc.mime, "document"); got != tc.want {
			t.Errorf("UploadName(%q, %q) = %q, want %q", tc.name, tc.mime, got, tc.want)
		}
	}
}
