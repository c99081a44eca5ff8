package platform

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

const (
	roleChair = "chair"
	roleGuest = "guest"

	reasonDisconnected = "Call disconnected"
	reasonAPI          = "Disconnected by an administrator"
	reasonNodeFailed   = "Conferencing Node unreachable"
	reasonADPsOnly     = "Only automatically dialed participants remained"
	reasonTransferred  = "Transferred"
)

// Errors of Join.
var (
	ErrUnknownAlias = errors.New("no service has this alias")
	ErrFull         = errors.New("conference participant limit reached")
	ErrNoNode       = errors.New("no Conferencing Node available")
)

// joinReq is one participant about to enter a conference, from any source: a scripted
// Join, an answered dial, an ADP or the activity generator.
type joinReq struct {
	svc         Service
	spec        JoinSpec // spec.Alias is the alias dialled (the conference alias for dial-outs)
	destination string   // dial-outs: who was called
	id          string   // preassigned id (dial answers with it before the call exists)
	auto        bool     // ADP: does not keep the conference alive alone
	bypassLock  bool
	at          time.Time
	leaveAt     time.Time
	profile     qualityProfile
	media       *node // preferred node (dial's node field)
	callType    string
}

// Join scripts a participant joining the service owning spec.Alias, creating the
// conference on the first join. The participant is admitted, or held waiting when the
// conference is locked or has no host yet (see the package doc).
func (p *Platform) Join(spec JoinSpec) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	svc, ok := p.dir.ServiceByAlias(spec.Alias)
	if !ok {
		return "", fmt.Errorf("join %q: %w", spec.Alias, ErrUnknownAlias)
	}
	prof := profileGood
	if spec.PacketLoss != 0 || spec.Jitter != 0 {
		prof = qualityProfile{forced: true, loss: spec.PacketLoss, jitter: spec.Jitter}
	}
	pt, err := p.join(joinReq{svc: svc, spec: spec, at: p.now, profile: prof})
	if err != nil {
		return "", fmt.Errorf("join %q: %w", spec.Alias, err)
	}
	p.updateLoad()
	return pt.id, nil
}

// Leave disconnects a participant as if it hung up; false if there is no such participant.
func (p *Platform) Leave(participantID string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	pt, ok := p.partByID[participantID]
	if !ok {
		return false
	}
	p.leave(pt, reasonDisconnected, p.now)
	p.updateLoad()
	return true
}

func (p *Platform) join(r joinReq) (*participant, error) {
	conf := p.confByName[strings.ToLower(r.svc.Name)]
	if conf != nil && r.svc.ParticipantLimit > 0 && len(conf.parts) >= r.svc.ParticipantLimit {
		return nil, ErrFull
	}
	pt, err := p.newParticipant(r)
	if err != nil {
		return nil, err
	}
	created := conf == nil
	if created {
		conf = p.startConference(r.svc, pt.connect.Add(-time.Duration(p.rng.IntN(500))*time.Millisecond))
	}
	pt.conf = conf
	pt.serviceType = conf.svc.ServiceType
	switch {
	case r.spec.Waiting:
		pt.waiting = waitLocked
	case conf.locked && !r.bypassLock && !(pt.role == roleChair && conf.svc.PIN != ""):
		pt.waiting = waitLocked
	case conf.svc.hostsAndGuests() && pt.role == roleGuest && !conf.started:
		pt.waiting = waitHost
	}
	pt.muted = pt.role == roleGuest && conf.guestsMuted

	conf.parts = append(conf.parts, pt)
	conf.wire = nil
	p.parts = append(p.parts, pt)
	p.partByID[pt.id] = pt
	pt.signalling.signaling++
	if pt.proxy != nil {
		pt.proxy.signaling++
	}
	if pt.waiting == notWaiting {
		p.admit(pt, r.at)
	}
	p.refreshStarted(conf, r.at)
	p.refreshTopology(conf, r.at)
	if created {
		p.dialAutoParticipants(conf)
	}
	return pt, nil
}

func (p *Platform) startConference(svc Service, at time.Time) *conference {
	c := &conference{id: p.newUUID(), svc: svc, start: at, guestsMuted: svc.MuteAllGuests}
	if svc.ServiceType == "test_call" {
		c.started = true
	}
	p.confs = append(p.confs, c)
	p.confByID[c.id] = c
	p.confByName[strings.ToLower(svc.Name)] = c
	return c
}

