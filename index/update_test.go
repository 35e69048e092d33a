package index

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"policybot/corpus"
)

// seedsExcept loads the seed corpus without the documents named.
func seedsExcept(t testing.TB, ids ...string) []*corpus.Document {
	t.Helper()
	docs, err := corpus.Load(seedDocs)
	if err != nil {
		t.Fatal(err)
	}
	var out []*corpus.Document
	for _, d := range docs {
		skip := false
		for _, id := range ids {
			skip = skip || d.ID == id
		}
		if !skip {
			out = append(out, d)
		}
	}
	return out
}

// revise returns a changed version of a seed document: its first passage-worth of text rewritten.
func revise(t testing.TB, d *corpus.Document) *corpus.Document {
	t.Helper()
	b, err := os.ReadFile(d.Source)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(b), "884家企业", "901家企业", 1) + "\n七、新增一项工作：建设零工驿站十个，为灵活就业人员提供岗位信息。\n"
	nd, err := corpus.Parse([]byte(text), "txt", d.ID, d.Meta)
	if err != nil {
		t.Fatal(err)
	}
	nd.Source = d.Source
	return nd
}

var seedOptions = BuildOptions{UserDict: seedUserDict, Synonyms: seedSynonyms}

var probes = []string{
	"失业金怎么领", "铜仁十四五期间城镇新增就业目标是多少？", "湖南全省建成了多少家零工市场？",
	"广元为多少家企业返还了稳岗资金？", "易地搬迁群众想自己创业有什么支持？", "零工驿站建多少个", "安康就业",
}

// sameAnswers checks that two indexes answer the probe questions alike: the same passages, scores and
// verdicts.
func sameAnswers(t *testing.T, a, b *Index) {
	t.Helper()
	for _, q := range probes {
		ra, err := a.Search(context.Background(), q, Options{K: 5})
		if err != nil {
			t.Fatal(err)
		}
		rb, err := b.Search(context.Background(), q, Options{K: 5})
		if err != nil {
			t.Fatal(err)
		}
		if ra.Confident != rb.Confident || len(ra.Hits) != len(rb.Hits) {
			t.Errorf("%s: confident %v/%v, %d/%d hits", q, ra.Confident, rb.Confident, len(ra.Hits), len(rb.Hits))
			continue
		}
		for i := range ra.Hits {
			ha, hb := ra.Hits[i], rb.Hits[i]
			if ha.Passage.ID() != hb.Passage.ID() || ha.Passage.Text != hb.Passage.Text || math.Abs(ha.Score-hb.Score) > 1e-6 {
				t.Errorf("%s #%d: %s %.3f vs %s %.3f", q, i+1, ha.Passage.ID(), ha.Score, hb.Passage.ID(), hb.Score)
			}
		}
	}
}

