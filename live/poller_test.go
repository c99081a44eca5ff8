package live

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"pexops/pexip"
)

// testClock is a manual clock for driving the poller's schedule step by step.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newStepPoller returns a poller whose schedule follows a manual clock; tests call step
// instead of Run, so every request happens at a known simulated time.
func newStepPoller(c *pexip.Client, cfg PollerConfig, m *Metrics) (*Poller, *testClock) {
	clk := &testClock{t: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)}
	p := NewPoller(c, cfg, nil, m)
	p.now = clk.Now
	return p, clk
}

// deltaLine is a Delta in one comparable line.
type deltaLine struct {
	Kind, Resource, ID, Conference, From, Fields string
}

func lines(ds []Delta) []deltaLine {
	out := make([]deltaLine, len(ds))
	for i, d := range ds {
		out[i] = deltaLine{d.Kind.String(), d.Resource, d.ID, d.Conference, d.FromConference,
			strings.Join(d.Fields, ",")}
	}
	return out
}

// takeBatch returns the pending batch, failing the test when there is none.
func takeBatch(t *testing.T, p *Poller) Batch {
	t.Helper()
	select {
	case b := <-p.Batches():
		return b
	default:
		t.Fatal("no batch pending")
		return Batch{}
	}
}

func noBatch(t *testing.T, p *Poller) {
	t.Helper()
	select {
	case b := <-p.Batches():
		t.Fatalf("unexpected batch: %+v", lines(b.Deltas))
	default:
	}
}

func TestPollerFirstPollIsReadyWithFullBatch(t *testing.T) {
	f, c := newFakeNode(t)
	a := f.join("VMR_1", 2)
	b := f.join("VMR_2", 1)
	f.set(func(f *fakeNode) { f.nodes = []pexip.Node{{ID: 1, Name: "node-1"}} })
	p, _ := newStepPoller(c, PollerConfig{}, nil)
	if p.Ready() {
		t.Fatal("ready before any read")
	}

	p.step(context.Background())

	if !p.Ready() {
		t.Fatal("not ready after the first full poll")
	}
	batch := takeBatch(t, p)
	want := []deltaLine{
		{Kind: "added", Resource: "conference", ID: "conf-VMR_1", Conference: "VMR_1"},
		{Kind: "added", Resource: "conference", ID: "conf-VMR_2", Conference: "VMR_2"},
		{Kind: "added", Resource: "participant", ID: a[0], Conference: "VMR_1"},
		{Kind: "added", Resource: "participant", ID: a[1], Conference: "VMR_1"},
		{Kind: "added", Resource: "participant", ID: b[0], Conference: "VMR_2"},
		{Kind: "added", Resource: "worker_vm", ID: "1"},
		{Kind: "added", Resource: "licensing", ID: "licensing"},
	}
	if diff := cmp.Diff(want, lines(batch.Deltas)); diff != "" {
		t.Errorf("first batch (-want +got):\n%s", diff)
	}
	st := batch.State
	if st != p.State() || st.Version != batch.Version || st.Version == 0 {
		t.Errorf("batch state is not the current snapshot (version %d, batch %d)", st.Version, batch.Version)
	}
	if st.Stale || st.LastError != "" || len(st.Participants) != 3 || st.Licensing == nil {
		t.Errorf("state after first poll: stale=%v error=%q participants=%d licensing=%v",
			st.Stale, st.LastError, len(st.Participants), st.Licensing)
	}
	if diff := cmp.Diff([]string{a[0], a[1]}, ids(st.ParticipantsOf("VMR_1"))); diff != "" {
		t.Errorf("ParticipantsOf (-want +got):\n%s", diff)
	}
	p.step(context.Background()) // nothing due yet
	noBatch(t, p)
}

func ids(ps []pexip.Participant) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

