package sim

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestCheckLoopback(t *testing.T) {
	tests := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:9443", true}, {"127.8.0.1:0", true}, {"[::1]:9443", true}, {"localhost:9443", true},
		{":9443", false}, {"0.0.0.0:9443", false}, {"[::]:9443", false}, {"10.1.2.3:9443", false},
		{"mgr.example.com:9443", false}, {"127.0.0.1", false},
	}
	for _, tt := range tests {
		err := CheckLoopback(tt.addr)
		if (err == nil) != tt.ok {
			t.Errorf("CheckLoopback(%q) = %v, want ok %v", tt.addr, err, tt.ok)
		}
		if err != nil && !tt.ok && tt.addr != "127.0.0.1" && !errors.Is(err, ErrNotLoopback) {
			t.Errorf("CheckLoopback(%q) = %v, want ErrNotLoopback", tt.addr, err)
		}
	}
}

func writePublicKey(t *testing.T, curve elliptic.Curve) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(curve, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "pub.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestParseOAuthClient(t *testing.T) {
	good, p384 := writePublicKey(t, elliptic.P256()), writePublicKey(t, elliptic.P384())
	if id, key, err := ParseOAuthClient("console=" + good); err != nil || id != "console" || key == nil {
		t.Errorf("good client: %q %v %v", id, key, err)
	}
	for _, spec := range []string{"console", "=" + good, "console=", "console=" + p384,
		"console=" + filepath.Join(t.TempDir(), "missing.pem")} {
		if _, _, err := ParseOAuthClient(spec); err == nil {
			t.Errorf("ParseOAuthClient(%q) accepted", spec)
		}
	}
}
