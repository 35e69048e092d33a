package querylog

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// SecretFile is the name of the pseudonymisation key kept in the data folder when
// POLICYBOT_LOG_SECRET is not set.
const SecretFile = "querylog.key"

// minSecret is the shortest POLICYBOT_LOG_SECRET accepted.
const minSecret = 16

// Secret returns the key that pseudonymises user ids in the log. When fromEnv (the value of
// POLICYBOT_LOG_SECRET) is set it is the key, so replicas that share a log share their users' keys;
// otherwise the key kept in dataDir/querylog.key is read, or generated (32 random bytes) on first
// run. It returns an error when fromEnv is shorter than 16 bytes or the key file cannot be read or
// written.
func Secret(dataDir, fromEnv string) ([]byte, error) {
	if fromEnv != "" {
		if len(fromEnv) < minSecret {
			return nil, fmt.Errorf("log secret: POLICYBOT_LOG_SECRET must be at least %d bytes", minSecret)
		}
		return []byte(fromEnv), nil
	}
	path := filepath.Join(dataDir, SecretFile)
	key, err := readSecret(path)
	if err == nil {
		return key, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("log secret: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("log secret: %w", err)
	}
	// Write a temporary file and link it into place: the link fails when another process made the
	// key first, and nobody ever reads a half-written key.
	tmp, err := os.CreateTemp(dataDir, SecretFile+".*")
	if err != nil {
		return nil, fmt.Errorf("log secret: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.WriteString(hex.EncodeToString(raw) + "\n")
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return nil, fmt.Errorf("log secret: %w", werr)
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return nil, fmt.Errorf("log secret: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("log secret: %w", err)
	}
	return readSecret(path)
}

func readSecret(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("log secret: %w", err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) < minSecret {
		return nil, fmt.Errorf("log secret: %s is not a key this program wrote", path)
	}
	return key, nil
}

// pseudonym is the key that stands for a Telegram user id in the log: the first 128 bits of
// HMAC-SHA256(secret, "user:"+id), in hex. Without the secret it cannot be turned back into the id,
// nor can an id be checked against it.
func pseudonym(secret []byte, userID int64) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("user:" + strconv.FormatInt(userID, 10)))
	return hex.EncodeToString(m.Sum(nil)[:16])
}
