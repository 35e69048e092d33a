package index

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	mmap "github.com/blevesearch/mmap-go"
)

// mappedKB returns the resident kilobytes of this process's mappings of path.
func mappedKB(t *testing.T, path string) int {
	b, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Skip("no /proc/self/smaps")
	}
	kb, in := 0, false
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 5 && strings.Contains(f[0], "-") && !strings.HasSuffix(f[0], ":"):
			in = len(f) >= 6 && f[5] == path
		case in && len(f) >= 2 && f[0] == "Rss:":
			n, _ := strconv.Atoi(f[1])
			kb += n
		}
	}
	return kb
}

// A merge's input files, mapped and read, leave the build's resident memory while shedMapped runs,
// and read the same when touched again.
func TestShedMapped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seg.zap")
	want := bytes.Repeat([]byte("第一条 劳动者享有平等就业的权利。"), 1<<17) // 6 MB
	if err := os.WriteFile(path, want, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := mmap.Map(f, mmap.RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Unmap()
	sum := 0
	for i := 0; i < len(m); i += 4096 {
		sum += int(m[i])
	}
	if sum == 0 {
		t.Fatal("the mapping reads zeros")
	}
	real, _ := filepath.EvalSymlinks(path)
	before := mappedKB(t, real)
	if before < 4<<10 {
		t.Skipf("the mapping is not resident after a read (%d KB)", before)
	}
	stop := shedMapped([]string{path})
	time.Sleep(3 * shedInterval)
	stop()
	if after := mappedKB(t, real); after > before/4 {
		t.Errorf("resident %d KB of the mapping before, %d KB after shedding", before, after)
	}
	if !bytes.Equal(m, want) {
		t.Error("the mapping reads otherwise after shedding")
	}
}