func TestPollerJoinMuteLeave(t *testing.T) {
	f, c := newFakeNode(t)
	first := f.join("VMR_1", 1)[0]
	p, clk := newStepPoller(c, PollerConfig{}, nil)
	ctx := context.Background()
	p.step(ctx)
	takeBatch(t, p)

	steps := []struct {
		name   string
		change func() string // returns the participant the step is about
		want   func(id string) []deltaLine
	}{
		{name: "join", change: func() string { return f.join("VMR_1", 1)[0] },
			want: func(id string) []deltaLine {
				return []deltaLine{{Kind: "added", Resource: "participant", ID: id, Conference: "VMR_1"}}
			}},
		{name: "mute", change: func() string {
			f.update(first, func(p *pexip.Participant) { p.IsMuted = true })
			return first
		}, want: func(id string) []deltaLine {
			return []deltaLine{{Kind: "changed", Resource: "participant", ID: id, Conference: "VMR_1",
				Fields: "is_muted"}}
		}},
		{name: "leave", change: func() string { f.leave(first); return first },
			want: func(id string) []deltaLine {
				return []deltaLine{{Kind: "removed", Resource: "participant", ID: id, Conference: "VMR_1"}}
			}},
	}
	for _, st := range steps {
		id := st.change()
		clk.Advance(2 * time.Second)
		p.step(ctx)
		got := takeBatch(t, p)
		if diff := cmp.Diff(st.want(id), lines(got.Deltas)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", st.name, diff)
		}
	}
}

func TestPollerOutageKeepsLastStateAndRecovers(t *testing.T) {
	f, c := newFakeNode(t)
	f.join("VMR_1", 2)
	p, clk := newStepPoller(c, PollerConfig{}, nil)
	ctx := context.Background()
	p.step(ctx)
	takeBatch(t, p)
	before := p.State()

	f.set(func(f *fakeNode) { f.status = 500 })
	clk.Advance(2 * time.Second)
	p.step(ctx)

	st := takeBatch(t, p).State
	if !st.Stale || st.LastError != "reading conferences: the Management Node failed (HTTP 500)" {
		t.Errorf("during outage: stale=%v error=%q", st.Stale, st.LastError)
	}
	if strings.Contains(st.LastError, "injected") {
		t.Errorf("LastError shows the raw body: %q", st.LastError)
	}
	if diff := cmp.Diff(before.Participants, st.Participants); diff != "" {
		t.Errorf("last good participants not kept (-want +got):\n%s", diff)
	}
	if !p.Ready() {
		t.Error("a poller that was ready became unready in an outage")
	}

	// The node comes back with a change made meanwhile.
	joined := f.join("VMR_1", 1)[0]
	f.set(func(f *fakeNode) { f.status = 0 })
	clk.Advance(time.Minute)
	p.step(ctx)

	got := takeBatch(t, p)
	if got.State.Stale || got.State.LastError != "" {
		t.Errorf("after recovery: stale=%v error=%q", got.State.Stale, got.State.LastError)
	}
	want := []deltaLine{{Kind: "added", Resource: "participant", ID: joined, Conference: "VMR_1"}}
	if diff := cmp.Diff(want, lines(got.Deltas)); diff != "" {
		t.Errorf("catch-up deltas (-want +got):\n%s", diff)
	}
}

func TestPollerBacksOffExponentially(t *testing.T) {
	f, c := newFakeNode(t)
	p, clk := newStepPoller(c, PollerConfig{MinBackoff: time.Second, MaxBackoff: 8 * time.Second}, nil)
	f.set(func(f *fakeNode) { f.status = 503 })
	ctx := context.Background()

	// Step every 100ms of simulated time for 40s and note when requests were made.
	var at []time.Duration
	start := clk.Now()
	for range 400 {
		n := f.total()
		p.step(ctx)
		if f.total() > n {
			at = append(at, clk.Now().Sub(start))
		}
		clk.Advance(100 * time.Millisecond)
	}
	var gaps []time.Duration
	for i := 1; i < len(at); i++ {
		gaps = append(gaps, at[i]-at[i-1])
	}
	want := []time.Duration{1, 2, 4, 8, 8, 8, 8}
	for i := range want {
		want[i] *= time.Second
	}
	if diff := cmp.Diff(want, gaps[:min(len(gaps), len(want))]); diff != "" {
		t.Errorf("waits between attempts (-want +got):\n%s", diff)
	}
}

