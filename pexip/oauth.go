package pexip

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

const (
	clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	tokenRefreshMargin  = 5 * time.Minute
	assertionLifetime   = 5 * time.Minute
	defaultTokenTTL     = time.Hour
)

// oauthAuth fetches and caches an access token with the client-credentials grant, proving the
// client's identity with an ES256-signed JWT (fact sheet §10.2).
type oauthAuth struct {
	c        *Client
	clientID string
	key      *ecdsa.PrivateKey
	tokenURL *url.URL
	scope    string
	now      func() time.Time

	lock chan struct{} // a mutex that a waiting caller can abandon when its context ends

	mu      sync.Mutex // guards token and refresh, read by secrets without the lock
	token   string
	refresh time.Time // when to fetch a new token
}

func newOAuth(c *Client, cfg OAuthConfig) (*oauthAuth, error) {
	if cfg.ClientID == "" {
		return nil, errors.New("pexip: oauth: client id is empty")
	}
	key, err := parseECKey(cfg.PrivateKeyPEM)
	if err != nil {
		return nil, err
	}
	raw := cfg.TokenURL
	if raw == "" {
		raw = c.base.String() + "/oauth/token/"
	}
	tokenURL, err := url.Parse(raw)
	if err != nil || (tokenURL.Scheme != "https" && tokenURL.Scheme != "http") || tokenURL.Host == "" {
		return nil, errors.New("pexip: oauth: invalid token URL")
	}
	return &oauthAuth{
		c: c, clientID: cfg.ClientID, key: key, tokenURL: tokenURL, scope: cfg.Scope,
		now: time.Now, lock: make(chan struct{}, 1),
	}, nil
}

// parseECKey reads a P-256 private key in SEC 1 or PKCS #8 PEM.
func parseECKey(pemData []byte) (*ecdsa.PrivateKey, error) {
	block, _ := pem.Decode(pemData)
	if block == nil {
		return nil, errors.New("pexip: oauth: private key is not PEM")
	}
	var key *ecdsa.PrivateKey
	switch block.Type {
	case "EC PRIVATE KEY":
		k, err := x509.ParseECPrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("pexip: oauth: cannot parse EC private key")
		}
		key = k
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		ec, ok := k.(*ecdsa.PrivateKey)
		if err != nil || !ok {
			return nil, errors.New("pexip: oauth: private key is not an EC key")
		}
		key = ec
	default:
		return nil, fmt.Errorf("pexip: oauth: unsupported PEM block %q", block.Type)
	}
	if key.Curve != elliptic.P256() {
		return nil, errors.New("pexip: oauth: private key must be on curve P-256 for ES256")
	}
	return key, nil
}

func (o *oauthAuth) refreshable() bool { return true }

// invalidate drops the cached token if it is the one in used, so that several requests
// refused at once lead to one new token, not one each.
func (o *oauthAuth) invalidate(used string) {
	o.mu.Lock()
	if used == "Bearer "+o.token {
		o.token = ""
	}
	o.mu.Unlock()
}

func (o *oauthAuth) secrets() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return []string{o.token}
}

func (o *oauthAuth) cached() (string, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.token, o.token != "" && o.now().Before(o.refresh)
}

// header returns "Bearer <token>", fetching a token when none is cached or it expires within
// five minutes. Concurrent callers wait for one fetch.
func (o *oauthAuth) header(ctx context.Context) (string, error) {
	if tok, ok := o.cached(); ok {
		return "Bearer " + tok, nil
	}
	select {
	case o.lock <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-o.lock }()
	if tok, ok := o.cached(); ok {
		return "Bearer " + tok, nil
	}
	tok, ttl, err := o.fetch(ctx)
	if err != nil {
		return "", err
	}
	margin := min(tokenRefreshMargin, ttl/2)
	o.mu.Lock()
	o.token, o.refresh = tok, o.now().Add(ttl-margin)
	o.mu.Unlock()
	return "Bearer " + tok, nil
}

// tokenResponse is RFC 6749's token response.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   Int    `json:"expires_in"`
}

func (o *oauthAuth) fetch(ctx context.Context) (string, time.Duration, error) {
	assertion, err := o.assertion()
	if err != nil {
		return "", 0, err
	}
	form := url.Values{
		"grant_type":            {"client_credentials"},
		"client_assertion_type": {clientAssertionType},
		"client_assertion":      {assertion},
	}
	if o.scope != "" {
		form.Set("scope", o.scope)
	}
	resp, err := o.c.postForm(ctx, o.tokenURL, form)
	if err != nil {
		return "", 0, fmt.Errorf("oauth token: %w", err)
	}
	var tr tokenResponse
	if err := json.Unmarshal(resp.body, &tr); err != nil || tr.AccessToken == "" {
		return "", 0, errors.New("pexip: oauth token: response has no access_token")
	}
	if !strings.EqualFold(tr.TokenType, "bearer") {
		return "", 0, fmt.Errorf("pexip: oauth token: unsupported token type %q", tr.TokenType)
	}
	ttl := time.Duration(tr.ExpiresIn) * time.Second
	if ttl <= 0 {
		ttl = defaultTokenTTL
	}
	return tr.AccessToken, ttl, nil
}

// assertion builds the signed JWT: iss = sub = client id, aud = the token URL, a short
// lifetime and a random jti so that the node can refuse replays.
func (o *oauthAuth) assertion() (string, error) {
	jti := make([]byte, 18)
	if _, err := rand.Read(jti); err != nil {
		return "", fmt.Errorf("pexip: oauth: random jti: %w", err)
	}
	now := o.now()
	claims := map[string]any{
		"iss": o.clientID, "sub": o.clientID, "aud": o.tokenURL.String(),
		"iat": now.Unix(), "exp": now.Add(assertionLifetime).Unix(), "jti": hex.EncodeToString(jti),
	}
	return signES256(o.key, claims)
}

// signES256 returns header.claims.signature with the raw 64-byte R||S signature JWS uses.
func signES256(key *ecdsa.PrivateKey, claims map[string]any) (string, error) {
	header, err := json.Marshal(map[string]string{"alg": "ES256", "typ": "JWT"})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	signingInput := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	digest := sha256.Sum256([]byte(signingInput))
	r, s, err := ecdsa.Sign(rand.Reader, key, digest[:])
	if err != nil {
		return "", fmt.Errorf("pexip: oauth: sign assertion: %w", err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return signingInput + "." + enc.EncodeToString(sig), nil
}

// postForm sends the token request within the in-flight bound. It is never retried and
// carries no Authorization header.
func (c *Client) postForm(ctx context.Context, u *url.URL, form url.Values) (*response, error) {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-c.sem }()
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	start := time.Now()
	resp, err := c.send(req)
	c.record(ctx, http.MethodPost, "oauth/token", resp, err, time.Since(start))
	if err != nil {
		return nil, err
	}
	if resp.status < 200 || resp.status > 299 {
		e := c.newAPIError(resp)
		if resp.status == http.StatusBadRequest || resp.status == http.StatusUnauthorized {
			e.kind = ErrUnauthorized
		}
		return nil, e
	}
	return resp, nil
}
