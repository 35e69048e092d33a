package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"

	"policybot/corpus"
	"policybot/index"
)

// Defaults of policybot bench, relative to the repository root.
const (
	benchCorpus    = "../shared/bench/lawref"
	benchQuestions = "../shared/eval/msga_dev.jsonl"
	benchDict      = "corpus/dict"
)

// benchReport is what policybot bench --json prints: the parts that ran.
type benchReport struct {
	Index  *benchIndex  `json:"index,omitempty"`
	Search *benchSearch `json:"search,omitempty"`
	QA     *benchQA     `json:"qa,omitempty"`
}

type benchIndex struct {
	Passages    int     `json:"passages"`
	MB          float64 `json:"mb"`      // text of the documents, UTF-8
	Seconds     float64 `json:"seconds"` // reading the corpus and building the index
	MBPerS      float64 `json:"mb_per_s"`
	DiskMB      float64 `json:"disk_mb"`
	RSSMB       float64 `json:"rss_mb"` // peak resident memory while indexing
	OpenSeconds float64 `json:"open_seconds"`
}

type benchSearch struct {
	Queries int     `json:"queries"`
	P50MS   float64 `json:"p50_ms"`
	P95MS   float64 `json:"p95_ms"`
	P99MS   float64 `json:"p99_ms"`
	MaxMS   float64 `json:"max_ms"`
	RSSMB   float64 `json:"rss_mb"` // peak resident memory while opening and serving
	// At the end: resident memory of the process's own (the Go heap, jieba's dictionaries) and
	// of the index's files mapped in memory (the pages searches touched), and the Go heap in use.
	AnonMB float64 `json:"anon_mb"`
	FileMB float64 `json:"file_mb"`
	HeapMB float64 `json:"heap_mb"`
}

type benchQA struct {
	N        int     `json:"n"`
	Hit1     float64 `json:"hit@1"`
	MRR10    float64 `json:"mrr@10"`
	Recall10 float64 `json:"recall@10"`
	// Splits are the figures of random halves of the questions (with --split).
	Splits []benchSplit `json:"splits,omitempty"`
}

// benchSplit is the figures of the two halves of the questions shuffled by a seed.
type benchSplit struct {
	Seed   uint64     `json:"seed"`
	Halves [2]benchQA `json:"halves"`
}

