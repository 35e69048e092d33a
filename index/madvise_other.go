//go:build !linux

package index

// adviseRandom does nothing where madvise is not at hand.
func adviseRandom([]byte) {}

// dropCache does nothing where fadvise is not at hand.
func dropCache(string) {}

// shedMapped does nothing where madvise is not at hand.
func shedMapped([]string) (stop func()) { return func() {} }
