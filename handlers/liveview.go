package handlers

import (
	"sort"
	"time"

	"pexops/live"
	"pexops/pexip"
	"pexops/views"
)

// snapshot is a live.State indexed the way the live pages need it. It is built once per
// batch and shared by every topic rendered from that batch.
type snapshot struct {
	st        *live.State
	byName    map[string]pexip.Conference    // active conferences by name
	parts     map[string][]pexip.Participant // participants by conference name, sorted
	confViews map[string]views.ConferenceView
}

func newSnapshot(st *live.State) *snapshot {
	s := &snapshot{
		st:        st,
		byName:    make(map[string]pexip.Conference, len(st.Conferences)),
		parts:     make(map[string][]pexip.Participant, len(st.Conferences)),
		confViews: make(map[string]views.ConferenceView, len(st.Conferences)),
	}
	for _, c := range st.Conferences {
		s.byName[c.Name] = c
	}
	for _, p := range st.Participants {
		s.parts[p.Conference] = append(s.parts[p.Conference], p)
	}
	for name, ps := range s.parts {
		sort.Slice(ps, func(i, j int) bool { return participantLess(ps[i], ps[j]) })
		s.parts[name] = ps
	}
	for id, c := range st.Conferences {
		s.confViews[id] = conferenceView(c, s.parts[c.Name])
	}
	return s
}

// participantLess orders participants by connect time, then id, so rows keep their place.
func participantLess(a, b pexip.Participant) bool {
	if !a.ConnectTime.Equal(b.ConnectTime.Time) {
		return a.ConnectTime.Before(b.ConnectTime.Time)
	}
	return a.ID < b.ID
}

// conferences returns the active conferences, most recently started last.
func (s *snapshot) conferences() []views.ConferenceView {
	out := make([]views.ConferenceView, 0, len(s.confViews))
	for _, v := range s.confViews {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].StartTime.Equal(out[j].StartTime) {
			return out[i].StartTime.Before(out[j].StartTime)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func (s *snapshot) counters() views.Counters {
	var n views.Counters
	n.Conferences = len(s.confViews)
	for _, c := range s.confViews {
		n.Participants += c.Participants + c.Waiting
		n.Problems += c.Problems
		if c.Locked {
			n.Locked++
		}
	}
	return n
}

// participants splits a conference's participants into admitted and waiting rows.
func (s *snapshot) participants(confID string) (admitted, waiting []views.ParticipantView) {
	c, ok := s.st.Conferences[confID]
	if !ok {
		return nil, nil
	}
	for _, p := range s.parts[c.Name] {
		v := participantView(p, confID)
		if v.Waiting {
			waiting = append(waiting, v)
		} else {
			admitted = append(admitted, v)
		}
	}
	return admitted, waiting
}

func (s *snapshot) status(staleAfter time.Duration) views.LiveStatus {
	return views.LiveStatus{
		Updated:    s.st.Updated,
		Stale:      s.st.Stale,
		LastError:  s.st.LastError,
		StaleAfter: int(staleAfter.Seconds()),
	}
}

func conferenceView(c pexip.Conference, ps []pexip.Participant) views.ConferenceView {
	v := views.ConferenceView{
		ID:          c.ID,
		Name:        c.Name,
		ServiceType: c.ServiceType,
		Tag:         c.Tag,
		Started:     c.IsStarted,
		Locked:      c.IsLocked,
		GuestsMuted: c.GuestsMuted,
		StartTime:   c.StartTime.Time,
	}
	worst := pexip.QualityUnknown
	for _, p := range ps {
		if isWaiting(p) {
			v.Waiting++
			continue
		}
		v.Participants++
		if p.CallQuality >= pexip.QualityBad {
			v.Problems++
		}
		if p.CallQuality > worst {
			worst = p.CallQuality
		}
	}
	v.WorstQuality = worst.String()
	return v
}

func participantView(p pexip.Participant, confID string) views.ParticipantView {
	alias := p.SourceAlias
	if p.CallDirection == "out" {
		alias = p.DestinationAlias
	}
	if alias == "" {
		alias = p.ParticipantAlias
	}
	return views.ParticipantView{
		ID:             p.ID,
		ConferenceID:   confID,
		DisplayName:    p.DisplayName,
		Alias:          alias,
		Protocol:       p.Protocol,
		Role:           p.Role,
		Direction:      p.CallDirection,
		Quality:        p.CallQuality.String(),
		Muted:          p.IsMuted,
		Presenting:     p.IsPresenting,
		OnHold:         p.IsOnHold,
		Waiting:        isWaiting(p),
		ConnectTime:    p.ConnectTime.Time,
		MediaNode:      p.MediaNode,
		SignallingNode: p.SignallingNode,
		Location:       p.SystemLocation,
		Vendor:         p.Vendor,
		Bandwidth:      int(p.Bandwidth),
	}
}

// isWaiting reports whether a participant is held at the "Waiting for the host" screen of a
// locked or not yet started conference: Pexip reports such a call on hold and without media.
func isWaiting(p pexip.Participant) bool {
	return p.IsOnHold && !p.HasMedia
}
