package live

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"time"
)

// task is one resource read on its own interval.
type task struct {
	resource string
	every    time.Duration
	due      time.Time
	okOnce   bool
	// read fetches the resource and returns how to apply it to a snapshot: the mutation
	// edits the copy it is given and returns the deltas.
	read func(ctx context.Context) (func(s *State) []Delta, error)
}

func (p *Poller) newTasks() []*task {
	all := []*task{
		{resource: ResourceConference, every: p.cfg.Conferences, read: p.readConferences},
		{resource: ResourceParticipant, every: p.cfg.Participants, read: p.readParticipants},
		{resource: ResourceNode, every: p.cfg.Nodes, read: p.readNodes},
		{resource: ResourceLocation, every: p.cfg.Nodes, read: p.readLocations},
		{resource: ResourceAlarm, every: p.cfg.Alarms, read: p.readAlarms},
		{resource: ResourceRegistration, every: p.cfg.Registrations, read: p.readRegistrations},
		{resource: ResourceLicensing, every: p.cfg.Licensing, read: p.readLicensing},
		{resource: ResourceMediaStream, every: p.cfg.MediaStreams, read: p.readMediaStreams},
	}
	return slices.DeleteFunc(all, func(t *task) bool { return t.every < 0 })
}

// step runs everything that is due, one request at a time, then hands one batch to the
// consumer. A failure of the node itself ends the step early: nothing more is asked of a
// node that just failed until the backoff has passed.
func (p *Poller) step(ctx context.Context) {
	now := p.now()
	if now.Before(p.loop.retryAt) {
		return
	}
	p.applyRefresh(ctx, now)
	p.applyWatchChange(now)

	due := slices.DeleteFunc(slices.Clone(p.loop.tasks), func(t *task) bool { return t.due.After(now) })
	// Earliest due first; ties in the order of newTasks (the fast resources first).
	slices.SortStableFunc(due, func(a, b *task) int { return a.due.Compare(b.due) })
	for _, t := range due {
		if ctx.Err() != nil || !p.runTask(ctx, t) {
			break
		}
	}
	p.flush()
}

// runTask reads one resource and applies it. It reports false when the node failed and the
// step must stop.
func (p *Poller) runTask(ctx context.Context, t *task) bool {
	start := time.Now()
	apply, err := t.read(ctx)
	p.m.observePoll(t.resource, time.Since(start), err)
	now := p.now()
	// Keep the cadence: the next read is one interval after this one was due, unless the
	// poller is so late (a backoff, a slow node) that it would be due at once.
	if t.due = t.due.Add(t.every); !t.due.After(now) {
		t.due = now.Add(t.every)
	}
	if err != nil {
		return p.failed(ctx, t.resource, err, now)
	}

	p.loop.backoff = 0
	delete(p.loop.failing, t.resource)
	p.commit(func(s *State) {
		p.loop.pending = append(p.loop.pending, apply(s)...)
		s.Ages = maps.Clone(s.Ages)
		s.Ages[t.resource] = now
		s.Updated = now
	})
	if !t.okOnce {
		t.okOnce = true
		p.checkReady()
	}
	return true
}

func (p *Poller) checkReady() {
	for _, t := range p.loop.tasks {
		if !t.okOnce {
			return
		}
	}
	if !p.ready.Swap(true) {
		p.log.Info("live poller ready", "resources", len(p.loop.tasks))
	}
}

// commit publishes a new snapshot: a shallow copy of the current one, changed by mutate, with
// the staleness of the moment.
func (p *Poller) commit(mutate func(s *State)) {
	next := *p.State()
	if mutate != nil {
		mutate(&next)
	}
	next.Stale = len(p.loop.failing) > 0
	next.LastError = ""
	if next.Stale {
		next.LastError = p.loop.lastError
	}
	p.state.Store(&next)
}

// flush turns the deltas of a step, or a change of staleness, into one Batch.
func (p *Poller) flush() {
	stale := len(p.loop.failing) > 0
	if len(p.loop.pending) == 0 && stale == p.loop.staleSent {
		return
	}
	if stale != p.loop.staleSent {
		p.m.setStale(stale)
		if !stale {
			p.log.Info("live state current again", "pexip_url", p.c.URL())
		}
	}
	p.loop.staleSent = stale
	p.loop.version++
	p.commit(func(s *State) { s.Version = p.loop.version })

	deltas := p.loop.pending
	p.loop.pending = nil
	p.m.countDeltas(deltas)
	p.deliver(Batch{Version: p.loop.version, Deltas: deltas, State: p.State()})
}

// applyRefresh serves a pending Refresh: whole reads are made due now, single conferences are
// re-read here.
func (p *Poller) applyRefresh(ctx context.Context, now time.Time) {
	r, ok := p.takeRefresh(now)
	if !ok {
		return
	}
	p.setDue(ResourceConference, now)
	if r.all || len(r.conferences) > maxRefreshConferences {
		p.setDue(ResourceParticipant, now)
		return
	}
	for _, name := range slices.Sorted(maps.Keys(r.conferences)) {
		apply, err := p.readConferenceParticipants(ctx, name)
		if err != nil {
			// The next participants read covers this conference; a node failure is handled
			// by the task that meets it next.
			p.log.Debug("refresh read failed", "resource", ResourceParticipant, "error", err)
			return
		}
		p.commit(func(s *State) { p.loop.pending = append(p.loop.pending, apply(s)...) })
	}
}

// maxRefreshConferences is how many conferences are re-read one by one before a refresh
// reads all participants instead.
const maxRefreshConferences = 4

// applyWatchChange makes the media stream read due now when someone started watching a
// participant nobody watched, but at most once per media interval: however often viewers open
// and close participant pages, the node sees no more than one extra read per interval.
func (p *Poller) applyWatchChange(now time.Time) {
	p.mu.Lock()
	soon := p.mediaSoon
	p.mediaSoon = false
	p.mu.Unlock()
	if !soon || now.Sub(p.loop.earlyMedia) < p.cfg.MediaStreams {
		return
	}
	p.loop.earlyMedia = now
	p.setDue(ResourceMediaStream, now)
}

func (p *Poller) setDue(resource string, at time.Time) {
	for _, t := range p.loop.tasks {
		if t.resource == resource && t.due.After(at) {
			t.due = at
		}
	}
}

// sortedBy sorts a fresh list by a key, for a stable display order.
func sortedBy[T any, K cmp.Ordered](list []T, key func(T) K) []T {
	slices.SortStableFunc(list, func(a, b T) int { return cmp.Compare(key(a), key(b)) })
	return list
}
