package hugepages

import (
	"os"
	"syscall"
)

// execSelf starts this program's own file again (/proc/self/exe names it even after it was
// replaced on disk).
func execSelf(environ []string) {
	_ = syscall.Exec("/proc/self/exe", os.Args, environ)
}
