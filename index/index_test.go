package index

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"policybot/corpus"
)

// shared is the index of the seed corpus that the tests search, built once in TestMain.
var shared *Index

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "policybot-index-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		ix, err := buildSeeds(dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		shared = ix
		defer ix.Close()
		return m.Run()
	}()
	os.RemoveAll(dir)
	os.Exit(code)
}

const (
	seedDocs     = "../corpus/docs"
	seedUserDict = "../corpus/dict/userdict.txt"
	seedSynonyms = "../corpus/dict/synonyms.txt"
)

func buildSeeds(dataDir string) (*Index, error) {
	docs, err := corpus.Load(seedDocs)
	if err != nil {
		return nil, err
	}
	if _, err := Build(context.Background(), dataDir, docs, BuildOptions{UserDict: seedUserDict, Synonyms: seedSynonyms, Fingerprint: "test"}); err != nil {
		return nil, err
	}
	return Open(dataDir)
}

func search(t *testing.T, q string) *Result {
	t.Helper()
	res, err := shared.Search(context.Background(), q, Options{K: 5})
	if err != nil {
		t.Fatalf("Search(%q): %v", q, err)
	}
	return res
}

// anyHolds reports whether one of the first k hits holds one of the needles.
func anyHolds(res *Result, k int, needles ...string) bool {
	for i, h := range res.Hits {
		if i >= k {
			break
		}
		for _, n := range needles {
			if strings.Contains(h.Passage.Text, n) {
				return true
			}
		}
	}
	return false
}

// TestScripts: a question in either script finds text in either script.
func TestScripts(t *testing.T) {
	tests := []struct {
		q      string
		needle []string
	}{
		{"湖南全省建成了多少家零工市场？", []string{"486家零工市場"}},    // simplified question, traditional text
		{"湖南的零工市場提供哪些免費服務？", []string{"即時快招"}},       // traditional question, traditional text
		{"銅仁市十四五期間技工院校招生目標是多少？", []string{"技工院校招生"}}, // traditional question, simplified text
		{"銅仁每年扶持多少高校畢業生自主創業？", []string{"每年扶持高校毕业生自主创业300人"}},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			res := search(t, tt.q)
			if !res.Confident || !anyHolds(res, 1, tt.needle...) {
				t.Errorf("confident=%v, top hit %v; want %q first", res.Confident, top(res), tt.needle)
			}
		})
	}
}

func top(res *Result) []string {
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.Passage.ID())
	}
	return out
}

// TestQuerySyntax: Bleve's query syntax in a question is just text; the question is answered as if
// the characters were not there.
func TestQuerySyntax(t *testing.T) {
	plain := search(t, "广元 创业担保贷款 反担保")
	for _, q := range []string{
		`+广元 -创业担保贷款 反担保`,
		`广元 AND 创业担保贷款 OR 反担保`,
		`title:广元 "创业担保贷款" 反担保~2`,
		`(广元) [创业担保贷款] {反担保}^3`,
		`广元* 创业担保贷款? /反担保/ \ : !`,
		`<b>广元</b> &amp; 创业担保贷款 & 反担保`,
	} {
		t.Run(q, func(t *testing.T) {
			res := search(t, q)
			if fmt.Sprint(top(res)) != fmt.Sprint(top(plain)) {
				t.Errorf("hits %v, want those of the plain question %v", top(res), top(plain))
			}
		})
	}
}

// TestRedactedDuplicate: the Ankang speech and its redacted copy hold the same passages; an answer
// never shows both, and shows the one with the figures.
func TestRedactedDuplicate(t *testing.T) {
	for _, q := range []string{"安康的新社区工厂有多少家？", "2021年全市城镇新增就业多少人", "劳动监察立案结案多少起", "同志们蓝图已绘就"} {
		t.Run(q, func(t *testing.T) {
			res := search(t, q)
			seen := map[string]bool{}
			for _, h := range res.Hits {
				sk := corpus.Shingles(corpus.Skeleton(h.Passage.Text), 3)
				for _, o := range res.Hits {
					if o.Rank < h.Rank && corpus.Resemblance(sk, corpus.Shingles(corpus.Skeleton(o.Passage.Text), 3)) >= dupThreshold {
						t.Errorf("#%d %s repeats #%d %s", h.Rank, h.Passage.ID(), o.Rank, o.Passage.ID())
					}
				}
				seen[h.Doc.ID] = true
			}
			if seen["ankang-2022-employment-speech-redacted"] && !seen["ankang-2022-employment-speech"] {
				t.Errorf("shows the redacted copy but not the complete speech: %v", top(res))
			}
			if len(res.Hits) > 0 && res.Hits[0].Doc.ID == "ankang-2022-employment-speech-redacted" {
				t.Errorf("the redacted copy ranks first: %v", top(res))
			}
		})
	}
}

