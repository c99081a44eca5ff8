package e2e

// The live fan-out figures of issue 5, measured against the real console binary and an
// in-process simulator running 200 conferences and 2,000 participants:
//
//	go test ./e2e -run '^$' -bench Fanout -benchtime 1x -timeout 15m        (make bench)
//	go test ./e2e -run '^$' -bench 'Fanout/viewers=1000' -benchtime 1x      (skip 5,000)
//
// Everything runs on 127.0.0.1. The benchmark reports, per viewer count: upstream requests
// per minute with 1 and with N viewers and their ratio, p50/p99/max latency from the poller
// having a delta to every viewer having it, bytes a viewer receives for one change, memory
// per idle viewer (the console's RSS), and the p99 of the others while one viewer stalls.

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/coder/websocket"

	"pexops/auth"
	"pexops/pexip/sim"
	"pexops/pexip/sim/platform"
)

// benchEnv is one simulator and one console process for the whole benchmark.
type benchEnv struct {
	sim     *sim.Sim
	url     string // the console
	pid     int
	client  *http.Client // signed in as the viewer account
	reads   *readLog
	confID  string // the conference whose row the latency probe changes
	alias   string // an alias of that conference
	partID  string // a participant of it, for the mute probe
	cleanup []func()
}

// readLog records when each participant list read finished: the poller computes its deltas
// right after the last page of a read.
type readLog struct {
	mu    sync.Mutex
	times []time.Time
}

func (l *readLog) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/status/v1/participant/") {
			l.mu.Lock()
			l.times = append(l.times, time.Now())
			l.mu.Unlock()
		}
	})
}

// lastBefore is the last read that finished before t.
func (l *readLog) lastBefore(t time.Time) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	var last time.Time
	for _, rt := range l.times {
		if rt.Before(t) {
			last = rt
		}
	}
	return last
}

func raiseFileLimit(b *testing.B) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		b.Fatal(err)
	}
	lim.Cur = min(lim.Max, 65536)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		b.Fatal(err)
	}
}

func startBenchEnv(b *testing.B) *benchEnv {
	raiseFileLimit(b) // the console inherits it
	env := &benchEnv{reads: &readLog{}}
	// A manual clock that never advances keeps the platform still (no quality windows closing,
	// no joins or leaves): every change the viewers see is one the benchmark made.
	s := sim.New(sim.Options{Seed: 11, Demo: true, Services: 400, TargetConferences: 200, TargetParticipants: 2000,
		Clock: platform.NewManualClock(time.Now())})
	env.sim = s
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	hs := &http.Server{Handler: env.reads.wrap(s), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	env.cleanup = append(env.cleanup, func() { hs.Close() })
	for i := 0; i < 10 && count(s, "participant") < 2000; i++ {
		s.Advance(time.Minute) // let planned joins arrive
	}
	s.Platform().SetActivity(false)

	dir := b.TempDir()
	users := filepath.Join(dir, "users")
	hash, _ := auth.HashPassword(viewer.password)
	if err := os.WriteFile(users, []byte(viewer.name+":viewer:"+hash+"\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(binary, "-addr", "127.0.0.1:0", "-pexip-url", "http://"+ln.Addr().String(),
		"-users-file", users, "-db", filepath.Join(dir, "pexops.db"), "-poll-interval", "2s", "-log-level", "warn")
	cmd.Env = append(os.Environ(), "PEXOPS_PEXIP_PASSWORD=pexops-sim")
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	env.cleanup = append(env.cleanup, func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() })
	env.pid = cmd.Process.Pid
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "pexops console: "); ok {
			env.url = u
			break
		}
	}
	go func() {
		for sc.Scan() {
		}
	}()
	if env.url == "" {
		b.Fatal("console did not start")
	}
	env.signIn(b)
	env.pickProbe(b)
	return env
}

func count(s *sim.Sim, resource string) int {
	objs, _ := s.Platform().Status(resource)
	return len(objs)
}

func (env *benchEnv) close() {
	for i := len(env.cleanup) - 1; i >= 0; i-- {
		env.cleanup[i]()
	}
}

