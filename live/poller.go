package live

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"pexops/pexip"
)

// PollerConfig sets how often each status resource is read. A zero field takes its default;
// a negative interval turns that read off.
type PollerConfig struct {
	Conferences   time.Duration // status/v1/conference; default 2s
	Participants  time.Duration // status/v1/participant, every page; default 2s
	Nodes         time.Duration // worker_vm and system_location; default 10s
	Alarms        time.Duration // default 15s
	Registrations time.Duration // default 30s
	Licensing     time.Duration // default 60s
	MediaStreams  time.Duration // media streams of watched participants; default 2s

	MaxMediaReads int // media stream reads per cycle, default 10 (more watched take turns)
	PageSize      int // objects asked per page, default 500
	PageOverlap   int // objects each page re-reads of the one before, default PageSize/10

	// RefreshDelay is how long Refresh waits to gather a burst of calls into one re-read.
	// Default 100ms.
	RefreshDelay time.Duration
	// MinBackoff and MaxBackoff bound the wait after the Management Node failed (default 1s
	// and 60s); a longer Retry-After from the node is honoured up to MaxRetryAfter (10m).
	MinBackoff, MaxBackoff, MaxRetryAfter time.Duration
}

func (c PollerConfig) withDefaults() PollerConfig {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.Conferences, 2*time.Second)
	def(&c.Participants, 2*time.Second)
	def(&c.Nodes, 10*time.Second)
	def(&c.Alarms, 15*time.Second)
	def(&c.Registrations, 30*time.Second)
	def(&c.Licensing, 60*time.Second)
	def(&c.MediaStreams, 2*time.Second)
	def(&c.RefreshDelay, 100*time.Millisecond)
	def(&c.MinBackoff, time.Second)
	def(&c.MaxBackoff, time.Minute)
	def(&c.MaxRetryAfter, 10*time.Minute)
	if c.MaxMediaReads <= 0 {
		c.MaxMediaReads = 10
	}
	if c.PageSize <= 0 {
		c.PageSize = pexip.DefaultListLimit
	}
	if c.PageOverlap <= 0 {
		c.PageOverlap = max(c.PageSize/10, 1)
	}
	return c
}

// Target names what a console command touched, for Refresh. The zero Target means
// "conferences and every participant".
type Target struct {
	Conference  string // a conference name: its participants are re-read
	Participant string // a participant id: its conference's participants are re-read
}

// Poller reads one Management Node's status API and keeps the live State.
//
// Every request is made by the goroutine running Run, one after the other, so the node never
// sees more than one request in flight from the poller however many people watch.
type Poller struct {
	c   *pexip.Client
	cfg PollerConfig
	log *slog.Logger
	m   *Metrics
	now func() time.Time

	state   atomic.Pointer[State]
	ready   atomic.Bool
	running atomic.Bool
	batches chan Batch
	wake    chan struct{}

	mu        sync.Mutex // guards refresh, watched and mediaSoon
	refresh   refreshRequest
	watched   map[string]int
	mediaSoon bool

	loop loopState // touched only by the goroutine in Run (or a test driving step)
}

// loopState is the scheduler's own state.
type loopState struct {
	tasks       []*task
	failing     map[string]string // resource -> why its last read failed
	lastError   string
	retryAt     time.Time
	backoff     time.Duration
	mediaCursor int
	version     uint64
	pending     []Delta
	staleSent   bool
	// earlyMedia is when a new watch last pulled the media read forward; it may do so at most
	// once per MediaStreams interval, so opening and closing views cannot drive requests.
	earlyMedia time.Time
}

type refreshRequest struct {
	at          time.Time
	all         bool
	conferences map[string]bool
}

