package live

import (
	"context"
	"errors"
	"maps"
	"net/url"

	"pexops/pexip"
)

func (p *Poller) readConferences(ctx context.Context) (func(*State) []Delta, error) {
	confs, err := readList(ctx, p, pexip.ResConference, nil,
		func(c pexip.Conference) string { return c.ID })
	if err != nil {
		return nil, err
	}
	return func(s *State) []Delta {
		ds := diffMaps(ResourceConference, s.Conferences, confs, conferenceName)
		if len(ds) > 0 {
			s.Conferences = confs
		}
		return ds
	}, nil
}

func participantID(p pexip.Participant) string { return p.ID }

func (p *Poller) readParticipants(ctx context.Context) (func(*State) []Delta, error) {
	parts, err := readList(ctx, p, pexip.ResParticipant, nil, participantID)
	if err != nil {
		return nil, err
	}
	return func(s *State) []Delta {
		ds := diffMaps(ResourceParticipant, s.Participants, parts, participantConference)
		if len(ds) > 0 {
			s.Participants = parts
		}
		return ds
	}, nil
}

// readConferenceParticipants re-reads the participants of one conference (status
// participants are filtered by conference name) and merges them into the full list.
func (p *Poller) readConferenceParticipants(ctx context.Context, name string) (func(*State) []Delta, error) {
	q := url.Values{"conference": {name}}
	parts, err := readList(ctx, p, pexip.ResParticipant, q, participantID)
	if err != nil {
		return nil, err
	}
	return func(s *State) []Delta {
		merged := make(map[string]pexip.Participant, len(s.Participants))
		for id, part := range s.Participants {
			if part.Conference != name {
				merged[id] = part
			}
		}
		maps.Copy(merged, parts)
		ds := diffMaps(ResourceParticipant, s.Participants, merged, participantConference)
		if len(ds) > 0 {
			s.Participants = merged
		}
		return ds
	}, nil
}

// readSmall reads a short list whole (nodes, locations, alarms, registrations), one entry
// per id, in a stable order.
func readSmall[T any](ctx context.Context, p *Poller, resource string, id func(T) string,
	order func(T) string) ([]T, error) {
	got, err := readList(ctx, p, resource, nil, id)
	if err != nil {
		return nil, err
	}
	list := make([]T, 0, len(got))
	for _, v := range got {
		list = append(list, v)
	}
	sortedBy(list, func(v T) string { return order(v) + "\x00" + id(v) })
	return list, nil
}

func (p *Poller) readNodes(ctx context.Context) (func(*State) []Delta, error) {
	id := func(n pexip.Node) string { return intID(n.ID) }
	nodes, err := readSmall(ctx, p, pexip.ResNode, id, func(n pexip.Node) string { return n.Name })
	if err != nil {
		return nil, err
	}
	return func(s *State) []Delta {
		ds := diffLists(ResourceNode, s.Nodes, nodes, id)
		s.Nodes = nodes
		return ds
	}, nil
}

func (p *Poller) readLocations(ctx context.Context) (func(*State) []Delta, error) {
	id := func(l pexip.Location) string { return intID(l.ID) }
	locs, err := readSmall(ctx, p, pexip.ResLocation, id, func(l pexip.Location) string { return l.Name })
	if err != nil {
		return nil, err
	}
	return func(s *State) []Delta {
		ds := diffLists(ResourceLocation, s.Locations, locs, id)
		s.Locations = locs
		return ds
	}, nil
}

func (p *Poller) readAlarms(ctx context.Context) (func(*State) []Delta, error) {
	id := func(a pexip.Alarm) string { return intID(a.ID) }
	// Newest first: the raise time in a sortable form, inverted by the sort below.
	alarms, err := readSmall(ctx, p, pexip.ResAlarm, id, func(a pexip.Alarm) string { return a.TimeRaised.Wire() })
	if err != nil {
		return nil, err
	}
	for i, j := 0, len(alarms)-1; i < j; i, j = i+1, j-1 {
		alarms[i], alarms[j] = alarms[j], alarms[i]
	}
	return func(s *State) []Delta {
		ds := diffLists(ResourceAlarm, s.Alarms, alarms, id)
		s.Alarms = alarms
		return ds
	}, nil
}

