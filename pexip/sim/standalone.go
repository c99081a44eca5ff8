package sim

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
)

// ErrNotLoopback is returned by CheckLoopback for an address other machines could reach.
var ErrNotLoopback = errors.New("not a loopback address")

// CheckLoopback returns nil when addr ("host:port") listens on loopback only: 127.0.0.0/8,
// ::1 or localhost. An empty host (":9443") listens on every interface and is refused, so
// that a developer's simulator is not exposed by accident.
func CheckLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address %q: %w", addr, err)
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("address %q: %w", addr, ErrNotLoopback)
}

// ParseOAuthClient reads a "client_id=path/to/public-key.pem" specification: the id of an
// OAuth2 client and the file holding its EC P-256 public key (a PEM "PUBLIC KEY" block).
func ParseOAuthClient(spec string) (string, *ecdsa.PublicKey, error) {
	id, path, ok := strings.Cut(spec, "=")
	if !ok || strings.TrimSpace(id) == "" || path == "" {
		return "", nil, fmt.Errorf("oauth client %q: want client_id=path/to/public-key.pem", spec)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", nil, fmt.Errorf("oauth client %s: %w", id, err)
	}
	key, err := ParsePublicKeyPEM(data)
	if err != nil {
		return "", nil, fmt.Errorf("oauth client %s: %w", id, err)
	}
	return strings.TrimSpace(id), key, nil
}

// ParsePublicKeyPEM reads an EC P-256 public key from PEM (PKIX "PUBLIC KEY").
func ParsePublicKeyPEM(data []byte) (*ecdsa.PublicKey, error) {
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PUBLIC KEY" {
		return nil, errors.New("no PEM PUBLIC KEY block")
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse public key: %w", err)
	}
	key, ok := pub.(*ecdsa.PublicKey)
	if !ok || key.Curve != elliptic.P256() {
		return nil, errors.New("the key is not an EC P-256 public key")
	}
	return key, nil
}
