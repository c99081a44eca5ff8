package handlers

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"pexops/live"
	"pexops/pexip"
	"pexops/views"
)

// snapshot is a live.State indexed the way the live pages need it. It is built once per
// batch and shared by every topic rendered from that batch, and once per new socket.
//
// NOTE: it copies no participant: one pass over the state gives every conference's summary,
// and a conference's participant list is gathered only when a page needs it. A thousand
// pages reconnecting at once then cost a thousand small snapshots, not a thousand copies of
// every participant on the platform.
type snapshot struct {
	st        *live.State
	byName    map[string]pexip.Conference // active conferences by name
	confViews map[string]views.ConferenceView
}

func newSnapshot(st *live.State) *snapshot {
	if st == nil {
		st = &live.State{}
	}
	s := &snapshot{
		st:        st,
		byName:    make(map[string]pexip.Conference, len(st.Conferences)),
		confViews: make(map[string]views.ConferenceView, len(st.Conferences)),
	}
	for _, c := range st.Conferences {
		s.byName[c.Name] = c
		s.confViews[c.ID] = conferenceView(c)
	}
	for _, p := range st.Participants {
		c, ok := s.byName[p.Conference]
		if !ok {
			continue
		}
		v := s.confViews[c.ID]
		countParticipant(&v, p)
		s.confViews[c.ID] = v
	}
	return s
}

// participantsOf returns the participants of the conference named name, in page order.
func (s *snapshot) participantsOf(name string) []pexip.Participant {
	var ps []pexip.Participant
	for _, p := range s.st.Participants {
		if p.Conference == name {
			ps = append(ps, p)
		}
	}
	sort.Slice(ps, func(i, j int) bool { return participantLess(ps[i], ps[j]) })
	return ps
}

// participantLess orders participants by connect time, then id, so rows keep their place.
func participantLess(a, b pexip.Participant) bool {
	if !a.ConnectTime.Equal(b.ConnectTime.Time) {
		return a.ConnectTime.Before(b.ConnectTime.Time)
	}
	return a.ID < b.ID
}

// conferences returns the active conferences, longest running first (the page re-sorts them
// as the operator chooses).
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
	for _, p := range s.participantsOf(c.Name) {
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
	return liveStatus(s.st, staleAfter)
}

func liveStatus(st *live.State, staleAfter time.Duration) views.LiveStatus {
	return views.LiveStatus{
		Updated:    st.Updated,
		Stale:      st.Stale,
		LastError:  st.LastError,
		StaleAfter: int(staleAfter.Seconds()),
	}
}

// conferenceID returns the id of the conference named name, "" when it is not running.
func (s *snapshot) conferenceID(name string) string {
	return s.byName[name].ID
}

// detail is the participant page's model; loss is the samples recorded while watched.
func (s *snapshot) detail(id string, loss []float64) (views.ParticipantDetail, bool) {
	p, ok := s.st.Participants[id]
	if !ok {
		return views.ParticipantDetail{}, false
	}
	d := views.ParticipantDetail{
		Participant: participantView(p, s.conferenceID(p.Conference)),
		Conference:  p.Conference,
		Chart:       views.ChartView{Quality: slices.Clone([]int(p.HistoricCallQuality)), Loss: loss},
	}
	streams, read := s.st.MediaStreams[id]
	d.StreamsRead = read
	for _, ms := range streams {
		if !ms.EndTime.IsZero() {
			continue // an ended stream (presentation stopped) is history, not live media
		}
		d.Streams = append(d.Streams, streamView(ms))
	}
	return d, true
}

func streamView(ms pexip.MediaStream) views.StreamView {
	return views.StreamView{
		ID: ms.ID, Type: ms.Type, Node: ms.Node, Start: ms.StartTime.Time,
		Rx: views.StreamDir{Codec: ms.RxCodec, Resolution: ms.RxResolution, Bitrate: int(ms.RxBitrate),
			Loss: float64(ms.RxPacketLoss), Jitter: float64(ms.RxJitter)},
		Tx: views.StreamDir{Codec: ms.TxCodec, Resolution: ms.TxResolution, Bitrate: int(ms.TxBitrate),
			Loss: float64(ms.TxPacketLoss), Jitter: float64(ms.TxJitter)},
	}
}

// worstLoss is the highest receive packet loss of a participant's running streams.
func worstLoss(streams []pexip.MediaStream) float64 {
	var worst float64
	for _, ms := range streams {
		if ms.EndTime.IsZero() {
			worst = max(worst, float64(ms.RxPacketLoss))
		}
	}
	return worst
}

// conferenceView is a conference's summary before its participants are counted in.
func conferenceView(c pexip.Conference) views.ConferenceView {
	return views.ConferenceView{
		ID:           c.ID,
		Name:         c.Name,
		ServiceType:  c.ServiceType,
		Tag:          c.Tag,
		Started:      c.IsStarted,
		Locked:       c.IsLocked,
		GuestsMuted:  c.GuestsMuted,
		StartTime:    c.StartTime.Time,
		WorstQuality: pexip.QualityUnknown.String(),
	}
}

