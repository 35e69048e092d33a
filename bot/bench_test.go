package bot

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"testing"
	"time"

	"policybot/handlers"
)

// benchQuestions are the development questions (../shared/eval/dev.jsonl) when they are there, else
// a few of our own: the workload, not a check of the answers.
func benchQuestions(b *testing.B) []string {
	qs := []string{"失业金怎么领", "铜仁的创业担保贷款有哪些扶持？", "湖南的零工市场在哪里？", "怎么申请办理护照？", "銅仁市十四五期間城鎮新增就業目標"}
	f, err := os.Open("../../shared/eval/dev.jsonl")
	if err != nil {
		f, err = os.Open("../shared/eval/dev.jsonl")
	}
	if err != nil {
		return qs
	}
	defer f.Close()
	qs = nil
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var q struct{ Q string }
		if json.Unmarshal(sc.Bytes(), &q) == nil && q.Q != "" {
			qs = append(qs, q.Q)
		}
	}
	return qs
}

// BenchmarkAnswer measures answers through the handlers and the Telegram rendering on the shipped
// corpus: answers per second, and the latency of one answer at the median and the 99th percentile.
func BenchmarkAnswer(b *testing.B) {
	h, err := handlers.New(handlers.Config{Searcher: seeds, RateLimit: -1, Now: fixedNow})
	if err != nil {
		b.Fatal(err)
	}
	qs := benchQuestions(b)
	ctx := context.Background()
	who := handlers.Who{UserID: 1, ChatID: 1, ChatType: "private"}
	for _, q := range qs { // warm up: examples, converter, caches
		Render(h.Ask(ctx, who, q))
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	began := time.Now()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		msgs := Render(h.Ask(ctx, who, qs[i%len(qs)]))
		lat = append(lat, time.Since(t0))
		if len(msgs) == 0 {
			b.Fatal("no message")
		}
	}
	total := time.Since(began)
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	p50, p99 := lat[len(lat)/2], lat[min(len(lat)-1, len(lat)*99/100)]
	perSec := float64(b.N) / total.Seconds()
	b.ReportMetric(perSec, "answers/s")
	b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	if b.N >= 100 {
		fmt.Printf("answers through handlers + rendering: %d questions (%d distinct), %.0f answers/s, p50 %.2f ms, p99 %.2f ms\n",
			b.N, len(qs), perSec, float64(p50.Microseconds())/1000, float64(p99.Microseconds())/1000)
	}
}
