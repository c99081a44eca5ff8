package platform

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
)

const (
	defaultConferences  = 8
	defaultParticipants = 40
	defaultHistoryCap   = 10000

	// tick is the model's time resolution; a Step covering more than maxTicks ticks uses
	// proportionally longer ones so that a jump of hours stays fast.
	tick     = time.Second
	maxTicks = 600
)

// Platform is a running deployment. All methods are safe for concurrent use.
type Platform struct {
	mu    sync.Mutex
	opts  Options
	clock Clock
	dir   Directory
	rng   *rand.Rand
	now   time.Time

	locations  []*location
	locByName  map[string]*location
	nodes      []*node
	nodeByName map[string]*node
	nodeByAddr map[string]*node

	confs      []*conference
	confByID   map[string]*conference
	confByName map[string]*conference
	parts      []*participant
	partByID   map[string]*participant
	ringing    []*ringingCall

	activity activity
	alarms   []*alarm
	regs     []*registration
	hist     history
	counters counters
	svcCache struct {
		at   time.Time
		list []Service
	}
}

// counters hands out the integer ids of alarms, registrations, events and history streams.
type counters struct {
	alarm, reg, event, stream int
}

// New returns a platform over the given locations and nodes, looking services up in dir.
// Its clock starts at opts.Clock.Now(). With Activity on, it starts with a day of history
// and conferences already running.
func New(opts Options, dir Directory, locations []LocationSeed, nodes []NodeSeed) *Platform {
	if opts.Clock == nil {
		opts.Clock = RealClock()
	}
	if opts.TargetConferences <= 0 {
		opts.TargetConferences = defaultConferences
	}
	if opts.TargetParticipants <= 0 {
		opts.TargetParticipants = defaultParticipants
	}
	if opts.HistoryCap <= 0 {
		opts.HistoryCap = defaultHistoryCap
	}
	p := &Platform{
		opts:       opts,
		clock:      opts.Clock,
		dir:        dir,
		rng:        rand.New(rand.NewPCG(uint64(opts.Seed), 0x9e3779b97f4a7c15)),
		now:        opts.Clock.Now().UTC(),
		locByName:  make(map[string]*location),
		nodeByName: make(map[string]*node),
		nodeByAddr: make(map[string]*node),
		confByID:   make(map[string]*conference),
		confByName: make(map[string]*conference),
		partByID:   make(map[string]*participant),
	}
	p.hist.init()
	p.refreshServices()
	p.buildTopology(locations, nodes)
	p.seedRegistrations(12)
	if opts.Activity {
		p.prefillHistory(36)
		p.activity.on = true
		p.warmStart()
	}
	p.updateLoad()
	return p
}

func (p *Platform) buildTopology(locations []LocationSeed, nodes []NodeSeed) {
	for _, ls := range locations {
		l := &location{seed: ls}
		p.locations = append(p.locations, l)
		p.locByName[strings.ToLower(ls.Name)] = l
	}
	for i, ns := range nodes {
		n := &node{seed: ns, statusID: i + 1, boot: p.now.Add(-time.Duration(3+i) * 24 * time.Hour)}
		for _, l := range p.locations {
			if l.seed.ID == ns.LocationID {
				n.loc = l
			}
		}
		if n.loc == nil { // a node whose location is unknown still needs one to report
			n.loc = &location{seed: LocationSeed{ID: ns.LocationID, Name: fmt.Sprintf("Location %d", ns.LocationID)}}
			p.locations = append(p.locations, n.loc)
			p.locByName[strings.ToLower(n.loc.seed.Name)] = n.loc
		}
		if ns.CloudBursting {
			n.cloud = &cloudState{
				state:      cloudStopped,
				instanceID: fmt.Sprintf("i-%08x", p.rng.Uint32()),
				ip:         fmt.Sprintf("172.30.%d.%d", 1+p.rng.IntN(20), 2+p.rng.IntN(250)),
				launch:     p.now.Add(-time.Duration(30+p.rng.IntN(300)) * 24 * time.Hour),
			}
			n.loc.cloud = true
		}
		n.loc.nodes = append(n.loc.nodes, n)
		p.nodes = append(p.nodes, n)
		p.nodeByName[strings.ToLower(ns.Name)] = n
		p.nodeByAddr[ns.Address] = n
	}
}

// Step advances the model to the clock's time in fixed ticks. A clock that went backwards
// is ignored until it passes the model's time again.
func (p *Platform) Step() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.advanceTo(p.clock.Now().UTC())
}

func (p *Platform) advanceTo(target time.Time) {
	gap := target.Sub(p.now)
	if gap <= 0 {
		return
	}
	step := tick
	if gap > maxTicks*tick {
		step = gap / maxTicks
	}
	for p.now.Before(target) {
		next := p.now.Add(step)
		if next.After(target) {
			next = target
		}
		dt := next.Sub(p.now)
		p.now = next
		p.tickOnce(dt)
	}
}

// tickOnce runs one tick ending at p.now and lasting dt.
func (p *Platform) tickOnce(dt time.Duration) {
	p.refreshServices()
	p.answerRinging()
	p.advanceCloud()
	if p.activity.on {
		p.activityTick(dt)
	}
	p.advanceParticipants()
	if p.activity.on {
		p.churnRegistrations(dt)
	}
	p.updateLoad()
}

// newUUID returns a random (version 4) UUID drawn from the platform's seeded generator.
func (p *Platform) newUUID() string {
	a, b := p.rng.Uint64(), p.rng.Uint64()
	a = a&^0xf000 | 0x4000         // version 4
	b = b&^(0xc<<60) | (0x8 << 60) // RFC 4122 variant
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x",
		a>>32, (a>>16)&0xffff, a&0xffff, b>>48, b&0xffffffffffff)
}

// microJitter returns t plus a random sub-second offset, as real event times have.
func (p *Platform) microJitter(t time.Time) time.Time {
	return t.Add(time.Duration(p.rng.IntN(1_000_000)) * time.Microsecond)
}

// SetActivity turns random activity on or off. Turning it on fills up to the target number
// of conferences at once; turning it off leaves running conferences as they are.
func (p *Platform) SetActivity(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	was := p.activity.on
	p.activity.on = on
	if on && !was {
		p.warmStart()
		p.updateLoad()
	}
}
