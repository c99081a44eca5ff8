package platform

import (
	"net/netip"
	"strings"
	"time"
)

const (
	msgRequired      = "This field is required."
	msgNoParticipant = "Failed to find participant."
	msgNoConference  = "Failed to find conference."
	msgNoCloudNode   = "Failed to find the cloud node."
)

// Command runs a participant/*, conference/* or platform/start_cloudnode command with its
// fields as strings (form values or stringified JSON) and returns the HTTP status and JSON
// body a Management Node answers. An unknown command answers 404 with a nil body.
func (p *Platform) Command(group, name string, fields map[string]string) (int, any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var status int
	var body any
	switch group {
	case "participant":
		status, body = p.participantCommand(name, fields)
	case "conference":
		status, body = p.conferenceCommand(name, fields)
	case "platform":
		if name == "start_cloudnode" {
			status, body = p.startCloudnode(fields["instance_id"])
		} else {
			status = 404
		}
	default:
		status = 404
	}
	p.updateLoad()
	return status, body
}

func fieldError(command, field, msg string) (int, any) {
	return 400, Object{command: Object{field: []any{msg}}}
}

func success(status int, data any) (int, any) {
	return status, Object{"status": "success", "message": "", "data": data}
}

func choiceError(command, field, value string) (int, any) {
	return fieldError(command, field, "Select a valid choice. "+value+" is not one of the available choices.")
}

func (p *Platform) participantCommand(name string, f map[string]string) (int, any) {
	if name == "dial" {
		return p.dial(f)
	}
	known := map[string]bool{"disconnect": true, "mute": true, "unmute": true, "unlock": true,
		"transfer": true, "role": true}
	if !known[name] {
		return 404, nil
	}
	id := strings.TrimSpace(f["participant_id"])
	if id == "" {
		return fieldError(name, "participant_id", msgRequired)
	}
	pt, ok := p.partByID[id]
	if !ok {
		return fieldError(name, "participant_id", msgNoParticipant)
	}
	switch name {
	case "disconnect":
		p.leave(pt, reasonAPI, p.now)
		return success(200, nil)
	case "mute", "unmute":
		pt.muted = name == "mute"
		pt.wire = nil
	case "unlock":
		p.release(pt)
	case "role":
		role := f["role"]
		if role != roleChair && role != roleGuest {
			return choiceError(name, "role", role)
		}
		pt.role = role
		pt.wire = nil
		if role == roleChair && pt.waiting == waitHost {
			p.admit(pt, p.now) // a host does not wait for a host
		}
		p.refreshStarted(pt.conf, p.now)
		p.refreshTopology(pt.conf, p.now)
	case "transfer":
		return p.transfer(pt, f)
	}
	return success(202, nil)
}

// release lets a participant held by the lock in; a guest of a conference without a host
// keeps waiting for the host.
func (p *Platform) release(pt *participant) {
	if pt.waiting != waitLocked {
		return
	}
	c := pt.conf
	if c.svc.hostsAndGuests() && pt.role == roleGuest && !c.started {
		pt.waiting = waitHost
		pt.wire = nil
		return
	}
	p.admit(pt, p.now)
	p.refreshStarted(c, p.now)
	p.refreshTopology(c, p.now)
}

func (p *Platform) transfer(pt *participant, f map[string]string) (int, any) {
	alias := strings.TrimSpace(f["conference_alias"])
	if alias == "" {
		return fieldError("transfer", "conference_alias", msgRequired)
	}
	svc, ok := p.dir.ServiceByAlias(alias)
	if !ok {
		return fieldError("transfer", "conference_alias", "Failed to find conference alias.")
	}
	role := f["role"]
	if role != "" && role != roleChair && role != roleGuest {
		return choiceError("transfer", "role", role)
	}
	if strings.EqualFold(svc.Name, pt.conf.svc.Name) {
		if role != "" {
			pt.role = role
			pt.wire = nil
			p.refreshStarted(pt.conf, p.now)
		}
		return success(202, nil)
	}
	wasAdmitted := pt.waiting == notWaiting
	if pt.presenting {
		p.stopPresenting(pt, p.now)
	}
	p.recordLeg(pt, p.now)
	p.detach(pt, p.now)
	p.attach(pt, svc, alias, role, wasAdmitted)
	return success(202, nil)
}

