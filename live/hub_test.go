package live

import (
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// drain reads everything buffered in s without waiting for more.
func drain(s *Subscriber) []string {
	var got []string
	for {
		select {
		case msg, ok := <-s.Messages():
			if !ok {
				return got
			}
			got = append(got, string(msg))
		default:
			return got
		}
	}
}

func TestHubDeliversByTopic(t *testing.T) {
	tests := []struct {
		name   string
		topics []string
		want   []string
	}{
		{name: "one topic", topics: []string{"conferences"}, want: []string{"c1", "c2"}},
		{name: "two topics in publish order", topics: []string{"board", "conferences"},
			want: []string{"c1", "b1", "c2"}},
		{name: "duplicate topic counts once", topics: []string{"board", "board"},
			want: []string{"b1"}},
		{name: "topic nobody publishes", topics: []string{"conference:VMR_1"}, want: nil},
		{name: "no topics", topics: nil, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHub(nil, nil)
			s := h.Subscribe(tt.topics, 10)
			defer s.Close()

			h.Publish("conferences", []byte("c1"))
			h.Publish("board", []byte("b1"))
			h.PublishAll([]Message{{Topic: "conferences", Data: []byte("c2")}})

			if diff := cmp.Diff(tt.want, drain(s)); diff != "" {
				t.Errorf("messages (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHubStalledSubscriberIsDroppedWithoutDelayingOthers(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	h := NewHub(nil, m)
	const n = 200
	stalled := h.Subscribe([]string{"board"}, 4)

	readers := startReaders(h, "board", 10, n) // room for all: these readers may be slow too
	// Publish from another goroutine: if Publish waited on the stalled subscriber this
	// goroutine would never finish and the test would time out below.
	published := make(chan struct{})
	go func() {
		defer close(published)
		for i := range n {
			h.Publish("board", []byte(strconv.Itoa(i)))
		}
	}()
	select {
	case <-published:
	case <-time.After(10 * time.Second):
		t.Fatal("Publish blocked on a subscriber that never reads")
	}
	closeAll(h, "board")
	got := readers()

	want := make([]string, n)
	for i := range want {
		want[i] = strconv.Itoa(i)
	}
	for i := range got {
		if diff := cmp.Diff(want, got[i]); diff != "" {
			t.Errorf("reader %d messages (-want +got):\n%s", i, diff)
		}
	}
	select {
	case <-stalled.Dropped():
	default:
		t.Fatal("stalled subscriber was not dropped")
	}
	if diff := cmp.Diff([]string{"0", "1", "2", "3"}, drain(stalled)); diff != "" {
		t.Errorf("stalled subscriber kept (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{}, h.Counts()); diff != "" {
		t.Errorf("counts after all left (-want +got):\n%s", diff)
	}
	if got := testutil.ToFloat64(m.dropped); got != 1 {
		t.Errorf("dropped counter = %v, want 1", got)
	}
	if got := testutil.ToFloat64(m.subscribers); got != 0 {
		t.Errorf("subscribers gauge = %v, want 0", got)
	}
	stalled.Close() // after a drop: must not panic or count twice
	if got := testutil.ToFloat64(m.subscribers); got != 0 {
		t.Errorf("subscribers gauge after late Close = %v, want 0", got)
	}
}

func TestSubscriberClose(t *testing.T) {
	h := NewHub(nil, nil)
	s := h.Subscribe([]string{"a", "b"}, 2)
	other := h.Subscribe([]string{"a"}, 2)
	defer other.Close()
	if diff := cmp.Diff(map[string]int{"a": 2, "b": 1}, h.Counts()); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}

	s.Close()
	s.Close()
	h.Publish("a", []byte("x"))

	if _, ok := <-s.Messages(); ok {
		t.Error("Messages still open after Close")
	}
	select {
	case <-s.Dropped():
		t.Error("Dropped closed by an ordinary Close")
	default:
	}
	if diff := cmp.Diff(map[string]int{"a": 1}, h.Counts()); diff != "" {
		t.Errorf("counts after Close (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"x"}, drain(other)); diff != "" {
		t.Errorf("other subscriber (-want +got):\n%s", diff)
	}
}

func TestHubConcurrentSubscribePublishClose(t *testing.T) {
	h := NewHub(nil, nil)
	var wg sync.WaitGroup
	stop := make(chan struct{})

	for p := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				h.Publish(fmt.Sprintf("t%d", (p+i)%3), []byte("m"))
			}
		}()
	}
	var subs sync.WaitGroup
	for g := range 8 {
		subs.Add(1)
		go func() {
			defer subs.Done()
			for i := range 300 {
				s := h.Subscribe([]string{fmt.Sprintf("t%d", (g+i)%3), "t0"}, 1+i%3)
				_ = drain(s)
				_ = h.Counts()
				s.Close()
			}
		}()
	}
	subs.Wait()
	close(stop)
	wg.Wait()

	if diff := cmp.Diff(map[string]int{}, h.Counts()); diff != "" {
		t.Errorf("counts after every subscriber closed (-want +got):\n%s", diff)
	}
}

func TestHubManySubscribers(t *testing.T) {
	h := NewHub(nil, nil)
	const subscribers, messages = 1000, 20
	counts := make([]int, subscribers)
	var wg sync.WaitGroup
	for i := range subscribers {
		s := h.Subscribe([]string{"conferences"}, messages)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range s.Messages() {
				counts[i]++
			}
		}()
	}

	for range messages {
		h.Publish("conferences", []byte("row"))
	}
	if got := h.Counts()["conferences"]; got != subscribers {
		t.Fatalf("subscribers after publishing = %d, want %d (someone was dropped)", got, subscribers)
	}
	closeAll(h, "conferences")
	wg.Wait()

	for i, c := range counts {
		if c != messages {
			t.Fatalf("subscriber %d got %d messages, want %d", i, c, messages)
		}
	}
}

// startReaders subscribes n readers to topic, each reading in its own goroutine. The
// returned func waits for them (after their subscriptions were closed) and returns what each
// received.
func startReaders(h *Hub, topic string, n, buffer int) func() [][]string {
	got := make([][]string, n)
	var wg sync.WaitGroup
	for i := range got {
		s := h.Subscribe([]string{topic}, buffer)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for msg := range s.Messages() {
				got[i] = append(got[i], string(msg))
			}
		}()
	}
	return func() [][]string {
		wg.Wait()
		return got
	}
}

// closeAll closes every subscriber of topic, as the console does on shutdown.
func closeAll(h *Hub, topic string) {
	h.mu.Lock()
	subs := make([]*Subscriber, 0, len(h.topics[topic]))
	for s := range h.topics[topic] {
		subs = append(subs, s)
	}
	h.mu.Unlock()
	for _, s := range subs {
		s.Close()
	}
}

func TestHubGoroutinesReturnToBaseline(t *testing.T) {
	base := runtime.NumGoroutine()
	h := NewHub(nil, nil)
	var wg sync.WaitGroup
	subs := make([]*Subscriber, 300)
	for i := range subs {
		subs[i] = h.Subscribe([]string{"board", "platform"}, 8)
		wg.Add(1)
		go func(s *Subscriber) {
			defer wg.Done()
			for range s.Messages() {
			}
		}(subs[i])
	}
	h.Publish("board", []byte("x"))
	for _, s := range subs {
		s.Close()
	}
	wg.Wait()

	// Exited goroutines can take a moment to be reaped from the count.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := runtime.NumGoroutine(); got > base {
		t.Errorf("goroutines = %d after closing every subscriber, baseline %d", got, base)
	}
}

