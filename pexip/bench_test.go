package pexip_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"pexops/pexip"
)

// participantPages serves n realistic v18 participants; pages are rendered once per
// (offset, limit) and then served from memory, so that the benchmark measures the client.
type participantPages struct {
	n        int
	mu       sync.Mutex
	rendered map[string][]byte
	requests atomic.Int64
}

func (p *participantPages) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.requests.Add(1)
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 {
		limit = 20
	}
	offset, _ := strconv.Atoi(q.Get("offset"))
	key := fmt.Sprintf("%d/%d", offset, limit)
	p.mu.Lock()
	body, ok := p.rendered[key]
	if !ok {
		body = p.render(offset, limit)
		p.rendered[key] = body
	}
	p.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

func (p *participantPages) render(offset, limit int) []byte {
	end := min(offset+limit, p.n)
	objects := make([]map[string]any, 0, end-offset)
	for i := offset; i < end; i++ {
		objects = append(objects, benchParticipant(i))
	}
	var next any
	if end < p.n {
		next = fmt.Sprintf("/api/admin/status/v1/participant/?limit=%d&offset=%d", limit, end)
	}
	b, _ := json.Marshal(map[string]any{
		"meta":    map[string]any{"limit": limit, "offset": offset, "total_count": p.n, "next": next, "previous": nil},
		"objects": objects,
	})
	return b
}

func benchParticipant(i int) map[string]any {
	id := fmt.Sprintf("00000000-0000-0000-0000-%012d", i)
	return map[string]any{
		"id": id, "resource_uri": "/api/admin/status/v1/participant/" + id + "/",
		"conference": fmt.Sprintf("VMR_%d", i/8), "service_type": "conference", "service_tag": "",
		"display_name": fmt.Sprintf("Caller %d", i), "participant_alias": "meet@example.com",
		"source_alias": fmt.Sprintf("sip:user%d@example.com", i), "destination_alias": "meet@example.com",
		"call_direction": "in", "call_uuid": id, "conversation_id": id, "call_quality": "1_good",
		"bucketed_call_quality": "[0, 11, 1, 0, 0]", "historic_call_quality": "[0, 1, 1, 1]",
		"bandwidth": 1024, "rx_bandwidth": 512, "tx_bandwidth": 512,
		"connect_time": "2015-04-02T09:46:11.116767", "encryption": "On", "has_media": true,
		"is_muted": false, "is_on_hold": false, "is_presenting": false, "is_presentation_supported": true,
		"is_streaming": false, "license_count": 1, "license_type": "port", "media_node": "10.0.0.1",
		"signalling_node": "10.0.0.1", "proxy_node": "", "parent_id": "", "protocol": "SIP",
		"remote_address": "192.0.2.10", "remote_port": 5060, "role": "guest", "system_location": "London",
		"vendor": "TANDBERG/529 (TC7.3.6.93d3b5b)",
	}
}

// BenchmarkReadParticipants5000 measures the client reading 5,000 participants with ListAll
// at several page sizes; "requests/op" is how many the node had to answer. Run with
// go test -run '^$' -bench ReadParticipants5000 -benchmem ./pexip/
func BenchmarkReadParticipants5000(b *testing.B) {
	for _, limit := range []int{20, 100, pexip.DefaultListLimit, 1000, 5000} {
		b.Run("limit="+strconv.Itoa(limit), func(b *testing.B) {
			pages := &participantPages{n: 5000, rendered: map[string][]byte{}}
			srv := httptest.NewServer(pages)
			defer srv.Close()
			c, err := pexip.New(pexip.Config{URL: srv.URL, Username: "admin", Password: "x"})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			q := map[string][]string{"limit": {strconv.Itoa(limit)}}
			ctx := context.Background()
			if _, err := c.Participants(ctx, q); err != nil { // render and cache every page
				b.Fatal(err)
			}
			pages.requests.Store(0)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				got, err := c.Participants(ctx, q)
				if err != nil || len(got) != 5000 {
					b.Fatalf("got %d participants, %v", len(got), err)
				}
			}
			b.ReportMetric(float64(pages.requests.Load())/float64(b.N), "requests/op")
		})
	}
}
