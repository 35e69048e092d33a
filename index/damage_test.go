package index

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"policybot/internal/faulttest"
)

// TestOpenDamaged: an index with any of its files removed, cut short or zero-filled either opens and
// answers as the intact one does, or fails to open with ErrDamaged; it never panics.
func TestOpenDamaged(t *testing.T) {
	files, err := faulttest.Files(shared.Dir())
	if err != nil || len(files) < 8 {
		t.Fatalf("index files %v: expected Bleve's files, the store, the forward file, the dictionaries", files)
	}
	for _, f := range files {
		for _, dmg := range faulttest.Damages {
			t.Run(f+"/"+dmg.Name, func(t *testing.T) {
				dir := filepath.Join(t.TempDir(), "ix")
				if err := faulttest.Copy(shared.Dir(), dir); err != nil {
					t.Fatal(err)
				}
				if err := dmg.Do(filepath.Join(dir, f)); err != nil {
					t.Fatal(err)
				}
				var ix *Index
				var err error
				if p := catch(func() { ix, err = OpenDir(filepath.Dir(shared.Dir()), dir) }); p != nil {
					t.Fatalf("OpenDir panicked: %v", p)
				}
				if err != nil {
					t.Logf("%v", err)
					if !errors.Is(err, ErrDamaged) {
						t.Errorf("error %v, want ErrDamaged", err)
					}
					return
				}
				defer ix.Close()
				// An index that opens is one whose damage does not matter (numbers.bin is rebuilt
				// from Bleve when it does not check out): it answers as the intact one does.
				res, err := ix.Search(context.Background(), "失业保险金", Options{K: 3})
				if err != nil || len(res.Hits) == 0 {
					t.Fatalf("a damaged index opened, but search: %v", err)
				}
				want := search(t, "失业保险金")
				if res.Hits[0].Passage.ID() != want.Hits[0].Passage.ID() {
					t.Errorf("a damaged index opened and answers %s, the intact one %s", res.Hits[0].Passage.ID(), want.Hits[0].Passage.ID())
				}
			})
		}
	}
}

// TestLiveDamagedNew: when the index published next is damaged, a Live index keeps answering from
// the one it has, does not read the damaged one again, and swaps in the next good one.
func TestLiveDamagedNew(t *testing.T) {
	ctx := context.Background()
	data, live := liveWithout(t, "hunan-2025-stable-employment")
	first := live.Manifest().Name
	for _, f := range []string{"bleve/index_meta.json", "bleve/store/root.bolt", userDictFile} {
		m, err := Build(ctx, data, seedsExcept(t), seedOptions)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(filepath.Join(data, indexesDir, m.Name, f)); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			var swapped bool
			if p := catch(func() { swapped, err = live.Reload() }); p != nil {
				t.Fatalf("%s removed: Reload panicked: %v", f, p)
			}
			if swapped || !errors.Is(err, ErrDamaged) {
				t.Fatalf("%s removed: Reload swapped %v, error %v; want ErrDamaged", f, swapped, err)
			}
		}
		if live.Manifest().Name != first {
			t.Fatalf("serving %s, want still %s", live.Manifest().Name, first)
		}
		if res, err := live.Search(ctx, "失业保险金", Options{K: 3}); err != nil || len(res.Hits) == 0 {
			t.Fatalf("%s removed: search on the live index: %v", f, err)
		}
	}
	m, err := Update(ctx, data, seedsExcept(t), UpdateOptions{BuildOptions: seedOptions})
	if err != nil {
		t.Fatal(err)
	}
	if !m.Full {
		t.Errorf("the update after a damaged index patched it: %+v", m)
	}
	if swapped, err := live.Reload(); !swapped || err != nil {
		t.Fatalf("the repaired index was not swapped in: %v", err)
	}
	if live.Document("hunan-2025-stable-employment") == nil {
		t.Error("the repaired index lacks the added document")
	}
}
