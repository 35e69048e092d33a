package index

import (
	"os"
	"path/filepath"
	"syscall"

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
