package sim

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestBasicAuth(t *testing.T) {
	f := newFixture(t, Options{Users: map[string]string{"ops": "right"}})
	tests := []struct {
		name       string
		user, pass string
		want       int
	}{
		{"right", "ops", "right", 200},
		{"wrong password", "ops", "wrong", 401},
		{"unknown user", "admin", "pexops-sim", 401},
		{"none", "", "", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", f.srv.URL+cfg+"conference/", nil)
			if tt.user != "" {
				req.SetBasicAuth(tt.user, tt.pass)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.want)
			}
			if tt.want == 401 && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic realm=") {
				t.Errorf("WWW-Authenticate = %q", resp.Header.Get("WWW-Authenticate"))
			}
		})
	}
}

// assertion signs a client assertion as PEXSHELL does: ES256, iss = sub = client id.
func assertion(t *testing.T, key *ecdsa.PrivateKey, claims map[string]any) string {
	t.Helper()
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	signed := enc(map[string]string{"alg": "ES256", "typ": "JWT"}) + "." + enc(claims)
	sum := sha256.Sum256([]byte(signed))
	r, s, err := ecdsa.Sign(rand.Reader, key, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func TestOAuthFlow(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	f := newFixture(t, Options{OAuthClients: map[string]*ecdsa.PublicKey{"client-1": &key.PublicKey}})
	tokenURL := f.srv.URL + "/oauth/token/"
	claims := func(mod func(map[string]any)) map[string]any {
		c := map[string]any{"iss": "client-1", "sub": "client-1", "aud": tokenURL,
			"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix(),
			"jti": base64.RawURLEncoding.EncodeToString([]byte(time.Now().String()))}
		if mod != nil {
			mod(c)
		}
		return c
	}
	post := func(form url.Values) (int, map[string]any) {
		resp, err := http.PostForm(tokenURL, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body
	}
	grant := func(jwt string) url.Values {
		return url.Values{"grant_type": {"client_credentials"},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
			"client_assertion":      {jwt}}
	}

	good := assertion(t, key, claims(nil))
	st, body := post(grant(good))
	if st != 200 || body["token_type"] != "Bearer" || body["expires_in"] != 3600.0 || body["access_token"] == "" {
		t.Fatalf("token: %d %v", st, body)
	}
	req, _ := http.NewRequest("GET", f.srv.URL+cfg+"conference/?limit=1", nil)
	req.Header.Set("Authorization", "Bearer "+body["access_token"].(string))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("API with the token: %d", resp.StatusCode)
	}

	tests := []struct {
		name  string
		form  url.Values
		want  int
		error string
	}{
		{"replayed jti", grant(good), 400, "invalid_grant"},
		{"wrong key", grant(assertion(t, other, claims(nil))), 401, "invalid_client"},
		{"unknown client", grant(assertion(t, key, claims(func(c map[string]any) { c["iss"], c["sub"] = "x", "x" }))), 401, "invalid_client"},
		{"sub differs", grant(assertion(t, key, claims(func(c map[string]any) { c["sub"] = "x" }))), 401, "invalid_client"},
		{"wrong audience", grant(assertion(t, key, claims(func(c map[string]any) { c["aud"] = "https://elsewhere/oauth/token/" }))), 400, "invalid_grant"},
		{"expired", grant(assertion(t, key, claims(func(c map[string]any) { c["exp"] = time.Now().Add(-time.Minute).Unix() }))), 400, "invalid_grant"},
		{"not a JWT", grant("abc"), 401, "invalid_client"},
		{"password grant", url.Values{"grant_type": {"password"}}, 400, "unsupported_grant_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, body := post(tt.form)
			if st != tt.want || body["error"] != tt.error {
				t.Errorf("got %d %v, want %d %s", st, body, tt.want, tt.error)
			}
		})
	}

	req.Header.Set("Authorization", "Bearer not-a-token")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if diff := cmp.Diff(401, resp.StatusCode); diff != "" {
		t.Errorf("unknown token (-want +got):\n%s", diff)
	}
}
