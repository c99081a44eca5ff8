package pexip_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"pexops/pexip"
)

func TestNewRefusesBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  pexip.Config
	}{
		{"no scheme", pexip.Config{URL: "mgr.example.com"}},
		{"ftp", pexip.Config{URL: "ftp://mgr.example.com"}},
		{"no host", pexip.Config{URL: "https://"}},
		{"credentials in URL", pexip.Config{URL: "https://admin:pw@mgr.example.com"}},
		{"query", pexip.Config{URL: "https://mgr.example.com/?x=1"}},
		{"missing CA file", pexip.Config{URL: "https://127.0.0.1", CAFile: filepath.Join(t.TempDir(), "none.pem")}},
		{"OAuth without key", pexip.Config{URL: "https://127.0.0.1", OAuth: &pexip.OAuthConfig{ClientID: "x"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := pexip.New(tt.cfg); err == nil {
				t.Error("New accepted the config")
			} else if strings.Contains(err.Error(), "pw@") {
				t.Errorf("error repeats credentials: %v", err)
			}
		})
	}
}

func TestAPIErrors(t *testing.T) {
	tests := []struct {
		name             string
		status           int
		header           map[string]string
		body             string
		wantMessage      string
		wantFields       map[string][]string
		wantNotFound     bool
		wantUnauthorized bool
		wantRetryAfter   time.Duration
	}{
		{name: "404 empty", status: 404, wantNotFound: true},
		{name: "404 detail", status: 404, body: `{"detail": "Not found"}`, wantMessage: "Not found", wantNotFound: true},
		{name: "401", status: 401, header: map[string]string{"WWW-Authenticate": `Basic Realm="x"`}, wantUnauthorized: true},
		{name: "403", status: 403, body: `{"error": "Permission denied"}`, wantMessage: "Permission denied", wantUnauthorized: true},
		{
			name: "validation", status: 400,
			body:        `{"conference": {"name": ["Virtual Meeting Room with this Name already exists."], "__all__": ["PINs must differ."]}}`,
			wantFields:  map[string][]string{"name": {"Virtual Meeting Room with this Name already exists."}, "__all__": {"PINs must differ."}},
			wantMessage: "",
		},
		{name: "unwrapped field errors", status: 400, body: `{"pin": ["Too short."]}`, wantFields: map[string][]string{"pin": {"Too short."}}},
		{name: "filter error", status: 400, body: `{"error": "The 'vendor' field does not allow filtering."}`, wantMessage: "The 'vendor' field does not allow filtering."},
		{name: "500 canned", status: 500, body: `{"error_message": "Sorry, this request could not be processed. Please try again later."}`,
			wantMessage: "Sorry, this request could not be processed. Please try again later."},
		{name: "message key", status: 409, body: `{"message": "busy"}`, wantMessage: "busy"},
		{name: "html page", status: 502, body: `<html><body>Bad gateway</body></html>`},
		{name: "plain text", status: 500, body: `Internal error`, wantMessage: "Internal error"},
		{name: "429 seconds", status: 429, header: map[string]string{"Retry-After": "7"}, wantRetryAfter: 7 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			node := newFakeNode(t, func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			})
			c := newClient(t, node.URL, func(cfg *pexip.Config) { cfg.Retries = -1 })
			err := c.Get(context.Background(), "configuration/v1/conference/1/", &pexip.Service{})
			apiErr, ok := errors.AsType[*pexip.APIError](err)
			if !ok {
				t.Fatalf("err = %v, want *APIError", err)
			}
			if apiErr.Status != tt.status || apiErr.Message != tt.wantMessage || apiErr.RetryAfter != tt.wantRetryAfter {
				t.Errorf("got status %d message %q retry %v, want %d %q %v",
					apiErr.Status, apiErr.Message, apiErr.RetryAfter, tt.status, tt.wantMessage, tt.wantRetryAfter)
			}
			if diff := cmp.Diff(tt.wantFields, apiErr.Fields); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
			if errors.Is(err, pexip.ErrNotFound) != tt.wantNotFound {
				t.Errorf("Is(ErrNotFound) = %v", !tt.wantNotFound)
			}
			if errors.Is(err, pexip.ErrUnauthorized) != tt.wantUnauthorized {
				t.Errorf("Is(ErrUnauthorized) = %v", !tt.wantUnauthorized)
			}
			if string(apiErr.Body) != tt.body {
				t.Errorf("Body = %q, want %q", apiErr.Body, tt.body)
			}
		})
	}
}