// TestConfidence: questions the corpus does not cover are marked not confident; covered ones are.
func TestConfidence(t *testing.T) {
	for _, q := range []string{"北京市最低工资标准是多少？", "怎么申请办理护照？", "深圳的人才引进补贴怎么领？", "驾照怎么考", "住房公积金怎么提取", "你好"} {
		if res := search(t, q); res.Confident {
			t.Errorf("%s: confident, top %v", q, top(res))
		}
	}
	for _, q := range []string{"失业金怎么领", "大学生创业贷款", "零工市场在哪里", "公益性岗位", "广元怎么监管职业培训机构？"} {
		if res := search(t, q); !res.Confident {
			t.Errorf("%s: not confident (%s)", q, res.Reason)
		}
	}
}

// TestSynonyms: everyday words find the documents' formal words.
func TestSynonyms(t *testing.T) {
	res := search(t, "铜仁失业金发放标准")
	if !anyHolds(res, 3, "失业保险金") {
		t.Errorf("失业金 did not find 失业保险金: %v", top(res))
	}
	res = search(t, "大学生自主创业")
	if !anyHolds(res, 3, "高校毕业生", "高校畢業生") {
		t.Errorf("大学生 did not find 高校毕业生: %v", top(res))
	}
}

// TestHighlights: highlights are byte ranges on rune boundaries inside the passage, around the
// question's words.
func TestHighlights(t *testing.T) {
	res := search(t, "湖南上半年發放了多少穩崗返還資金？")
	if len(res.Hits) == 0 || len(res.Hits[0].Highlights) == 0 {
		t.Fatalf("no highlights: %+v", res.Hits)
	}
	words := map[string]bool{}
	for _, h := range res.Hits {
		text := h.Passage.Text
		last := 0
		for _, s := range h.Highlights {
			if s.Start < last || s.End <= s.Start || s.End > len(text) || !utf8.RuneStart(text[s.Start]) || s.End < len(text) && !utf8.RuneStart(text[s.End]) {
				t.Fatalf("%s: bad span %+v in %d bytes", h.Passage.ID(), s, len(text))
			}
			last = s.End
			words[shared.seg.Fold(text[s.Start:s.End])] = true
		}
	}
	for _, w := range []string{"稳岗", "返还", "资金"} {
		found := false
		for hw := range words {
			if strings.Contains(hw, w) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s not highlighted; highlighted %v", w, words)
		}
	}
}

// TestRegion: a region named in the question brings that region's passages first.
func TestRegion(t *testing.T) {
	for _, tt := range []struct{ q, region string }{
		{"城镇新增就业目标 铜仁", "贵州省铜仁市"},
		{"安康 城镇新增就业", "陕西省安康市"},
		{"广元 就业", "四川省广元市"},
	} {
		res := search(t, tt.q)
		if len(res.Hits) == 0 || res.Hits[0].Doc.Region != tt.region {
			t.Errorf("%s: top hit %v, want a passage of %s", tt.q, top(res), tt.region)
		}
	}
	for q, want := range map[string]string{"铜仁市城镇新增就业": "铜仁市", "铜仁的就业目标": "铜仁市", "贵州就业": "贵州省", "湖南零工市场": "湖南省", "安康就业": "安康市"} {
		if res := search(t, q); fmt.Sprint(res.Regions) != "["+want+"]" {
			t.Errorf("%s: regions %v, want [%s]", q, res.Regions, want)
		}
	}
	res, err := shared.Search(context.Background(), "城镇新增就业", Options{K: 3, Region: "安康"})
	if err != nil || len(res.Hits) == 0 || res.Hits[0].Doc.Region != "陕西省安康市" {
		t.Errorf("Options.Region 安康: %v %v", err, top(res))
	}
}