// cmdBench measures indexing and search speed and memory on a corpus, or retrieval quality on a
// question-answer set, in a temporary data folder.
func cmdBench(ctx context.Context, e *env, args []string) error {
	var cfg Config
	fs := flags("bench", e, &cfg)
	queries := fs.String("queries", benchQuestions, `questions to time: JSONL with a "q" field, or one a line`)
	rounds := fs.Int("rounds", 3, "timed passes over the questions, after one warm-up pass")
	answers := fs.String("qa", "", "answers to index (JSONL {id, dept, text}); measure retrieval quality instead of speed")
	questions := fs.String("questions", "", "with --qa: questions (JSONL {id, q, gold_ids})")
	asJSON := fs.Bool("json", false, "print the figures as one JSON object")
	detail := fs.Bool("detail", false, "with --qa: also print each question's rank of its answer (0: not in the first 10)")
	split := fs.String("split", "", "with --qa: seeds, comma-separated; for each, also score the two halves of the questions shuffled by that seed")
	serve := fs.String("serve", "", "only open the index built in this data folder and time the queries, in this process")
	scale := fs.Int("scale", 0, "index a corpus N times the size of --corpus, generated from it (see scale.go), instead of --corpus itself")
	seed := fs.Uint64("seed", 1, "with --scale: the generator's seed")
	if err := parse(e, fs, args, &cfg); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !set["corpus"] {
		cfg.Corpus = benchCorpus
	}
	if !set["dict"] {
		cfg.Dict = benchDict
	}
	seeds, err := parseSeeds(*split)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 || (*answers == "") != (*questions == "") || *rounds < 1 || *serve != "" && *answers != "" || len(seeds) > 0 && *answers == "" ||
		*scale < 0 || *scale > 0 && (*answers != "" || *serve != "") {
		return fmt.Errorf("%w: bench [--corpus DIR] [--scale N [--seed S]] [--queries FILE] | bench --qa ANSWERS --questions QUESTIONS [--split SEEDS] | bench --serve DATA", errUsage)
	}
	if *serve != "" {
		qs, err := readQueries(*queries)
		if err != nil {
			return err
		}
		bi := &benchIndex{}
		bs, err := benchServe(ctx, e, *serve, qs, *rounds, bi)
		if err != nil {
			return err
		}
		rep := benchReport{Index: bi, Search: bs}
		if *asJSON {
			return writeJSON(e.stdout, rep)
		}
		fmt.Fprintf(e.stdout, "open %.3f s (index and jieba)\n", bi.OpenSeconds)
		rep.Index = nil
		rep.print(e.stdout, "")
		return nil
	}
	data, err := os.MkdirTemp("", "policybot-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(data)

	var rep benchReport
	corpusDir := cfg.Corpus
	if *answers != "" {
		qa, err := benchAnswers(ctx, e, cfg, data, *answers, *questions)
		if err != nil {
			return err
		}
		rep.QA = &qa.benchQA
		for _, seed := range seeds {
			rep.QA.Splits = append(rep.QA.Splits, qa.split(seed))
		}
		if *detail {
			for _, q := range qa.questions {
				fmt.Fprintf(e.stdout, "%s\t%d\t%s\t%s\n", q.ID, qa.Ranks[q.ID], qa.Top[q.ID], q.Q)
			}
		}
	} else {
		qs, err := readQueries(*queries)
		if err != nil {
			return err
		}
		if *scale > 0 {
			gen, err := os.MkdirTemp("", "policybot-scale-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(gen)
			began := time.Now()
			n, err := generateScale(cfg.Corpus, cfg.Skip, gen, *scale, *seed)
			if err != nil {
				return err
			}
			e.log.Info("bench: generated", "scale", *scale, "seed", *seed, "mb", mb(n), "seconds", time.Since(began).Seconds())
			corpusDir = fmt.Sprintf("%s ×%d (generated, seed %d)", cfg.Corpus, *scale, *seed)
			cfg.Corpus, cfg.Skip = gen, nil
			// What generating held is not the build's: the build's peak is measured from here.
			runtime.GC()
			debug.FreeOSMemory()
			resetPeak()
		}
		if rep.Index, err = benchBuild(ctx, e, cfg, data); err != nil {
			return err
		}
		// Serving is measured in a process of its own, as a server would run: one that has not
		// built the index first.
		if rep.Search, err = serveApart(ctx, e, data, *queries, *rounds, rep.Index); err != nil {
			e.log.Warn("bench: serving measured in this process", "err", err)
			if rep.Search, err = benchServe(ctx, e, data, qs, *rounds, rep.Index); err != nil {
				return err
			}
		}
	}
	if *asJSON {
		return writeJSON(e.stdout, rep)
	}
	rep.print(e.stdout, corpusDir)
	return nil
}

// benchBuild reads and indexes the corpus, a few documents at a time as policybot index does, and
// reports the figures of indexing.
func benchBuild(ctx context.Context, e *env, cfg Config, data string) (*benchIndex, error) {
	began := time.Now()
	files, err := corpus.Files(cfg.Corpus, cfg.Skip...)
	if err != nil {
		return nil, err
	}
	src := index.NewFileSource(files)
	m, err := index.BuildFrom(ctx, data, src, index.BuildOptions{UserDict: cfg.UserDict(), Synonyms: cfg.Synonyms(), Fingerprint: "bench"})
	for _, line := range splitErrors(src.Errs()) {
		if line != nil {
			e.log.Warn("document left out", "err", line)
		}
	}
	if err != nil {
		return nil, err
	}
	if m.Documents == 0 {
		return nil, fmt.Errorf("bench: no readable documents in %s", cfg.Corpus)
	}
	secs := time.Since(began).Seconds()
	e.log.Info("bench: indexed", "documents", m.Documents, "build_seconds", m.BuildSeconds)
	bi := &benchIndex{
		Passages: m.Passages, MB: mb(m.Bytes), Seconds: round3(secs), MBPerS: round3(mb(m.Bytes) / secs),
		RSSMB: mb(procStatus("VmHWM")),
	}
	if name, err := index.Current(data); err == nil {
		bi.DiskMB = mb(dirSize(filepath.Join(data, "indexes", name)))
	}
	return bi, nil
}

// benchServe opens the index built in data, runs a warm-up pass and then rounds of timed passes
// over the questions, and reports latency and memory: the process's peak resident memory (VmHWM in
// /proc/self/status) from just before opening to the end, its peak-memory mark reset first where
// Linux allows (in a process that built the index, memory the build left behind still counts).
func benchServe(ctx context.Context, e *env, data string, qs []string, rounds int, bi *benchIndex) (*benchSearch, error) {
	servingGC() // as policybot serve does
	runtime.GC()
	debug.FreeOSMemory()
	resetPeak()
	began := time.Now()
	ix, err := index.Open(data)
	if err != nil {
		return nil, err
	}
	defer ix.Close()
	bi.OpenSeconds = round3(time.Since(began).Seconds())
	for _, q := range qs {
		if _, err := ix.Search(ctx, q, index.Options{K: 5}); err != nil {
			return nil, err
		}
	}
	lat := make([]float64, 0, rounds*len(qs))
	for r := 0; r < rounds; r++ {
		for _, q := range qs {
			t0 := time.Now()
			if _, err := ix.Search(ctx, q, index.Options{K: 5}); err != nil {
				return nil, err
			}
			lat = append(lat, float64(time.Since(t0).Nanoseconds())/1e6)
		}
	}
	sort.Float64s(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return round3(lat[min(len(lat)-1, int(math.Ceil(p*float64(len(lat))))-1)])
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return &benchSearch{
		Queries: len(lat), P50MS: pct(0.50), P95MS: pct(0.95), P99MS: pct(0.99), MaxMS: pct(1),
		RSSMB: mb(procStatus("VmHWM")), AnonMB: mb(procStatus("RssAnon")), FileMB: mb(procStatus("RssFile")),
		HeapMB: mb(int64(ms.HeapInuse)),
	}, nil
}

// serveApart runs "policybot bench --serve DATA" as a child process and returns its figures, and
// its open time in bi.
func serveApart(ctx context.Context, e *env, data, queries string, rounds int, bi *benchIndex) (*benchSearch, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	if strings.HasSuffix(filepath.Base(exe), ".test") {
		return nil, errors.New("running under go test")
	}
	cmd := exec.CommandContext(ctx, exe, "bench", "--serve", data, "--queries", queries, "--rounds", strconv.Itoa(rounds), "--json")
	cmd.Stderr = e.stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, err
	}
	var rep benchReport
	if err := json.Unmarshal(out, &rep); err != nil {
		return nil, err
	}
	if rep.Index == nil || rep.Search == nil {
		return nil, errors.New("no figures from the serving process")
	}
	bi.OpenSeconds = rep.Index.OpenSeconds
	return rep.Search, nil
}

// qaRun holds the figures of a question-answer run and each question's rank of its first right
// answer (0 when not in the first 10).
type qaRun struct {
	benchQA
	Ranks     map[string]int
	Top       map[string]string // the first answer found for each question
	questions []qaQuestion
}

// benchAnswers indexes the answers as documents and scores how well each question finds its answer.
func benchAnswers(ctx context.Context, e *env, cfg Config, data, answers, questions string) (*qaRun, error) {
	docs, err := readAnswers(answers)
	if err != nil {
		return nil, err
	}
	qs, err := readQA(questions)
	if err != nil {
		return nil, err
	}
	if _, err := index.Build(ctx, data, docs, index.BuildOptions{UserDict: cfg.UserDict(), Synonyms: cfg.Synonyms(), Fingerprint: "bench"}); err != nil {
		return nil, err
	}
	ix, err := index.Open(data)
	if err != nil {
		return nil, err
	}
	defer ix.Close()
	return scoreQA(ctx, ix, qs)
}

// qaQuestion is a question of a question-answer set.
type qaQuestion struct {
	ID    string   `json:"id"`
	Q     string   `json:"q"`
	Gold  []string `json:"gold_ids"`
	label string
}

// qaDepth is how many answers are ranked for each question; qaPassages is how many passages are
// asked for to find that many distinct answers.
const (
	qaDepth    = 10
	qaPassages = 40
)

// scoreQA asks each question and ranks the answers by their best passage.
func scoreQA(ctx context.Context, ix *index.Index, qs []qaQuestion) (*qaRun, error) {
	run := &qaRun{Ranks: map[string]int{}, Top: map[string]string{}, questions: qs}
	for _, q := range qs {
		res, err := ix.Search(ctx, q.Q, index.Options{K: qaPassages})
		if err != nil {
			return nil, err
		}
		gold := map[string]bool{}
		for _, g := range q.Gold {
			gold[g] = true
		}
		seen := map[string]bool{}
		rank := 0
		if len(res.Hits) > 0 {
			run.Top[q.ID] = res.Hits[0].Doc.ID
		}
		for _, h := range res.Hits {
			if seen[h.Doc.ID] {
				continue
			}
			seen[h.Doc.ID] = true
			if len(seen) > qaDepth {
				break
			}
			if gold[h.Doc.ID] {
				rank = len(seen)
				break
			}
		}
		run.Ranks[q.ID] = rank
	}
	run.benchQA = figures(qs, run.Ranks)
	return run, nil
}

// figures scores questions by the rank each found its answer at (0: not in the first qaDepth).
func figures(qs []qaQuestion, ranks map[string]int) benchQA {
	var hit1, mrr, recall float64
	for _, q := range qs {
		rank := ranks[q.ID]
		if rank == 1 {
			hit1++
		}
		if rank > 0 {
			mrr += 1 / float64(rank)
			recall++
		}
	}
	f := benchQA{N: len(qs)}
	if n := float64(len(qs)); n > 0 {
		f.Hit1, f.MRR10, f.Recall10 = round3(hit1/n), round3(mrr/n), round3(recall/n)
	}
	return f
}

// split shuffles the questions by seed and scores the questions at even and at odd places apart:
// a change of ranking that helps on both halves of several shuffles is less likely to be fitted to
// particular questions.
func (run *qaRun) split(seed uint64) benchSplit {
	qs := append([]qaQuestion(nil), run.questions...)
	rand.New(rand.NewPCG(seed, 0)).Shuffle(len(qs), func(i, j int) { qs[i], qs[j] = qs[j], qs[i] })
	var halves [2][]qaQuestion
	for i, q := range qs {
		halves[i%2] = append(halves[i%2], q)
	}
	return benchSplit{Seed: seed, Halves: [2]benchQA{figures(halves[0], run.Ranks), figures(halves[1], run.Ranks)}}
}

// parseSeeds reads --split's comma-separated seeds.
func parseSeeds(s string) ([]uint64, error) {
	var seeds []uint64
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("--split: %w", err)
		}
		seeds = append(seeds, n)
	}
	return seeds, nil
}

