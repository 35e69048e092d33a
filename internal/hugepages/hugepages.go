// Package hugepages asks the C allocator for transparent huge pages, for jieba.
//
// jieba (C++, through cgo) builds its dictionary as some 350,000 small allocations when the index
// opens: most of that second went to the kernel mapping 4 KB pages one fault at a time. glibc's
// malloc asks for huge pages (2 MB) when the tunable glibc.malloc.hugetlb=1 is set, but it reads
// tunables only when a process starts, so Exec starts the program again with it set.
package hugepages

import (
	"os"
	"strings"
)

// tunable is glibc's setting; a GLIBC_TUNABLES that already names it (=0 turns it off) is left alone.
const tunable = "glibc.malloc.hugetlb"

// env returns the environment to start the program with, and whether it differs from environ.
func env(environ []string) ([]string, bool) {
	out := make([]string, 0, len(environ)+1)
	found := false
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, "GLIBC_TUNABLES="); ok {
			if strings.Contains(v, tunable) {
				return environ, false
			}
			found = true
			kv += ":" + tunable + "=1"
		}
		out = append(out, kv)
	}
	if !found {
		out = append(out, "GLIBC_TUNABLES="+tunable+"=1")
	}
	return out, true
}

// Exec replaces the process with the same program, arguments and environment plus
// glibc.malloc.hugetlb=1, unless GLIBC_TUNABLES already names it. It returns only when it does not
// (or cannot) start the program again, and the program then runs as it is.
func Exec() {
	environ, changed := env(os.Environ())
	if changed {
		execSelf(environ)
	}
}
