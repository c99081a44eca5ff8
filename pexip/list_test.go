package pexip_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"pexops/pexip"
)

// pagedParticipants serves status/v1/participant in pages of at most 20 (like a node's
// default, whatever limit is asked), with relative meta.next links. between runs before the
// page at that offset is cut, to change the list between pages.
type pagedParticipants struct {
	mu      sync.Mutex
	ids     []string
	between map[int]func(ids []string) []string
}

func (p *pagedParticipants) serve(w http.ResponseWriter, r *http.Request) {
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	p.mu.Lock()
	if f := p.between[offset]; f != nil {
		p.ids = f(p.ids)
		delete(p.between, offset)
	}
	ids := slices.Clone(p.ids)
	p.mu.Unlock()

	const limit = 20
	end := min(offset+limit, len(ids))
	objects := []map[string]any{}
	for _, id := range ids[min(offset, len(ids)):end] {
		objects = append(objects, map[string]any{"id": id, "display_name": "Caller " + id})
	}
	var next any
	if end < len(ids) {
		next = fmt.Sprintf("/api/admin/status/v1/participant/?limit=%d&offset=%d", limit, end)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"meta":    map[string]any{"limit": limit, "offset": offset, "total_count": len(ids), "next": next, "previous": nil},
		"objects": objects,
	})
}

func participantIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("p%02d", i)
	}
	return ids
}

func TestListAllPagesAndDedupe(t *testing.T) {
	tests := []struct {
		name      string
		between   map[int]func([]string) []string
		wantRows  int // what the pages said
		wantDedup int // rows after DedupeByID
	}{
		{name: "stable list", wantRows: 45, wantDedup: 45},
		{
			// Offsets shift down: the participant that was first on page 2 is never read.
			name:      "one leaves between page 1 and page 2",
			between:   map[int]func([]string) []string{20: func(ids []string) []string { return slices.Delete(ids, 3, 4) }},
			wantRows:  44,
			wantDedup: 44,
		},
		{
			// Offsets shift up: the last of page 1 is read again on page 2.
			name: "one joins at the front between pages",
			between: map[int]func([]string) []string{20: func(ids []string) []string {
				return slices.Insert(ids, 0, "new")
			}},
			wantRows:  46,
			wantDedup: 45,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &pagedParticipants{ids: participantIDs(45), between: tt.between}
			node := newFakeNode(t, src.serve)
			c := newClient(t, node.URL)

			got, err := c.Participants(context.Background(), nil)
			if err != nil {
				t.Fatalf("Participants: %v", err)
			}
			if len(got) != tt.wantRows {
				t.Errorf("rows = %d, want %d", len(got), tt.wantRows)
			}
			deduped := pexip.DedupeByID(got, func(p pexip.Participant) string { return p.ID })
			if len(deduped) != tt.wantDedup {
				t.Errorf("rows after DedupeByID = %d, want %d", len(deduped), tt.wantDedup)
			}
			reqs := node.requests()
			if len(reqs) != 3 {
				t.Errorf("requests = %d, want 3", len(reqs))
			}
			wantQueries := []string{"limit=500", "limit=20&offset=20", "limit=20&offset=40"}
			var gotQueries []string
			for _, r := range reqs {
				gotQueries = append(gotQueries, r.Query)
				if r.Path != "/api/admin/status/v1/participant/" {
					t.Errorf("path = %q", r.Path)
				}
			}
			if diff := cmp.Diff(wantQueries, gotQueries); diff != "" {
				t.Errorf("queries (-want +got):\n%s", diff)
			}
		})
	}
}

func TestListAllKeepsFilters(t *testing.T) {
	src := &pagedParticipants{ids: participantIDs(5)}
	node := newFakeNode(t, src.serve)
	c := newClient(t, node.URL)
	q := map[string][]string{"conference": {"VMR 1"}, "limit": {"2"}}
	if _, err := pexip.ListAll[pexip.Participant](context.Background(), c, pexip.ResParticipant, q); err != nil {
		t.Fatal(err)
	}
	if got, want := node.requests()[0].Query, "conference=VMR+1&limit=2"; got != want {
		t.Errorf("query = %q, want %q", got, want)
	}
}

func TestListAllRefusesBadNext(t *testing.T) {
	other := newFakeNode(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"meta": map[string]any{}, "objects": []any{}})
	})
	tests := []struct {
		name string
		next string
	}{
		{"another host", other.URL + "/api/admin/status/v1/participant/?offset=20"},
		{"scheme-relative host", "//" + other.Listener.Addr().String() + "/api/admin/status/v1/participant/"},
		{"outside the API", "/accounts/login/?next=/api/admin/"},
		{"dot segments", "/api/admin/status/v1/../../../admin/"},
		{"repeats itself", "/api/admin/status/v1/participant/?limit=20&offset=0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			node := newFakeNode(t, func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, http.StatusOK, map[string]any{
					"meta":    map[string]any{"limit": 20, "offset": 0, "total_count": 40, "next": tt.next},
					"objects": []map[string]any{{"id": "a"}},
				})
			})
			c := newClient(t, node.URL)
			_, err := c.Participants(context.Background(), nil)
			if err == nil {
				t.Fatal("ListAll followed a bad meta.next")
			}
			if other.count() != 0 {
				t.Errorf("the other host got %d requests", other.count())
			}
			if node.count() > 2 {
				t.Errorf("node got %d requests, want at most 2", node.count())
			}
		})
	}
}