func TestResourceLabel(t *testing.T) {
	tests := []struct{ in, want string }{
		{"status/v1/participant/", "status/v1/participant"},
		{"/api/admin/status/v1/participant/?limit=500&offset=0", "api/admin/status/v1/participant"},
		{"status/v1/participant/5acac442-8c4f-4d0e-9d3a-6f2b0d1e2f3a/media_stream/",
			"status/v1/participant/:id/media_stream"},
		{"status/v1/worker_vm/12/statistics", "status/v1/worker_vm/:id/statistics"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, resourceLabel(tt.in)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func benchmarkPublish(b *testing.B, subscribers int) {
	h := NewHub(nil, nil)
	var wg sync.WaitGroup
	for range subscribers {
		s := h.Subscribe([]string{"board"}, 256)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range s.Messages() {
			}
		}()
	}
	msg := []byte(`<tr id="p-1"><td>Alice</td></tr>`)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		h.Publish("board", msg)
	}
	b.StopTimer()
	if got := h.Counts()["board"]; got != subscribers {
		b.Logf("%d of %d subscribers dropped while benchmarking", subscribers-got, subscribers)
	}
	closeAll(h, "board")
	wg.Wait()
}

func BenchmarkPublish1000(b *testing.B) { benchmarkPublish(b, 1000) }
func BenchmarkPublish5000(b *testing.B) { benchmarkPublish(b, 5000) }

// BenchmarkIdleSubscriberMemory reports the heap held by one idle subscriber of two topics
// with the default buffer.
func BenchmarkIdleSubscriberMemory(b *testing.B) {
	const n = 2000
	for b.Loop() {
		h := NewHub(nil, nil)
		subs := make([]*Subscriber, n)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for i := range subs {
			subs[i] = h.Subscribe([]string{"board", "conference:" + strconv.Itoa(i%50)}, 0)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "bytes/subscriber")
		runtime.KeepAlive(subs)
	}
}
