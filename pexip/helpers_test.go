package pexip_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"pexops/pexip"
)

const (
	testUser     = "admin"
	testPassword = "s3cret-Pa55word"
)

// seen is one request as the fake node received it.
type seen struct {
	Method, Path, Query, Auth, ContentType string
	Body                                   []byte
}

// fakeNode is an httptest server that records every request and answers with handle.
type fakeNode struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []seen
}

func newFakeNode(t *testing.T, handle http.HandlerFunc) *fakeNode {
	t.Helper()
	f := &fakeNode{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.reqs = append(f.reqs, seen{
			Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
			Auth: r.Header.Get("Authorization"), ContentType: r.Header.Get("Content-Type"), Body: body,
		})
		f.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		handle(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeNode) requests() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.reqs...)
}

func (f *fakeNode) count() int { return len(f.requests()) }

// newClient returns a client for url with the test credentials; edit adjusts the config.
func newClient(t *testing.T, url string, edit ...func(*pexip.Config)) *pexip.Client {
	t.Helper()
	cfg := pexip.Config{URL: url, Username: testUser, Password: testPassword, Timeout: 5 * time.Second}
	for _, e := range edit {
		e(&cfg)
	}
	c, err := pexip.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(c.Close)
	pexip.SetSleep(c, func(context.Context, time.Duration) error { return nil })
	return c
}

// sleeps records the retry waits a client asks for instead of sleeping.
type sleeps struct {
	mu   sync.Mutex
	d    []time.Duration
	then func() // optional, run after recording
}

func (s *sleeps) install(c *pexip.Client) {
	pexip.SetSleep(c, func(_ context.Context, d time.Duration) error {
		s.mu.Lock()
		s.d = append(s.d, d)
		then := s.then
		s.mu.Unlock()
		if then != nil {
			then()
		}
		return nil
	})
}

func (s *sleeps) waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// logBuffer is a concurrency-safe buffer for a captured slog handler.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func debugLogger(buf *logBuffer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
