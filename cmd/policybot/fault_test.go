package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"policybot/index"
	"policybot/internal/faulttest"
)

// publishedFiles lists the files of the index published in data, relative to its folder.
func publishedFiles(t *testing.T, data string) (dir string, files []string) {
	t.Helper()
	name, err := index.Current(data)
	if err != nil {
		t.Fatal(err)
	}
	dir = filepath.Join(data, "indexes", name)
	files, err = faulttest.Files(dir)
	if err != nil || len(files) < 8 {
		t.Fatalf("index files %v", files)
	}
	return dir, files
}

// TestSearchDamagedIndex is the fault-injection test of the command line: each file of the published
// index in turn is removed, cut short and zero-filled; `policybot search` still answers (it rebuilds
// the index, saying so in the log, or answers from it when the damage does not matter), and leaves an
// index that the next command opens as it is.
func TestSearchDamagedIndex(t *testing.T) {
	pristine := t.TempDir()
	args := []string{"--corpus", "../../corpus/docs", "--dict", "../../corpus/dict"}
	if _, stderr, err := runCmd(t, nil, append([]string{"index", "--data", pristine}, args...)...); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	// Held open for the whole test, so that the rebuilds share its jieba rather than load their own.
	keep, err := index.Open(pristine)
	if err != nil {
		t.Fatal(err)
	}
	defer keep.Close()
	_, files := publishedFiles(t, pristine)
	for _, f := range files {
		for _, dmg := range faulttest.Damages {
			t.Run(f+"/"+dmg.Name, func(t *testing.T) {
				data := t.TempDir()
				if err := faulttest.Copy(pristine, data); err != nil {
					t.Fatal(err)
				}
				dir, _ := publishedFiles(t, data)
				if err := dmg.Do(filepath.Join(dir, f)); err != nil {
					t.Fatal(err)
				}
				search := append([]string{"search", "--json", "-k", "1", "--data", data}, args...)
				out, stderr, err := runCmd(t, nil, append(search, "湖南全省建成了多少家零工市场？")...)
				if err != nil || strings.Contains(stderr, "panic") {
					t.Fatalf("search on a damaged index: %v\n%s", err, stderr)
				}
				var res searchJSON
				if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.Results) != 1 || !strings.Contains(res.Results[0].Text, "486家零工市場") {
					t.Fatalf("search on a damaged index answered %v: %s", err, out)
				}
				// The next command opens the index as it is: repaired, or never in need of it.
				ix, err := index.Open(data)
				if err != nil {
					t.Fatalf("the index after a search on a damaged one: %v", err)
				}
				ix.Close()
			})
		}
	}
}

// publishCopy publishes, as a reindex would, a copy of the index dir under a new name with file f
// damaged, and returns the new name.
func publishCopy(t *testing.T, data, dir, f string, damage func(string) error, n int) string {
	t.Helper()
	name := fmt.Sprintf("%s-copy%03d", filepath.Base(dir), n)
	dst := filepath.Join(data, "indexes", name)
	if err := faulttest.Copy(dir, dst); err != nil {
		t.Fatal(err)
	}
	// The copy's manifest names it, as a built index's does.
	mpath := filepath.Join(dst, "manifest.json")
	var m map[string]any
	b, err := os.ReadFile(mpath)
	if err == nil {
		err = json.Unmarshal(b, &m)
	}
	if err != nil {
		t.Fatal(err)
	}
	m["name"] = name
	if b, err = json.Marshal(m); err == nil {
		err = os.WriteFile(mpath, b, 0o644)
	}
	if err == nil {
		err = damage(filepath.Join(dst, f))
	}
	if err == nil {
		tmp := filepath.Join(data, "current.tmp")
		if err = os.WriteFile(tmp, []byte(name+"\n"), 0o644); err == nil {
			err = os.Rename(tmp, filepath.Join(data, "current"))
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	return name
}

// TestServeDamagedIndex is the fault-injection test of a running server: the index published next is
// a copy of the live one with one file damaged, each file in turn, removed, cut short or zero-filled
// (one way for each file, in rotation: every way of damaging every file is opened by
// TestSearchDamagedIndex and index's TestOpenDamaged). serve keeps answering from the index it has
// (it logs that it cannot swap the new one in), never exits, and swaps in the index the next reindex
// builds.
func TestServeDamagedIndex(t *testing.T) {
	s := startServe(t, nil)
	dir, files := publishedFiles(t, s.data)
	const q = "湖南全省建成了多少家零工市场？"
	user := int64(7000)
	n := 0
	for i, f := range files {
		for _, dmg := range faulttest.Damages[i%len(faulttest.Damages):][:1] {
			n++
			name := publishCopy(t, s.data, dir, f, dmg.Do, n)
			// The watcher has tried the new index (and said so) by the time the question comes.
			deadline := time.Now().Add(30 * time.Second)
			for log := s.stderr.String(); !strings.Contains(log, name+":") && !strings.Contains(log, name+"/") && !strings.Contains(log, "index="+name); log = s.stderr.String() {
				if time.Now().After(deadline) {
					t.Fatalf("%s %s: the watcher did not try %s:\n%s", f, dmg.Name, name, log)
				}
				time.Sleep(20 * time.Millisecond)
			}
			user++
			if m := s.say(user, q, 1)[0]; !strings.Contains(m.Text, "486家零工市") {
				t.Fatalf("%s %s: answer\n%s", f, dmg.Name, m.Text)
			}
			select {
			case err := <-s.done:
				t.Fatalf("serve stopped after %s %s: %v\n%s", f, dmg.Name, err, s.stderr.String())
			default:
			}
		}
	}
	if !strings.Contains(s.stderr.String(), "cannot swap in the new index") {
		t.Errorf("no failed swap logged:\n%s", s.stderr.String())
	}
	// The next reindex repairs: it builds a whole new index, which serve swaps in.
	if _, stderr, err := runCmd(t, nil, "reindex", "--corpus", s.docs, "--dict", "../../corpus/dict", "--data", s.data); err != nil {
		t.Fatalf("reindex: %v\n%s", err, stderr)
	}
	name, err := index.Current(s.data)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(s.stderr.String(), `"serving a new index" index=`+name) && !strings.Contains(s.stderr.String(), "index="+name) {
		if time.Now().After(deadline) {
			t.Fatalf("the repaired index %s was not swapped in:\n%s", name, s.stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	user++
	if m := s.say(user, q, 1)[0]; !strings.Contains(m.Text, "486家零工市") {
		t.Fatalf("after the repair: answer\n%s", m.Text)
	}
}
