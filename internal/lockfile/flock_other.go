//go:build !unix

package lockfile

import (
	"errors"
	"os"
)

// tryLock is not available here: policybot's locks need flock (Linux, macOS, the BSDs).
func tryLock(f *os.File) (bool, error) {
	return false, errors.New("file locks are not supported on this system")
}

func unlock(f *os.File) error { return nil }
