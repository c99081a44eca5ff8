package platform

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Alarm names and thresholds.
const (
	alarmLoad     = "Media load exceeded"
	alarmNodeDown = "Conferencing Node unreachable"
	loadRaise     = 90
	loadLower     = 80
)

// updateLoad raises and lowers the media-load alarms after calls moved, and starts an
// overflow node when a location runs hot (dynamic bursting).
func (p *Platform) updateLoad() {
	p.burst()
	for _, n := range p.nodes {
		l := n.load()
		if n.cloud != nil && n.cloud.state != cloudRunning {
			l = 0 // a stopped overflow node reports 100 but is not overloaded
		}
		switch {
		case n.loadAlarm == nil && l > loadRaise:
			n.loadAlarm = p.raiseAlarm(alarmLoad, "warning", n,
				fmt.Sprintf("Media load on %s is above %d%%", n.seed.Name, loadRaise))
		case n.loadAlarm != nil && l < loadLower:
			p.lowerAlarm(n.loadAlarm)
			n.loadAlarm = nil
		}
	}
}

func (p *Platform) raiseAlarm(name, level string, n *node, details string) *alarm {
	p.counters.alarm++
	a := &alarm{
		id: p.counters.alarm, identifier: 2000 + p.counters.alarm, name: name, level: level,
		details: details, instance: n.seed.Name, node: n, raised: p.microJitter(p.now),
	}
	p.alarms = append(p.alarms, a)
	return a
}

func (p *Platform) lowerAlarm(a *alarm) {
	p.alarms = slices.DeleteFunc(p.alarms, func(x *alarm) bool { return x == a })
	p.hist.addAlarm(alarmRecord(a, p.microJitter(p.now)))
}

// FailNode makes a node unreachable: its calls drop, an alarm is raised and a status event
// is recorded. False if there is no node of that name or it has already failed.
func (p *Platform) FailNode(name string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := p.nodeByName[strings.ToLower(name)]
	if n == nil || n.failed {
		return false
	}
	n.failed, n.failedAt = true, p.now
	for _, pt := range slices.Clone(p.parts) {
		if _, still := p.partByID[pt.id]; still && (pt.media == n || pt.signalling == n || pt.proxy == n) {
			p.leave(pt, reasonNodeFailed, p.now)
		}
	}
	p.removeRingingOn(n)
	n.downAlarm = p.raiseAlarm(alarmNodeDown, "critical", n,
		fmt.Sprintf("Lost contact with Conferencing Node %s (%s)", n.seed.Name, n.seed.Address))
	p.addNodeEvent(n, "failed", "Conferencing Node has stopped responding")
	p.updateLoad()
	return true
}

// RecoverNode brings a failed node back (freshly booted); false if it is not failed.
func (p *Platform) RecoverNode(name string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := p.nodeByName[strings.ToLower(name)]
	if n == nil || !n.failed {
		return false
	}
	n.failed = false
	n.boot = p.now
	if n.downAlarm != nil {
		p.lowerAlarm(n.downAlarm)
		n.downAlarm = nil
	}
	p.addNodeEvent(n, "ok", "Conferencing Node is responding again")
	return true
}

func (p *Platform) removeRingingOn(n *node) {
	p.ringing = slices.DeleteFunc(p.ringing, func(r *ringingCall) bool { return r.req.media == n })
}

func (p *Platform) addNodeEvent(n *node, state, details string) {
	p.counters.event++
	p.hist.addEvent(Object{
		"id":                                   p.counters.event,
		"event_type":                           "status_change",
		"state":                                state,
		"context":                              "worker_vm",
		"details":                              details,
		"time_changed":                         wireTime(p.microJitter(p.now)),
		"workervm_address":                     n.seed.Address,
		"workervm_configuration_id":            n.seed.ID,
		"workervm_configuration_name":          n.seed.Name,
		"workervm_configuration_location_name": n.loc.seed.Name,
		"resource_uri":                         fmt.Sprintf("/api/admin/history/v1/workervm_status_event/%d/", p.counters.event),
	})
}

// cloudIdleStop is how long a running overflow node may carry nothing before it stops.
const cloudIdleStop = 30 * time.Minute