func TestOpenRebuild(t *testing.T) {
	dir := t.TempDir()
	docs, err := corpus.Load(seedDocs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); err != ErrNoIndex {
		t.Fatalf("Open of an empty folder: %v, want ErrNoIndex", err)
	}
	m1, err := Build(context.Background(), dir, docs[:2], BuildOptions{Fingerprint: "one"})
	if err != nil {
		t.Fatal(err)
	}
	m2, err := Build(context.Background(), dir, docs, BuildOptions{Fingerprint: "two"})
	if err != nil {
		t.Fatal(err)
	}
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if ix.Manifest.Name != m2.Name || ix.Manifest.Fingerprint != "two" || len(ix.Documents()) != len(docs) {
		t.Errorf("opened %+v, want the second build", ix.Manifest)
	}
	// The previous index stays for a server still answering from it; nothing else is left behind.
	entries, _ := os.ReadDir(filepath.Join(dir, indexesDir))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 2 || !strings.Contains(strings.Join(names, " "), m1.Name) {
		t.Errorf("index folders %v, want %s and %s", names, m1.Name, m2.Name)
	}
	if ix.Manifest.AvgLen <= 0 || ix.Manifest.Tokens <= ix.Manifest.Passages {
		t.Errorf("average length %v from %d tokens", ix.Manifest.AvgLen, ix.Manifest.Tokens)
	}
}

// FuzzTokenize: tokens point at the text they came from, in order, on rune boundaries; folding is
// idempotent and keeps one rune per rune.
func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"铜仁市十四五期间城镇新增就业的目标是多少？", "發放穩崗返還資金8809.08萬元", "ＡＢＣ１２３\x00abc\xff创业担保贷款", ""} {
		f.Add(s)
	}
	seg := shared.seg
	f.Fuzz(func(t *testing.T, s string) {
		folded := seg.Fold(s)
		if seg.Fold(folded) != folded {
			t.Fatalf("Fold not idempotent on %q", s)
		}
		if utf8.RuneCountInString(folded) != utf8.RuneCountInString(s) {
			t.Fatalf("Fold changed the rune count of %q", s)
		}
		prev := 0
		for _, tk := range seg.Tokenize(s) {
			if tk.Start < 0 || tk.End > len(s) || tk.Start >= tk.End || tk.Pos < prev {
				t.Fatalf("token %+v out of place in %q", tk, s)
			}
			prev = tk.Pos
		}
	})
}