func TestPollerHonoursRetryAfter(t *testing.T) {
	f, c := newFakeNode(t)
	p, clk := newStepPoller(c, PollerConfig{}, nil)
	f.set(func(f *fakeNode) { f.status, f.retryAfter = 429, "30" })
	ctx := context.Background()

	p.step(ctx)
	if got := f.total(); got != 1 {
		t.Fatalf("requests on a rate-limited node = %d, want 1 (no retries inside the step)", got)
	}
	if st := p.State(); st.LastError != "reading conferences: the Management Node is limiting requests (HTTP 429)" {
		t.Errorf("LastError = %q", st.LastError)
	}
	for range 29 {
		clk.Advance(time.Second)
		p.step(ctx)
	}
	if got := f.total(); got != 1 {
		t.Fatalf("requests within Retry-After = %d, want 1", got)
	}
	f.set(func(f *fakeNode) { f.status = 0 })
	clk.Advance(time.Second)
	p.step(ctx)
	if got := f.total(); got <= 1 {
		t.Fatalf("no request after Retry-After passed (total %d)", got)
	}
	if p.State().Stale {
		t.Error("still stale after the node answered again")
	}
}

func TestPollerPaginationChurn(t *testing.T) {
	tests := []struct {
		name  string
		leave int // participants of the first page leaving while page 2 is requested
	}{
		{name: "nothing leaves", leave: 0},
		{name: "one leaves", leave: 1},
		{name: "more leave than the pages overlap", leave: 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, c := newFakeNode(t)
			all := f.join("VMR_1", 47)
			p, clk := newStepPoller(c, PollerConfig{PageSize: 20, PageOverlap: 5}, nil)
			var once sync.Once
			f.set(func(f *fakeNode) {
				f.beforePage = func(int) {
					once.Do(func() {
						for _, id := range all[3 : 3+tt.leave] {
							f.leave(id)
						}
					})
				}
			})
			remaining := slices.Concat(all[:3], all[3+tt.leave:])

			p.step(context.Background())

			// Everyone still there is listed once. Someone who left during the read may
			// still be listed (they were there when page 1 was read) until the next poll.
			got := p.State().Participants
			for _, id := range remaining {
				if _, ok := got[id]; !ok {
					t.Errorf("participant %s lost", id)
				}
			}
			if len(got) > len(all) {
				t.Errorf("%d participants listed, only %d exist", len(got), len(all))
			}
			clk.Advance(2 * time.Second)
			p.step(context.Background())
			if diff := cmp.Diff(remaining, slices.Sorted(mapsKeys(p.State().Participants))); diff != "" {
				t.Errorf("participants on the next poll (-want +got):\n%s", diff)
			}
		})
	}
}

func mapsKeys[T any](m map[string]T) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func TestPollerRequestsIndependentOfSubscribers(t *testing.T) {
	count := func(subscribers int) int {
		f, c := newFakeNode(t)
		f.join("VMR_1", 3)
		p, clk := newStepPoller(c, PollerConfig{}, nil)
		hub := NewHub(nil, nil)
		var readers sync.WaitGroup
		for range subscribers {
			s := hub.Subscribe([]string{"conferences"}, 4)
			readers.Add(1)
			go func() {
				defer readers.Done()
				for range s.Messages() {
				}
			}()
		}
		ctx := context.Background()
		for i := 0; i <= 60; i++ { // one simulated minute, a step every second
			p.step(ctx)
			select {
			case b := <-p.Batches():
				hub.Publish("conferences", []byte(strings.Repeat("x", len(b.Deltas))))
			default:
			}
			clk.Advance(time.Second)
		}
		closeAll(hub, "conferences")
		readers.Wait()
		return f.total()
	}

	// Conferences and participants every 2s (31 reads each), nodes and locations every 10s
	// (7 each), alarms every 15s (5), registrations every 30s (3), licensing (2).
	const want = 31 + 31 + 7 + 7 + 5 + 3 + 2
	for _, n := range []int{0, 1000} {
		if got := count(n); got != want {
			t.Errorf("requests per simulated minute with %d subscribers = %d, want %d", n, got, want)
		}
	}
}