func TestListAllBehindPathPrefix(t *testing.T) {
	var paths []string
	node := newFakeNode(t, func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.Path)
		var next any
		if r.URL.Query().Get("offset") == "" {
			next = "/api/admin/status/v1/alarm/?offset=1"
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"meta": map[string]any{"next": next}, "objects": []map[string]any{{"id": len(paths)}},
		})
	})
	c := newClient(t, node.URL+"/pexip/api/admin/")
	alarms, err := c.Alarms(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/pexip/api/admin/status/v1/alarm/", "/pexip/api/admin/status/v1/alarm/"}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Errorf("paths (-want +got):\n%s", diff)
	}
	if len(alarms) != 2 {
		t.Errorf("alarms = %d, want 2", len(alarms))
	}
}

func TestListPageDecodesTolerantly(t *testing.T) {
	node := newFakeNode(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"meta": {"limit": 20, "offset": 0, "total_count": 3, "next": null, "previous": null},
		"objects": [
			{"id": "a", "display_name": "Alice", "is_muted": true, "connect_time": "2015-04-02T09:46:11"},
			{"id": "b", "display_name": "Bob", "is_muted": "yes", "connect_time": "garbage"},
			{"id": "c", "display_name": "Carol", "remote_port": "5060", "call_quality": "3_bad"}
		]}`))
	})
	var logs logBuffer
	c := newClient(t, node.URL, func(cfg *pexip.Config) { cfg.Logger = debugLogger(&logs) })
	page, err := pexip.ListPage[pexip.Participant](context.Background(), c, pexip.ResParticipant, nil)
	if err != nil {
		t.Fatalf("one odd value failed the page: %v", err)
	}
	type row struct {
		ID, Name  string
		Muted     bool
		Port      int
		Quality   string
		Connected bool
	}
	var got []row
	for _, p := range page.Objects {
		got = append(got, row{p.ID, p.DisplayName, p.IsMuted, int(p.RemotePort), p.CallQuality.String(), p.ConnectTime.IsSet()})
	}
	want := []row{
		{"a", "Alice", true, 0, "unknown", true},
		{"b", "Bob", false, 0, "unknown", false},
		{"c", "Carol", false, 5060, "bad", false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if page.Meta.TotalCount != 3 {
		t.Errorf("total_count = %d", page.Meta.TotalCount)
	}
}

func TestListPageMalformedJSON(t *testing.T) {
	node := newFakeNode(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"objects": [`)) })
	c := newClient(t, node.URL)
	_, err := c.Services(context.Background(), nil)
	var apiErr *pexip.APIError
	if err == nil || errors.As(err, &apiErr) {
		t.Fatalf("err = %v, want a decode error", err)
	}
}

func TestDedupeByID(t *testing.T) {
	type item struct{ ID, V string }
	in := []item{{"a", "1"}, {"b", "1"}, {"a", "2"}, {"", "x"}, {"", "y"}, {"c", "1"}}
	want := []item{{"a", "2"}, {"b", "1"}, {"", "x"}, {"", "y"}, {"c", "1"}}
	got := pexip.DedupeByID(in, func(i item) string { return i.ID })
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DedupeByID (-want +got):\n%s", diff)
	}
}

func TestListAllLimitZero(t *testing.T) {
	// With limit=0 a node returns everything and leaves next out of meta.
	node := newFakeNode(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"meta": {"limit": 0, "offset": 0, "total_count": 3}, "objects": [{"id": 1}, {"id": 2}, {"id": 3}]}`))
	})
	c := newClient(t, node.URL)
	got, err := pexip.ListAll[pexip.Node](context.Background(), c, pexip.ResNode, map[string][]string{"limit": {"0"}})
	if err != nil || len(got) != 3 || node.count() != 1 {
		t.Errorf("got %d nodes in %d requests, %v; want 3 in 1", len(got), node.count(), err)
	}
}

func TestLicensingEmptyList(t *testing.T) {
	node := newFakeNode(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"meta": {"total_count": 0}, "objects": []}`))
	})
	c := newClient(t, node.URL)
	if _, err := c.Licensing(context.Background()); !errors.Is(err, pexip.ErrNoLicensing) {
		t.Errorf("err = %v, want ErrNoLicensing", err)
	}
}