// NewPoller returns a poller for the node c talks to. log and m may be nil. Nothing is read
// until Run.
//
// NOTE: the client's own retries of failed reads run inside one poller request and add to
// the poller's backoff; a client made with Retries: -1 leaves the pacing to the poller alone
// (one attempt per backoff step, Retry-After honoured by both either way).
func NewPoller(c *pexip.Client, cfg PollerConfig, log *slog.Logger, m *Metrics) *Poller {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := &Poller{
		c:       c,
		cfg:     cfg.withDefaults(),
		log:     log,
		m:       m,
		now:     time.Now,
		batches: make(chan Batch, 1),
		wake:    make(chan struct{}, 1),
		watched: make(map[string]int),
	}
	p.state.Store(&State{
		Conferences:  map[string]pexip.Conference{},
		Participants: map[string]pexip.Participant{},
		MediaStreams: map[string][]pexip.MediaStream{},
		Ages:         map[string]time.Time{},
	})
	p.loop.failing = make(map[string]string)
	p.loop.tasks = p.newTasks()
	m.setAgeSource(p)
	return p
}

// State returns the current snapshot. It is cheap and never blocks; the snapshot must not
// be modified.
func (p *Poller) State() *State { return p.state.Load() }

// Ready reports whether every enabled resource has been read successfully at least once.
func (p *Poller) Ready() bool { return p.ready.Load() }

// Batches delivers a Batch after every cycle that changed something (data or staleness). It
// is meant for ONE consumer and is never closed: stop reading when Run's context ends. The
// poller never waits for it: a batch the consumer has not taken yet is merged with the next
// one, so the consumer that reads the merged batch still ends up exactly in step.
func (p *Poller) Batches() <-chan Batch { return p.batches }

// Run polls until ctx ends. Only one Run may be active per Poller.
func (p *Poller) Run(ctx context.Context) {
	if !p.running.CompareAndSwap(false, true) {
		p.log.Error("live poller already running")
		return
	}
	defer p.running.Store(false)
	p.log.Info("live poller started", "pexip_url", p.c.URL())

	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-p.wake:
		}
		p.step(ctx)
		timer.Reset(max(p.nextWake().Sub(p.now()), time.Millisecond))
	}
}

// Refresh asks for a prompt re-read of what a command touched, without waiting for the next
// cycle. Calls within RefreshDelay of each other are served by one re-read. It never blocks.
func (p *Poller) Refresh(t Target) {
	conf := t.Conference
	if conf == "" && t.Participant != "" {
		if part, ok := p.State().Participants[t.Participant]; ok {
			conf = part.Conference
		}
	}

	p.mu.Lock()
	if p.refresh.at.IsZero() {
		p.refresh.at = p.now().Add(p.cfg.RefreshDelay)
	}
	if conf == "" {
		p.refresh.all = true
	} else {
		if p.refresh.conferences == nil {
			p.refresh.conferences = make(map[string]bool)
		}
		p.refresh.conferences[conf] = true
	}
	p.mu.Unlock()
	p.poke()
}

// Watch makes the poller read the media streams of a participant until release is called.
// Watches are counted: the streams are read while anyone watches. release may be called
// more than once.
func (p *Poller) Watch(participantID string) (release func()) {
	p.mu.Lock()
	if p.watched[participantID] == 0 {
		p.mediaSoon = true // a new face on screen: read its streams early, within limits
	}
	p.watched[participantID]++
	p.mu.Unlock()
	p.poke()

	var once sync.Once
	return func() {
		once.Do(func() {
			p.mu.Lock()
			defer p.mu.Unlock()
			if p.watched[participantID]--; p.watched[participantID] <= 0 {
				delete(p.watched, participantID)
			}
		})
	}
}

func (p *Poller) poke() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// watchedIDs returns the watched participant ids, sorted.
func (p *Poller) watchedIDs() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Sorted(maps.Keys(p.watched))
}

// takeRefresh returns the pending refresh when its delay has passed, clearing it.
func (p *Poller) takeRefresh(now time.Time) (refreshRequest, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	r := p.refresh
	if r.at.IsZero() || now.Before(r.at) {
		return refreshRequest{}, false
	}
	p.refresh = refreshRequest{}
	return r, true
}

// nextWake is when step has something to do next.
func (p *Poller) nextWake() time.Time {
	next := p.now().Add(time.Hour)
	for _, t := range p.loop.tasks {
		if t.due.Before(next) {
			next = t.due
		}
	}
	p.mu.Lock()
	if !p.refresh.at.IsZero() && p.refresh.at.Before(next) {
		next = p.refresh.at
	}
	p.mu.Unlock()
	if next.Before(p.loop.retryAt) {
		next = p.loop.retryAt
	}
	return next
}
