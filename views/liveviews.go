package views

import (
	"encoding/hex"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ConferenceView is one active conference as the live pages show it.
type ConferenceView struct {
	ID           string
	Name         string
	ServiceType  string
	Tag          string
	Started      bool
	Locked       bool
	GuestsMuted  bool
	Participants int
	Waiting      int
	Problems     int // participants whose call quality is bad or terrible
	StartTime    time.Time
	WorstQuality string // good, ok, bad, terrible or unknown
}

// ParticipantView is one participant of a live conference.
type ParticipantView struct {
	ID             string
	ConferenceID   string
	DisplayName    string
	Alias          string
	Protocol       string
	Role           string
	Direction      string
	Quality        string
	Muted          bool
	Presenting     bool
	OnHold         bool
	Waiting        bool
	ConnectTime    time.Time
	MediaNode      string
	SignallingNode string
	Location       string
	Vendor         string
	Bandwidth      int
}

// LiveStatus is how fresh the data on a live page is.
type LiveStatus struct {
	Updated   time.Time
	Stale     bool
	LastError string
	// StaleAfter is how many seconds without an update the page calls old.
	StaleAfter int
}

// Counters are the headline numbers of the live pages and the board.
type Counters struct {
	Conferences  int
	Participants int
	Problems     int
	Locked       int
}

// StreamView is one media stream of a participant, both directions.
type StreamView struct {
	ID    string
	Type  string // audio, video, presentation
	Node  string
	Start time.Time
	Rx    StreamDir // what the Conferencing Node receives from the participant
	Tx    StreamDir // what it sends to the participant
}

// StreamDir is one direction of a media stream.
type StreamDir struct {
	Codec      string
	Resolution string
	Bitrate    int     // kbps
	Loss       float64 // percent
	Jitter     float64 // ms
}

// ChartView is the participant page's quality and loss over the call.
type ChartView struct {
	// Quality is one value per 20-second window since the call began (1 good … 4 terrible,
	// 0 unknown), as the Management Node reports it.
	Quality []int
	// Loss is the worst receive packet loss (percent) of each media read while the page has
	// been watched: the Management Node keeps no history of it.
	Loss []float64
}

// ParticipantDetail is everything the participant page shows.
type ParticipantDetail struct {
	Participant ParticipantView
	Conference  string // conference name
	Streams     []StreamView
	// StreamsRead is false until the first media read for this participant arrived.
	StreamsRead bool
	Chart       ChartView
}

// NodeView is one Conferencing Node on the platform page.
type NodeView struct {
	Name        string
	Type        string // CONFERENCING, PROXYING
	Location    string
	Version     string
	State       string // operator's word: ok, maintenance, unreachable, syncing…
	Healthy     bool
	Load        int // media load, percent
	TokensUsed  int
	TokensMax   int
	MaxHDCalls  int
	Calls       int // calls the node signals (its signaling_count)
	Maintenance bool
}

// LocationView is one system location with its load.
type LocationView struct {
	Name         string
	Load         int
	TokensUsed   int
	TokensMax    int
	MaxHDCalls   int
	Participants int // participants the live state places in this location
}

// AlarmView is one raised alarm.
type AlarmView struct {
	ID           string
	Level        string
	Name         string
	Details      string
	Node         string
	Raised       time.Time
	Acknowledged bool
}

// LicenceView is one kind of licence against its total.
type LicenceView struct {
	Kind  string
	Used  int
	Total int
}

// PlatformView is the platform page's body.
type PlatformView struct {
	Nodes     []NodeView
	Locations []LocationView
	Alarms    []AlarmView
	Licences  []LicenceView
	// LicencesRead is false until licensing was read once.
	LicencesRead bool
}

// TileView is one conference on the wall board.
type TileView struct {
	ID           string
	Name         string
	Participants int
	Waiting      int
	Problems     int
	Quality      string
	Locked       bool
	StartTime    time.Time
}

// BoardView is the wall board's body.
type BoardView struct {
	Counters Counters
	NodeLoad int // the highest media load of any Conferencing Node, percent
	Tiles    []TileView
	Alarms   []AlarmView
}

// DomID turns an upstream id into a safe HTML id: Pexip ids are UUIDs, but nothing from Pexip
// is trusted, and an id also ends up inside CSS selectors (hx-target, hx-swap-oob).
func DomID(prefix, id string) string {
	safe := true
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			safe = false
			break
		}
	}
	if !safe || id == "" {
		id = "x" + hex.EncodeToString([]byte(id))
	}
	return prefix + "-" + id
}

