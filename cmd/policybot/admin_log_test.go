package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"policybot/handlers"
	"policybot/internal/querylog"
)

// TestLogNamesAsCorpus: when the chat starts, questions logged earlier with a region as people say
// it (铜仁) are renamed as the corpus names it (铜仁市), as new questions are logged; a question
// answered now is logged with its passages' titles and excerpts.
func TestLogNamesAsCorpus(t *testing.T) {
	args := seedArgs(t)
	data := args[3]
	ctx := context.Background()
	s, err := querylog.Open(ctx, querylog.Path(data), querylog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	l := querylog.NewLog(s, []byte("a test secret, sixteen bytes or more"), querylog.LogOptions{})
	for _, r := range []string{"铜仁", "铜仁市", "湖南"} {
		if _, err := l.Record(ctx, handlers.LogEntry{Time: time.Now().Add(-time.Hour), ChatType: "private", Question: "以前的问题",
			Script: "simplified", Intent: "other", Region: r, Confident: true}); err != nil {
			t.Fatal(err)
		}
	}
	l.Close(ctx)
	s.Close()

	if _, stderr, err := runWith(ctx, nil, "铜仁的创业担保贷款有什么支持\n", append([]string{"chat"}, args...)...); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	s, err = querylog.Open(ctx, querylog.Path(data), querylog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rows, _, err := s.Find(ctx, querylog.Filter{}, 0, 10)
	if err != nil || len(rows) != 4 {
		t.Fatalf("%d questions: %v", len(rows), err)
	}
	regions := map[string]int{}
	for _, r := range rows {
		regions[r.Region]++
	}
	if len(regions) != 2 || regions["铜仁市"] != 3 || regions["湖南省"] != 1 {
		t.Errorf("regions %v, want 铜仁市 3 and 湖南省 1", regions)
	}
	now := rows[0]
	if now.Question != "铜仁的创业担保贷款有什么支持" || len(now.Results) == 0 {
		t.Fatalf("the question asked now: %+v", now)
	}
	for _, r := range now.Results {
		if r.Title == "" || r.Excerpt == "" {
			t.Errorf("result logged without its title or excerpt: %+v", r)
		}
	}
}

// TestAdminPageTitles: the admin page of serve names a document by its title, also for a question
// logged before the log kept titles (only the document id): the served index's title.
func TestAdminPageTitles(t *testing.T) {
	args := seedArgs(t)
	data := args[3]
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := querylog.Open(ctx, querylog.Path(data), querylog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	l := querylog.NewLog(s, []byte("a test secret, sixteen bytes or more"), querylog.LogOptions{})
	const slug = "tongren-14th-five-year-employment-plan"
	if _, err := l.Record(ctx, handlers.LogEntry{Time: time.Now().Add(-time.Hour), ChatType: "private", Question: "以前的问题",
		Script: "simplified", Intent: "other", Confident: true, Results: []handlers.LogResult{{DocID: slug, Section: "第四章 主要任务"}}}); err != nil {
		t.Fatal(err)
	}
	l.Close(ctx)
	s.Close()

	addr := freeAddr(t)
	done := make(chan error, 1)
	go func() {
		_, _, err := runWith(ctx, map[string]string{"POLICYBOT_ADMIN_TOKEN": adminToken}, "", append([]string{"serve", "--admin-addr", addr}, args...)...)
		done <- err
	}()
	var page string
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline) && page == ""; time.Sleep(200 * time.Millisecond) {
		req, _ := http.NewRequest("GET", "http://"+addr+"/", nil)
		req.Header.Set("Authorization", "Bearer "+adminToken)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				page = string(b)
			}
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
	if !strings.Contains(page, "以前的问题") || !strings.Contains(page, "铜仁市“十四五”促进城乡就业创业规划") || strings.Contains(page, slug) {
		t.Errorf("the page does not name %s by its title:\n%s", slug, page)
	}
}