func (p *Poller) readRegistrations(ctx context.Context) (func(*State) []Delta, error) {
	id := func(r pexip.Registration) string { return intID(r.ID) }
	regs, err := readSmall(ctx, p, pexip.ResRegistration, id, func(r pexip.Registration) string { return r.Alias })
	if err != nil {
		return nil, err
	}
	return func(s *State) []Delta {
		ds := diffLists(ResourceRegistration, s.Registrations, regs, id)
		s.Registrations = regs
		return ds
	}, nil
}

// readLicensing reads the one object of status/v1/licensing.
func (p *Poller) readLicensing(ctx context.Context) (func(*State) []Delta, error) {
	page, err := listPage[pexip.Licensing](ctx, p, pexip.ResLicensing, nil)
	if err != nil {
		return nil, err
	}
	var lic *pexip.Licensing
	if len(page.Objects) > 0 {
		lic = &page.Objects[0]
	}
	return func(s *State) []Delta {
		ds := diffMaps(ResourceLicensing, licensingMap(s.Licensing), licensingMap(lic),
			func(pexip.Licensing) string { return "" })
		s.Licensing = lic
		return ds
	}, nil
}

func licensingMap(l *pexip.Licensing) map[string]pexip.Licensing {
	if l == nil {
		return nil
	}
	return map[string]pexip.Licensing{ResourceLicensing: *l}
}

// readMediaStreams reads the streams of up to MaxMediaReads watched participants that are
// connected, taking turns when more are watched, and forgets the streams of the others.
func (p *Poller) readMediaStreams(ctx context.Context) (func(*State) []Delta, error) {
	parts := p.State().Participants
	var ids []string
	for _, id := range p.watchedIDs() {
		if _, ok := parts[id]; ok && safeID(id) {
			ids = append(ids, id)
		}
	}
	ids = p.takeTurn(ids)

	read := make(map[string][]pexip.MediaStream, len(ids))
	for _, id := range ids {
		streams, err := p.readStreams(ctx, id)
		if errors.Is(err, pexip.ErrNotFound) {
			continue // left since the participants read; the next one removes it
		}
		if err != nil {
			return nil, err
		}
		read[id] = streams
	}
	keep := make(map[string]bool)
	for _, id := range p.watchedIDs() {
		keep[id] = true
	}
	return func(s *State) []Delta { return applyStreams(s, read, keep) }, nil
}

func (p *Poller) readStreams(ctx context.Context, id string) ([]pexip.MediaStream, error) {
	p.m.requestStarted()
	defer p.m.requestDone()
	return pexip.ListAll[pexip.MediaStream](ctx, p.c, pexip.ResParticipant+"/"+id+"/media_stream", nil)
}

// takeTurn returns at most MaxMediaReads of ids, starting where the last cycle stopped.
func (p *Poller) takeTurn(ids []string) []string {
	n := p.cfg.MaxMediaReads
	if len(ids) <= n {
		return ids
	}
	start := p.loop.mediaCursor % len(ids)
	p.loop.mediaCursor = start + n
	out := make([]string, 0, n)
	for i := range n {
		out = append(out, ids[(start+i)%len(ids)])
	}
	return out
}

// applyStreams stores fresh streams and drops those of participants no longer watched or
// connected.
func applyStreams(s *State, read map[string][]pexip.MediaStream, keep map[string]bool) []Delta {
	next := make(map[string][]pexip.MediaStream, len(s.MediaStreams))
	var ds []Delta
	for id, streams := range s.MediaStreams {
		_, connected := s.Participants[id]
		if keep[id] && connected {
			next[id] = streams
			continue
		}
		ds = append(ds, Delta{Kind: Removed, Resource: ResourceMediaStream, ID: id,
			Conference: s.Participants[id].Conference})
	}
	for id, streams := range read {
		old, had := s.MediaStreams[id]
		if _, connected := s.Participants[id]; !connected || !keep[id] {
			continue
		}
		next[id] = streams
		if d, changed := diffStreams(id, s.Participants[id].Conference, old, streams, had); changed {
			ds = append(ds, d)
		}
	}
	s.MediaStreams = next
	sortedBy(ds, func(d Delta) string { return d.ID })
	return ds
}

// safeID reports whether a participant id can go into a path as it is. Ids come from the
// node and are UUIDs; anything else is not read rather than escaped.
func safeID(id string) bool {
	if id == "" || len(id) > 100 {
		return false
	}
	for _, r := range id {
		ok := r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !ok {
			return false
		}
	}
	return true
}