func TestAPIErrorBodyIsCapped(t *testing.T) {
	node := newFakeNode(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(500)
		w.Write([]byte(strings.Repeat("x", 1<<20)))
	})
	c := newClient(t, node.URL, func(cfg *pexip.Config) { cfg.Retries = -1 })
	err := c.Get(context.Background(), "status/v1/alarm/", nil)
	apiErr, ok := errors.AsType[*pexip.APIError](err)
	if !ok || len(apiErr.Body) != 64<<10 {
		t.Fatalf("err = %T, body %d bytes; want an APIError with 64 KiB", err, len(apiErr.Body))
	}
	if len(err.Error()) > 700 {
		t.Errorf("error string is %d bytes long", len(err.Error()))
	}
}

// flaky answers the first len(statuses) requests with those statuses, then 200 with a page.
func flaky(statuses []int, header map[string]string) http.HandlerFunc {
	var n atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if i < len(statuses) {
			for k, v := range header {
				w.Header().Set(k, v)
			}
			w.WriteHeader(statuses[i])
			return
		}
		writeJSON(w, 200, map[string]any{"meta": map[string]any{"total_count": 1}, "objects": []map[string]any{{"id": 1, "name": "VMR"}}})
	}
}

func TestReadRetries(t *testing.T) {
	httpDate := time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat)
	tests := []struct {
		name      string
		statuses  []int
		header    map[string]string
		retries   int
		wantReqs  int
		wantErr   int // status of the final error, 0 for success
		wantWaits []time.Duration
	}{
		{name: "429 with Retry-After seconds", statuses: []int{429}, header: map[string]string{"Retry-After": "2"},
			wantReqs: 2, wantWaits: []time.Duration{2 * time.Second}},
		{name: "Retry-After is capped", statuses: []int{429}, header: map[string]string{"Retry-After": "3600"},
			wantReqs: 2, wantWaits: []time.Duration{30 * time.Second}},
		{name: "503 then 502 then 504", statuses: []int{503, 502, 504}, wantReqs: 4},
		{name: "gives up after 3 retries", statuses: []int{503, 503, 503, 503, 503}, wantReqs: 4, wantErr: 503},
		{name: "Retries -1 means none", statuses: []int{503}, retries: -1, wantReqs: 1, wantErr: 503},
		{name: "Retries 1", statuses: []int{503, 503}, retries: 1, wantReqs: 2, wantErr: 503},
		{name: "500 is not retried", statuses: []int{500}, wantReqs: 1, wantErr: 500},
		{name: "404 is not retried", statuses: []int{404}, wantReqs: 1, wantErr: 404},
		{name: "401 is not retried", statuses: []int{401}, wantReqs: 1, wantErr: 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			node := newFakeNode(t, flaky(tt.statuses, tt.header))
			c := newClient(t, node.URL, func(cfg *pexip.Config) { cfg.Retries = tt.retries })
			var s sleeps
			s.install(c)
			_, err := c.Services(context.Background(), nil)
			if got := statusOf(asAPI(err)); got != tt.wantErr {
				t.Errorf("final status = %d (err %v), want %d", got, err, tt.wantErr)
			}
			if n := node.count(); n != tt.wantReqs {
				t.Errorf("requests = %d, want %d", n, tt.wantReqs)
			}
			waits := s.waits()
			if tt.wantWaits != nil {
				if diff := cmp.Diff(tt.wantWaits, waits); diff != "" {
					t.Errorf("waits (-want +got):\n%s", diff)
				}
			}
			for i, w := range waits {
				if w <= 0 || w > 30*time.Second {
					t.Errorf("wait %d = %v, out of (0, 30s]", i, w)
				}
			}
		})
	}
	t.Run("429 with Retry-After HTTP date", func(t *testing.T) {
		node := newFakeNode(t, flaky([]int{429}, map[string]string{"Retry-After": httpDate}))
		c := newClient(t, node.URL)
		var s sleeps
		s.install(c)
		if _, err := c.Services(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		if w := s.waits(); len(w) != 1 || w[0] < time.Second || w[0] > 3*time.Second {
			t.Errorf("waits = %v, want one of about 3s", w)
		}
	})
}

