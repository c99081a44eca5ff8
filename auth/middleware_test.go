package auth

import (
	"errors"
	"net/http"
	"testing"
)

func TestSafeNext(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"/live", "/live"},
		{"/live?conference=VMR%201&x=2", "/live?conference=VMR%201&x=2"},
		{"/services/12#aliases", "/services/12#aliases"},
		{"/", "/"},
		{"", "/"},
		{"live", "/"},
		{"//evil.example", "/"},
		{"//evil.example/path", "/"},
		{"/\\evil.example", "/"},
		{"\\\\evil.example", "/"},
		{"/live\\..\\x", "/"},
		{"https://evil.example/", "/"},
		{"javascript:alert(1)", "/"},
		{"/%2F%2Fevil.example", "/"},
		{"/%5Cevil.example", "/"},
		{"/\t/evil.example", "/"},
		{"/%09/evil.example", "/"},
		{"/\r\nSet-Cookie: x=1", "/"},
		{"/%0d%0aSet-Cookie:x", "/"},
		{" /live", "/"},
		{"/%zz", "/"},
	}
	for _, tt := range tests {
		if got := SafeNext(tt.in); got != tt.want {
			t.Errorf("SafeNext(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLoginRedirectsToSafeNext(t *testing.T) {
	r := newRig(t, SessionsConfig{})
	for next, want := range map[string]string{"/live?c=1": "/live?c=1", "//evil.example": "/"} {
		req := r.loginRequest("username=vera&password=vera-pw&next=" + next)
		if got := r.do(req).Header().Get("Location"); got != want {
			t.Errorf("login with next=%q redirected to %q, want %q", next, got, want)
		}
	}
}

func TestRequireRole(t *testing.T) {
	r := newRig(t, SessionsConfig{})
	cookies := map[string]*http.Cookie{"vera": r.login("vera"), "otto": r.login("otto"), "ada": r.login("ada")}
	tests := []struct {
		user, method, path string
		want               int
	}{
		{"vera", http.MethodGet, "/page", http.StatusOK},
		{"vera", http.MethodGet, "/admin", http.StatusForbidden},
		{"vera", http.MethodPost, "/moderate", http.StatusForbidden},
		{"otto", http.MethodPost, "/moderate", http.StatusOK},
		{"otto", http.MethodGet, "/admin", http.StatusForbidden},
		{"ada", http.MethodGet, "/admin", http.StatusOK},
		{"ada", http.MethodPost, "/moderate", http.StatusOK},
	}
	for _, tt := range tests {
		req := formRequest(tt.method, tt.path, "")
		req.AddCookie(cookies[tt.user])
		req.Header.Set(CSRFHeader, r.session(cookies[tt.user]).CSRFToken)
		rec := r.do(req)
		if rec.Code != tt.want {
			t.Errorf("%s %s %s: status %d, want %d", tt.user, tt.method, tt.path, rec.Code, tt.want)
		}
		if tt.want == http.StatusForbidden && !errors.Is(r.lastErr, ErrForbidden) {
			t.Errorf("%s %s: error %v, want ErrForbidden", tt.user, tt.path, r.lastErr)
		}
	}
}
