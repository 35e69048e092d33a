package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"policybot/corpus"
	"policybot/index"
)

// buildBinary builds the real program once for the kill tests.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and kills the real program")
	}
	bin := filepath.Join(t.TempDir(), "policybot")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "GOFLAGS=-buildvcs=false")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// runBin runs the program to completion.
func runBin(t *testing.T, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "POLICYBOT_TEST_PAUSE=", "POLICYBOT_LOG=warn")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("policybot %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// killAt starts the program with the pause hook set to step, waits until it says it paused there, and
// kills it with SIGKILL: no deferred cleanup, no signal handler runs.
func killAt(t *testing.T, bin, step string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "POLICYBOT_TEST_PAUSE="+step, "POLICYBOT_LOG=warn")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	paused := make(chan bool, 1)
	var said strings.Builder
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			said.WriteString(sc.Text() + "\n")
			if strings.HasPrefix(sc.Text(), "paused at "+step) {
				paused <- true
				return
			}
		}
		paused <- false
	}()
	select {
	case ok := <-paused:
		if !ok {
			cmd.Wait()
			t.Fatalf("policybot %v ended without pausing at %s:\n%s", args, step, said.String())
		}
	case <-time.After(5 * time.Minute):
		cmd.Process.Kill()
		t.Fatalf("policybot %v never paused at %s", args, step)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("policybot was not killed by SIGKILL: %v", err)
	}
}

// served opens the data folder as a server would and returns the ids of the documents it answers
// from, checking that it answers.
func served(t *testing.T, data string) map[string]bool {
	t.Helper()
	live, err := index.OpenLive(context.Background(), data, nil)
	if err != nil {
		t.Fatalf("the server cannot open the index: %v", err)
	}
	defer live.Close()
	res, err := live.Search(context.Background(), "失业保险金标准", index.Options{K: 1})
	if err != nil || len(res.Hits) == 0 {
		t.Fatalf("the index does not answer: %v", err)
	}
	ids := map[string]bool{}
	for _, d := range live.Documents() {
		ids[d.ID] = true
	}
	return ids
}

func corpusIDs(t *testing.T, dir string) map[string]bool {
	t.Helper()
	docs, err := corpus.Load(dir)
	if err != nil {
		t.Fatalf("the corpus does not load whole: %v", err)
	}
	ids := map[string]bool{}
	for _, d := range docs {
		ids[d.ID] = true
	}
	return ids
}

func partials(t *testing.T, data string) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(data, "indexes", "*.partial"))
	return m
}

func staged(t *testing.T, docs string) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(docs, ".staging", "*"))
	return m
}

