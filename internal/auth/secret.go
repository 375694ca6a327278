package auth

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// LoadOrCreateSecret returns the token secret kept hex-encoded in the file at
// path, creating the file with 32 random bytes if it does not exist; created
// says which happened. It lets a single-node install work without
// BETTERMATCH_JWT_SECRET while keeping tokens valid across restarts.
//
// The file is written to a temporary file and renamed into place, so a crash
// never leaves a truncated secret behind. A file readable by group or others
// has its mode narrowed to 0600 rather than being refused: refusing would stop
// the service over something it can fix itself. Errors never include the
// secret.
func LoadOrCreateSecret(path string) (secret []byte, created bool, err error) {
	secret, err = readSecret(path)
	if err == nil {
		return secret, false, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}

	secret = make([]byte, MinSecretLength)
	if _, err := rand.Read(secret); err != nil {
		return nil, false, fmt.Errorf("auth: generate secret: %w", err)
	}
	if err := writeFileAtomic(path, []byte(hex.EncodeToString(secret)+"\n")); err != nil {
		return nil, false, err
	}
	return secret, true, nil
}

func readSecret(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("auth: secret file %s is not a regular file", path)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(path, 0o600); err != nil {
			return nil, fmt.Errorf("auth: narrow mode of secret file: %w", err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	// A file that is not what we write (hex, 32+ bytes) is an error, not a
	// cue to regenerate: overwriting it would sign everyone out, and using it
	// raw could mean a short, guessable key.
	secret := make([]byte, hex.DecodedLen(len(bytes.TrimSpace(b))))
	if _, err := hex.Decode(secret, bytes.TrimSpace(b)); err != nil {
		return nil, fmt.Errorf("auth: secret file %s does not hold hex", path)
	}
	if len(secret) < MinSecretLength {
		return nil, fmt.Errorf("auth: secret in %s is %d bytes, need at least %d", path, len(secret), MinSecretLength)
	}
	return secret, nil
}

// writeFileAtomic writes data to path with mode 0600 via a temporary file in
// the same directory (rename is atomic only within one file system).
func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("auth: secret dir: %w", err)
	}
	// CreateTemp opens with mode 0600, so the secret is never readable by
	// others, not even briefly.
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("auth: secret file: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("auth: write secret: %w", err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("auth: sync secret: %w", err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("auth: close secret: %w", err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("auth: install secret: %w", err)
	}
	// Persist the rename too; best effort, as not every file system
	// supports syncing a directory.
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
