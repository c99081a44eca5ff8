package pexip

import (
	"net/http"
	"testing"
	"time"
)

func TestBackoffDelay(t *testing.T) {
	b := defaultBackoff()
	for attempt := range 10 {
		want := min(b.base<<attempt, b.max)
		for range 50 {
			d := b.delay(attempt, 0)
			if d < want/2 || d > want {
				t.Fatalf("delay(%d) = %v, want in [%v, %v]", attempt, d, want/2, want)
			}
		}
	}
	if d := b.delay(0, 4*time.Second); d != 4*time.Second {
		t.Errorf("delay with Retry-After 4s = %v", d)
	}
	if d := b.delay(0, time.Hour); d != b.maxRetryAfter {
		t.Errorf("delay with Retry-After 1h = %v, want the cap %v", d, b.maxRetryAfter)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"5", 5 * time.Second},
		{" 120 ", 2 * time.Minute},
		{"-3", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"soon", 0},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestMetricResource(t *testing.T) {
	tests := []struct{ in, want string }{
		{"status/v1/participant/", "status/v1/participant"},
		{"/api/admin/status/v1/participant/", "status/v1/participant"},
		{"status/v1/participant/0f3a-uuid/", "status/v1/participant"},
		{"status/v1/participant/0f3a-uuid/media_stream/", "status/v1/participant/media_stream"},
		{"status/v1/worker_vm/3/statistics/", "status/v1/worker_vm/statistics"},
		{"configuration/v1/conference/schema/", "configuration/v1/conference/schema"},
		{"command/v1/participant/mute/", "command/v1/participant/mute"},
	}
	for _, tt := range tests {
		if got := metricResource(tt.in); got != tt.want {
			t.Errorf("metricResource(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestBaseURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://mgr.example.com", "https://mgr.example.com"},
		{"https://mgr.example.com/", "https://mgr.example.com"},
		{"https://mgr.example.com:8443/api/admin/", "https://mgr.example.com:8443"},
		{" https://10.0.0.5 ", "https://10.0.0.5"},
		{"https://proxy.example.com/pexip", "https://proxy.example.com/pexip"},
	}
	for _, tt := range tests {
		u, err := parseBase(tt.in)
		if err != nil || u.String() != tt.want {
			t.Errorf("parseBase(%q) = %v, %v; want %q", tt.in, u, err, tt.want)
		}
	}
}
