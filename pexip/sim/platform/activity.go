package platform

import (
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// meanMeeting is the mean of the 5-60 minute meeting lengths, which sets the arrival rate
// that keeps the target number of conferences running.
const meanMeeting = 32*time.Minute + 30*time.Second

type activity struct {
	on       bool
	schedule []*plannedJoin // sorted by at
}

type plannedJoin struct {
	at, leaveAt time.Time
	svc         Service
	role        string
	prof        qualityProfile
}

// activityTick joins the participants whose time has come, starts new conferences at the
// rate that keeps the target, and puts the odd call on hold.
func (p *Platform) activityTick(dt time.Duration) {
	a := &p.activity
	for len(a.schedule) > 0 && !a.schedule[0].at.After(p.now) {
		pj := a.schedule[0]
		a.schedule = a.schedule[1:]
		p.joinPlanned(pj)
	}
	target := float64(p.opts.TargetConferences)
	rate := target / meanMeeting.Seconds()
	switch n := float64(len(p.confs)); {
	case n < 0.7*target:
		rate *= 2
	case n > 1.3*target:
		rate *= 0.3
	}
	for range p.poisson(rate * dt.Seconds()) {
		p.schedulePlan(p.plan(p.now, p.meetingLength()))
	}
	if len(p.parts) > 0 && p.rng.Float64() < dt.Seconds()/300 {
		pt := p.parts[p.rng.IntN(len(p.parts))]
		if pt.hasMedia() && !pt.auto {
			pt.onHold = !pt.onHold
			pt.wire = nil
		}
	}
}

func (p *Platform) joinPlanned(pj *plannedJoin) {
	alias := ""
	if len(pj.svc.Aliases) > 0 {
		alias = pj.svc.Aliases[p.rng.IntN(len(pj.svc.Aliases))]
	}
	loc := ""
	if c := p.confByName[strings.ToLower(pj.svc.Name)]; c != nil && len(c.parts) > 0 && p.rng.IntN(10) < 7 {
		loc = c.parts[0].loc.seed.Name // most people of a meeting sit at the same site
	}
	// errors (a full conference, no node left) just mean this caller gave up
	_, _ = p.join(joinReq{svc: pj.svc, spec: JoinSpec{Alias: alias, Role: pj.role, Location: loc},
		at: pj.at, leaveAt: pj.leaveAt, profile: pj.prof})
}

// poisson draws a Poisson-distributed count with mean lambda.
func (p *Platform) poisson(lambda float64) int {
	limit, k, prod := math.Exp(-lambda), 0, p.rng.Float64()
	for prod > limit {
		k++
		prod *= p.rng.Float64()
	}
	return k
}

func (p *Platform) meetingLength() time.Duration {
	return 5*time.Minute + time.Duration(p.rng.Int64N(int64(55*time.Minute)))
}

func (p *Platform) schedulePlan(plan []*plannedJoin) {
	a := &p.activity
	for _, pj := range plan {
		// after any equal time, so that joins planned together keep their order
		i := sort.Search(len(a.schedule), func(i int) bool { return a.schedule[i].at.After(pj.at) })
		a.schedule = slices.Insert(a.schedule, i, pj)
	}
}

// refreshServices re-reads the directory's services at most every ten simulated seconds:
// listing a large store is expensive, and new services need not join the demo at once. Only
// model time refreshes it, so that how often anyone reads the status changes nothing.
func (p *Platform) refreshServices() {
	if p.svcCache.list == nil || p.now.Sub(p.svcCache.at) >= 10*time.Second {
		p.svcCache.list, p.svcCache.at = p.dir.Services(), p.now
	}
}

func (p *Platform) services() []Service { return p.svcCache.list }

// freeService picks a service with no conference running and none planned.
func (p *Platform) freeService() (Service, bool) {
	services := p.services()
	if len(services) == 0 {
		return Service{}, false
	}
	for range 12 {
		s := services[p.rng.IntN(len(services))]
		busy := p.confByName[strings.ToLower(s.Name)] != nil ||
			slices.ContainsFunc(p.activity.schedule, func(x *plannedJoin) bool { return x.svc.Name == s.Name })
		rare := (s.ServiceType == "two_stage_dialing" || s.ServiceType == "test_call") && p.rng.IntN(4) > 0
		if !busy && !rare && len(s.Aliases) > 0 {
			return s, true
		}
	}
	return Service{}, false
}

// plan draws one meeting: who joins when, in which role, and when each leaves.
func (p *Platform) plan(start time.Time, length time.Duration) []*plannedJoin {
	svc, ok := p.freeService()
	if !ok {
		return nil
	}
	switch svc.ServiceType {
	case "test_call":
		length = time.Minute + time.Duration(p.rng.IntN(120))*time.Second
	case "two_stage_dialing":
		length = 30*time.Second + time.Duration(p.rng.IntN(60))*time.Second
	}
	end := start.Add(length)
	size := p.meetingSize(svc)
	var out []*plannedJoin
	hostFirst := !svc.hostsAndGuests() || p.rng.IntN(4) > 0
	for i := range size {
		pj := &plannedJoin{svc: svc, prof: p.pickProfile()}
		spread := min(length/3, 5*time.Minute)
		switch {
		case i == 0 && svc.hostsAndGuests():
			pj.role = roleChair
			pj.at = start.Add(time.Duration(p.rng.Int64N(int64(time.Minute))))
			if !hostFirst {
				pj.at = pj.at.Add(45 * time.Second) // a guest waits for the host first
			}
			pj.leaveAt = end.Add(150 * time.Second)
		default:
			if svc.hostsAndGuests() {
				pj.role = roleGuest
			}
			pj.at = start.Add(time.Duration(p.rng.Int64N(int64(spread) + 1)))
			if p.rng.IntN(100) < 15 {
				pj.at = start.Add(length/3 + time.Duration(p.rng.Int64N(int64(length/3)+1)))
			}
			pj.leaveAt = end.Add(time.Duration(p.rng.IntN(240)-120) * time.Second)
			if p.rng.IntN(100) < 15 {
				pj.leaveAt = pj.at.Add(time.Minute + time.Duration(p.rng.Int64N(int64(end.Sub(pj.at))/2+1)))
			}
		}
		if pj.leaveAt.Sub(pj.at) < 30*time.Second {
			pj.leaveAt = pj.at.Add(30 * time.Second)
		}
		out = append(out, pj)
	}
	return out
}

func (p *Platform) meetingSize(svc Service) int {
	// a little above the target ratio: late joiners and early leavers thin meetings out
	mean := max(2, 1.2*float64(p.opts.TargetParticipants)/float64(p.opts.TargetConferences))
	var size int
	switch svc.ServiceType {
	case "test_call", "two_stage_dialing":
		return 1
	case "lecture":
		size = 3 + int(p.rng.ExpFloat64()*(mean*3-3))
	default:
		size = 2 + int(p.rng.ExpFloat64()*(mean-2))
	}
	size = min(size, 200)
	if svc.ParticipantLimit > 0 {
		size = min(size, svc.ParticipantLimit)
	}
	return size
}

// warmStart fills up to the target number of conferences with meetings already under way,
// so that the demo is busy from its first second.
func (p *Platform) warmStart() {
	for range p.opts.TargetConferences - len(p.confs) {
		length := p.meetingLength()
		elapsed := time.Duration(p.rng.Int64N(int64(length) * 7 / 10))
		var due []*plannedJoin
		for _, pj := range p.plan(p.now.Add(-elapsed), length) {
			switch {
			case !pj.at.After(p.now) && pj.leaveAt.After(p.now):
				due = append(due, pj)
			case pj.at.After(p.now):
				p.schedulePlan([]*plannedJoin{pj})
			}
		}
		slices.SortStableFunc(due, func(a, b *plannedJoin) int { return a.at.Compare(b.at) })
		for _, pj := range due {
			p.joinPlanned(pj)
		}
	}
	for _, pt := range p.parts {
		p.closeWindows(pt, p.now)
	}
}

// prefillHistory plays n meetings spread over the previous day straight into the history.
func (p *Platform) prefillHistory(n int) {
	ringing := p.ringing
	day := 24 * time.Hour
	for i := range n {
		start := p.now.Add(-day + time.Duration(i)*day/time.Duration(n) +
			time.Duration(p.rng.Int64N(int64(20*time.Minute))))
		length := min(p.meetingLength(), p.now.Sub(start)-10*time.Minute)
		p.playMeeting(p.plan(start, length))
	}
	p.ringing = ringing // ADPs rung by past meetings never answer
}

type meetingEvent struct {
	at   time.Time
	join *plannedJoin
	pt   **participant
}

func (p *Platform) playMeeting(plan []*plannedJoin) {
	var events []meetingEvent
	for _, pj := range plan {
		var pt *participant
		events = append(events, meetingEvent{at: pj.at, join: pj, pt: &pt},
			meetingEvent{at: pj.leaveAt, pt: &pt})
	}
	slices.SortStableFunc(events, func(a, b meetingEvent) int { return a.at.Compare(b.at) })
	for _, ev := range events {
		if ev.join != nil {
			pt, err := p.join(joinReq{svc: ev.join.svc, spec: JoinSpec{Alias: ev.join.svc.Aliases[0], Role: ev.join.role},
				at: ev.at, profile: ev.join.prof})
			if err == nil {
				*ev.pt = pt
			}
			continue
		}
		if pt := *ev.pt; pt != nil {
			if _, still := p.partByID[pt.id]; still {
				p.closeWindows(pt, ev.at)
				p.leave(pt, reasonDisconnected, ev.at)
			}
		}
	}
}
