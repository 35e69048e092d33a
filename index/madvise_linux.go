package index

import "syscall"

// adviseRandom tells the kernel that b, a memory-mapped file, is read at random places: it then maps
// only the pages touched, not their neighbours as well, which keeps the process's resident memory to
// what searches read.
func adviseRandom(b []byte) {
	if len(b) > 0 {
		_ = syscall.Madvise(b, syscall.MADV_RANDOM)
	}
}