// countParticipant adds one participant to its conference's summary: counts, problem calls
// and the worst call quality of the admitted participants.
func countParticipant(v *views.ConferenceView, p pexip.Participant) {
	if isWaiting(p) {
		v.Waiting++
		return
	}
	v.Participants++
	if p.CallQuality >= pexip.QualityBad {
		v.Problems++
	}
	if p.CallQuality > qualityOf(v.WorstQuality) {
		v.WorstQuality = p.CallQuality.String()
	}
}

// qualityOf reads back a quality name written by pexip.Quality.String.
func qualityOf(name string) pexip.Quality {
	for q := pexip.QualityUnknown; q <= pexip.QualityTerrible; q++ {
		if q.String() == name {
			return q
		}
	}
	return pexip.QualityUnknown
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

// platform is the platform page's model.
func (s *snapshot) platform() views.PlatformView {
	var v views.PlatformView
	for _, n := range s.st.Nodes {
		v.Nodes = append(v.Nodes, nodeView(n))
	}
	sort.Slice(v.Nodes, func(i, j int) bool { return v.Nodes[i].Name < v.Nodes[j].Name })
	perLoc := map[string]int{}
	for _, p := range s.st.Participants {
		perLoc[p.SystemLocation]++
	}
	for _, l := range s.st.Locations {
		v.Locations = append(v.Locations, views.LocationView{Name: l.Name, Load: int(l.MediaLoad + 0.5),
			TokensUsed: int(l.MediaTokensUsed), TokensMax: int(l.MaxMediaTokens), MaxHDCalls: int(l.MaxHDCalls),
			Participants: perLoc[l.Name]})
	}
	sort.Slice(v.Locations, func(i, j int) bool { return v.Locations[i].Name < v.Locations[j].Name })
	v.Alarms = alarmViews(s.st.Alarms)
	if lic := s.st.Licensing; lic != nil {
		v.LicencesRead = true
		v.Licences = []views.LicenceView{
			{Kind: "Ports (video calls)", Used: int(lic.PortCount), Total: int(lic.PortTotal)},
			{Kind: "Audio calls", Used: int(lic.AudioCount), Total: int(lic.AudioTotal)},
			{Kind: "VMRs", Used: int(lic.VMRCount), Total: int(lic.VMRTotal)},
			{Kind: "Systems", Used: int(lic.SystemCount), Total: int(lic.SystemTotal)},
		}
	}
	return v
}

func nodeView(n pexip.Node) views.NodeView {
	v := views.NodeView{Name: n.Name, Type: n.NodeType, Location: n.SystemLocation, Version: n.Version,
		Load: int(n.MediaLoad + 0.5), TokensUsed: int(n.MediaTokensUsed), TokensMax: int(n.MaxMediaTokens),
		MaxHDCalls: int(n.MaxHDCalls), Calls: int(n.SignalingCount), Maintenance: n.MaintenanceMode}
	sync := strings.ToUpper(n.SyncStatus)
	switch {
	case n.MaintenanceMode:
		v.State = "maintenance"
	case sync == "" || sync == "SYNCED":
		v.State, v.Healthy = "ok", true
	default:
		v.State = strings.ToLower(sync)
	}
	return v
}

func alarmViews(alarms []pexip.Alarm) []views.AlarmView {
	out := make([]views.AlarmView, 0, len(alarms))
	for _, a := range alarms {
		out = append(out, views.AlarmView{ID: strconv.Itoa(int(a.ID)), Level: a.Level, Name: a.Name,
			Details: a.Details, Node: a.Node, Raised: a.TimeRaised.Time, Acknowledged: a.Acknowledged})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Raised.After(out[j].Raised) })
	return out
}

// board is the wall board's model.
func (s *snapshot) board() views.BoardView {
	v := views.BoardView{Counters: s.counters(), Alarms: alarmViews(s.st.Alarms)}
	for _, n := range s.st.Nodes {
		if n.NodeType != "PROXYING" {
			v.NodeLoad = max(v.NodeLoad, int(n.MediaLoad+0.5))
		}
	}
	for _, c := range s.conferences() {
		v.Tiles = append(v.Tiles, tileView(c))
	}
	sort.SliceStable(v.Tiles, func(i, j int) bool {
		return v.Tiles[i].Participants+v.Tiles[i].Waiting > v.Tiles[j].Participants+v.Tiles[j].Waiting
	})
	return v
}

func tileView(c views.ConferenceView) views.TileView {
	return views.TileView{ID: c.ID, Name: c.Name, Participants: c.Participants, Waiting: c.Waiting,
		Problems: c.Problems, Quality: c.WorstQuality, Locked: c.Locked, StartTime: c.StartTime}
}
