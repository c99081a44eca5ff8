package sim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"pexops/pexip/sim/platform"
)

// testEpoch is the manual clock's start in every test.
var testEpoch = time.Date(2015, 4, 2, 9, 46, 6, 106482000, time.UTC)

// fixture is a simulator on a loopback test server with a manual clock.
type fixture struct {
	t     *testing.T
	sim   *Sim
	srv   *httptest.Server
	clock *platform.ManualClock
}

func newFixture(t *testing.T, opts Options) *fixture {
	t.Helper()
	clock := platform.NewManualClock(testEpoch)
	if opts.Clock == nil {
		opts.Clock = clock
	}
	s := New(opts)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &fixture{t: t, sim: s, srv: srv, clock: clock}
}

// reply is a response read whole.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %q", err, r.body)
	}
	return m
}

// raw sends a request as the guide's Python does: Basic auth, the body as given, a
// Content-Type only when ct is set, redirects not followed.
func (f *fixture) raw(method, path, ct string, body io.Reader) reply {
	f.t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, body)
	if err != nil {
		f.t.Fatal(err)
	}
	req.SetBasicAuth(DefaultUser, DefaultPassword)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	resp, err := client.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

func (f *fixture) get(path string) reply { return f.raw("GET", path, "", nil) }

// send writes v as JSON with no Content-Type, like requests' data=json.dumps(...).
func (f *fixture) send(method, path string, v any) reply {
	f.t.Helper()
	b, _ := json.Marshal(v)
	return f.raw(method, path, "", bytes.NewReader(b))
}

// form posts form-encoded fields, like requests' data={...}.
func (f *fixture) form(path string, fields map[string]string) reply {
	v := url.Values{}
	for k, s := range fields {
		v.Set(k, s)
	}
	return f.raw("POST", path, "application/x-www-form-urlencoded", strings.NewReader(v.Encode()))
}

// list GETs a list and returns meta and objects.
func (f *fixture) list(path string) (map[string]any, []map[string]any) {
	f.t.Helper()
	r := f.get(path)
	if r.status != http.StatusOK {
		f.t.Fatalf("GET %s: %d %s", path, r.status, r.body)
	}
	var page struct {
		Meta    map[string]any   `json:"meta"`
		Objects []map[string]any `json:"objects"`
	}
	if err := json.Unmarshal(r.body, &page); err != nil {
		f.t.Fatalf("GET %s: %v", path, err)
	}
	return page.Meta, page.Objects
}

// create POSTs v and returns the path of the new object from Location.
func (f *fixture) create(res string, v any) string {
	f.t.Helper()
	r := f.send("POST", "/api/admin/configuration/v1/"+res+"/", v)
	if r.status != http.StatusCreated {
		f.t.Fatalf("create %s: %d %s", res, r.status, r.body)
	}
	u, err := url.Parse(r.header.Get("Location"))
	if err != nil {
		f.t.Fatal(err)
	}
	return u.Path
}