// newParticipant fills in everything the request leaves open and places the call on a node.
func (p *Platform) newParticipant(r joinReq) (*participant, error) {
	s := r.spec
	proto, ok := normProtocol(s.Protocol)
	if !ok {
		proto = p.pickProtocol()
	}
	pt := &participant{
		id: r.id, protocol: proto, displayName: s.DisplayName, vendor: s.Vendor,
		remoteAddr: s.RemoteAddress, direction: s.CallDirection, role: s.Role,
		auto: r.auto, connect: p.microJitter(r.at), leaveAt: r.leaveAt, q: newQuality(r.profile),
	}
	if pt.id == "" {
		pt.id = p.newUUID()
	}
	pt.callUUID = p.newUUID()
	pt.conversationID = pt.callUUID
	if proto == protoMSSIP {
		pt.conversationID = strings.ToUpper(fmt.Sprintf("%016x", p.rng.Uint64()))
	}
	p.fillCaller(pt, r)
	if err := p.placeCall(pt, s.Location, r.media); err != nil {
		return nil, err
	}
	return pt, nil
}

func (p *Platform) fillCaller(pt *participant, r joinReq) {
	if pt.displayName == "" {
		pt.displayName = p.pickDisplayName()
	}
	if pt.vendor == "" {
		pt.vendor = p.pickVendor(pt.protocol)
	}
	if pt.remoteAddr == "" {
		pt.remoteAddr = p.pickAddress()
	}
	if pt.direction == "" {
		pt.direction = "in"
		if r.destination != "" {
			pt.direction = "out"
		}
	}
	if pt.role == "" {
		pt.role = roleChair
		if r.svc.hostsAndGuests() {
			pt.role = roleGuest
		}
	}
	caller := r.destination
	if caller == "" {
		caller = p.callerAlias(pt)
	}
	if pt.direction == "out" {
		pt.source, pt.dest = r.spec.Alias, caller
	} else {
		pt.source, pt.dest = caller, r.spec.Alias
	}
	pt.alias, pt.localAlias, pt.remoteAlias = caller, r.spec.Alias, caller
	p.fillMedia(pt, r.callType)
}

// fillMedia picks the call's port, encryption and media class by its protocol.
func (p *Platform) fillMedia(pt *participant, callType string) {
	pt.remotePort = map[string]int{protoSIP: 5061, protoH323: 1720, protoMSSIP: 5061}[pt.protocol]
	if pt.remotePort == 0 {
		pt.remotePort = 10000 + p.rng.IntN(55000)
	}
	pt.encryption = "On"
	if pt.protocol == protoH323 && p.rng.IntN(3) == 0 {
		pt.encryption = "Off"
	}
	pt.class = p.pickClass(pt.protocol)
	if callType == "audio" {
		pt.class = classAudio
	}
	pt.callRate = callRateFor(pt.class)
	pt.streaming = pt.protocol == protoRTMP
	pt.presSupported = pt.protocol != protoRTMP && pt.class != classAudio
}

func (p *Platform) callerAlias(pt *participant) string {
	switch pt.protocol {
	case protoWebRTC:
		return "Infinity_Connect_" + pt.remoteAddr
	case protoH323:
		return fmt.Sprintf("%d", 40000+p.rng.IntN(9999))
	case protoRTMP:
		return "rtmp://stream.example.com/live/" + firstNames[p.rng.IntN(len(firstNames))]
	default:
		domains := []string{"example.com", "partner.example.org", "customer.example.net"}
		return "sip:" + firstNames[p.rng.IntN(len(firstNames))] + "@" + domains[p.rng.IntN(len(domains))]
	}
}

// placeCall picks the call's location and nodes: the least loaded node of its location,
// then a running overflow node, then the other locations.
func (p *Platform) placeCall(pt *participant, locName string, prefer *node) error {
	loc := p.locByName[strings.ToLower(locName)]
	if loc == nil || loc.cloud {
		loc = p.pickLocation()
	}
	n := prefer
	if n == nil || !n.available() {
		n = p.pickNode(loc)
	}
	if n == nil {
		return ErrNoNode
	}
	pt.loc, pt.media, pt.signalling = n.loc, n, n
	if pt.protocol == protoWebRTC && p.rng.IntN(5) < 2 {
		for _, e := range p.nodes {
			if e.seed.NodeType == "PROXYING" && !e.failed {
				pt.proxy = e
				break
			}
		}
	}
	return nil
}

func (p *Platform) pickLocation() *location {
	var primary []*location
	for _, l := range p.locations {
		if !l.cloud && len(l.nodes) > 0 {
			primary = append(primary, l)
		}
	}
	if len(primary) == 0 {
		return nil
	}
	return primary[p.rng.IntN(len(primary))]
}

func (p *Platform) pickNode(loc *location) *node {
	tiers := make([][]*node, 3)
	for _, n := range p.nodes {
		if !n.available() {
			continue
		}
		switch {
		case n.loc == loc:
			tiers[0] = append(tiers[0], n)
		case n.cloud != nil:
			tiers[1] = append(tiers[1], n)
		default:
			tiers[2] = append(tiers[2], n)
		}
	}
	var best *node
	for _, tier := range tiers {
		for _, n := range tier {
			if best == nil || n.load() < best.load() {
				best = n
			}
		}
		if best != nil && best.load() < 95 {
			return best
		}
	}
	return best
}