func participantPath(id, action string) string {
	return "/live/participants/" + url.PathEscape(id) + "/" + action
}

// ParticipantPagePath is the URL of a participant's live page.
func ParticipantPagePath(id string) string {
	return "/live/calls/" + url.PathEscape(id)
}

func conferencePath(id string) string {
	return "/live/conferences/" + url.PathEscape(id)
}

func conferenceActionPath(id, action string) string {
	return conferencePath(id) + "/" + action
}

func qualityClass(q string) string {
	switch q {
	case "good", "ok", "bad", "terrible":
		return "badge q-" + q
	}
	return "badge q-unknown"
}

// qualityRank orders qualities for sorting: worse is higher, unknown lowest.
func qualityRank(q string) string {
	switch q {
	case "good":
		return "1"
	case "ok":
		return "2"
	case "bad":
		return "3"
	case "terrible":
		return "4"
	}
	return "0"
}

var serviceTypeNames = map[string]string{
	"conference":        "VMR",
	"lecture":           "Auditorium",
	"two_stage_dialing": "Reception",
	"test_call":         "Test call",
	"gateway":           "Gateway",
	"media_playback":    "Playback",
}

// ServiceTypeName is the operator's name for a service type.
func ServiceTypeName(t string) string {
	if n, ok := serviceTypeNames[t]; ok {
		return n
	}
	return dash(t)
}

func roleName(r string) string {
	switch strings.ToLower(r) {
	case "chair":
		return "Host"
	case "guest":
		return "Guest"
	}
	return dash(r)
}

func directionName(d string) string {
	switch d {
	case "in":
		return "dial-in"
	case "out":
		return "dial-out"
	}
	return dash(d)
}

// filterText is what the conference list's filter box matches against, lower-cased.
func filterText(c ConferenceView) string {
	return strings.ToLower(c.Name + " " + ServiceTypeName(c.ServiceType) + " " + c.Tag)
}

func kbps(n int) string {
	if n <= 0 {
		return "–"
	}
	return strconv.Itoa(n) + " kbps"
}

func percent(f float64) string {
	return strconv.FormatFloat(f, 'f', 1, 64) + " %"
}

func ms(f float64) string {
	return strconv.FormatFloat(f, 'f', 1, 64) + " ms"
}

func clampPercent(n int) string {
	return strconv.Itoa(max(0, min(100, n)))
}

// Chart geometry, in SVG user units.
const (
	chartW = 300
	chartH = 60
)

// qualityPoints draws quality windows as a polyline: good at the top, terrible at the bottom;
// unknown windows sit on the bottom line.
func qualityPoints(q []int) string {
	ys := make([]float64, len(q))
	for i, v := range q {
		level := 4.0
		if v >= 1 && v <= 4 {
			level = float64(v)
		}
		ys[i] = (level - 1) / 3
	}
	return polyline(ys)
}

// lossPoints draws loss samples on a scale of 0 to 10 % (or the worst sample, if higher).
func lossPoints(loss []float64) string {
	top := 10.0
	for _, l := range loss {
		top = max(top, l)
	}
	ys := make([]float64, len(loss))
	for i, l := range loss {
		ys[i] = 1 - max(0, l)/top
	}
	return polyline(ys)
}

// polyline spreads values (0 top … 1 bottom) evenly across the chart's width.
func polyline(ys []float64) string {
	if len(ys) == 0 {
		return ""
	}
	if len(ys) == 1 {
		ys = []float64{ys[0], ys[0]}
	}
	var b strings.Builder
	step := float64(chartW) / float64(len(ys)-1)
	for i, y := range ys {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.FormatFloat(float64(i)*step, 'f', 1, 64))
		b.WriteByte(',')
		b.WriteString(strconv.FormatFloat(2+y*(chartH-4), 'f', 1, 64))
	}
	return b.String()
}

func lastLoss(loss []float64) string {
	if len(loss) == 0 {
		return "–"
	}
	return percent(loss[len(loss)-1])
}

// wsPath is the websocket URL of a live page showing topic (and the object id, if any).
func wsPath(topic, id string) string {
	q := url.Values{"topic": {topic}}
	if id != "" {
		q.Set("id", id)
	}
	return "/ws?" + q.Encode()
}