// readAnswers reads answers {id, dept, text} as documents: the department is the issuer, and the
// region is Beijing, where they were published.
func readAnswers(path string) ([]*corpus.Document, error) {
	var docs []*corpus.Document
	err := readJSONL(path, func(line []byte) error {
		var a struct{ ID, Dept, Text string }
		if err := json.Unmarshal(line, &a); err != nil {
			return err
		}
		if a.ID == "" {
			return fmt.Errorf("answer without an id")
		}
		docs = append(docs, &corpus.Document{
			ID: a.ID, Meta: corpus.Meta{Issuer: a.Dept, Region: "北京市"}, Format: "txt", Text: a.Text,
		})
		return nil
	})
	return docs, err
}

func readQA(path string) ([]qaQuestion, error) {
	var qs []qaQuestion
	err := readJSONL(path, func(line []byte) error {
		var q qaQuestion
		if err := json.Unmarshal(line, &q); err != nil {
			return err
		}
		qs = append(qs, q)
		return nil
	})
	return qs, err
}

// readQueries reads questions: JSONL with a "q" field, or plain lines.
func readQueries(path string) ([]string, error) {
	var qs []string
	err := readJSONL(path, func(line []byte) error {
		if line[0] == '{' {
			var q struct{ Q string }
			if err := json.Unmarshal(line, &q); err != nil {
				return err
			}
			if q.Q != "" {
				qs = append(qs, q.Q)
			}
			return nil
		}
		qs = append(qs, string(line))
		return nil
	})
	if err == nil && len(qs) == 0 {
		err = fmt.Errorf("read %s: no questions", path)
	}
	return qs, err
}