// advanceCloud finishes the start-up of overflow nodes and stops the ones left idle.
func (p *Platform) advanceCloud() {
	for _, n := range p.nodes {
		c := n.cloud
		switch {
		case c == nil:
		case c.state == cloudStarting && !c.readyAt.After(p.now):
			c.state = cloudRunning
			c.idleSince = p.now
			n.boot = p.now
			p.addNodeEvent(n, "ok", "Overflow Conferencing Node started")
		case c.state != cloudRunning:
		case n.tokens > 0 || n.signaling > 0:
			c.idleSince = p.now
		case p.now.Sub(c.idleSince) >= cloudIdleStop:
			c.state = cloudStopped
			p.addNodeEvent(n, "stopped", "Idle overflow Conferencing Node stopped")
		}
	}
}

// burst starts one stopped overflow node when a location's media load passes the alarm
// threshold and no overflow node is already up or on its way.
func (p *Platform) burst() {
	var stopped *node
	for _, n := range p.nodes {
		switch {
		case n.cloud == nil:
		case n.cloud.state != cloudStopped:
			return
		case stopped == nil:
			stopped = n
		}
	}
	if stopped == nil {
		return
	}
	for _, l := range p.locations {
		if used, total := l.tokens(); !l.cloud && total > 0 && loadOf(used, total) > loadRaise {
			p.startCloud(stopped)
			p.addNodeEvent(stopped, "starting", "Dynamic bursting for "+l.seed.Name)
			return
		}
	}
}

// startCloud begins starting an overflow node; false if it is not stopped.
func (p *Platform) startCloud(n *node) bool {
	if n.cloud.state != cloudStopped {
		return false
	}
	n.cloud.state = cloudStarting
	n.cloud.launch = p.microJitter(p.now)
	n.cloud.readyAt = p.now.Add(cloudStartup)
	return true
}

func (p *Platform) seedRegistrations(count int) {
	var conf []*node
	for _, n := range p.nodes {
		if n.seed.NodeType != "PROXYING" && n.cloud == nil {
			conf = append(conf, n)
		}
	}
	if len(conf) == 0 {
		return
	}
	for i := range count {
		first := firstNames[i%len(firstNames)]
		proto := []string{protoSIP, protoSIP, protoH323, protoWebRTC}[i%4]
		alias := first + ".desk@example.com"
		if proto == protoH323 {
			alias = fmt.Sprintf("%d", 45000+i)
		}
		p.counters.reg++
		p.regs = append(p.regs, &registration{
			id: p.counters.reg, alias: alias, regID: p.newUUID(), user: first,
			node: conf[i%len(conf)], protocol: proto, remote: p.pickAddress(),
			vendor: p.pickVendor(proto), natted: i%3 == 0, active: true,
			start: p.microJitter(p.now.Add(-time.Duration(1+p.rng.IntN(72*60)) * time.Minute)),
		})
	}
}

// churnRegistrations lets an endpoint drop its registration now and then, and come back.
func (p *Platform) churnRegistrations(dt time.Duration) {
	if len(p.regs) == 0 || p.rng.Float64() > dt.Seconds()/90 {
		return
	}
	r := p.regs[p.rng.IntN(len(p.regs))]
	r.active = !r.active
	if r.active {
		p.counters.reg++
		r.id = p.counters.reg
		r.regID = p.newUUID()
		r.start = p.microJitter(p.now)
	}
}

func (p *Platform) newBackplane(home, remote *node, at time.Time) *backplane {
	b := &backplane{id: p.newUUID(), home: home, remote: remote, start: p.microJitter(at)}
	b.streams = []*stream{
		{id: "0", kind: "audio", node: home, start: b.start, last: at, rxCodec: "opus", txCodec: "opus",
			rxRate: 64, txRate: 64, rxPPS: 50, txPPS: 50},
		{id: "1", kind: "video", node: home, start: b.start, last: at, rxCodec: "H264", txCodec: "H264",
			rxRes: "1280x720", txRes: "1280x720", rxRate: 2048, txRate: 2048, fps: 30,
			rxPPS: 230, txPPS: 230},
	}
	home.tokens += tokensHD
	remote.tokens += tokensHD
	return b
}

func (p *Platform) endBackplane(c *conference, b *backplane, at time.Time) {
	b.home.tokens -= tokensHD
	b.remote.tokens -= tokensHD
	for _, s := range b.streams {
		s.advance(at)
		s.end = at
	}
	p.hist.addBackplane(p.backplaneRecord(c, b, at))
}
