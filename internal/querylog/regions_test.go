package querylog

import (
	"context"
	"testing"
	"time"

	"policybot/handlers"
)

// TestRenameRegions: questions logged with a region as people say it are renamed to the corpus's
// name once, so that a region is counted once in the figures; renaming again changes nothing.
func TestRenameRegions(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := openAt(t, b.target(t))
		now := time.Now()
		var entries []handlers.LogEntry
		for i, r := range []string{"铜仁", "铜仁市", "铜仁", "贵州省、铜仁市", "湖南", "北京", ""} {
			e := entry(now.Add(-time.Duration(i)*time.Minute), int64(i), "问题", true)
			e.Region = r
			entries = append(entries, e)
		}
		record(t, s, entries...)
		regions := []string{"贵州省铜仁市", "湖南省"}
		rename := func(r string) string { return handlers.CorpusRegion(r, regions) }
		n, err := s.RenameRegions(ctx, rename)
		if err != nil || n != 4 {
			t.Fatalf("renamed %d questions, want 4 (铜仁 twice, 贵州省、铜仁市, 湖南): %v", n, err)
		}
		st, err := s.Stats(ctx, now.Add(-time.Hour), now.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, c := range st.Regions {
			got[c.Name] = c.N
		}
		if len(got) != 3 || got["铜仁市"] != 4 || got["湖南省"] != 1 || got["北京"] != 1 {
			t.Errorf("regions after renaming: %v", st.Regions)
		}
		if n, err := s.RenameRegions(ctx, rename); err != nil || n != 0 {
			t.Errorf("renaming again changed %d: %v", n, err)
		}
	})
}