func TestPollerCoalescesForALaggingConsumer(t *testing.T) {
	f, c := newFakeNode(t)
	first := f.join("VMR_1", 1)[0]
	p, clk := newStepPoller(c, PollerConfig{}, nil)
	ctx := context.Background()
	p.step(ctx) // batch 1 stays unread from here on

	second := f.join("VMR_1", 1)[0]
	clk.Advance(2 * time.Second)
	p.step(ctx)
	f.leave(first)
	f.update(second, func(p *pexip.Participant) { p.IsMuted = true })
	clk.Advance(2 * time.Second)
	p.step(ctx)

	got := takeBatch(t, p)
	noBatch(t, p)
	// The consumer saw nothing yet, so the merged batch must bring it from empty to now.
	want := []deltaLine{
		{Kind: "added", Resource: "conference", ID: "conf-VMR_1", Conference: "VMR_1"},
		{Kind: "added", Resource: "licensing", ID: "licensing"},
		{Kind: "added", Resource: "participant", ID: second, Conference: "VMR_1"},
	}
	sortLines := func(l []deltaLine) []deltaLine {
		slices.SortFunc(l, func(a, b deltaLine) int { return strings.Compare(a.Resource+a.ID, b.Resource+b.ID) })
		return l
	}
	if diff := cmp.Diff(sortLines(want), sortLines(lines(got.Deltas))); diff != "" {
		t.Errorf("merged batch (-want +got):\n%s", diff)
	}
	if got.Version != p.State().Version || got.State != p.State() {
		t.Errorf("merged batch version %d, state version %d", got.Version, p.State().Version)
	}
}