func asAPI(err error) *pexip.APIError {
	e, _ := errors.AsType[*pexip.APIError](err)
	return e
}

func TestRetryRespectsDeadline(t *testing.T) {
	node := newFakeNode(t, flaky([]int{429, 429}, map[string]string{"Retry-After": "20"}))
	c := newClient(t, node.URL)
	var s sleeps
	s.install(c)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err := c.Services(ctx, nil)
	if e := asAPI(err); e == nil || e.Status != 429 || e.RetryAfter != 20*time.Second {
		t.Fatalf("err = %v, want the 429 with its Retry-After", err)
	}
	if n, w := node.count(), s.waits(); n != 1 || len(w) != 0 {
		t.Errorf("requests = %d, waits = %v; want 1 request and no wait past the deadline", n, w)
	}
}

func TestRetryOnNetworkError(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			// Drop the connection without an answer.
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
			return
		}
		writeJSON(w, 200, map[string]any{"objects": []any{}})
	}))
	defer srv.Close()
	c := newClient(t, srv.URL)
	if _, err := c.Alarms(context.Background()); err != nil {
		t.Fatalf("Alarms: %v", err)
	}
	if n.Load() != 2 {
		t.Errorf("requests = %d, want 2", n.Load())
	}
}

func TestInFlightBound(t *testing.T) {
	for _, limit := range []int{1, 3} {
		t.Run(http.StatusText(200)+"/"+string(rune('0'+limit)), func(t *testing.T) {
			var cur, peak atomic.Int32
			node := newFakeNode(t, func(w http.ResponseWriter, r *http.Request) {
				now := cur.Add(1)
				for {
					p := peak.Load()
					if now <= p || peak.CompareAndSwap(p, now) {
						break
					}
				}
				time.Sleep(30 * time.Millisecond)
				cur.Add(-1)
				writeJSON(w, 200, map[string]any{"objects": []any{}})
			})
			c := newClient(t, node.URL, func(cfg *pexip.Config) { cfg.MaxInFlight = limit })
			var wg sync.WaitGroup
			for range 8 {
				wg.Go(func() {
					if _, err := c.Conferences(context.Background()); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if got := int(peak.Load()); got != limit {
				t.Errorf("peak concurrent requests = %d, want %d", got, limit)
			}
		})
	}
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	node := newFakeNode(t, func(w http.ResponseWriter, r *http.Request) { <-release })
	defer close(release)
	c := newClient(t, node.URL, func(cfg *pexip.Config) {
		cfg.Timeout = 50 * time.Millisecond
		cfg.Retries = -1
	})
	start := time.Now()
	err := c.Get(context.Background(), "status/v1/licensing/", nil)
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline error", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Get took %v with a 50ms timeout", d)
	}
}

// tlsNode is an HTTPS node with httptest's self-signed certificate, its PEM in a file.
func tlsNode(t *testing.T) (*httptest.Server, string, *atomic.Int32) {
	t.Helper()
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"objects": []map[string]any{{"vmr_count": 3}}})
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(caFile, block, 0o600); err != nil {
		t.Fatal(err)
	}
	return srv, caFile, &conns
}

