package corpus

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"
)

// newFolder is a corpus folder holding one shipped document.
func newFolder(t *testing.T) *Folder {
	t.Helper()
	dir := t.TempDir()
	for _, n := range []string{"guangyuan-2021-employment-center-plan.txt", "guangyuan-2021-employment-center-plan.meta.json"} {
		b, err := os.ReadFile(filepath.Join("docs", n))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return &Folder{Dir: dir}
}

// tree lists every file under dir (hidden ones included) with its size, to compare before and after.
func tree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && info.Name() != lockName {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFolderAddPDF(t *testing.T) {
	f := newFolder(t)
	ctx := context.Background()
	added, err := f.Add(ctx, []AddRequest{{Name: "关于做好2024年高校毕业生就业创业工作的通知.pdf", Data: readFixture(t, "notice.pdf"), Meta: Meta{Kind: "通知", URL: "https://example.org/n"}}})
	if err != nil {
		t.Fatal(err)
	}
	a := added[0]
	id := "关于做好2024年高校毕业生就业创业工作的通知"
	if a.Doc.ID != id || a.Format != "pdf" || a.Passages < 3 {
		t.Fatalf("added %s (%s, %d passages)", a.Doc.ID, a.Format, a.Passages)
	}
	if a.Doc.Issuer != "铜仁市人力资源和社会保障局" || a.Doc.Date != "2024-03-15" || a.Doc.URL != "https://example.org/n" || a.Doc.Original != id+".orig.pdf" {
		t.Errorf("metadata %+v", a.Doc.Meta)
	}
	for _, n := range []string{id + ".txt", id + ".meta.json", id + ".orig.pdf"} {
		if _, err := os.Stat(filepath.Join(f.Dir, n)); err != nil {
			t.Error(err)
		}
	}
	// The index reads the extracted text; the original is kept but is no document of its own.
	docs, err := Load(f.Dir)
	if err != nil || len(docs) != 2 {
		t.Fatalf("load: %d docs, %v", len(docs), err)
	}
	// The stored text cuts into the passages the added document reported, so citations are stable.
	for _, d := range docs {
		if d.ID == id && (len(Cut(d)) != a.Passages || d.Meta != a.Doc.Meta) {
			t.Errorf("read back: %d passages, meta %+v", len(Cut(d)), d.Meta)
		}
	}
}

func TestFolderRefusals(t *testing.T) {
	f := newFolder(t)
	ctx := context.Background()
	pdf := readFixture(t, "notice.pdf")
	if _, err := f.Add(ctx, []AddRequest{{Name: "notice.pdf", Data: pdf}}); err != nil {
		t.Fatal(err)
	}
	source := readFixture(t, "notice-source.txt")
	revised := strings.NewReplacer("1500元", "2000元", "不少于800个", "不少于1000个").Replace(string(source))
	guangyuan, _ := os.ReadFile(filepath.Join(f.Dir, "guangyuan-2021-employment-center-plan.txt"))
	tests := []struct {
		name string
		reqs []AddRequest
		want error
		dup  string // the document a duplicate error must name
	}{
		{"same file again", []AddRequest{{Name: "again.pdf", Data: pdf}}, ErrDuplicate, "notice"},
		{"same text as a text file", []AddRequest{{Name: "copy.txt", Data: source}}, ErrDuplicate, "notice"},
		{"a shipped document re-added", []AddRequest{{Name: "gy.txt", Data: guangyuan}}, ErrDuplicate, "guangyuan-2021-employment-center-plan"},
		{"revised version without --replace", []AddRequest{{Name: "revised.txt", Data: []byte(revised)}}, ErrNearDuplicate, "notice"},
		{"one bad file refuses the batch", []AddRequest{{Name: "ok.txt", Data: []byte("某县就业工作要点\n一、新增就业岗位两千个。\n二、开展技能培训。\n")}, {Name: "empty.txt"}}, ErrEmpty, ""},
		{"two copies in one batch", []AddRequest{{Name: "a.txt", Data: []byte("某县就业工作要点\n一、新增就业岗位两千个。\n")}, {Name: "b.md", Data: []byte("某县就业工作要点\n一、新增就业岗位两千个。\n")}}, ErrDuplicate, "a"},
		{"replace a document that is not there", []AddRequest{{Name: "r.txt", Data: []byte(revised), Replace: "nope"}}, ErrNotFound, ""},
		{"replace with the same text", []AddRequest{{Name: "r.pdf", Data: pdf, Replace: "notice"}}, ErrDuplicate, "notice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tree(t, f.Dir)
			added, err := f.Add(ctx, tt.reqs)
			var refused *RefusedError
			if !errors.As(err, &refused) || !errors.Is(err, tt.want) || added != nil {
				t.Fatalf("err %v, added %v; want a refusal for %v", err, added, tt.want)
			}
			if tt.dup != "" {
				var dup *DuplicateError
				if !errors.As(err, &dup) || dup.ID != tt.dup || !strings.Contains(err.Error(), tt.dup) {
					t.Errorf("duplicate of %+v, want %s: %v", dup, tt.dup, err)
				}
			}
			if after := tree(t, f.Dir); strings.Join(after, "\n") != strings.Join(before, "\n") {
				t.Errorf("the folder changed:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
	t.Run("revised version with --replace", func(t *testing.T) {
		added, err := f.Add(ctx, []AddRequest{{Name: "revised.txt", Data: []byte(revised), Replace: "notice"}})
		if err != nil {
			t.Fatal(err)
		}
		if added[0].Doc.ID != "notice" || added[0].Replaced != "notice" || !strings.Contains(added[0].Doc.Text, "2000元") {
			t.Fatalf("added %+v", added[0])
		}
		if _, err := os.Stat(filepath.Join(f.Dir, "notice.orig.pdf")); !errors.Is(err, os.ErrNotExist) {
			t.Error("the replaced PDF is still beside the new text")
		}
		trash, _ := f.Trash()
		if len(trash) != 1 || trash[0].ID != "notice" || len(trash[0].Files) != 3 {
			t.Fatalf("trash %+v", trash)
		}
	})
}

func TestFolderRemoveRestorePurgeEdit(t *testing.T) {
	f := newFolder(t)
	ctx := context.Background()
	id := "guangyuan-2021-employment-center-plan"
	before, after, err := f.Edit(ctx, id, Meta{Title: "新标题", Number: "广人社发〔2021〕1号", Kind: "-"})
	if err != nil {
		t.Fatal(err)
	}
	if after.Title != "新标题" || after.Number != "广人社发〔2021〕1号" || after.Kind != "" || after.Issuer != before.Issuer {
		t.Errorf("edit: before %+v after %+v", before, after)
	}
	if _, got, _ := f.Get(id); got.Meta != after {
		t.Errorf("read back %+v", got.Meta)
	}
	if _, err := f.Remove(ctx, id); err != nil {
		t.Fatal(err)
	}
	if docs, _ := Load(f.Dir); len(docs) != 0 {
		t.Errorf("removed document still loads")
	}
	if _, err := f.Remove(ctx, id); !errors.Is(err, ErrNotFound) {
		t.Errorf("second remove: %v", err)
	}
	restored, err := f.Restore(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if restored.Meta.Title != "新标题" {
		t.Errorf("restored %+v", restored.Meta)
	}
	if trash, _ := f.Trash(); len(trash) != 0 {
		t.Errorf("trash after restore: %+v", trash)
	}
	if _, err := f.Restore(ctx, id); !errors.Is(err, ErrNotFound) {
		t.Errorf("restore of nothing: %v", err)
	}
	f.Remove(ctx, id)
	gone, err := f.Purge(ctx)
	if err != nil || len(gone) != 1 || gone[0].ID != id {
		t.Fatalf("purge %v %+v", err, gone)
	}
	if files := tree(t, f.Dir); len(files) != 0 {
		t.Errorf("left after purge: %v", files)
	}
	if _, err := f.Remove(ctx, "../etc/passwd"); !errors.Is(err, ErrNotFound) {
		t.Errorf("path id: %v", err)
	}
}

// TestFolderRecover: a change interrupted before its plan was written is undone; one interrupted
// after is finished. (The kill -9 test in cmd/policybot does the same with a real process.)
func TestFolderRecover(t *testing.T) {
	f := newFolder(t)
	ctx := context.Background()
	id := "guangyuan-2021-employment-center-plan"

	// Staged, never committed: nothing happens.
	tx, err := f.begin("add x")
	if err != nil {
		t.Fatal(err)
	}
	tx.put("x.txt", []byte("某县就业工作要点\n"))
	did, err := f.Recover(ctx)
	if err != nil || len(did) != 1 || !strings.Contains(did[0], "removed") {
		t.Fatalf("recover: %v %v", did, err)
	}
	if docs, _ := Load(f.Dir); len(docs) != 1 {
		t.Errorf("%d docs after undoing an uncommitted add", len(docs))
	}

	// A replacement committed, and killed after its first rename (the old text went to the trash).
	tx, err = f.begin("replace " + id)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.stageRemove(tx, id, "replaced"); err != nil {
		t.Fatal(err)
	}
	tx.put(id+MetaSuffix, []byte(`{"title":"新版本"}`))
	tx.put(id+".txt", []byte("广元市就业创业促进中心工作要点（修订）\n一、新增就业岗位两千个。\n"))
	if err := tx.writePlan(); err != nil {
		t.Fatal(err)
	}
	first := tx.plan.Moves[0]
	os.MkdirAll(filepath.Dir(filepath.Join(f.Dir, first.To)), 0o755)
	if err := os.Rename(filepath.Join(f.Dir, first.From), filepath.Join(f.Dir, first.To)); err != nil {
		t.Fatal(err)
	}
	did, err = f.Recover(ctx)
	if err != nil || len(did) != 1 || !strings.Contains(did[0], "finished") {
		t.Fatalf("recover: %v %v", did, err)
	}
	docs, _ := Load(f.Dir)
	if len(docs) != 1 || docs[0].Title != "新版本" {
		t.Fatalf("after recovery: %+v", docs)
	}
	trash, _ := f.Trash()
	if len(trash) != 1 || len(trash[0].Files) != 2 {
		t.Errorf("trash %+v", trash)
	}
	if _, err := os.Stat(filepath.Join(f.Dir, stagingDir, filepath.Base(tx.dir))); !errors.Is(err, os.ErrNotExist) {
		t.Error("staging left behind")
	}
}

// TestLongID: a file name of 83 Chinese characters makes an id short enough for its files'
// names (ID.meta.json, ID.orig.docx, the trash entry) to fit in 255 bytes, and the document is added.
func TestLongID(t *testing.T) {
	name := strings.Repeat("关于进一步做好高校毕业生等青年就业创业工作的通知", 4)[:83*3] + ".txt"
	id := IDFor(name)
	if len(id) > MaxIDBytes || !utf8.ValidString(id) || !strings.HasPrefix(name, id) {
		t.Fatalf("IDFor(%d bytes) = %q (%d bytes)", len(name), id, len(id))
	}
	f := &Folder{Dir: t.TempDir()}
	added, err := f.Add(context.Background(), []AddRequest{{Name: name, Data: []byte("关于进一步做好就业工作的通知\n一、做好高校毕业生就业工作。\n")}})
	if err != nil {
		t.Fatal(err)
	}
	if added[0].Doc.ID != id {
		t.Errorf("added as %q, want %q", added[0].Doc.ID, id)
	}
	if _, err := f.Remove(context.Background(), id); err != nil {
		t.Errorf("remove: %v", err)
	}
	// A document put in the folder by hand under the long name is removed and restored too (its
	// trash entry's name is cut to fit).
	long := strings.TrimSuffix(name, ".txt")
	if err := os.WriteFile(filepath.Join(f.Dir, name), []byte("另一份通知\n一、做好退役军人就业工作。\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Remove(context.Background(), long); err != nil {
		t.Fatalf("remove a long id: %v", err)
	}
	if _, err := f.Restore(context.Background(), long); err != nil {
		t.Errorf("restore a long id: %v", err)
	}
}

func TestQuoteID(t *testing.T) {
	for id, want := range map[string]string{
		"tongren-plan":    "tongren-plan",
		"关于就业的通知_2024.1":  "关于就业的通知_2024.1",
		"a;touch-PWNED;b": "'a;touch-PWNED;b'",
		"it's":            `'it'\''s'`,
		"-rf":             "'-rf'",
	} {
		if got := QuoteID(id); got != want {
			t.Errorf("QuoteID(%q) = %s, want %s", id, got, want)
		}
	}
}

func TestIDFor(t *testing.T) {
	for name, want := range map[string]string{
		"关于做好就业工作的通知.pdf":     "关于做好就业工作的通知",
		"a b#c.docx":          "a-b-c",
		"../../etc/x.txt":     "x",
		".hidden.md":          "hidden",
		"notice.orig.html":    "notice",
		"C:\\Users\\x\\y.pdf": "y",
		// Shell metacharacters do not survive into an id that commands are printed with.
		"a;touch-PWNED;b.txt":       "a-touch-PWNED-b",
		"$(rm -rf ~)`x`|y&z'q\".md": "rm-rf-x-y-z-q",
		"2024年 第1号 通知.docx":         "2024年-第1号-通知",
		"..":                        "document",
	} {
		if got := IDFor(name); got != want || !validID(got) {
			t.Errorf("IDFor(%q) = %q, want %q", name, got, want)
		}
	}
}
