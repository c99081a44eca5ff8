package auth

import (
	"context"
	"os"
	"strings"
	"testing"
)

func TestStoreOpen(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/pexops.db"
	s := openStore(t, path, newFakeClock())
	for _, p := range []string{path, path + "-wal"} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode = %v, want 0600 (the database holds the session keys)", p, st.Mode())
		}
	}

	var mode string
	if err := s.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	var version int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil ||
		version != len(migrations) {
		t.Errorf("user_version = %d, %v; want %d", version, err, len(migrations))
	}
	if err := s.SetSetting(ctx, "k", []byte("v1")); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSetting(ctx, "k", []byte("v2")); err != nil {
		t.Fatal(err)
	}
	s.Close()

	// Reopening applies no migration twice and keeps the data.
	s = openStore(t, path, newFakeClock())
	v, ok, err := s.Setting(ctx, "k")
	if err != nil || !ok || string(v) != "v2" {
		t.Errorf("Setting(k) = %q, %v, %v; want v2", v, ok, err)
	}
	if _, ok, _ := s.Setting(ctx, "missing"); ok {
		t.Error("Setting(missing) found something")
	}

	// A database from a newer pexops is refused rather than misread.
	if _, err := s.db.ExecContext(ctx, "PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(ctx, StoreConfig{Path: path}); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("Open() of a newer schema = %v", err)
	}
}

func TestStoreRejectsBadPaths(t *testing.T) {
	for _, p := range []string{"", "/tmp/x.db?_pragma=journal_mode(OFF)", "a#b"} {
		if _, err := Open(context.Background(), StoreConfig{Path: p}); err == nil {
			t.Errorf("Open(%q) succeeded", p)
		}
	}
}
