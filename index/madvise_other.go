//go:build !linux

package index

// adviseRandom does nothing where madvise is not at hand.
func adviseRandom([]byte) {}