// readJSONL calls f for each non-empty line of path, naming the line in an error.
func readJSONL(path string, f func([]byte) error) error {
	file, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if err := f(line); err != nil {
			return fmt.Errorf("read %s:%d: %w", path, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}

// procStatus reads a memory figure (VmHWM, VmRSS) of this process from /proc/self/status, in
// bytes; 0 where there is no /proc.
func procStatus(key string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, key+":"); ok {
			f := strings.Fields(v)
			if len(f) > 0 {
				kb, _ := strconv.ParseInt(f[0], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}

// resetPeak resets the process's peak resident memory (VmHWM) to its current size, where Linux
// allows it.
func resetPeak() {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

func dirSize(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			n += info.Size()
		}
		return nil
	})
	return n
}

func mb(n int64) float64 { return round3(float64(n) / (1 << 20)) }

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

func (r *benchReport) print(w io.Writer, corpusDir string) {
	if i := r.Index; i != nil {
		fmt.Fprintf(w, "index %s\n", corpusDir)
		fmt.Fprintf(w, "  passages      %d\n", i.Passages)
		fmt.Fprintf(w, "  text          %.1f MB\n", i.MB)
		fmt.Fprintf(w, "  time          %.2f s (reading and indexing)\n", i.Seconds)
		fmt.Fprintf(w, "  speed         %.2f MB/s\n", i.MBPerS)
		fmt.Fprintf(w, "  on disk       %.1f MB\n", i.DiskMB)
		fmt.Fprintf(w, "  peak RSS      %.0f MB while indexing\n", i.RSSMB)
		fmt.Fprintf(w, "  open          %.3f s (index and jieba)\n", i.OpenSeconds)
	}
	if s := r.Search; s != nil {
		fmt.Fprintf(w, "search %d queries after a warm-up pass\n", s.Queries)
		fmt.Fprintf(w, "  p50 %.2f ms  p95 %.2f ms  p99 %.2f ms  max %.2f ms\n", s.P50MS, s.P95MS, s.P99MS, s.MaxMS)
		fmt.Fprintf(w, "  peak RSS      %.0f MB while serving (at the end: %.0f MB the process's own, %.0f MB of it Go's heap; %.0f MB of mapped files)\n", s.RSSMB, s.AnonMB, s.HeapMB, s.FileMB)
	}
	if q := r.QA; q != nil {
		fmt.Fprintf(w, "qa %d questions\n", q.N)
		fmt.Fprintf(w, "  hit@1 %.3f  MRR@10 %.3f  recall@10 %.3f\n", q.Hit1, q.MRR10, q.Recall10)
		for _, sp := range q.Splits {
			fmt.Fprintf(w, "  split %d:", sp.Seed)
			for i, h := range sp.Halves {
				fmt.Fprintf(w, "  half %c (%d) hit@1 %.3f MRR@10 %.3f", 'A'+i, h.N, h.Hit1, h.MRR10)
			}
			fmt.Fprintln(w)
		}
	}
}
