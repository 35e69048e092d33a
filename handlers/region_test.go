package handlers

import (
	"context"
	"testing"
)

func TestCorpusRegion(t *testing.T) {
	regions := []string{"贵州省铜仁市", "陕西省安康市", "四川省广元市", "湖南省", "全国"}
	for _, tc := range []struct{ mention, want string }{
		{"", ""},
		{"铜仁", "铜仁市"},
		{"铜仁市", "铜仁市"},
		{"贵州铜仁", "铜仁市"},
		{"贵州省、铜仁市", "铜仁市"},
		{"铜仁市、贵州省", "铜仁市"},
		{"贵州", "贵州省"},
		{"贵州省", "贵州省"},
		{"湖南", "湖南省"},
		{"安康、铜仁", "安康市、铜仁市"},
		{"安康和铜仁", "安康市、铜仁市"},
		{"铜仁、铜仁市", "铜仁市"},
		{"北京", "北京"},
		{"北京、湖南", "湖南省、北京"},
		{"全国", "全国"},
	} {
		t.Run(tc.mention, func(t *testing.T) {
			got := CorpusRegion(tc.mention, regions)
			if got != tc.want {
				t.Errorf("CorpusRegion(%q) = %q, want %q", tc.mention, got, tc.want)
			}
			// Naming a region as the corpus does is naming it: once is as good as twice.
			if again := CorpusRegion(got, regions); again != got {
				t.Errorf("CorpusRegion(%q) = %q, not itself", got, again)
			}
		})
	}
	if got := CorpusRegion("铜仁", nil); got != "铜仁" {
		t.Errorf("without a corpus: %q", got)
	}
}

// TestAskLogsCorpusRegion: a region chosen with /region as people say it (铜仁) and one named in a
// question (铜仁市) are logged alike, as the corpus names it.
func TestAskLogsCorpusRegion(t *testing.T) {
	lg := &memLog{}
	h := newHandlers(t, Config{Log: lg})
	ctx := context.Background()
	h.Region(ctx, private, "铜仁")
	h.Ask(ctx, private, "创业担保贷款有什么政策")
	h.Region(ctx, private, "清除")
	h.Ask(ctx, private, "铜仁市创业担保贷款有什么政策")
	h.Ask(ctx, private, "铜仁创业担保贷款有什么政策")
	if len(lg.entries) != 3 {
		t.Fatalf("%d entries", len(lg.entries))
	}
	for i, e := range lg.entries {
		if e.Region != "铜仁市" {
			t.Errorf("entry %d (%s): region %q, want 铜仁市", i, e.Question, e.Region)
		}
	}
}
