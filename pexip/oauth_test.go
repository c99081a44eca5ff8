package pexip_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"pexops/pexip"
)

// tokenServer is a Management Node with OAuth2 enabled: /oauth/token/ checks the ES256
// client assertion, and the API accepts only the tokens it issued and has not revoked.
type tokenServer struct {
	t        *testing.T
	key      *ecdsa.PublicKey
	clientID string
	ttl      int

	mu           sync.Mutex
	issued       int
	valid        map[string]bool
	api          int
	claims       map[string]any
	refuse       bool // answer every token request with invalid_client
	handleAPI401 bool // refuse every token on the API
	jtiSeen      map[string]bool
}

func (s *tokenServer) handle(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.URL.Path == "/oauth/token/" {
		s.token(w, r)
		return
	}
	s.api++
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || !s.valid[tok] || s.handleAPI401 {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	writeJSON(w, 200, map[string]any{"objects": []any{}})
}

func (s *tokenServer) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || s.refuse {
		writeJSON(w, 400, map[string]string{"error": "invalid_client"})
		return
	}
	claims, err := verifyES256(r.PostForm.Get("client_assertion"), s.key)
	if err != nil || r.PostForm.Get("grant_type") != "client_credentials" ||
		r.PostForm.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
		s.t.Errorf("bad token request: %v %v", err, r.PostForm)
		writeJSON(w, 400, map[string]string{"error": "invalid_grant"})
		return
	}
	jti, _ := claims["jti"].(string)
	if s.jtiSeen[jti] || len(jti) < 16 {
		s.t.Errorf("jti %q reused or short", jti)
	}
	s.jtiSeen[jti] = true
	s.claims = claims
	s.issued++
	tok := fmt.Sprintf("token-%d", s.issued)
	s.valid[tok] = true
	writeJSON(w, 200, map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": s.ttl})
}

func (s *tokenServer) revokeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.valid = map[string]bool{}
}

func (s *tokenServer) counts() (issued, api int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issued, s.api
}

func verifyES256(jwt string, key *ecdsa.PublicKey) (map[string]any, error) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return nil, errors.New("not a JWT")
	}
	var header map[string]string
	h, _ := base64.RawURLEncoding.DecodeString(parts[0])
	if json.Unmarshal(h, &header) != nil || header["alg"] != "ES256" {
		return nil, fmt.Errorf("header %s", h)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return nil, errors.New("signature is not 64 raw bytes")
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	if !ecdsa.Verify(key, digest[:], r, s) {
		return nil, errors.New("bad signature")
	}
	var claims map[string]any
	p, _ := base64.RawURLEncoding.DecodeString(parts[1])
	return claims, json.Unmarshal(p, &claims)
}

func newOAuthNode(t *testing.T, ttl int) (*tokenServer, *fakeNode, *pexip.Client, *time.Time) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	ts := &tokenServer{t: t, key: &key.PublicKey, clientID: "client-1", ttl: ttl,
		valid: map[string]bool{}, jtiSeen: map[string]bool{}}
	node := newFakeNode(t, ts.handle)
	c := newClient(t, node.URL, func(cfg *pexip.Config) {
		cfg.Username, cfg.Password = "", ""
		cfg.OAuth = &pexip.OAuthConfig{ClientID: "client-1", PrivateKeyPEM: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})}
	})
	now := time.Now()
	pexip.SetOAuthClock(c, func() time.Time { return now })
	return ts, node, c, &now
}

func TestOAuthToken(t *testing.T) {
	ts, node, c, now := newOAuthNode(t, 3600)
	ctx := context.Background()
	for range 3 {
		if _, err := c.Alarms(ctx); err != nil {
			t.Fatalf("Alarms: %v", err)
		}
	}
	if issued, api := ts.counts(); issued != 1 || api != 3 {
		t.Errorf("tokens issued = %d, API requests = %d; want 1 and 3 (token cached)", issued, api)
	}
	aud := node.URL + "/oauth/token/"
	if ts.claims["iss"] != "client-1" || ts.claims["sub"] != "client-1" || ts.claims["aud"] != aud {
		t.Errorf("claims = %v", ts.claims)
	}
	iat, _ := ts.claims["iat"].(float64)
	exp, _ := ts.claims["exp"].(float64)
	if exp <= iat {
		t.Errorf("exp %v not after iat %v", exp, iat)
	}

	// Less than five minutes before expiry the token is renewed.
	*now = now.Add(56 * time.Minute)
	if _, err := c.Alarms(ctx); err != nil {
		t.Fatal(err)
	}
	if issued, _ := ts.counts(); issued != 2 {
		t.Errorf("tokens issued = %d after 56 minutes, want 2", issued)
	}

	// A token the node revoked is replaced once, on the 401.
	ts.revokeAll()
	if _, err := c.Alarms(ctx); err != nil {
		t.Fatalf("after revocation: %v", err)
	}
	if issued, api := ts.counts(); issued != 3 || api != 6 {
		t.Errorf("tokens issued = %d, API requests = %d; want 3 and 6", issued, api)
	}
	for _, r := range node.requests() {
		if r.Path == "/oauth/token/" && (r.Auth != "" || r.ContentType != "application/x-www-form-urlencoded") {
			t.Errorf("token request auth %q content type %q", r.Auth, r.ContentType)
		}
		if r.Path != "/oauth/token/" && !strings.HasPrefix(r.Auth, "Bearer ") {
			t.Errorf("API request auth %q", r.Auth)
		}
	}
}

func TestOAuthRefusedClient(t *testing.T) {
	ts, node, c, _ := newOAuthNode(t, 3600)
	ts.refuse = true
	err := c.MuteParticipant(context.Background(), "p")
	if !errors.Is(err, pexip.ErrUnauthorized) {
		t.Errorf("err = %v, want ErrUnauthorized", err)
	}
	for _, r := range node.requests() {
		if r.Path != "/oauth/token/" {
			t.Errorf("a command was sent without a token: %s", r.Path)
		}
	}
}

func TestOAuthStill401AfterRefresh(t *testing.T) {
	ts, _, c, _ := newOAuthNode(t, 3600)
	// The node issues tokens but refuses them all (the client lacks the API role).
	ts.handleAPI401 = true
	err := c.LockConference(context.Background(), "c1")
	if !errors.Is(err, pexip.ErrUnauthorized) {
		t.Errorf("err = %v, want ErrUnauthorized", err)
	}
	if issued, api := ts.counts(); issued != 2 || api != 2 {
		t.Errorf("tokens issued = %d, API requests = %d; want 2 and 2 (one refresh, no loop)", issued, api)
	}
}

func TestOAuthKeyFormats(t *testing.T) {
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	sec1, _ := x509.MarshalECPrivateKey(p256)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(p256)
	pkcs8P384, _ := x509.MarshalPKCS8PrivateKey(p384)
	tests := []struct {
		name   string
		pem    []byte
		wantOK bool
	}{
		{"SEC 1 P-256", pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1}), true},
		{"PKCS 8 P-256", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), true},
		{"P-384 is not ES256", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8P384}), false},
		{"certificate", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}}), false},
		{"not PEM", []byte("hello"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := pexip.New(pexip.Config{URL: "https://127.0.0.1", OAuth: &pexip.OAuthConfig{ClientID: "c", PrivateKeyPEM: tt.pem}})
			if (err == nil) != tt.wantOK {
				t.Errorf("New: %v, want ok %v", err, tt.wantOK)
			}
		})
	}
}
