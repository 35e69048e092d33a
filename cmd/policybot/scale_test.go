package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"policybot/corpus"
)

// TestScaleCorpus: the generator is deterministic for a seed, makes n times the documents, keeps
// copy 0 as it was, and makes no document a near-duplicate of another that was not one already.
func TestScaleCorpus(t *testing.T) {
	const seeds = "../../corpus/docs"
	gen := func(seed uint64) string {
		dir := t.TempDir()
		if _, err := generateScale(seeds, nil, dir, 3, seed); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	a, b, c := gen(7), gen(7), gen(8)
	tree := func(dir string) map[string]string {
		out := map[string]string{}
		filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				bs, _ := os.ReadFile(p)
				rel, _ := filepath.Rel(dir, p)
				out[rel] = string(bs)
			}
			return nil
		})
		return out
	}
	ta, tb, tc := tree(a), tree(b), tree(c)
	if len(ta) != len(tb) || len(ta) == 0 {
		t.Fatalf("%d and %d files", len(ta), len(tb))
	}
	differs := false
	for name, text := range ta {
		if tb[name] != text {
			t.Errorf("%s differs between two runs with one seed", name)
		}
		if tc[name] != text {
			differs = true
		}
	}
	if !differs {
		t.Error("another seed made the same corpus")
	}
	orig, err := corpus.Load(seeds)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := corpus.Load(a)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 3*len(orig) {
		t.Fatalf("%d documents, want %d", len(docs), 3*len(orig))
	}
	want := map[string]bool{}
	for _, d := range orig {
		want[d.ID] = true
		if tb[d.ID+".txt"] != mustRead(t, filepath.Join(seeds, d.ID+".txt")) {
			t.Errorf("copy 0 of %s is not the document", d.ID)
		}
	}
	titles := map[string]bool{}
	for _, d := range docs {
		if titles[d.Title] {
			t.Errorf("two documents titled %s", d.Title)
		}
		titles[d.Title] = true
	}
	for _, dup := range corpus.NearDuplicates(docs) {
		if !want[dup.A] || !want[dup.B] {
			t.Errorf("generated near-duplicates: %s and %s (%.2f)", dup.A, dup.B, dup.Similarity)
		}
	}

	// bench --scale indexes the generated corpus.
	queries := filepath.Join(t.TempDir(), "q.txt")
	if err := os.WriteFile(queries, []byte("失业金怎么领\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := runCmd(t, nil, "bench", "--corpus", seeds, "--dict", "../../corpus/dict", "--scale", "2", "--queries", queries, "--rounds", "1", "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	var rep benchReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Index == nil {
		t.Fatalf("%v: %s", err, out)
	}
	var size int
	for _, d := range orig {
		size += len(d.Text)
	}
	if got := rep.Index.MB * (1 << 20); got < 1.8*float64(size) || got > 2.2*float64(size) {
		t.Errorf("indexed %.0f bytes of text, want about twice the corpus's %d", got, size)
	}
	if !strings.Contains(stderr, "generated") {
		t.Errorf("no word of the generated corpus:\n%s", stderr)
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
