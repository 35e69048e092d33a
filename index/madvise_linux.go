package index

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// adviseRandom tells the kernel that b, a memory-mapped file, is read at random places: it then maps
// only the pages touched, not their neighbours as well, which keeps the process's resident memory to
// what searches read.
func adviseRandom(b []byte) {
	if len(b) > 0 {
		_ = syscall.Madvise(b, syscall.MADV_RANDOM)
	}
}

// dropCache writes the files under dir to disk and drops them from the page cache. A build leaves
// what it wrote in the cache in large blocks (folios of up to megabytes), and a server that then
// maps the files is given a whole block for each page it touches: its resident memory would count
// most of every file after a few hundred questions. Read back from disk, page by page as searches
// touch them (see adviseRandom), the files cost a server the pages it reads, as after a restart.
func dropCache(dir string) {
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return nil
		}
		defer f.Close()
		if f.Sync() == nil {
			_ = unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
		}
		return nil
	})
}

// shedMapped keeps the pages of the files at paths, as this process maps them, out of its resident
// memory until stop is called: every shedInterval it tells the kernel it no longer needs them
// (MADV_DONTNEED). The pages stay in the page cache, and a read maps them again for the cost of a minor
// fault. A merge reads every page of its input segments once or twice, and without this they
// would all count in the build's peak until the merge ends (460 MB at 10× lawref). The files must stay
// mapped until stop returns, so that the addresses shed are still theirs, never memory mapped later
// at the same place. Another mapping of one of the files in this process (the live index's segment,
// merged into an incremental build) is shed too, which costs it only minor faults; it is not unmapped
// while the build runs, since the index it belongs to is retired only after the build is published.
func shedMapped(paths []string) (stop func()) {
	want := map[string]bool{}
	for _, p := range paths {
		if abs, err := filepath.Abs(p); err == nil {
			want[abs] = true
		}
		if real, err := filepath.EvalSymlinks(p); err == nil {
			if abs, err := filepath.Abs(real); err == nil {
				want[abs] = true // as /proc/self/maps names it
			}
		}
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(shedInterval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				shed(want)
			}
		}
	}()
	return func() {
		close(done)
		<-stopped
	}
}

const shedInterval = 200 * time.Millisecond

// shed drops from the resident set the pages of the mappings of the files in want.
func shed(want map[string]bool) {
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(maps), "\n") {
		// start-end perms offset dev inode path
		f := strings.Fields(line)
		if len(f) < 6 || !want[f[5]] {
			continue
		}
		lo, hi, ok := strings.Cut(f[0], "-")
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 == nil && err2 == nil && end > start {
			_, _, _ = unix.Syscall(unix.SYS_MADVISE, uintptr(start), uintptr(end-start), unix.MADV_DONTNEED)
		}
	}
}