func (env *benchEnv) signIn(b *testing.B) {
	jar, _ := cookiejar.New(nil)
	env.client = &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page, err := env.client.Get(env.url + "/login")
	if err != nil {
		b.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(page.Body)
	page.Body.Close()
	if err != nil {
		b.Fatal(err)
	}
	form := url.Values{"username": {viewer.name}, "password": {viewer.password},
		"_csrf": {doc.Find(`input[name="_csrf"]`).AttrOr("value", "")}}
	req, _ := http.NewRequest(http.MethodPost, env.url+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", env.url)
	res, err := env.client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	if res.StatusCode != http.StatusSeeOther {
		body, _ := io.ReadAll(res.Body)
		b.Fatalf("sign in: status %d: %.300s", res.StatusCode, body)
	}
	res.Body.Close()
	for deadline := time.Now().Add(30 * time.Second); ; {
		res, err := env.client.Get(env.url + "/readyz")
		if err == nil && res.StatusCode == http.StatusOK {
			res.Body.Close()
			return
		}
		if time.Now().After(deadline) {
			b.Fatal("console not ready")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// pickProbe chooses a dialled-in participant: its conference is where the probes change things.
func (env *benchEnv) pickProbe(b *testing.B) {
	ps, _ := env.sim.Platform().Status("participant")
	cs, _ := env.sim.Platform().Status("conference")
	b.Logf("platform: %d conferences, %d participants", len(cs), len(ps))
	if len(cs) < 180 || len(ps) < 1800 {
		b.Fatalf("the simulator runs %d conferences and %d participants, want about 200 and 2,000", len(cs), len(ps))
	}
	for _, p := range ps {
		if p["call_direction"] != "in" {
			continue
		}
		for _, c := range cs {
			if c["name"] == p["conference"] {
				env.confID, env.alias, env.partID = fmt.Sprint(c["id"]), fmt.Sprint(p["destination_alias"]), fmt.Sprint(p["id"])
				return
			}
		}
	}
	b.Fatal("no dialled-in participant to probe with")
}

// benchViewer is one benchmark websocket: it counts bytes and notes when it first sees the marker.
type benchViewer struct {
	conn   *websocket.Conn
	bytes  atomic.Int64
	seenAt atomic.Int64 // unix nanos of the first message holding the marker, 0 = not yet
}

func (env *benchEnv) dial(ctx context.Context, query string, marker *atomic.Pointer[string], stalled bool) (*benchViewer, error) {
	hc := env.client
	if stalled {
		// A viewer that never reads, with a tiny receive buffer so the console's writes block.
		d := &net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
			return c.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 2048) })
		}}
		hc = &http.Client{Jar: env.client.Jar, Transport: &http.Transport{DialContext: d.DialContext}}
	}
	u := "ws" + strings.TrimPrefix(env.url, "http") + "/ws?" + query
	conn, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: hc, HTTPHeader: http.Header{"Origin": {env.url}}})
	if err != nil {
		return nil, err
	}
	conn.SetReadLimit(8 << 20)
	v := &benchViewer{conn: conn}
	if stalled {
		return v, nil
	}
	go func() {
		for {
			_, msg, err := conn.Read(context.Background())
			if err != nil {
				return
			}
			v.bytes.Add(int64(len(msg)))
			if m := marker.Load(); m != nil && v.seenAt.Load() == 0 && strings.Contains(string(msg), *m) {
				v.seenAt.Store(time.Now().UnixNano())
			}
		}
	}()
	return v, nil
}

// connect opens n viewers of query, 50 handshakes at a time.
func (env *benchEnv) connect(b *testing.B, n int, query string, marker *atomic.Pointer[string]) []*benchViewer {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	vs := make([]*benchViewer, n)
	sem := make(chan struct{}, 50)
	var wg sync.WaitGroup
	var failed atomic.Int64
	for i := range vs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			v, err := env.dial(ctx, query, marker, false)
			if err != nil {
				failed.Add(1)
				return
			}
			vs[i] = v
		}()
	}
	wg.Wait()
	if failed.Load() > 0 {
		b.Fatalf("%d of %d viewers failed to connect", failed.Load(), n)
	}
	return vs
}

func closeAll(vs []*benchViewer) {
	for _, v := range vs {
		if v != nil {
			v.conn.Close(websocket.StatusNormalClosure, "")
		}
	}
}

// rss is the console process's resident memory in bytes.
func (env *benchEnv) rss(b *testing.B) int64 {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(env.pid) + "/status")
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// goMetric reads one of the console's Go runtime gauges from /metrics.
func (env *benchEnv) goMetric(b *testing.B, name string) float64 {
	res, err := env.client.Get(env.url + "/metrics")
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	return 0
}

// requestsPerMinute counts the simulator's requests over window, scaled to a minute.
func (env *benchEnv) requestsPerMinute(window time.Duration) float64 {
	before := env.sim.Stats().Total
	time.Sleep(window)
	return float64(env.sim.Stats().Total-before) * float64(time.Minute) / float64(window)
}

