package live

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"pexops/pexip"
	"pexops/pexip/sim"
	"pexops/pexip/sim/platform"
)

const simSeed = 7

// simNode is a simulated Management Node on 127.0.0.1 with a manual clock that the poller's
// schedule follows too, so a test decides exactly when time passes for both.
type simNode struct {
	sim   *sim.Sim
	clock *platform.ManualClock
	c     *pexip.Client
	seed  platform.Seed
}

// startSim serves a simulator, optionally through wrap (to act between two requests), and
// returns a client that does not retry by itself (the poller's backoff is under test).
func startSim(t *testing.T, wrap func(h http.Handler) http.Handler) *simNode {
	t.Helper()
	clock := platform.NewManualClock(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC))
	s := sim.New(sim.Options{Seed: simSeed, Clock: clock})
	var h http.Handler = s
	if wrap != nil {
		h = wrap(s)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := pexip.New(pexip.Config{URL: srv.URL, Username: sim.DefaultUser,
		Password: sim.DefaultPassword, Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return &simNode{sim: s, clock: clock, c: c, seed: platform.DemoSeed(simSeed, 0)}
}

// poller returns a step-driven poller on the simulator's clock.
func (n *simNode) poller(cfg PollerConfig) *Poller {
	p := NewPoller(n.c, cfg, nil, nil)
	p.now = n.clock.Now
	return p
}

// advance moves simulated time for the platform and the poller's schedule alike.
func (n *simNode) advance(d time.Duration) { n.sim.Advance(d) }

// service returns the name and first alias of the i-th seeded service with aliases.
func (n *simNode) service(t *testing.T, i int) (name, alias string) {
	t.Helper()
	for _, s := range n.seed.Services {
		if len(s.Aliases) == 0 {
			continue
		}
		if i == 0 {
			return s.Name, s.Aliases[0]
		}
		i--
	}
	t.Fatal("not enough seeded services")
	return "", ""
}

func (n *simNode) join(t *testing.T, alias, name string) string {
	t.Helper()
	id, err := n.sim.Platform().Join(platform.JoinSpec{Alias: alias, DisplayName: name,
		Protocol: "WebRTC", Role: "chair"})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (n *simNode) command(t *testing.T, group, name string, fields map[string]string) {
	t.Helper()
	if status, body := n.sim.Platform().Command(group, name, fields); status >= 300 {
		t.Fatalf("%s/%s: %d %v", group, name, status, body)
	}
}

// only keeps the deltas of one resource.
func only(resource string, ds []Delta) []Delta {
	return slices.DeleteFunc(slices.Clone(ds), func(d Delta) bool { return d.Resource != resource })
}

// about keeps the deltas of one object (the simulator dials automatic participants into
// some conferences, whose deltas come in the same batches).
func about(id string, ds []Delta) []Delta {
	return slices.DeleteFunc(slices.Clone(ds), func(d Delta) bool { return d.ID != id })
}

func TestSimFirstPollJoinMuteLeave(t *testing.T) {
	n := startSim(t, nil)
	p := n.poller(PollerConfig{})
	ctx := context.Background()

	p.step(ctx)
	if !p.Ready() {
		t.Fatal("not ready after the first poll")
	}
	first := takeBatch(t, p)
	nodes, _ := n.sim.Platform().Status("worker_vm")
	if got := len(only(ResourceNode, first.Deltas)); got == 0 || got != len(nodes) {
		t.Errorf("first batch has %d node deltas, the simulator lists %d nodes", got, len(nodes))
	}
	if got := len(only(ResourceLocation, first.Deltas)); got != len(n.seed.Locations) {
		t.Errorf("first batch has %d location deltas, want %d", got, len(n.seed.Locations))
	}

	conf, alias := n.service(t, 0)
	id := n.join(t, alias, "Alice <script>")
	n.advance(2 * time.Second)
	p.step(ctx)
	joined := takeBatch(t, p)
	want := []deltaLine{{Kind: "added", Resource: "participant", ID: id, Conference: conf}}
	if diff := cmp.Diff(want, lines(about(id, joined.Deltas))); diff != "" {
		t.Errorf("join (-want +got):\n%s", diff)
	}
	if got := lines(only(ResourceConference, joined.Deltas)); len(got) != 1 || got[0].Kind != "added" ||
		got[0].Conference != conf {
		t.Errorf("join: conference deltas %+v, want one added for %q", got, conf)
	}
	if got := joined.State.Participants[id].DisplayName; got != "Alice <script>" {
		t.Errorf("display name = %q, want it as the caller chose it", got)
	}

	n.command(t, "participant", "mute", map[string]string{"participant_id": id})
	n.advance(2 * time.Second)
	p.step(ctx)
	muted := about(id, takeBatch(t, p).Deltas)
	if len(muted) != 1 || muted[0].Kind != Changed || !slices.Contains(muted[0].Fields, "is_muted") ||
		muted[0].Conference != conf {
		t.Errorf("mute: participant deltas %+v, want one change with is_muted in %q", lines(muted), conf)
	}

	if !n.sim.Platform().Leave(id) {
		t.Fatal("leave: no such participant")
	}
	n.advance(2 * time.Second)
	p.step(ctx)
	left := takeBatch(t, p)
	want = []deltaLine{{Kind: "removed", Resource: "participant", ID: id, Conference: conf}}
	if diff := cmp.Diff(want, lines(about(id, left.Deltas))); diff != "" {
		t.Errorf("leave (-want +got):\n%s", diff)
	}
	if _, ok := left.State.ConferenceByName(conf); ok {
		t.Errorf("conference %q still listed after its last participant left", conf)
	}
}

func TestSimOutageAndRecovery(t *testing.T) {
	n := startSim(t, nil)
	p := n.poller(PollerConfig{})
	ctx := context.Background()
	_, alias := n.service(t, 0)
	n.join(t, alias, "Alice")
	p.step(ctx)
	takeBatch(t, p)
	good := p.State()

	n.sim.Faults().SetOutage(true)
	n.advance(2 * time.Second)
	p.step(ctx)
	st := takeBatch(t, p).State
	if !st.Stale || !strings.Contains(st.LastError, "HTTP 503") {
		t.Errorf("in outage: stale=%v error=%q", st.Stale, st.LastError)
	}
	if diff := cmp.Diff(good.Participants, st.Participants); diff != "" {
		t.Errorf("participants not kept through the outage (-want +got):\n%s", diff)
	}

	// Backoff: no request while it lasts, however often the loop wakes.
	before := n.sim.Stats().Total
	p.step(ctx)
	p.step(ctx)
	if got := n.sim.Stats().Total - before; got != 0 {
		t.Errorf("%d requests during the backoff", got)
	}

	_, alias2 := n.service(t, 1)
	bob := n.join(t, alias2, "Bob")
	n.sim.Faults().SetOutage(false)
	n.advance(time.Minute)
	p.step(ctx)
	back := takeBatch(t, p)
	if back.State.Stale || back.State.LastError != "" {
		t.Errorf("after recovery: stale=%v error=%q", back.State.Stale, back.State.LastError)
	}
	found := false
	for _, d := range back.Deltas {
		found = found || (d.Resource == ResourceParticipant && d.ID == bob && d.Kind == Added)
	}
	if !found {
		t.Errorf("recovery batch lacks the participant who joined during the outage: %+v", lines(back.Deltas))
	}
}

func TestSimRateLimitRetryAfter(t *testing.T) {
	n := startSim(t, nil)
	p := n.poller(PollerConfig{})
	ctx := context.Background()
	p.step(ctx)
	takeBatch(t, p)

	// One request a minute: the next answer is 429 with a Retry-After of about a minute.
	n.sim.Faults().SetRateLimit(1, time.Minute)
	n.advance(2 * time.Second)
	p.step(ctx) // spends the token
	n.advance(2 * time.Second)
	p.step(ctx) // 429
	st := p.State()
	if !st.Stale || !strings.Contains(st.LastError, "HTTP 429") {
		t.Fatalf("after 429: stale=%v error=%q", st.Stale, st.LastError)
	}
	limited := n.sim.Stats().Total
	for range 50 { // 50 simulated seconds: inside Retry-After
		n.advance(time.Second)
		p.step(ctx)
	}
	if got := n.sim.Stats().Total - limited; got != 0 {
		t.Errorf("%d requests inside Retry-After", got)
	}

	n.sim.Faults().SetRateLimit(0, 0)
	n.advance(15 * time.Second)
	p.step(ctx)
	if st := p.State(); st.Stale {
		t.Errorf("still stale after Retry-After passed and the limit lifted: %q", st.LastError)
	}
}

func TestSimSlowNodeNeverSeesOverlappingRequests(t *testing.T) {
	n := startSim(t, nil)
	for i := range 5 {
		_, alias := n.service(t, i)
		n.join(t, alias, "Caller")
	}
	n.sim.Faults().SetLatency(3 * time.Millisecond)
	cfg := PollerConfig{Conferences: 5 * time.Millisecond, Participants: 5 * time.Millisecond,
		Nodes: 10 * time.Millisecond, Alarms: 10 * time.Millisecond, Registrations: 10 * time.Millisecond,
		Licensing: 10 * time.Millisecond, MediaStreams: 5 * time.Millisecond, PageSize: 2,
		RefreshDelay: time.Millisecond}
	p := NewPoller(n.c, cfg, nil, nil) // real time: Run's own timers
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); p.Run(ctx) }()
	go func() {
		for range p.Batches() {
		}
	}()
	for n.sim.Stats().Total < 5 {
		time.Sleep(time.Millisecond)
	}
	for id := range p.State().Participants {
		defer p.Watch(id)()
	}
	conf, _ := n.service(t, 0)
	for n.sim.Stats().Total < 120 {
		p.Refresh(Target{Conference: conf})
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	if got := n.sim.Stats().MaxInFlight; got != 1 {
		t.Errorf("simulator saw %d requests in flight at once, want 1", got)
	}
}

func TestSimPaginationChurn(t *testing.T) {
	var once sync.Once
	var leave func()
	n := startSim(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/api/admin/"+pexip.ResParticipant+"/" && r.URL.Query().Get("offset") != "0" {
				once.Do(func() { leave() })
			}
			h.ServeHTTP(w, r)
		})
	})
	var all []string
	for i := range 48 {
		_, alias := n.service(t, i%6)
		all = append(all, n.join(t, alias, "Caller"))
	}
	p := n.poller(PollerConfig{PageSize: 20, PageOverlap: 5})

	// Between page 1 and page 2, the participant listed second on page 1 hangs up. A second
	// client looks: the poller's own is busy with the request being answered.
	peek, err := pexip.New(pexip.Config{URL: n.c.URL(), Username: sim.DefaultUser,
		Password: sim.DefaultPassword, Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	var page1 []string
	leave = func() {
		page, err := pexip.ListPage[pexip.Participant](context.Background(), peek, pexip.ResParticipant,
			map[string][]string{"limit": {"20"}, "offset": {"0"}})
		if err != nil {
			t.Error(err)
			return
		}
		for _, o := range page.Objects {
			page1 = append(page1, o.ID)
		}
		if len(page1) < 2 {
			t.Errorf("page 1 has %d participants, want 20", len(page1))
			return
		}
		if !n.sim.Platform().Leave(page1[1]) {
			t.Error("leave mid-read: no such participant")
		}
	}
	p.step(context.Background())

	got := p.State().Participants
	for _, id := range all {
		if _, ok := got[id]; !ok && id != page1[1] {
			t.Errorf("participant %s lost while the list changed under the pages", id)
		}
	}
	if len(got) > len(all) {
		t.Errorf("%d participants listed, %d exist", len(got), len(all))
	}
	n.advance(2 * time.Second)
	p.step(context.Background())
	if got := len(p.State().Participants); got != len(all)-1 {
		t.Errorf("next poll lists %d participants, want %d", got, len(all)-1)
	}
}

func TestSimRefreshIsPrompt(t *testing.T) {
	n := startSim(t, nil)
	conf, alias := n.service(t, 0)
	id := n.join(t, alias, "Alice")
	hour := time.Hour
	cfg := PollerConfig{Conferences: hour, Participants: hour, Nodes: hour, Alarms: hour,
		Registrations: hour, Licensing: hour, MediaStreams: hour, RefreshDelay: 20 * time.Millisecond}
	p := NewPoller(n.c, cfg, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go p.Run(ctx)
	waitBatch(t, p)
	before := n.sim.Stats().Count("GET", "/api/admin/status/v1/participant/")

	n.command(t, "participant", "mute", map[string]string{"participant_id": id})
	for range 5 {
		p.Refresh(Target{Conference: conf})
	}
	got := only(ResourceParticipant, waitBatch(t, p).Deltas)
	if len(got) != 1 || got[0].ID != id || !slices.Contains(got[0].Fields, "is_muted") {
		t.Errorf("refresh deltas %+v, want the mute of %s", lines(got), id)
	}
	if reads := n.sim.Stats().Count("GET", "/api/admin/status/v1/participant/") - before; reads != 1 {
		t.Errorf("participant reads for a burst of 5 refreshes = %d, want 1", reads)
	}
}

func TestSimRequestsPerMinuteIndependentOfSubscribers(t *testing.T) {
	count := func(subscribers int) int {
		n := startSim(t, nil)
		n.sim.Platform().SetActivity(true)
		p := n.poller(PollerConfig{})
		hub := NewHub(nil, nil)
		var readers sync.WaitGroup
		for range subscribers {
			s := hub.Subscribe([]string{"conferences", "board"}, 16)
			readers.Add(1)
			go func() {
				defer readers.Done()
				for range s.Messages() {
				}
			}()
		}
		ctx := context.Background()
		for i := 0; i <= 60; i++ {
			p.step(ctx)
			select {
			case b := <-p.Batches():
				hub.Publish("board", []byte(strings.Repeat("x", len(b.Deltas))))
			default:
			}
			n.advance(time.Second)
		}
		closeAll(hub, "board")
		readers.Wait()
		return n.sim.Stats().Total
	}
	without, with := count(0), count(1000)
	if without != with || without == 0 {
		t.Errorf("requests per simulated minute: %d without subscribers, %d with 1000", without, with)
	}
}

// TestSimStalledViewerDoesNotSlowOthers is field report F09: 50 viewers, one never reads,
// ten simulated minutes of polling every 2s on a busy platform.
func TestSimStalledViewerDoesNotSlowOthers(t *testing.T) {
	n := startSim(t, nil)
	n.sim.Platform().SetActivity(true)
	p := n.poller(PollerConfig{})
	hub := NewHub(nil, nil)
	ctx := context.Background()
	p.step(ctx) // the first poll opens the client's connection: part of the baseline
	base := runtime.NumGoroutine()

	stalled := hub.Subscribe([]string{"board"}, 8)
	readers := startReaders(hub, "board", 49, 64)

	var sent []string
	for i := 0; i <= 300; i++ {
		if i > 0 {
			p.step(ctx)
		}
		select {
		case b := <-p.Batches():
			msg := strconv.FormatUint(b.Version, 10)
			hub.Publish("board", []byte(msg))
			sent = append(sent, msg)
		default:
		}
		n.advance(2 * time.Second)
		if i%10 == 0 {
			// Give the readers a moment, as a browser on a real network would have.
			time.Sleep(time.Millisecond)
		}
	}
	closeAll(hub, "board")
	got := readers()

	for i := range got {
		if diff := cmp.Diff(sent, got[i]); diff != "" {
			t.Fatalf("viewer %d missed messages (-want +got):\n%s", i, diff)
		}
	}
	select {
	case <-stalled.Dropped():
	default:
		t.Error("the viewer that never reads was not dropped")
	}
	// Every 2s: conferences and participants (301 each); every 10s: nodes and locations
	// (61 each); alarms 41, registrations 21, licensing 11 - whoever watches.
	if got, want := n.sim.Stats().Total, 2*301+2*61+41+21+11; got != want {
		t.Errorf("requests in ten simulated minutes = %d, want %d", got, want)
		for k, v := range n.sim.Stats().Requests {
			t.Logf("%v: %d", k, v)
		}
	}
	if len(sent) < 10 {
		t.Errorf("only %d batches on an active platform", len(sent))
	}
	waitGoroutines(t, base)
}

// waitGoroutines fails when the goroutine count does not come back to base.
func waitGoroutines(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := runtime.NumGoroutine(); got > base {
		t.Errorf("goroutines = %d, baseline %d", got, base)
	}
}
