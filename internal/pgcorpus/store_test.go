package pgcorpus

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"policybot/corpus"
	"policybot/internal/audit"
	"policybot/internal/pgtest"
)

func open(t *testing.T, target string) *Store {
	t.Helper()
	s, err := Open(context.Background(), target, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

const textA = "关于做好高校毕业生就业工作的通知\n\n一、求职补贴\n毕业年度内有就业意愿的困难家庭高校毕业生，可申请一次性求职创业补贴，每人1500元。\n"
const textB = "关于失业保险稳岗返还的通知\n\n一、返还标准\n上年度未裁员或裁员率低于全国城镇调查失业率控制目标的参保企业，返还其上年度实际缴纳失业保险费的60%。\n"

func ids(t *testing.T, s *Store) []string {
	t.Helper()
	docs, err := s.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range docs {
		out = append(out, d.ID)
	}
	sort.Strings(out)
	return out
}

// TestTwoCopiesFollowOneStore changes the corpus through two stores on one database, as two
// replicas do, and checks that each sees the other's changes, that every change raises the version
// once and is announced, and that what each copy holds is what the database holds.
func TestTwoCopiesFollowOneStore(t *testing.T) {
	target := pgtest.URL(t, "pgc_")
	ctx := context.Background()
	a, b := open(t, target), open(t, target)

	heard := make(chan int64, 16)
	lctx, stop := context.WithCancel(ctx)
	defer stop()
	go b.Listen(lctx, func(v int64) { heard <- v })
	if v := <-heard; v != 0 {
		t.Fatalf("Listen first says %d, want 0 (check now)", v)
	}
	expectHeard := func(want int64) {
		t.Helper()
		select {
		case v := <-heard:
			if v != want {
				t.Fatalf("announced version %d, want %d", v, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("version %d was not announced", want)
		}
	}

	added, err := a.Add(audit.WithWho(ctx, "telegram:11"), []corpus.AddRequest{{Name: "qiuzhi.txt", Data: []byte(textA), Meta: corpus.Meta{Title: "求职补贴通知"}}})
	if err != nil || len(added) != 1 {
		t.Fatalf("Add: %v, %d added", err, len(added))
	}
	v1, _ := a.Version(ctx)
	expectHeard(v1)
	// Who made the change is recorded in its own transaction.
	if st, err := b.Stat(ctx); err != nil || st.Who != "telegram:11" || st.What != "add" || st.Version != v1 {
		t.Fatalf("Stat after the add: %v, %+v", err, st)
	}
	if got := ids(t, b); strings.Join(got, ",") != "qiuzhi" {
		t.Fatalf("b sees %v after a's add", got)
	}
	doc, _, err := b.Get("qiuzhi")
	if err != nil || doc.Title != "求职补贴通知" {
		t.Fatalf("b.Get: %v, %+v", err, doc)
	}

	if _, err := b.Add(ctx, []corpus.AddRequest{{Name: "wengang.txt", Data: []byte(textB)}}); err != nil {
		t.Fatal(err)
	}
	v2, _ := b.Version(ctx)
	expectHeard(v2)
	if v2 <= v1 {
		t.Fatalf("version went from %d to %d", v1, v2)
	}
	if _, _, err := a.Edit(ctx, "wengang", corpus.Meta{Issuer: "某市人社局"}); err != nil {
		t.Fatal(err)
	}
	expectHeard(v2 + 1)
	if d, _, _ := b.Get("wengang"); d == nil || d.Issuer != "某市人社局" {
		t.Fatalf("b does not see a's edit: %+v", d)
	}
	// An edit that changes nothing is no new version.
	if _, _, err := a.Edit(ctx, "wengang", corpus.Meta{Issuer: "某市人社局"}); err != nil {
		t.Fatal(err)
	}
	if v, _ := a.Version(ctx); v != v2+1 {
		t.Fatalf("a no-op edit made version %d", v)
	}

	if _, err := b.Remove(ctx, "qiuzhi"); err != nil {
		t.Fatal(err)
	}
	expectHeard(v2 + 2)
	if got := ids(t, a); strings.Join(got, ",") != "wengang" {
		t.Fatalf("a sees %v after b's remove", got)
	}
	trash, err := a.Trash()
	if err != nil || len(trash) != 1 || trash[0].ID != "qiuzhi" {
		t.Fatalf("a's trash: %v, %+v", err, trash)
	}
	if _, err := a.Restore(ctx, "qiuzhi"); err != nil {
		t.Fatal(err)
	}
	if got := ids(t, b); strings.Join(got, ",") != "qiuzhi,wengang" {
		t.Fatalf("b sees %v after a's restore", got)
	}
	if _, err := a.Remove(ctx, "qiuzhi"); err != nil {
		t.Fatal(err)
	}
	gone, err := b.Purge(ctx)
	if err != nil || len(gone) != 1 {
		t.Fatalf("Purge: %v, %+v", err, gone)
	}
	if trash, _ := a.Trash(); len(trash) != 0 {
		t.Fatalf("a's trash after b's purge: %+v", trash)
	}
	// Refusals change nothing.
	if _, err := a.Remove(ctx, "nothing"); !errors.Is(err, corpus.ErrNotFound) {
		t.Fatalf("Remove of an unknown id: %v", err)
	}
	sameAsDatabase(t, a)
	sameAsDatabase(t, b)

	if err := a.Append(audit.Entry{Who: "cli:test", Action: "add", Doc: "qiuzhi"}); err != nil {
		t.Fatal(err)
	}
	if st, err := b.Stat(ctx); err != nil || st.Audit != 1 || st.Version != v2+5 {
		t.Fatalf("Stat: %v, %+v (want version %d, 1 audit entry)", err, st, v2+5)
	}
}

// sameAsDatabase checks that s's copy holds exactly the database's files.
func sameAsDatabase(t *testing.T, s *Store) {
	t.Helper()
	if _, err := s.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	have, err := s.scan()
	if err != nil {
		t.Fatal(err)
	}
	rows, err := s.pool.Query(context.Background(), "SELECT path, sha256 FROM corpus_files")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for rows.Next() {
		var p, h string
		rows.Scan(&p, &h)
		want[p] = h
	}
	rows.Close()
	if fmt.Sprint(have) != fmt.Sprint(want) {
		t.Fatalf("the copy holds\n%v\nthe database\n%v", have, want)
	}
}

// TestConcurrentChanges adds documents from two stores at once: every one is kept, each change gets
// its own version.
func TestConcurrentChanges(t *testing.T) {
	target := pgtest.URL(t, "pgc_")
	ctx := context.Background()
	a, b := open(t, target), open(t, target)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			topics := []string{"高校毕业生求职补贴", "失业保险稳岗返还", "职业技能培训补贴", "创业担保贷款贴息",
				"公益性岗位安置", "农民工返乡创业", "退役军人就业援助", "残疾人按比例就业"}
			places := []string{"铜仁市", "广元市", "安康市", "长沙市", "遵义市", "绵阳市", "汉中市", "株洲市"}
			text := fmt.Sprintf("%s关于%s的通知\n\n一、%s\n%s人力资源和社会保障局负责%s工作，标准为每人%d元。\n",
				places[i], topics[i], topics[i], places[i], topics[i], 1000+i*137)
			_, err := s.Add(ctx, []corpus.AddRequest{{Name: fmt.Sprintf("n%d.txt", i), Data: []byte(text)}})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := ids(t, a); len(got) != 8 {
		t.Fatalf("a sees %d documents: %v", len(got), got)
	}
	var n int
	a.pool.QueryRow(ctx, "SELECT count(*) FROM corpus_changes").Scan(&n)
	if n != 8 {
		t.Fatalf("%d changes recorded, want 8", n)
	}
	sameAsDatabase(t, a)
	sameAsDatabase(t, b)
}

// TestFailedChangeIsNotKept makes a change whose transaction fails after the copy was changed: the
// copy goes back to what the database holds.
func TestFailedChangeIsNotKept(t *testing.T) {
	target := pgtest.URL(t, "pgc_")
	ctx := context.Background()
	a := open(t, target)
	if _, err := a.Add(ctx, []corpus.AddRequest{{Name: "qiuzhi.txt", Data: []byte(textA)}}); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	err := a.change(cctx, "a change that fails", func(f *corpus.Folder) error {
		if _, err := f.Remove(ctx, "qiuzhi"); err != nil {
			return err
		}
		cancel() // the transaction cannot commit
		return nil
	})
	if err == nil {
		t.Fatal("the change succeeded without its transaction")
	}
	if got := ids(t, a); strings.Join(got, ",") != "qiuzhi" {
		t.Fatalf("after a failed remove the copy holds %v", got)
	}
	sameAsDatabase(t, a)
}

// TestImportExport moves a corpus folder into the store and back out unchanged.
func TestImportExport(t *testing.T) {
	target := pgtest.URL(t, "pgc_")
	ctx := context.Background()
	src := filepath.Join(t.TempDir(), "docs")
	os.MkdirAll(filepath.Join(src, ".trash", "x"), 0o755)
	files := map[string]string{
		"a.txt": textA, "a.meta.json": `{"title":"求职补贴通知"}`, "sub/b.txt": textB,
		".trash/x/removed.json": `{"id":"c"}`, ".trash/x/c.txt": "old",
	}
	for p, s := range files {
		os.MkdirAll(filepath.Dir(filepath.Join(src, p)), 0o755)
		os.WriteFile(filepath.Join(src, p), []byte(s), 0o644)
	}
	os.WriteFile(filepath.Join(filepath.Dir(src), "regression.jsonl"), []byte(`{"id":"r1","q":"求职补贴多少钱"}`+"\n"), 0o644)
	a := open(t, target)
	v, err := a.Import(ctx, src)
	if err != nil || v == 0 {
		t.Fatalf("Import: %v, version %d", err, v)
	}
	out := filepath.Join(t.TempDir(), "docs")
	if got, err := open(t, target).Export(ctx, out); err != nil || got != v {
		t.Fatalf("Export: %v, version %d, want %d", err, got, v)
	}
	for p, s := range files {
		if b, err := os.ReadFile(filepath.Join(out, p)); err != nil || string(b) != s {
			t.Errorf("exported %s: %v, %q", p, err, b)
		}
	}
	if b, err := os.ReadFile(filepath.Join(filepath.Dir(out), "regression.jsonl")); err != nil || !strings.Contains(string(b), "r1") {
		t.Errorf("exported regression set: %v, %q", err, b)
	}
	if _, err := a.Export(ctx, out); err == nil {
		t.Error("Export wrote into a folder that is not empty")
	}
}

// TestListenReconnects ends the listening connection from the server's side: Listen connects again,
// says to check (0), and hears the next change.
func TestListenReconnects(t *testing.T) {
	target := pgtest.URL(t, "pgc_")
	u, _ := url.Parse(target)
	app := "pgc_listen_" + strings.TrimPrefix(u.Query().Get("search_path"), "pgc_")
	q := u.Query()
	q.Set("application_name", app)
	u.RawQuery = q.Encode()
	ctx := context.Background()
	a, b := open(t, target), open(t, u.String())
	heard := make(chan int64, 16)
	lctx, stop := context.WithCancel(ctx)
	defer stop()
	go b.Listen(lctx, func(v int64) { heard <- v })
	next := func() int64 {
		t.Helper()
		select {
		case v := <-heard:
			return v
		case <-time.After(20 * time.Second):
			t.Fatal("Listen said nothing")
			return -1
		}
	}
	if v := next(); v != 0 {
		t.Fatalf("first %d, want 0", v)
	}
	var n int
	if err := a.pool.QueryRow(ctx, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN%'", app).Scan(&n); err != nil || n != 1 {
		t.Fatalf("terminated %d listening connections (%v), want 1", n, err)
	}
	if v := next(); v != 0 {
		t.Fatalf("after the connection was lost: %d, want 0 (check now)", v)
	}
	if _, err := a.Add(ctx, []corpus.AddRequest{{Name: "qiuzhi.txt", Data: []byte(textA)}}); err != nil {
		t.Fatal(err)
	}
	want, _ := a.Version(ctx)
	if v := next(); v != want {
		t.Fatalf("heard %d after the reconnection, want %d", v, want)
	}
}

// TestLocalCopy: the version a local copy holds is recorded once it holds all of it, after a Sync
// and after a change, so that OpenLocal can answer from it while the database cannot be reached; a
// folder with no complete copy is refused.
func TestLocalCopy(t *testing.T) {
	target := pgtest.URL(t, "pgc_")
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := OpenLocal(target, dir, nil); !errors.Is(err, ErrNoMirror) {
		t.Fatalf("OpenLocal of an empty folder: %v, want ErrNoMirror", err)
	}
	s, err := Open(ctx, target, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Add(ctx, []corpus.AddRequest{{Name: "qiuzhi.txt", Data: []byte(textA)}}); err != nil {
		t.Fatal(err)
	}
	v, err := s.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := LocalVersion(dir); got != v || v <= 0 {
		t.Fatalf("after a change the copy records version %d, the store is at %d", got, v)
	}
	other := open(t, target)
	if _, err := other.Add(ctx, []corpus.AddRequest{{Name: "wengang.txt", Data: []byte(textB)}}); err != nil {
		t.Fatal(err)
	}
	v2, err := s.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := LocalVersion(dir); got != v2 || v2 <= v {
		t.Fatalf("after a sync the copy records version %d, the store is at %d", got, v2)
	}
	local, err := OpenLocal(target, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	if local.Mirrored() != v2 || len(ids(t, local)) != 2 {
		t.Errorf("OpenLocal: version %d, documents %v; want %d and both", local.Mirrored(), ids(t, local), v2)
	}
}