// probe makes one change, waits until every viewer saw its marker and returns the latencies
// from the end of the poller's read to each viewer, and the bytes each viewer received.
func (env *benchEnv) probe(b *testing.B, vs []*benchViewer, marker *atomic.Pointer[string], change func() string) (lat []time.Duration, bytes []int64) {
	for _, v := range vs {
		v.seenAt.Store(0)
		v.bytes.Store(0)
	}
	m := change()
	marker.Store(&m)
	deadline := time.Now().Add(20 * time.Second)
	for {
		n := 0
		for _, v := range vs {
			if v.seenAt.Load() != 0 {
				n++
			}
		}
		if n == len(vs) {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d viewers saw the change", n, len(vs))
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // the rest of the same burst
	marker.Store(nil)
	first := time.Unix(0, slices.MinFunc(vs, func(x, y *benchViewer) int { return int(x.seenAt.Load() - y.seenAt.Load()) }).seenAt.Load())
	polled := env.reads.lastBefore(first)
	for _, v := range vs {
		lat = append(lat, time.Unix(0, v.seenAt.Load()).Sub(polled))
		bytes = append(bytes, v.bytes.Load())
	}
	return lat, bytes
}

func percentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

// joinProbe adds a participant to the probe conference; its list row carries the new count.
func (env *benchEnv) joinProbe(b *testing.B) func() string {
	return func() string {
		if _, err := env.sim.Platform().Join(platform.JoinSpec{Alias: env.alias, DisplayName: "Probe", Role: "guest"}); err != nil {
			b.Fatal(err)
		}
		return `id="c-` + env.confID + `"`
	}
}

func BenchmarkFanout(b *testing.B) {
	env := startBenchEnv(b)
	defer env.close()
	for _, n := range []int{1000, 5000} {
		b.Run("viewers="+strconv.Itoa(n), func(b *testing.B) {
			for range b.N {
				env.runFanout(b, n)
			}
		})
	}
}

func (env *benchEnv) runFanout(b *testing.B, n int) {
	var marker atomic.Pointer[string]
	one := env.connect(b, 1, "topic=conferences", &marker)
	time.Sleep(2 * time.Second)
	rpmOne := env.requestsPerMinute(30 * time.Second)
	closeAll(one)

	rssBefore, stackBefore := env.rss(b), env.goMetric(b, "go_memstats_stack_inuse_bytes")
	start := time.Now()
	vs := env.connect(b, n, "topic=conferences", &marker)
	defer closeAll(vs)
	b.Logf("%d viewers connected in %s", n, time.Since(start).Round(time.Millisecond))
	time.Sleep(3 * time.Second) // snapshots written, buffers settled
	perViewer := float64(env.rss(b)-rssBefore) / float64(n)
	stackPerViewer := (env.goMetric(b, "go_memstats_stack_inuse_bytes") - stackBefore) / float64(n)
	rpmN := env.requestsPerMinute(30 * time.Second)

	// Baseline probes are taken both before and after the block with a stalled viewer, so a
	// drift of the machine's load over the run weighs on both figures alike.
	var lat []time.Duration
	var listBytes []int64
	baseline := func(n int) {
		for range n {
			l, by := env.probe(b, vs, &marker, env.joinProbe(b))
			lat, listBytes = append(lat, l...), append(listBytes, by...)
		}
	}
	baseline(5)
	confBytes := env.muteBytes(b, &marker)

	stalled, err := env.dial(context.Background(), "topic=conferences", &marker, true)
	if err != nil {
		b.Fatal(err)
	}
	var latStalled []time.Duration
	for range 10 {
		l, _ := env.probe(b, vs, &marker, env.joinProbe(b))
		latStalled = append(latStalled, l...)
	}
	stalled.conn.CloseNow()
	baseline(5)

	b.ReportMetric(rpmOne, "req/min-1-viewer")
	b.ReportMetric(rpmN, "req/min-N-viewers")
	b.ReportMetric(rpmN/rpmOne, "req-ratio")
	b.ReportMetric(float64(percentile(lat, .5).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(percentile(lat, .99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(percentile(lat, 1).Microseconds())/1000, "max-ms")
	b.ReportMetric(float64(slices.Max(listBytes)), "list-bytes/change")
	b.ReportMetric(float64(confBytes), "conf-bytes/change")
	b.ReportMetric(perViewer/1024, "KB/idle-viewer")
	b.ReportMetric(stackPerViewer/1024, "stack-KB/idle-viewer")
	b.ReportMetric(float64(percentile(latStalled, .99).Microseconds())/1000, "p99-ms-1-stalled")
}

// muteBytes is what one conference-page viewer receives when one participant is muted.
func (env *benchEnv) muteBytes(b *testing.B, marker *atomic.Pointer[string]) int64 {
	vs := env.connect(b, 1, "topic=conference&id="+url.QueryEscape(env.confID), marker)
	defer closeAll(vs)
	time.Sleep(2500 * time.Millisecond)
	_, by := env.probe(b, vs, marker, func() string {
		p, _ := env.sim.Platform().StatusDetail("participant", env.partID)
		cmd, after := "mute", "true"
		if p["is_muted"] == true {
			cmd, after = "unmute", "false"
		}
		if st, _ := env.sim.Platform().Command("participant", cmd, map[string]string{"participant_id": env.partID}); st >= 300 {
			b.Fatalf("%s: %d", cmd, st)
		}
		return `data-participant-id="` + env.partID + `" data-muted="` + after + `"`
	})
	return by[0]
}