// TestKillDuringReindex kills the real program with SIGKILL at chosen moments of a reindex and of an
// add, restarts it, and checks that the server answers from a complete index (old or new), that the
// corpus holds every document it had plus at most the one being added, and that the leftovers of the
// killed run are cleaned up.
func TestKillDuringReindex(t *testing.T) {
	bin := buildBinary(t)
	root, common := staffCorpus(t)
	docs, data := common[1], common[3]
	runBin(t, bin, append([]string{"index"}, common...)...)
	before := corpusIDs(t, docs)
	oldIndex, _ := index.Current(data)

	addFile := func(name, text string) string {
		p := filepath.Join(root, name)
		os.WriteFile(p, []byte(text), 0o644)
		return p
	}
	notice := addFile("newdoc.txt", "某县关于做好零工市场建设的通知\n一、建设目标。全县建成零工驿站十二个，服务灵活就业人员。\n二、资金保障。每个驿站补助五万元。\n")
	runBin(t, bin, append(append([]string{"docs", "add"}, common...), notice)...)

	t.Run("reindex killed before publishing", func(t *testing.T) {
		killAt(t, bin, "reindex:built", append([]string{"reindex"}, common...)...)
		if len(partials(t, data)) == 0 {
			t.Fatal("no partly built index: the kill did not land mid-reindex")
		}
		if cur, _ := index.Current(data); cur != oldIndex {
			t.Errorf("current index %s, want the old %s", cur, oldIndex)
		}
		ids := served(t, data)
		if ids["newdoc"] || len(ids) != len(before) {
			t.Errorf("served documents %v", ids)
		}
		// On restart the interrupted run's leftovers go, and the reindex completes.
		out := runBin(t, bin, append([]string{"reindex"}, common...)...)
		if !strings.Contains(out, "added: newdoc") {
			t.Errorf("restarted reindex:\n%s", out)
		}
		if p := partials(t, data); len(p) != 0 {
			t.Errorf("leftovers: %v", p)
		}
		if !served(t, data)["newdoc"] {
			t.Error("the new document is not served after the restart")
		}
	})

	t.Run("full reindex killed while indexing", func(t *testing.T) {
		cur, _ := index.Current(data)
		killAt(t, bin, "reindex:indexing", append([]string{"reindex", "--full"}, common...)...)
		if len(partials(t, data)) == 0 {
			t.Fatal("no partly built index: the kill did not land mid-reindex")
		}
		if now, _ := index.Current(data); now != cur {
			t.Errorf("current index changed to %s", now)
		}
		// A server starting now answers from the complete index and removes the leftovers.
		if !served(t, data)["newdoc"] {
			t.Error("the served index lost a document")
		}
		if p := partials(t, data); len(p) != 0 {
			t.Errorf("leftovers after a server start: %v", p)
		}
		// The search command too works straight after the kill.
		out := runBin(t, bin, append(append([]string{"search", "-k", "1"}, common...), "零工驿站建了多少个")...)
		if !strings.Contains(out, "零工驿站十二个") {
			t.Errorf("search after the kill:\n%s", out)
		}
	})

	t.Run("add killed before committing", func(t *testing.T) {
		f := addFile("second.txt", "某县关于开展技能培训的通知\n一、培训对象。农村转移劳动力。\n二、补贴标准。每人每期八百元。\n")
		killAt(t, bin, "corpus:staged", append(append([]string{"docs", "add"}, common...), f)...)
		if len(staged(t, docs)) == 0 {
			t.Fatal("nothing staged: the kill did not land mid-add")
		}
		ids := corpusIDs(t, docs)
		if ids["second"] || !ids["newdoc"] || len(ids) != len(before)+1 {
			t.Errorf("corpus after the kill: %v", ids)
		}
		out := runBin(t, bin, append([]string{"docs", "list"}, common...)...)
		if strings.Contains(out, "second") {
			t.Errorf("an uncommitted add shows:\n%s", out)
		}
		if s := staged(t, docs); len(s) != 0 {
			t.Errorf("leftovers: %v", s)
		}
	})

	t.Run("replace killed after committing", func(t *testing.T) {
		f := addFile("revised.txt", "某县关于做好零工市场建设的通知\n一、建设目标。全县建成零工驿站十五个，服务灵活就业人员。\n二、资金保障。每个驿站补助五万元。\n")
		killAt(t, bin, "corpus:committed", append(append([]string{"docs", "add", "--replace", "newdoc"}, common...), f)...)
		if len(staged(t, docs)) == 0 {
			t.Fatal("nothing staged: the kill did not land mid-add")
		}
		// Committed but not carried out: the corpus still reads whole, with the old version.
		ids := corpusIDs(t, docs)
		if !ids["newdoc"] || len(ids) != len(before)+1 {
			t.Errorf("corpus after the kill: %v", ids)
		}
		// The restarted reindex finishes the change first, then indexes it.
		out := runBin(t, bin, append([]string{"reindex"}, common...)...)
		if !strings.Contains(out, "changed: newdoc") {
			t.Errorf("reindex after the kill:\n%s", out)
		}
		if s := staged(t, docs); len(s) != 0 {
			t.Errorf("leftovers: %v", s)
		}
		b, _ := os.ReadFile(filepath.Join(docs, "newdoc.txt"))
		if !strings.Contains(string(b), "十五个") {
			t.Errorf("the replacement was not finished: %s", b)
		}
		out = runBin(t, bin, append([]string{"docs", "list"}, common...)...)
		if !hasLine(out, "newdoc", "removed") {
			t.Errorf("the replaced version is not in the trash:\n%s", out)
		}
	})

	// The streaming build, killed once every batch is written (the store, the forward file's words,
	// the segment files) and its segments are about to be merged: the old index serves, and the next
	// reindex starts afresh. Full and incremental alike.
	for _, full := range []bool{true, false} {
		name := "incremental reindex killed while merging"
		args := []string{"reindex"}
		if full {
			name, args = "full reindex killed while merging", []string{"reindex", "--full"}
		}
		t.Run(name, func(t *testing.T) {
			if !full {
				// Something to index incrementally.
				f := addFile("merging.txt", "某县关于零工驿站补贴的通知\n一、补贴对象。零工驿站。\n二、补贴标准。每个驿站每年三万元。\n")
				runBin(t, bin, append(append([]string{"docs", "add"}, common...), f)...)
			}
			cur, _ := index.Current(data)
			killAt(t, bin, "reindex:merging", append(args, common...)...)
			p := partials(t, data)
			if len(p) == 0 {
				t.Fatal("no partly built index: the kill did not land mid-reindex")
			}
			if segs, _ := filepath.Glob(filepath.Join(p[0], "segments*", "*.zap")); len(segs) == 0 {
				t.Error("no segment written before the merge")
			}
			if now, _ := index.Current(data); now != cur {
				t.Errorf("current index changed to %s", now)
			}
			ids := served(t, data)
			if !ids["newdoc"] || ids["merging"] {
				t.Errorf("served documents %v", ids)
			}
			if p := partials(t, data); len(p) != 0 {
				t.Errorf("leftovers after a server start: %v", p)
			}
			runBin(t, bin, append(args, common...)...)
			if !full && !served(t, data)["merging"] {
				t.Error("the new document is not served after the restart")
			}
		})
	}
}