func TestPollerWatchReadsMediaStreams(t *testing.T) {
	f, c := newFakeNode(t)
	ids := f.join("VMR_1", 2)
	stream := pexip.MediaStream{ID: "0", Type: "video", RxCodec: "H264", RxPacketLoss: 0.1}
	f.set(func(f *fakeNode) { f.streams[ids[0]] = []pexip.MediaStream{stream} })
	p, clk := newStepPoller(c, PollerConfig{}, nil)
	ctx := context.Background()
	p.step(ctx)
	takeBatch(t, p)
	if got := f.count("participant/" + ids[0] + "/media_stream"); got != 0 {
		t.Fatalf("media streams read for nobody watching: %d requests", got)
	}

	release := p.Watch(ids[0])
	p.step(ctx) // Watch makes the read due at once
	got := takeBatch(t, p)
	want := []deltaLine{{Kind: "added", Resource: "media_stream", ID: ids[0], Conference: "VMR_1"}}
	if diff := cmp.Diff(want, lines(got.Deltas)); diff != "" {
		t.Errorf("watch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]pexip.MediaStream{stream}, got.State.MediaStreams[ids[0]]); diff != "" {
		t.Errorf("streams (-want +got):\n%s", diff)
	}

	stream.RxPacketLoss = 4.5
	f.set(func(f *fakeNode) { f.streams[ids[0]] = []pexip.MediaStream{stream} })
	clk.Advance(2 * time.Second)
	p.step(ctx)
	want = []deltaLine{{Kind: "changed", Resource: "media_stream", ID: ids[0], Conference: "VMR_1",
		Fields: "rx_packet_loss"}}
	if diff := cmp.Diff(want, lines(takeBatch(t, p).Deltas)); diff != "" {
		t.Errorf("loss change (-want +got):\n%s", diff)
	}

	release()
	release()
	clk.Advance(2 * time.Second)
	p.step(ctx)
	want = []deltaLine{{Kind: "removed", Resource: "media_stream", ID: ids[0], Conference: "VMR_1"}}
	if diff := cmp.Diff(want, lines(takeBatch(t, p).Deltas)); diff != "" {
		t.Errorf("release (-want +got):\n%s", diff)
	}
	reads := f.count("participant/" + ids[0] + "/media_stream")
	clk.Advance(2 * time.Second)
	p.step(ctx)
	if got := f.count("participant/" + ids[0] + "/media_stream"); got != reads {
		t.Errorf("media streams still read after release: %d more", got-reads)
	}
}

func TestPollerWatchTakesTurns(t *testing.T) {
	f, c := newFakeNode(t)
	ids := f.join("VMR_1", 5)
	f.set(func(f *fakeNode) {
		for _, id := range ids {
			f.streams[id] = []pexip.MediaStream{{ID: "0"}}
		}
	})
	p, clk := newStepPoller(c, PollerConfig{MaxMediaReads: 2}, nil)
	ctx := context.Background()
	p.step(ctx)
	for _, id := range ids {
		defer p.Watch(id)()
	}
	p.Watch("not-connected") // never read: not in the participant list

	for range 3 {
		clk.Advance(2 * time.Second)
		p.step(ctx)
	}
	var got []int
	for _, id := range ids {
		got = append(got, f.count("participant/"+id+"/media_stream"))
	}
	// 3 cycles of 2 reads cover 6 reads over 5 participants: everyone at least once.
	if diff := cmp.Diff([]int{2, 1, 1, 1, 1}, got); diff != "" {
		t.Errorf("reads per participant (-want +got):\n%s", diff)
	}
	if got := f.count("participant/not-connected/media_stream"); got != 0 {
		t.Errorf("read streams of a participant that is not connected")
	}
}

func TestPollerRunRefreshIsPromptAndCoalesced(t *testing.T) {
	f, c := newFakeNode(t)
	id := f.join("VMR_1", 1)[0]
	f.join("VMR_2", 1)
	// Long intervals: after the first poll only Refresh causes reads.
	cfg := PollerConfig{Conferences: time.Hour, Participants: time.Hour, Nodes: time.Hour,
		Alarms: time.Hour, Registrations: time.Hour, Licensing: time.Hour, MediaStreams: time.Hour,
		RefreshDelay: 20 * time.Millisecond}
	p := NewPoller(c, cfg, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go p.Run(ctx)
	waitBatch(t, p)

	f.update(id, func(p *pexip.Participant) { p.IsMuted = true })
	for range 10 {
		p.Refresh(Target{Participant: id})
	}
	got := waitBatch(t, p)
	want := []deltaLine{{Kind: "changed", Resource: "participant", ID: id, Conference: "VMR_1", Fields: "is_muted"}}
	if diff := cmp.Diff(want, lines(got.Deltas)); diff != "" {
		t.Errorf("refresh (-want +got):\n%s", diff)
	}
	f.mu.Lock()
	filtered := f.requests["/api/admin/status/v1/participant/?conference"]
	f.mu.Unlock()
	if n := filtered; n != 1 {
		t.Errorf("filtered participant reads = %d, want 1 for a burst of refreshes", n)
	}
	if n := f.count("participant"); n != 2 {
		t.Errorf("participant reads = %d, want 2 (first poll and one refresh)", n)
	}
}

// waitBatch waits for the next batch from a running poller.
func waitBatch(t *testing.T, p *Poller) Batch {
	t.Helper()
	select {
	case b := <-p.Batches():
		return b
	case <-time.After(5 * time.Second):
		t.Fatal("no batch from the running poller")
		return Batch{}
	}
}

func TestPollerRunNeverOverlapsRequests(t *testing.T) {
	f, c := newFakeNode(t)
	ids := f.join("VMR_1", 30)
	f.set(func(f *fakeNode) {
		f.latency = 3 * time.Millisecond
		for _, id := range ids[:3] {
			f.streams[id] = []pexip.MediaStream{{ID: "0"}}
		}
	})
	cfg := PollerConfig{Conferences: 5 * time.Millisecond, Participants: 5 * time.Millisecond,
		Nodes: 10 * time.Millisecond, Alarms: 10 * time.Millisecond, Registrations: 10 * time.Millisecond,
		Licensing: 10 * time.Millisecond, MediaStreams: 5 * time.Millisecond, PageSize: 10,
		RefreshDelay: time.Millisecond}
	p := NewPoller(c, cfg, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); p.Run(ctx) }()
	go func() {
		for range p.Batches() {
		}
	}()
	for _, id := range ids[:3] {
		defer p.Watch(id)()
	}
	for f.total() < 150 {
		p.Refresh(Target{Conference: "VMR_1"})
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done

	f.mu.Lock()
	defer f.mu.Unlock()
	if f.maxInFlight != 1 {
		t.Errorf("max requests in flight = %d, want 1", f.maxInFlight)
	}
}

func TestMetricsDataAgeAndRequests(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	f, c := newFakeNodeWith(t, func(cfg *pexip.Config) { cfg.Observe = m.ObserveRequest })
	f.join("VMR_1", 1)
	p, clk := newStepPoller(c, PollerConfig{}, m)
	p.step(context.Background())
	clk.Advance(1500 * time.Millisecond)

	got := gatherValues(t, reg)
	want := map[string]float64{
		`pexops_live_data_age_seconds{resource="participant"}`:                                  1.5,
		`pexops_pexip_requests_total{code="200",method="GET",resource="status/v1/participant"}`: 1,
		`pexops_poll_total{outcome="ok",resource="participant"}`:                                1,
		`pexops_live_stale`:              0,
		`pexops_poll_requests_in_flight`: 0,
	}
	hub := NewHub(nil, m)
	sub := hub.Subscribe([]string{"conference:VMR_1", "board"}, 1)
	defer sub.Close()
	m.WebsocketSent(120)
	m.WebsocketSent(30)
	got = gatherValues(t, reg)
	want[`pexops_hub_subscribers`] = 1
	want[`pexops_hub_subscriptions{kind="conference"}`] = 1
	want[`pexops_ws_messages_sent_total`] = 2
	want[`pexops_ws_bytes_sent_total`] = 150
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
}

// gatherValues flattens a registry into "name{labels}" -> value (counters, gauges).
func gatherValues(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+`="`+l.GetValue()+`"`)
			}
			key := mf.GetName()
			if len(labels) > 0 {
				key += "{" + strings.Join(labels, ",") + "}"
			}
			out[key] = metricValue(m)
		}
	}
	return out
}

