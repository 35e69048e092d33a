package querylog

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestSecret(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	// Generated on first use, by whichever of several starting processes comes first.
	keys := make([][]byte, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, err := Secret(dir, "")
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		}()
	}
	wg.Wait()
	for _, k := range keys[1:] {
		if !bytes.Equal(k, keys[0]) || len(k) != 32 {
			t.Fatalf("keys differ: %x %x", keys[0], k)
		}
	}
	// Kept: the next run reads the same key.
	again, err := Secret(dir, "")
	if err != nil || !bytes.Equal(again, keys[0]) {
		t.Fatalf("second run: %x %v", again, err)
	}
	fi, err := os.Stat(filepath.Join(dir, SecretFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file %v %v", fi, err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, SecretFile+".*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	// POLICYBOT_LOG_SECRET wins over the data folder; a short one is refused.
	env, err := Secret(dir, "a shared secret for replicas")
	if err != nil || string(env) != "a shared secret for replicas" {
		t.Errorf("from env: %q %v", env, err)
	}
	if _, err := Secret(dir, "short"); err == nil {
		t.Error("accepted a short secret")
	}
	// A damaged key file is an error, not silently replaced (that would change every pseudonym).
	os.WriteFile(filepath.Join(dir, SecretFile), []byte("garbage"), 0o600)
	if _, err := Secret(dir, ""); err == nil {
		t.Error("accepted a damaged key file")
	}
}