func TestTLSVerification(t *testing.T) {
	srv, caFile, conns := tlsNode(t)
	junk := filepath.Join(t.TempDir(), "junk.pem")
	os.WriteFile(junk, []byte("not a certificate"), 0o600)
	tests := []struct {
		name    string
		edit    func(*pexip.Config)
		wantNew bool // New fails
		wantErr bool // the request fails
	}{
		{name: "verifies by default", edit: func(*pexip.Config) {}, wantErr: true},
		{name: "CA file accepted", edit: func(c *pexip.Config) { c.CAFile = caFile }},
		{name: "explicit opt-out", edit: func(c *pexip.Config) { c.InsecureSkipVerify = true }},
		{name: "CA file without certificates", edit: func(c *pexip.Config) { c.CAFile = junk }, wantNew: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conns.Store(0)
			cfg := pexip.Config{URL: srv.URL, Username: testUser, Password: testPassword}
			tt.edit(&cfg)
			c, err := pexip.New(cfg)
			if tt.wantNew {
				if err == nil {
					t.Fatal("New accepted the config")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			lic, err := c.Licensing(context.Background())
			if tt.wantErr {
				if err == nil {
					t.Fatal("a self-signed certificate was accepted")
				}
				if n := conns.Load(); n != 1 {
					t.Errorf("connections = %d, want 1 (a refused certificate is not retried)", n)
				}
				return
			}
			if err != nil || lic.VMRCount != 3 {
				t.Fatalf("Licensing = %+v, %v", lic, err)
			}
		})
	}
}

func TestSecretsNeverLeak(t *testing.T) {
	basic := base64.StdEncoding.EncodeToString([]byte(testUser + ":" + testPassword))
	echo := func(w http.ResponseWriter, r *http.Request) {
		// A misbehaving node or proxy that echoes the request's credentials.
		writeJSON(w, 400, map[string]any{"error": "bad auth " + r.Header.Get("Authorization") + " pw=" + testPassword})
	}
	tests := []struct {
		name string
		h    http.HandlerFunc
	}{
		{"echoed in a 400", echo},
		{"401", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(401) }},
		{"login redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/accounts/login/?next="+r.URL.Path, http.StatusFound)
		}},
		{"echoed in a 503 body", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(503)
			w.Write([]byte(r.Header.Get("Authorization")))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			node := newFakeNode(t, tt.h)
			var logs logBuffer
			c := newClient(t, node.URL, func(cfg *pexip.Config) { cfg.Logger = debugLogger(&logs) })
			var errs []error
			_, err := c.Services(context.Background(), nil)
			errs = append(errs, err)
			errs = append(errs, c.MuteParticipant(context.Background(), "p"))
			_, err = c.Create(context.Background(), pexip.ResService, map[string]any{"name": "x"})
			errs = append(errs, err)
			for _, err := range errs {
				if err == nil {
					t.Fatal("want an error")
				}
				text := err.Error()
				if e := asAPI(err); e != nil {
					text += string(e.Body) + e.Message
				}
				for _, secret := range []string{testPassword, basic} {
					if strings.Contains(text, secret) {
						t.Errorf("error leaks a credential: %s", text)
					}
				}
			}
			out := logs.String()
			if !strings.Contains(out, `"resource":"configuration/v1/conference"`) {
				t.Errorf("no debug line per exchange in the log:\n%s", out)
			}
			for _, secret := range []string{testPassword, basic, "Authorization"} {
				if strings.Contains(out, secret) {
					t.Errorf("log leaks %q:\n%s", secret, out)
				}
			}
		})
	}
	t.Run("network error", func(t *testing.T) {
		node := newFakeNode(t, echo)
		node.Close()
		var logs logBuffer
		c := newClient(t, node.URL, func(cfg *pexip.Config) { cfg.Logger = debugLogger(&logs) })
		_, err := c.Services(context.Background(), nil)
		if err == nil || strings.Contains(err.Error(), testPassword) || strings.Contains(logs.String(), testPassword) {
			t.Errorf("err = %v, logs %s", err, logs.String())
		}
	})
}

func TestRedirects(t *testing.T) {
	tests := []struct {
		name             string
		method           string
		location         string
		status           int
		wantUnauthorized bool
		wantReqs         int
		wantOK           bool
	}{
		{name: "login page", method: "GET", location: "/accounts/login/?next=/api/admin/", status: 302, wantUnauthorized: true, wantReqs: 1},
		{name: "login page on a write", method: "POST", location: "/accounts/login/", status: 302, wantUnauthorized: true, wantReqs: 1},
		{name: "other path", method: "GET", location: "/api/admin/status/v1/other/", status: 301, wantReqs: 1},
		{name: "other host", method: "GET", location: "http://127.0.0.2:1/api/admin/configuration/v1/conference/", status: 301, wantReqs: 1},
		{name: "same path once", method: "GET", location: "/api/admin/configuration/v1/conference/", status: 301, wantReqs: 2, wantOK: true},
		{name: "temporary redirect", method: "GET", location: "/api/admin/configuration/v1/conference/", status: 302, wantReqs: 1},
		{name: "write to same path", method: "POST", location: "/api/admin/configuration/v1/conference/", status: 301, wantReqs: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int32
			node := newFakeNode(t, func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) > 1 && strings.HasPrefix(r.URL.Path, "/api/admin/configuration/") {
					w.Header().Set("Location", "/api/admin/configuration/v1/conference/1/")
					writeJSON(w, 201, map[string]any{"objects": []any{}})
					return
				}
				w.Header().Set("Location", tt.location)
				w.WriteHeader(tt.status)
			})
			c := newClient(t, node.URL)
			var err error
			if tt.method == "GET" {
				err = c.Get(context.Background(), pexip.ResService, &pexip.Page[pexip.Service]{})
			} else {
				_, err = c.Create(context.Background(), pexip.ResService, map[string]any{})
			}
			if tt.wantOK != (err == nil) {
				t.Fatalf("err = %v", err)
			}
			if got := errors.Is(err, pexip.ErrUnauthorized); got != tt.wantUnauthorized {
				t.Errorf("Is(ErrUnauthorized) = %v, err %v", got, err)
			}
			if got := node.count(); got != tt.wantReqs {
				t.Errorf("requests = %d, want %d", got, tt.wantReqs)
			}
		})
	}
}