func TestUpdateIncremental(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	first := seedsExcept(t, "hunan-2025-stable-employment")
	rep, err := Update(ctx, data, first, UpdateOptions{BuildOptions: seedOptions})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Full || len(rep.Added) != 4 || rep.Manifest == nil {
		t.Fatalf("first update: %+v", rep)
	}

	// Nothing changed: nothing is built or published.
	name, _ := Current(data)
	rep, err = Update(ctx, data, seedsExcept(t, "hunan-2025-stable-employment"), UpdateOptions{BuildOptions: seedOptions})
	if err != nil || rep.Manifest != nil || rep.Unchanged != 4 {
		t.Fatalf("no-change update: %+v %v", rep, err)
	}
	if now, _ := Current(data); now != name {
		t.Errorf("a no-change update published %s", now)
	}

	// One document added, one changed, one removed.
	second := seedsExcept(t, "ankang-2022-employment-speech-redacted")
	var gy *corpus.Document
	for i, d := range second {
		if d.ID == "guangyuan-2021-employment-center-plan" {
			second[i] = revise(t, d)
			gy = second[i]
		}
	}
	var hunan *corpus.Document
	for _, d := range second {
		if d.ID == "hunan-2025-stable-employment" {
			hunan = d
		}
	}
	rep, err = Update(ctx, data, second, UpdateOptions{BuildOptions: seedOptions})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Full || strings.Join(rep.Added, ",") != "hunan-2025-stable-employment" || strings.Join(rep.Changed, ",") != "guangyuan-2021-employment-center-plan" ||
		strings.Join(rep.Removed, ",") != "ankang-2022-employment-speech-redacted" || rep.Unchanged != 2 {
		t.Fatalf("incremental update: full %v (%s) added %v changed %v removed %v unchanged %d", rep.Full, rep.Why, rep.Added, rep.Changed, rep.Removed, rep.Unchanged)
	}
	// Only the added and changed documents were cut and indexed.
	if want := len(corpus.Cut(gy)) + len(corpus.Cut(hunan)); rep.Cut != want {
		t.Errorf("cut %d passages, want %d (the added and changed documents only)", rep.Cut, want)
	}

	// The patched index answers exactly as one built from scratch.
	inc, err := Open(data)
	if err != nil {
		t.Fatal(err)
	}
	defer inc.Close()
	fullData := t.TempDir()
	if _, err := Build(ctx, fullData, second, seedOptions); err != nil {
		t.Fatal(err)
	}
	full, err := Open(fullData)
	if err != nil {
		t.Fatal(err)
	}
	defer full.Close()
	if inc.Manifest.Passages != full.Manifest.Passages || inc.Manifest.Tokens != full.Manifest.Tokens || inc.Manifest.Documents != 4 {
		t.Errorf("manifests differ: incremental %+v\nfull %+v", inc.Manifest, full.Manifest)
	}
	if inc.Document("ankang-2022-employment-speech-redacted") != nil || inc.Passage("ankang-2022-employment-speech-redacted#0") != nil {
		t.Error("the removed document is still indexed")
	}
	sameAnswers(t, inc, full)
	for p := range inc.st.pass {
		// Kept passages bring their ranking features from the old index.
		if feat, intro := passageFeatures(inc.text(p), inc.seg.Fold); feat != inc.st.pass[p].feat || intro != inc.st.pass[p].intro {
			t.Fatalf("passage %s: features %x %x stored, %x %x in its text", inc.passageID(p), inc.st.pass[p].feat, inc.st.pass[p].intro, feat, intro)
		}
	}
	res, _ := inc.Search(ctx, "零工驿站建多少个", Options{K: 3})
	if len(res.Hits) == 0 || !strings.Contains(res.Hits[0].Passage.Text, "零工驿站十个") {
		t.Errorf("the changed document's new text is not found: %+v", top(res))
	}

	// A changed user dictionary changes every document's analysis: a full rebuild.
	dict := filepath.Join(t.TempDir(), "userdict.txt")
	b, _ := os.ReadFile(seedUserDict)
	os.WriteFile(dict, append(b, []byte("零工驿站 100 n\n")...), 0o644)
	rep, err = Update(ctx, data, second, UpdateOptions{BuildOptions: BuildOptions{UserDict: dict, Synonyms: seedSynonyms}})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Full || !strings.Contains(rep.Why, "user dictionary") {
		t.Errorf("dictionary change: full %v (%s)", rep.Full, rep.Why)
	}
	// And --full rebuilds whatever changed.
	rep, err = Update(ctx, data, second, UpdateOptions{BuildOptions: BuildOptions{UserDict: dict, Synonyms: seedSynonyms}, Full: true})
	if err != nil || !rep.Full || rep.Manifest == nil {
		t.Errorf("--full: %+v %v", rep, err)
	}
}

func TestUpdateBusy(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	lock, err := LockReindex(ctx, data, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Update(ctx, data, seedsExcept(t), UpdateOptions{BuildOptions: seedOptions, LockWait: 100 * time.Millisecond})
	if !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "a reindex is already running (pid ") {
		t.Fatalf("err %v", err)
	}
	lock.Release()
	if _, err := Update(ctx, data, seedsExcept(t), UpdateOptions{BuildOptions: seedOptions}); err != nil {
		t.Fatalf("after release: %v", err)
	}
}

func TestClean(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	os.MkdirAll(filepath.Join(data, indexesDir, "20990101-000000-abcdef"+partialSuffix, bleveDir), 0o755)
	os.WriteFile(filepath.Join(data, ".current.tmp123"), []byte("x"), 0o644)
	gone, err := Clean(ctx, data)
	if err != nil || len(gone) != 2 {
		t.Fatalf("clean: %v %v", gone, err)
	}
	entries, _ := os.ReadDir(filepath.Join(data, indexesDir))
	if len(entries) != 0 {
		t.Errorf("left: %v", entries)
	}
	// While a build runs, its partial folder is not touched.
	lock, _ := LockReindex(ctx, data, 0)
	defer lock.Release()
	os.MkdirAll(filepath.Join(data, indexesDir, "x"+partialSuffix), 0o755)
	if gone, _ := Clean(ctx, data); len(gone) != 0 {
		t.Errorf("cleaned under a running build: %v", gone)
	}
}

