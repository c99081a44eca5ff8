package live

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"pexops/pexip"
)

// fakeNode is a small stand-in for the status API of a Management Node: Tastypie paging with
// relative meta.next, the conference filter on participants, and injectable faults. Tests
// that need a whole platform use the simulator; this fake exists for exact control of page
// boundaries and of what the node answers.
type fakeNode struct {
	mu           sync.Mutex
	conferences  []pexip.Conference
	participants []pexip.Participant
	streams      map[string][]pexip.MediaStream
	nodes        []pexip.Node

	status     int    // when not 0, every request answers this status
	retryAfter string // Retry-After sent with status
	latency    time.Duration

	requests    map[string]int // by path
	inFlight    int
	maxInFlight int
	// beforePage runs (without the lock) before a participant page at offset > 0 is served.
	beforePage func(offset int)
}

// newFakeNode starts a fake node on 127.0.0.1 and returns a client for it that does not
// retry (the poller's own backoff is under test).
func newFakeNode(t *testing.T) (*fakeNode, *pexip.Client) {
	return newFakeNodeWith(t, func(*pexip.Config) {})
}

func newFakeNodeWith(t *testing.T, configure func(*pexip.Config)) (*fakeNode, *pexip.Client) {
	t.Helper()
	f := &fakeNode{requests: map[string]int{}, streams: map[string][]pexip.MediaStream{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	cfg := pexip.Config{URL: srv.URL, Username: "admin", Password: "x", Retries: -1}
	configure(&cfg)
	c, err := pexip.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return f, c
}

func (f *fakeNode) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests[r.URL.Path]++
	if r.URL.Query().Has("conference") {
		f.requests[r.URL.Path+"?conference"]++
	}
	f.inFlight++
	f.maxInFlight = max(f.maxInFlight, f.inFlight)
	status, retryAfter, latency := f.status, f.retryAfter, f.latency
	hook := f.beforePage
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inFlight--
		f.mu.Unlock()
	}()

	time.Sleep(latency)
	if status != 0 {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		http.Error(w, `{"error": "injected"}`, status)
		return
	}
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	if hook != nil && offset > 0 && r.URL.Path == "/api/admin/status/v1/participant/" {
		hook(offset)
	}
	objects, ok := f.objects(r.URL.Path, r.URL.Query())
	if !ok {
		http.NotFound(w, r)
		return
	}
	writePage(w, r, objects)
}

// objects returns the list a path names, filtered, as JSON values.
func (f *fakeNode) objects(path string, q url.Values) ([]any, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []any
	switch rest := strings.TrimPrefix(path, "/api/admin/status/v1/"); {
	case rest == "conference/":
		for _, c := range f.conferences {
			out = append(out, c)
		}
	case rest == "participant/":
		for _, p := range f.participants {
			if conf := q.Get("conference"); conf == "" || p.Conference == conf {
				out = append(out, p)
			}
		}
	case strings.HasPrefix(rest, "participant/") && strings.HasSuffix(rest, "/media_stream/"):
		id := strings.TrimSuffix(strings.TrimPrefix(rest, "participant/"), "/media_stream/")
		streams, ok := f.streams[id]
		if !ok {
			return nil, false
		}
		for _, s := range streams {
			out = append(out, s)
		}
	case rest == "worker_vm/":
		for _, n := range f.nodes {
			out = append(out, n)
		}
	case rest == "system_location/", rest == "alarm/", rest == "registration_alias/":
	case rest == "licensing/":
		out = append(out, pexip.Licensing{PortTotal: 100})
	default:
		return nil, false
	}
	return out, true
}

func writePage(w http.ResponseWriter, r *http.Request, objects []any) {
	q := r.URL.Query()
	limit, err := strconv.Atoi(q.Get("limit"))
	if err != nil {
		limit = 20
	}
	offset, _ := strconv.Atoi(q.Get("offset"))
	page := map[string]any{}
	meta := map[string]any{"limit": limit, "offset": offset, "total_count": len(objects),
		"next": nil, "previous": nil}
	end := min(offset+limit, len(objects))
	if offset+limit < len(objects) {
		q.Set("offset", strconv.Itoa(offset+limit))
		meta["next"] = r.URL.Path + "?" + q.Encode()
	}
	page["meta"] = meta
	if offset < end {
		page["objects"] = objects[offset:end]
	} else {
		page["objects"] = []any{}
	}
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(page); err != nil {
		panic(err)
	}
}

func (f *fakeNode) set(fn func(f *fakeNode)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *fakeNode) count(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests["/api/admin/status/v1/"+path+"/"]
}

// total counts every request.
func (f *fakeNode) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for path, c := range f.requests {
		if !strings.HasSuffix(path, "?conference") {
			n += c
		}
	}
	return n
}

// join adds n participants to conference name (creating the conference) and returns ids.
func (f *fakeNode) join(name string, n int) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	found := false
	for _, c := range f.conferences {
		found = found || c.Name == name
	}
	if !found {
		f.conferences = append(f.conferences, pexip.Conference{ID: "conf-" + name, Name: name,
			ServiceType: "conference", IsStarted: true})
	}
	var ids []string
	for range n {
		id := fmt.Sprintf("00000000-0000-0000-0000-%012d", len(f.participants)+1)
		for f.has(id) {
			id += "0"
		}
		f.participants = append(f.participants, pexip.Participant{ID: id, Conference: name,
			DisplayName: "Guest " + id[len(id)-4:], Role: "guest", Protocol: "WebRTC"})
		ids = append(ids, id)
	}
	return ids
}

func (f *fakeNode) has(id string) bool {
	for _, p := range f.participants {
		if p.ID == id {
			return true
		}
	}
	return false
}

// leave removes a participant (and its conference when it was the last one).
func (f *fakeNode) leave(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, p := range f.participants {
		if p.ID == id {
			f.participants = append(f.participants[:i:i], f.participants[i+1:]...)
			break
		}
	}
}

// update changes one participant in place.
func (f *fakeNode) update(id string, fn func(p *pexip.Participant)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.participants {
		if f.participants[i].ID == id {
			fn(&f.participants[i])
		}
	}
}
