package views

import (
	"encoding/hex"
	"net/url"
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

// DomID turns an upstream id into a safe HTML id: Pexip ids are UUIDs, but nothing from Pexip
// is trusted, and an id also ends up inside CSS selectors (hx-target).
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
