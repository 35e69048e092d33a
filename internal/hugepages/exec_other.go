//go:build !linux

package hugepages

// execSelf does nothing: the tunable is glibc's.
func execSelf([]string) {}
