package static

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestAssetsServeHashedPaths(t *testing.T) {
	a, err := New()
	if err != nil {
		t.Fatal(err)
	}
	p := a.Path("css/app.css")
	if !strings.HasPrefix(p, Prefix) || strings.Contains(p, "missing") {
		t.Fatalf("Path = %q, want a hashed /static/ path", p)
	}

	tests := []struct {
		name, url   string
		status      int
		cacheHeader string
	}{
		{"current hash is immutable", p, http.StatusOK, "public, max-age=31536000, immutable"},
		{"old hash still served, uncached", Prefix + "000000000000/css/app.css", http.StatusOK, "no-cache"},
		{"unknown file", Prefix + "000000000000/css/nope.css", http.StatusNotFound, ""},
		{"no traversal", Prefix + "x/../static.go", http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			a.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.url, nil))
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d", rec.Code, tt.status)
			}
			if got := rec.Header().Get("Cache-Control"); got != tt.cacheHeader {
				t.Errorf("Cache-Control = %q, want %q", got, tt.cacheHeader)
			}
		})
	}
}