// recordLeg adds the history record of the conference leg a transferred participant is
// leaving to that conference, and starts the next leg: its streams restart their counters
// and start time. The record gets an id of its own; the call keeps its id in status and in
// the history of the conference it ends in, so there is one history participant per leg.
func (p *Platform) recordLeg(pt *participant, at time.Time) {
	leg := *pt
	leg.id = p.newUUID()
	leg.streams = make([]*stream, 0, len(pt.streams))
	for _, s := range pt.streams {
		s.advance(at)
		done := *s
		done.end = at
		leg.streams = append(leg.streams, &done)
	}
	pt.conf.left = append(pt.conf.left, p.participantRecord(&leg, at, reasonTransferred))

	pt.ended = nil
	for _, s := range pt.streams {
		s.start, s.last = at, at
		s.rxRecv, s.rxLost, s.txSent, s.txLost = 0, 0, 0, 0
	}
	pt.legStart = at
}

// attach puts a detached participant into the conference of svc, bypassing its PIN and
// lock; a guest still waits for a host.
func (p *Platform) attach(pt *participant, svc Service, alias, role string, wasAdmitted bool) {
	c := p.confByName[strings.ToLower(svc.Name)]
	created := c == nil
	if created {
		c = p.startConference(svc, p.now)
	}
	pt.conf, pt.serviceType, pt.localAlias = c, svc.ServiceType, alias
	if pt.direction == "out" {
		pt.source = alias
	} else {
		pt.dest = alias
	}
	if role != "" {
		pt.role = role
	}
	pt.muted = pt.role == roleGuest && c.guestsMuted
	pt.wire = nil
	c.parts = append(c.parts, pt)
	c.wire = nil

	wait := svc.hostsAndGuests() && pt.role == roleGuest && !c.started
	switch {
	case wait:
		// The streams so far belong to the leg just recorded; media stops while it waits.
		pt.streams = nil
		pt.waiting = waitHost
	case wasAdmitted:
		pt.media.tokens += pt.class.tokens()
	default:
		p.admit(pt, p.now)
	}
	p.refreshStarted(c, p.now)
	p.refreshTopology(c, p.now)
	if created {
		p.dialAutoParticipants(c)
	}
}

func (p *Platform) conferenceCommand(name string, f map[string]string) (int, any) {
	known := map[string]bool{"disconnect": true, "lock": true, "unlock": true,
		"mute_guests": true, "unmute_guests": true, "transform_layout": true}
	if !known[name] {
		return 404, nil
	}
	id := strings.TrimSpace(f["conference_id"])
	if id == "" {
		return fieldError(name, "conference_id", msgRequired)
	}
	c, ok := p.confByID[id]
	if !ok {
		return fieldError(name, "conference_id", msgNoConference)
	}
	switch name {
	case "disconnect":
		for _, pt := range append([]*participant(nil), c.parts...) {
			if _, still := p.partByID[pt.id]; still {
				p.leave(pt, reasonAPI, p.now)
			}
		}
		return success(200, nil)
	case "lock", "unlock":
		c.locked = name == "lock"
		c.wire = nil
		if !c.locked {
			for _, pt := range append([]*participant(nil), c.parts...) {
				p.release(pt)
			}
		}
	case "mute_guests", "unmute_guests":
		c.guestsMuted = name == "mute_guests"
		c.wire = nil
		for _, pt := range c.parts {
			if pt.role == roleGuest {
				pt.muted = c.guestsMuted
				pt.wire = nil
			}
		}
	}
	return success(202, nil)
}

func (p *Platform) startCloudnode(instanceID string) (int, any) {
	if strings.TrimSpace(instanceID) == "" {
		return fieldError("start_cloudnode", "instance_id", msgRequired)
	}
	for _, n := range p.nodes {
		if n.cloud == nil || n.cloud.instanceID != instanceID {
			continue
		}
		if !p.startCloud(n) {
			return 200, Object{"status": "failed",
				"error": "Unable to start a cloud node which isn't in 'STOPPED' state"}
		}
		return 202, Object{"status": "success"}
	}
	return fieldError("start_cloudnode", "instance_id", msgNoCloudNode)
}

// dial validates a participant/dial and starts the call ringing: the participant appears a
// couple of seconds later, with the id answered now.
func (p *Platform) dial(f map[string]string) (int, any) {
	req, status, body := p.dialRequest(f)
	if status != 0 {
		return status, body
	}
	req.id = p.newUUID()
	ring := 2*time.Second + time.Duration(p.rng.IntN(3))*time.Second
	p.ringing = append(p.ringing, &ringingCall{id: req.id, answerAt: p.now.Add(ring), req: req})
	return success(202, Object{"participant_id": req.id, "participant_ids": []any{req.id}})
}

var dialChoices = map[string][]string{
	"protocol":              {"sip", "h323", "mssip", "rtmp", "gms", "teams", "auto"},
	"role":                  {roleGuest, roleChair},
	"call_type":             {"video", "audio", "video-only"},
	"routing":               {"manual", "routing_rule"},
	"keep_conference_alive": {"keep_conference_alive", "keep_conference_alive_if_multiple", "keep_conference_alive_never"},
}