// TestPruningExact: the pruned search returns the same candidates, with the same scores, as scoring
// every passage exactly, so pruning changes speed and never ranking (on a corpus this small no word
// counts as common).
func TestPruningExact(t *testing.T) {
	ctx := context.Background()
	adv, err := shared.bl.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	r, err := adv.Reader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, question := range []string{
		"铜仁市十四五期间城镇新增就业的目标是多少？", "失业金怎么领", "湖南全省建成了多少家零工市场？",
		"被拖欠工资了应该去哪里维权？", "易地搬迁群众想自己创业有什么支持？", "退捕渔民的就业情况怎么样？",
		"广元市就业服务中心2021年有哪些工作计划", "高校毕业生就业见习补贴标准",
	} {
		q := shared.analyse(question)
		got, err := shared.score(ctx, r, q)
		if err != nil {
			t.Fatal(err)
		}
		s := shared.getScratch()
		sr, err := shared.prepare(ctx, r, shared.analyse(question), s)
		if err != nil {
			t.Fatal(err)
		}
		var want []*cand
		for p := range shared.pdoc {
			d := int(shared.pdoc[p])
			// Search considers the passages with a question word in their text or section path
			// (a title match alone lifts a passage, but does not make it a candidate).
			found := false
			toks := shared.fwd.words(p)
			for tk, ok := toks.next(); ok && !found; tk, ok = toks.next() {
				_, found = sr.ex.lk.find(tk >> 1)
			}
			sw := shared.fwd.section(p)
			for tk, ok := sw.next(); ok; tk, ok = sw.next() {
				if _, ok := sr.ex.lk.find(tk >> 1); ok {
					found = true
				}
			}
			if !found {
				continue
			}
			c := sr.ex.cand(p, d, s.doc[d].mask)
			if len(want) < candidates || less(c, want[len(want)-1]) {
				want = insertCand(want, c)
			}
		}
		shared.putScratch(s)
		if len(got) != len(want) {
			t.Errorf("%s: %d candidates, want %d", question, len(got), len(want))
			in := map[int]bool{}
			for _, c := range got {
				in[c.p] = true
			}
			for i, c := range want {
				if !in[c.p] {
					t.Logf("missing rank %d passage %d score %.4f matched %b text %.40s", i, c.p, c.score, c.matched, shared.text(c.p))
				}
			}
			for ti, tm := range q.terms {
				t.Logf("term %d %s df %d", ti, tm.text, tm.df)
			}
			continue
		}
		for i := range want {
			if got[i].p != want[i].p || math.Abs(got[i].score-want[i].score) > 1e-9 {
				t.Errorf("%s: candidate %d is passage %d (%.4f), want %d (%.4f)", question, i, got[i].p, got[i].score, want[i].p, want[i].score)
				break
			}
		}
	}
}

// TestNumbers: the saved numbering maps every one of Bleve's document numbers to its passage.
func TestNumbers(t *testing.T) {
	if _, err := os.Stat(filepath.Join(shared.dir, numbersFile)); err != nil {
		t.Fatalf("no numbering saved: %v", err)
	}
	adv, _ := shared.bl.Advanced()
	r, err := adv.Reader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n := 0
	for num, ni := range shared.nums {
		if ni.p < 0 {
			continue
		}
		n++
		var id [8]byte
		binary.BigEndian.PutUint64(id[:], uint64(num))
		ext, err := r.ExternalID(id[:])
		if err != nil || ext != bleveID(shared.passage(int(ni.p)).ID()) || int(ni.d) != int(shared.pdoc[ni.p]) {
			t.Fatalf("number %d: passage %s, Bleve says %q (%v)", num, shared.passage(int(ni.p)).ID(), ext, err)
		}
	}
	if n != len(shared.pdoc) {
		t.Errorf("%d passages numbered, want %d", n, len(shared.pdoc))
	}
}

