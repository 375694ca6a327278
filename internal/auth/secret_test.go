package auth

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadOrCreateSecret(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "data", "jwt-secret") // parent created on demand

	secret, created, err := LoadOrCreateSecret(path)
	if err != nil {
		t.Fatal(err)
	}
	if !created || len(secret) != MinSecretLength {
		t.Fatalf("created = %v, len = %d", created, len(secret))
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("mode = %o, want 600", perm)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	if _, err := NewTokens(secret, testTTL, nil); err != nil {
		t.Errorf("generated secret unusable: %v", err)
	}

	again, created, err := LoadOrCreateSecret(path)
	if err != nil {
		t.Fatal(err)
	}
	if created || !bytes.Equal(again, secret) {
		t.Errorf("second load: created = %v, same = %v", created, bytes.Equal(again, secret))
	}
}

func TestLoadOrCreateSecret_NarrowsMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "jwt-secret")
	want := strings.Repeat("ab", 32)
	if err := os.WriteFile(path, []byte(want+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, 0o644) // in case the umask narrowed it already
	secret, created, err := LoadOrCreateSecret(path)
	if err != nil {
		t.Fatal(err)
	}
	if created || len(secret) != 32 || secret[0] != 0xab {
		t.Errorf("created = %v, secret length %d", created, len(secret))
	}
	fi, _ := os.Stat(path)
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("mode = %o, want 600", perm)
	}
}

func TestLoadOrCreateSecret_Bad(t *testing.T) {
	for name, content := range map[string]string{
		"Empty":  "",
		"NotHex": strings.Repeat("z", 64),
		"Short":  strings.Repeat("ab", 31),
		"OddHex": strings.Repeat("a", 65),
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "jwt-secret")
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, _, err := LoadOrCreateSecret(path)
			if err == nil {
				t.Fatal("no error")
			}
			if content != "" && strings.Contains(err.Error(), content) {
				t.Errorf("error reveals the file's content: %v", err)
			}
			// The file is left alone: regenerating would sign everyone out.
			if b, _ := os.ReadFile(path); string(b) != content {
				t.Errorf("file rewritten to %q", b)
			}
		})
	}
	t.Run("Directory", func(t *testing.T) {
		if _, _, err := LoadOrCreateSecret(t.TempDir()); err == nil {
			t.Error("a directory accepted as the secret file")
		}
	})
}