var dialDefaults = map[string]string{"protocol": "sip", "role": roleGuest, "call_type": "video"}

func (p *Platform) dialRequest(f map[string]string) (joinReq, int, any) {
	get := func(k string) string { return strings.TrimSpace(f[k]) }
	for _, k := range []string{"conference_alias", "destination"} {
		if get(k) == "" {
			s, b := fieldError("dial", k, msgRequired)
			return joinReq{}, s, b
		}
	}
	vals := map[string]string{}
	for k, choices := range dialChoices {
		v := strings.ToLower(get(k))
		if v == "" {
			v = dialDefaults[k]
		}
		if v != "" && !contains(choices, v) {
			s, b := choiceError("dial", k, get(k))
			return joinReq{}, s, b
		}
		vals[k] = v
	}
	svc, ok := p.dir.ServiceByAlias(get("conference_alias"))
	if !ok {
		s, b := fieldError("dial", "conference_alias", "Failed to find conference alias.")
		return joinReq{}, s, b
	}
	n, loc, status, body := p.dialPlace(get("node"), get("system_location"), vals["routing"])
	if status != 0 {
		return joinReq{}, status, body
	}
	proto := vals["protocol"]
	if proto == "auto" {
		proto = "sip"
	}
	name := get("remote_display_name")
	if name == "" {
		name = get("destination")
	}
	spec := JoinSpec{Alias: get("conference_alias"), DisplayName: name, Protocol: proto,
		Role: vals["role"], Location: loc, CallDirection: "out"}
	return joinReq{svc: svc, spec: spec, destination: get("destination"), bypassLock: true,
		media: n, callType: vals["call_type"], profile: profileGood}, 0, nil
}

// dialPlace resolves dial's node (an IPv4 address of a Conferencing Node, which wins) and
// system_location (a location name); one of them is required, unless routing is
// routing_rule: then the platform places the call itself, as a node routing by its Call
// Routing Rules would (the least loaded node of a location, when the call is answered).
func (p *Platform) dialPlace(addr, locName, routing string) (*node, string, int, any) {
	if addr == "" && locName == "" && routing == "routing_rule" {
		if p.pickNode(nil) == nil {
			s, b := fieldError("dial", "__all__", "No Conferencing Node is available to place the call.")
			return nil, "", s, b
		}
		return nil, "", 0, nil
	}
	if addr == "" && locName == "" {
		s, b := fieldError("dial", "__all__", "One of node or system_location must be specified.")
		return nil, "", s, b
	}
	if addr != "" {
		ip, err := netip.ParseAddr(addr)
		n := p.nodeByAddr[addr]
		if err != nil || !ip.Is4() || n == nil || n.seed.NodeType == "PROXYING" {
			s, b := fieldError("dial", "node", "Enter the IPv4 address of a Conferencing Node.")
			return nil, "", s, b
		}
		return n, n.loc.seed.Name, 0, nil
	}
	l := p.locByName[strings.ToLower(locName)]
	if l == nil {
		s, b := fieldError("dial", "system_location", "Failed to find system location.")
		return nil, "", s, b
	}
	return nil, l.seed.Name, 0, nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// answerRinging lets the dialled calls whose ringing is over join their conference.
func (p *Platform) answerRinging() {
	var still []*ringingCall
	for _, r := range p.ringing {
		if r.answerAt.After(p.now) {
			still = append(still, r)
			continue
		}
		r.req.at = r.answerAt
		if r.req.auto && p.confByName[strings.ToLower(r.req.svc.Name)] == nil {
			continue // the conference ended before its ADP answered
		}
		if _, err := p.join(r.req); err != nil {
			continue // the call failed (full conference, no node): it never appears
		}
	}
	p.ringing = still
}

// dialAutoParticipants rings a new conference's ADPs.
func (p *Platform) dialAutoParticipants(c *conference) {
	alias := ""
	if len(c.svc.Aliases) > 0 {
		alias = c.svc.Aliases[0]
	}
	for _, ad := range c.svc.AutoDial {
		proto, ok := normProtocol(ad.Protocol)
		if !ok {
			proto = protoSIP
		}
		req := joinReq{
			svc: c.svc, destination: ad.Alias, id: p.newUUID(), auto: true, bypassLock: true,
			profile: profileGood,
			spec: JoinSpec{Alias: alias, DisplayName: ad.DisplayName, Protocol: proto,
				Role: ad.Role, Vendor: "Pexip Infinity ADP", CallDirection: "out"},
		}
		if req.spec.DisplayName == "" {
			req.spec.DisplayName = ad.Alias
		}
		p.ringing = append(p.ringing, &ringingCall{id: req.id, answerAt: p.now.Add(3 * time.Second), req: req})
	}
}