// TestSegmentsMerged builds the seeds streaming from their files in many small Bleve segments,
// merged a few at a time over several levels, and checks that the index is the one built in a single
// segment from documents in memory: every passage the same (text, offsets, section path, lead), the
// same forward file, and every search's hits and scores the same.
func TestSegmentsMerged(t *testing.T) {
	defer func(c, s, f int) { chunkPassages, segmentPassages, mergeFanIn = c, s, f }(chunkPassages, segmentPassages, mergeFanIn)
	chunkPassages, segmentPassages, mergeFanIn = 8, 20, 3
	files, err := corpus.Files(seedDocs)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := BuildFrom(context.Background(), dir, NewFileSource(files), BuildOptions{UserDict: seedUserDict, Synonyms: seedSynonyms, Fingerprint: "test"}); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if n := ix.Manifest.Passages; n < 2*segmentPassages*mergeFanIn {
		t.Fatalf("only %d passages: too few to test merging over levels", n)
	}
	count, err := ix.bl.DocCount()
	if err != nil || count != uint64(ix.Manifest.Passages) {
		t.Fatalf("Bleve holds %d documents (%v), want %d passages", count, err, ix.Manifest.Passages)
	}
	zaps, _ := filepath.Glob(filepath.Join(ix.dir, bleveDir, "store", "*.zap"))
	if len(zaps) != 1 {
		t.Errorf("%d segments in the index, want the one merged", len(zaps))
	}
	if ix.Manifest.Passages != shared.Manifest.Passages || ix.Manifest.Tokens != shared.Manifest.Tokens || len(ix.docs) != len(shared.docs) {
		t.Fatalf("manifest %+v, want %+v", ix.Manifest, shared.Manifest)
	}
	for i := range shared.pdoc {
		got, want := ix.passage(i), shared.passage(i)
		if fmt.Sprint(*got) != fmt.Sprint(*want) {
			t.Fatalf("passage %d is %+v, want %+v", i, *got, *want)
		}
	}
	for d := range shared.docs {
		if *ix.Document(shared.docs[d].ID) != *shared.Document(shared.docs[d].ID) {
			t.Fatalf("document %s differs", shared.docs[d].ID)
		}
	}
	// The forward files number terms alike; their section tables differ with the runs of passages cut
	// at a time (each run numbers the sections it meets), not what each passage's section holds.
	if fmt.Sprint(ix.fwd.termOff, ix.fwd.byText, ix.fwd.termMax, ix.fwd.docOff, ix.fwd.docToks) !=
		fmt.Sprint(shared.fwd.termOff, shared.fwd.byText, shared.fwd.termMax, shared.fwd.docOff, shared.fwd.docToks) ||
		string(ix.fwd.termText) != string(shared.fwd.termText) {
		t.Error("the forward files' terms differ")
	}
	for p := range shared.pdoc {
		if string(ix.fwd.words(p).b) != string(shared.fwd.words(p).b) || string(ix.fwd.section(p).b) != string(shared.fwd.section(p).b) {
			t.Fatalf("passage %d's words differ in the forward file", p)
		}
	}
	for _, q := range []string{
		"铜仁市十四五期间城镇新增就业的目标是多少？", "失业金怎么领", "湖南全省建成了多少家零工市场？",
		"創業擔保貸款", "大学生就业见习补贴", "零工市场在哪里", "易地搬迁群众想自己创业有什么支持？",
		"被拖欠工资了应该去哪里维权？", "广元市就业服务中心2021年有哪些工作计划", "北京市最低工资标准是多少？",
	} {
		want, err := shared.Search(context.Background(), q, Options{K: 20})
		if err != nil {
			t.Fatal(err)
		}
		got, err := ix.Search(context.Background(), q, Options{K: 20})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Hits) != len(want.Hits) || got.Verdict != want.Verdict || got.Reason != want.Reason {
			t.Fatalf("%s: %d hits (%s %s), want %d (%s %s)", q, len(got.Hits), got.Verdict, got.Reason, len(want.Hits), want.Verdict, want.Reason)
		}
		for i := range want.Hits {
			g, w := got.Hits[i], want.Hits[i]
			if g.Passage.ID() != w.Passage.ID() || g.Score != w.Score || g.Coverage != w.Coverage || fmt.Sprint(g.Highlights) != fmt.Sprint(w.Highlights) {
				t.Errorf("%s: hit %d is %s (%.6f), want %s (%.6f)", q, i+1, g.Passage.ID(), g.Score, w.Passage.ID(), w.Score)
			}
		}
	}
}

// TestBuildBadSynonyms: a synonyms file the build cannot read (found while the first documents are
// read) fails the build with the file and line, and leaves the current index serving, with no
// partial folder behind.
func TestBuildBadSynonyms(t *testing.T) {
	dir := t.TempDir()
	docs, err := corpus.Load(seedDocs)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Build(context.Background(), dir, docs, BuildOptions{UserDict: seedUserDict, Synonyms: seedSynonyms})
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "synonyms.txt")
	if err := os.WriteFile(bad, []byte("失业金 => 失业保险金\n只有一个词\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Build(context.Background(), dir, docs, BuildOptions{UserDict: seedUserDict, Synonyms: bad})
	if err == nil || !strings.Contains(err.Error(), "synonyms.txt:2") {
		t.Fatalf("build with a bad synonyms line: %v, want an error naming synonyms.txt:2", err)
	}
	if cur, err := Current(dir); err != nil || cur != m.Name {
		t.Fatalf("current index %q (%v) after the failed build, want %q", cur, err, m.Name)
	}
	entries, err := os.ReadDir(filepath.Join(dir, indexesDir))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("index folders after the failed build: %v, want only %s", entries, m.Name)
	}
}