func metricValue(m *dto.Metric) float64 {
	switch {
	case m.GetCounter() != nil:
		return m.GetCounter().GetValue()
	case m.GetGauge() != nil:
		return m.GetGauge().GetValue()
	case m.GetHistogram() != nil:
		return float64(m.GetHistogram().GetSampleCount())
	}
	return 0
}

// Viewers opening and closing a participant's page as fast as they like must not turn into
// Management Node requests: a new watch pulls the media read forward at most once per media
// interval (found by a break-test: 95 socket opens made 95 reads).
func TestPollerWatchChurnIsBoundedPerInterval(t *testing.T) {
	f, c := newFakeNode(t)
	ids := f.join("VMR_1", 1)
	f.set(func(f *fakeNode) { f.streams[ids[0]] = []pexip.MediaStream{{ID: "0"}} })
	p, clk := newStepPoller(c, PollerConfig{}, nil)
	ctx := context.Background()
	p.step(ctx)

	path := "participant/" + ids[0] + "/media_stream"
	for range 50 {
		release := p.Watch(ids[0])
		p.step(ctx)
		release()
		clk.Advance(10 * time.Millisecond)
		p.step(ctx)
	}
	if got := f.count(path); got > 1 {
		t.Errorf("50 watch/release cycles within one interval made %d media reads, want at most 1", got)
	}

	// After the interval, a new watch may read early again.
	clk.Advance(2 * time.Second)
	before := f.count(path)
	defer p.Watch(ids[0])()
	p.step(ctx)
	if got := f.count(path) - before; got != 1 {
		t.Errorf("a watch after the interval made %d reads, want 1", got)
	}
}