func TestPathsEndWithSlash(t *testing.T) {
	node := newFakeNode(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"objects": []any{}, "fields": map[string]any{}})
	})
	c := newClient(t, node.URL)
	ctx := context.Background()
	c.Get(ctx, "status/v1/conference/abc", nil)
	c.Get(ctx, "/api/admin/status/v1/conference/abc/?format=json", nil)
	c.Service(ctx, 42)
	c.MediaStreams(ctx, "p-1")
	c.Schema(ctx, pexip.ResService)
	c.Licensing(ctx)
	c.ConferenceHistory(ctx, map[string][]string{"order_by": {"-end_time"}})
	var got []string
	for _, r := range node.requests() {
		got = append(got, r.Method+" "+r.Path+" "+r.Query)
	}
	want := []string{
		"GET /api/admin/status/v1/conference/abc/ ",
		"GET /api/admin/status/v1/conference/abc/ format=json",
		"GET /api/admin/configuration/v1/conference/42/ ",
		"GET /api/admin/status/v1/participant/p-1/media_stream/ limit=500",
		"GET /api/admin/configuration/v1/conference/schema/ ",
		"GET /api/admin/status/v1/licensing/ ",
		"GET /api/admin/history/v1/conference/ order_by=-end_time",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	for _, r := range node.requests() {
		if !strings.HasPrefix(r.Auth, "Basic ") {
			t.Errorf("%s sent without preemptive Basic auth", r.Path)
		}
	}
}

func TestObserve(t *testing.T) {
	node := newFakeNode(t, flaky([]int{503}, nil))
	var mu sync.Mutex
	var got []pexip.RequestInfo
	c := newClient(t, node.URL, func(cfg *pexip.Config) {
		cfg.Observe = func(ri pexip.RequestInfo) {
			mu.Lock()
			defer mu.Unlock()
			ri.Duration = 0
			ri.Err = nil
			got = append(got, ri)
		}
	})
	c.Services(context.Background(), nil)
	c.MediaStreams(context.Background(), "4a8d-uuid")
	c.MuteParticipant(context.Background(), "4a8d-uuid")
	want := []pexip.RequestInfo{
		{Method: "GET", Resource: "configuration/v1/conference", Status: 503},
		{Method: "GET", Resource: "configuration/v1/conference", Status: 200},
		{Method: "GET", Resource: "status/v1/participant/media_stream", Status: 200},
		{Method: "POST", Resource: "command/v1/participant/mute", Status: 200},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("observed (-want +got):\n%s", diff)
	}
}

func TestDebugLogLine(t *testing.T) {
	node := newFakeNode(t, flaky(nil, nil))
	var logs logBuffer
	c := newClient(t, node.URL, func(cfg *pexip.Config) { cfg.Logger = debugLogger(&logs) })
	if _, err := c.Services(context.Background(), map[string][]string{"name": {"secret-ish filter"}}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("log lines = %d, want 1:\n%s", len(lines), logs.String())
	}
	var line map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &line); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"method", "resource", "status", "duration"} {
		if _, ok := line[key]; !ok {
			t.Errorf("log line has no %q: %s", key, lines[0])
		}
	}
	if line["level"] != "DEBUG" || strings.Contains(lines[0], "filter") {
		t.Errorf("log line = %s", lines[0])
	}
}