// liveWithout builds the seed corpus less the documents ids in a new data folder and serves it as a
// Live index, closed when the test ends.
func liveWithout(t *testing.T, ids ...string) (data string, live *Live) {
	t.Helper()
	data = t.TempDir()
	if _, err := Update(context.Background(), data, seedsExcept(t, ids...), UpdateOptions{BuildOptions: seedOptions}); err != nil {
		t.Fatal(err)
	}
	live, err := OpenLive(context.Background(), data, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { live.Close() })
	return data, live
}

// TestLiveSwap: searches go on, from several goroutines, while reindexes publish new indexes and the
// live index swaps them in; the replaced index is closed once its searches are done.
func TestLiveSwap(t *testing.T) {
	ctx := context.Background()
	data, live := liveWithout(t, "hunan-2025-stable-employment")
	first := live.cur.Load()
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	go live.Watch(watchCtx, 20*time.Millisecond)

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	searches := 0
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				select {
				case <-stop:
					return
				default:
				}
				res, err := live.Search(ctx, probes[(w+i)%len(probes)], Options{K: 3})
				mu.Lock()
				searches++
				if err != nil {
					failures = append(failures, err.Error())
				} else if len(res.Hits) == 0 {
					failures = append(failures, "no hits for "+res.Query)
				}
				mu.Unlock()
				if d := live.Documents(); len(d) < 4 {
					mu.Lock()
					failures = append(failures, "documents missing")
					mu.Unlock()
				}
			}
		}(w)
	}
	// Two reindexes while the searches run: hunan added, then guangyuan changed.
	count := func() int { mu.Lock(); defer mu.Unlock(); return searches }
	waitFor(t, func() bool { return count() > 0 })
	docs := seedsExcept(t)
	var during int
	if _, err := Update(ctx, data, docs, UpdateOptions{BuildOptions: seedOptions, Pause: func(string) {
		// Searches are answered while the new index is being built beside the live one.
		n := count()
		waitFor(t, func() bool { return count() > n+10 })
		during = count() - n
	}}); err != nil {
		t.Fatal(err)
	}
	if during == 0 {
		t.Error("no search was answered during the reindex")
	}
	waitFor(t, func() bool { return live.Document("hunan-2025-stable-employment") != nil })
	for i, d := range docs {
		if d.ID == "guangyuan-2021-employment-center-plan" {
			docs[i] = revise(t, d)
		}
	}
	if _, err := Update(ctx, data, docs, UpdateOptions{BuildOptions: seedOptions}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		res, err := live.Search(ctx, "零工驿站建多少个", Options{K: 1})
		return err == nil && len(res.Hits) > 0 && strings.Contains(res.Hits[0].Passage.Text, "零工驿站十个")
	})
	close(stop)
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d of %d searches failed during reindexes, e.g. %s", len(failures), searches, failures[0])
	}
	if n := first.refs.Load(); n != 0 {
		t.Errorf("the first index still has %d references after being replaced", n)
	}
	if cur := live.cur.Load(); cur.refs.Load() != 1 {
		t.Errorf("current index has %d references with no search running", cur.refs.Load())
	}
	live.Close()
	if _, err := live.Search(ctx, "失业金", Options{}); !errors.Is(err, ErrClosed) {
		t.Errorf("search after close: %v", err)
	}
}

// waitFor waits until cond holds, failing the test after a generous time (not a timing assertion: a
// bound so that a broken swap does not hang the suite).
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// BenchmarkReindexOneChange measures a reindex after one document changed: incremental (the default)
// against a full rebuild of the same corpus.
func BenchmarkReindexOneChange(b *testing.B) {
	base := seedsExcept(b)
	changed := make([]*corpus.Document, len(base))
	copy(changed, base)
	for i, d := range changed {
		if d.ID == "guangyuan-2021-employment-center-plan" {
			changed[i] = revise(b, d)
		}
	}
	for _, mode := range []struct {
		name string
		full bool
	}{{"incremental", false}, {"full", true}} {
		b.Run(mode.name, func(b *testing.B) {
			ctx := context.Background()
			data := b.TempDir()
			if _, err := Update(ctx, data, base, UpdateOptions{BuildOptions: seedOptions}); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				docs := changed
				if i%2 == 1 {
					docs = base
				}
				if _, err := Update(ctx, data, docs, UpdateOptions{BuildOptions: seedOptions, Full: mode.full}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