// admit lets a participant's media flow: at the start of the call or when released from
// the waiting screen.
func (p *Platform) admit(pt *participant, at time.Time) {
	pt.waiting = notWaiting
	pt.admitted = at
	pt.media.tokens += pt.class.tokens()
	pt.streams = p.newStreams(pt, at)
	pt.q.next = at.Add(window)
	pt.wire = nil
}

// refreshStarted starts the conference once a host is in (or anyone, when the service does
// not tell hosts from guests) and lets guests waiting for a host in.
func (p *Platform) refreshStarted(c *conference, at time.Time) {
	if c.started {
		return
	}
	for _, pt := range c.parts {
		if pt.waiting == notWaiting && (pt.role == roleChair || !c.svc.hostsAndGuests()) {
			c.started = true
		}
	}
	if !c.started {
		return
	}
	c.wire = nil
	for _, pt := range c.parts {
		if pt.waiting == waitHost {
			p.admit(pt, at)
		}
	}
	p.refreshTopology(c, at)
}

func (p *Platform) leave(pt *participant, reason string, at time.Time) {
	if p.partByID[pt.id] != pt {
		return // already gone: ending an ADP-only conference recurses
	}
	c := pt.conf
	if pt.waiting == notWaiting {
		pt.media.tokens -= pt.class.tokens()
	}
	pt.signalling.signaling--
	if pt.proxy != nil {
		pt.proxy.signaling--
	}
	for _, s := range pt.streams {
		s.advance(at)
		s.end = at
	}
	c.left = append(c.left, p.participantRecord(pt, at, reason))
	c.parts = slices.DeleteFunc(c.parts, func(x *participant) bool { return x == pt })
	p.parts = slices.DeleteFunc(p.parts, func(x *participant) bool { return x == pt })
	delete(p.partByID, pt.id)
	c.wire = nil
	p.afterDeparture(c, at)
}

// afterDeparture ends a conference that someone left empty, or with only ADPs in it.
func (p *Platform) afterDeparture(c *conference, at time.Time) {
	if len(c.parts) == 0 {
		p.endConference(c, at)
		return
	}
	if !slices.ContainsFunc(c.parts, func(x *participant) bool { return !x.auto }) {
		for _, x := range slices.Clone(c.parts) {
			p.leave(x, reasonADPsOnly, at)
		}
		return
	}
	p.refreshTopology(c, at)
}

// detach takes a participant out of its conference without a history record, for a
// transfer; the caller puts it into another conference with attach.
func (p *Platform) detach(pt *participant, at time.Time) {
	c := pt.conf
	if pt.waiting == notWaiting {
		pt.media.tokens -= pt.class.tokens()
	}
	c.parts = slices.DeleteFunc(c.parts, func(x *participant) bool { return x == pt })
	c.wire = nil
	if pt.presenting {
		p.stopPresenting(pt, at)
	}
	p.afterDeparture(c, at)
}

func (p *Platform) endConference(c *conference, at time.Time) {
	for _, b := range c.backplanes {
		p.endBackplane(c, b, at)
	}
	c.backplanes = nil
	p.confs = slices.DeleteFunc(p.confs, func(x *conference) bool { return x == c })
	delete(p.confByID, c.id)
	delete(p.confByName, strings.ToLower(c.svc.Name))
	p.hist.addConference(p.conferenceRecord(c, at), c.left, p.opts.HistoryCap)
}

// refreshTopology keeps one conference_shard per node carrying media for the conference and
// a backplane from its first node to every node of another location.
func (p *Platform) refreshTopology(c *conference, at time.Time) {
	var used []*node
	for _, pt := range c.parts {
		if pt.waiting == notWaiting && !slices.Contains(used, pt.media) {
			used = append(used, pt.media)
		}
	}
	var shards []*shard
	for _, n := range used {
		i := slices.IndexFunc(c.shards, func(s *shard) bool { return s.node == n })
		if i >= 0 {
			shards = append(shards, c.shards[i])
		} else {
			start := at
			if c.start.After(start) {
				start = c.start
			}
			shards = append(shards, &shard{id: p.newUUID(), node: n, start: p.microJitter(start)})
		}
	}
	c.shards = shards

	var keep []*backplane
	for _, b := range c.backplanes {
		if len(used) > 0 && b.home == used[0] && slices.Contains(used, b.remote) {
			keep = append(keep, b)
		} else {
			p.endBackplane(c, b, at)
		}
	}
	for _, n := range used[min(1, len(used)):] {
		if n.loc == used[0].loc || slices.ContainsFunc(keep, func(b *backplane) bool { return b.remote == n }) {
			continue
		}
		keep = append(keep, p.newBackplane(used[0], n, at))
	}
	c.backplanes = keep
}
