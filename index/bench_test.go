package index

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"sort"
	"testing"
	"time"

	"policybot/corpus"
)

// BenchmarkBuild measures indexing throughput on the seed corpus (MB/s of passage text).
func BenchmarkBuild(b *testing.B) {
	docs, err := corpus.Load(seedDocs)
	if err != nil {
		b.Fatal(err)
	}
	var size int64
	for _, d := range docs {
		size += int64(len(d.Text))
	}
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		if _, err := Build(context.Background(), dir, docs, BuildOptions{UserDict: seedUserDict, Synonyms: seedSynonyms}); err != nil {
			b.Fatal(err)
		}
	}
}

// devQuestions are the questions of ../shared/eval/dev.jsonl when it is there, else a few of ours.
func devQuestions(b *testing.B) []string {
	f, err := os.Open("../../shared/eval/dev.jsonl")
	if err != nil {
		return []string{"铜仁市十四五期间城镇新增就业的目标是多少？", "失业金怎么领", "湖南全省建成了多少家零工市场？", "被拖欠工资了应该去哪里维权？"}
	}
	defer f.Close()
	var qs []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var q struct{ Q string }
		if json.Unmarshal(sc.Bytes(), &q) == nil && q.Q != "" {
			qs = append(qs, q.Q)
		}
	}
	return qs
}

// BenchmarkSearch measures answering a question on the seed corpus, and reports the median and 99th
// percentile latency over the run.
func BenchmarkSearch(b *testing.B) {
	qs := devQuestions(b)
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := shared.Search(ctx, qs[i%len(qs)], Options{K: 5}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
