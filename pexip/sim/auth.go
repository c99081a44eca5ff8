package sim

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"
)

// tokenLifetime is how long an OAuth2 access token is valid, as on a real node.
const tokenLifetime = time.Hour

// authenticator checks HTTP Basic credentials and Bearer tokens, and issues tokens for
// OAuth2 client credentials with an ES256 JWT assertion.
type authenticator struct {
	users   map[string]string
	clients map[string]*ecdsa.PublicKey
	now     func() time.Time

	mu     sync.Mutex
	tokens map[string]time.Time // access token -> expiry
	jtis   map[string]time.Time // seen assertion ids -> their expiry
}

func newAuthenticator(users map[string]string, clients map[string]*ecdsa.PublicKey) *authenticator {
	return &authenticator{users: users, clients: clients, now: time.Now,
		tokens: map[string]time.Time{}, jtis: map[string]time.Time{}}
}

// check reports whether r carries valid Basic credentials or a live Bearer token.
func (a *authenticator) check(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	if tok, ok := strings.CutPrefix(h, "Bearer "); ok {
		a.mu.Lock()
		defer a.mu.Unlock()
		exp, found := a.tokens[strings.TrimSpace(tok)]
		return found && a.now().Before(exp)
	}
	user, pass, ok := r.BasicAuth()
	if !ok {
		return false
	}
	want, known := a.users[user]
	// Compare even for unknown users so that timing does not tell which users exist.
	match := subtle.ConstantTimeCompare([]byte(pass), []byte(want)) == 1
	return known && match
}

// oauthError is an RFC 6749 error answer.
type oauthError struct {
	status int
	code   string
	desc   string
}

// handleToken serves POST /oauth/token/ (grant_type=client_credentials with a JWT bearer
// client assertion).
func (a *authenticator) handleToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, []string{"post"})
		return
	}
	tok, oerr := a.issue(r)
	if oerr != nil {
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, oerr.status, map[string]string{"error": oerr.code, "error_description": oerr.desc})
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "Bearer",
		"expires_in": int(tokenLifetime.Seconds())})
}

func (a *authenticator) issue(r *http.Request) (string, *oauthError) {
	if err := r.ParseForm(); err != nil {
		return "", &oauthError{400, "invalid_request", "the body is not form-encoded"}
	}
	if g := r.PostForm.Get("grant_type"); g != "client_credentials" {
		return "", &oauthError{400, "unsupported_grant_type", "only client_credentials is supported"}
	}
	if r.PostForm.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
		return "", &oauthError{400, "invalid_request", "client_assertion_type must be jwt-bearer"}
	}
	c, oerr := a.verify(r.PostForm.Get("client_assertion"), tokenURL(r))
	if oerr != nil {
		return "", oerr
	}
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	for k, exp := range a.jtis {
		if now.After(exp) {
			delete(a.jtis, k)
		}
	}
	if _, seen := a.jtis[c.JTI]; seen {
		return "", &oauthError{400, "invalid_grant", "the assertion has been used before"}
	}
	a.jtis[c.JTI] = time.Unix(int64(c.Exp), 0)
	for k, exp := range a.tokens {
		if now.After(exp) {
			delete(a.tokens, k)
		}
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	tok := hex.EncodeToString(b)
	a.tokens[tok] = now.Add(tokenLifetime)
	return tok, nil
}

func tokenURL(r *http.Request) string { return absolute(r, "/oauth/token/") }

// claims are the parts of a client assertion the token endpoint checks.
type claims struct {
	Iss string  `json:"iss"`
	Sub string  `json:"sub"`
	Aud any     `json:"aud"` // a string or a list of strings
	Exp float64 `json:"exp"`
	JTI string  `json:"jti"`
}

// verify checks the assertion's ES256 signature against the client's key and its claims.
func (a *authenticator) verify(assertion, aud string) (*claims, *oauthError) {
	bad := func(desc string) *oauthError { return &oauthError{401, "invalid_client", desc} }
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		return nil, bad("the client assertion is not a JWT")
	}
	var header struct{ Alg string }
	var raw claims
	if decodeSegment(parts[0], &header) != nil || decodeSegment(parts[1], &raw) != nil {
		return nil, bad("the client assertion cannot be read")
	}
	if header.Alg != "ES256" {
		return nil, bad("the client assertion must be signed with ES256")
	}
	key := a.clients[raw.Iss]
	if key == nil || raw.Sub != raw.Iss {
		return nil, bad("unknown client")
	}
	if !verifyES256(key, parts[0]+"."+parts[1], parts[2]) {
		return nil, bad("the client assertion signature is not valid")
	}
	switch {
	case !audienceHas(raw.Aud, aud):
		return nil, &oauthError{400, "invalid_grant", "the assertion's audience is not this token endpoint"}
	case float64(a.now().Unix()) >= raw.Exp:
		return nil, &oauthError{400, "invalid_grant", "the assertion has expired"}
	case raw.JTI == "":
		return nil, &oauthError{400, "invalid_grant", "the assertion has no jti"}
	}
	return &raw, nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func verifyES256(key *ecdsa.PublicKey, signed, sig string) bool {
	b, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || len(b) != 64 {
		return false
	}
	sum := sha256.Sum256([]byte(signed))
	r, s := new(big.Int).SetBytes(b[:32]), new(big.Int).SetBytes(b[32:])
	return ecdsa.Verify(key, sum[:], r, s)
}

func audienceHas(aud any, want string) bool {
	switch v := aud.(type) {
	case string:
		return v == want
	case []any:
		for _, e := range v {
			if s, ok := e.(string); ok && s == want {
				return true
			}
		}
	}
	return false
}
