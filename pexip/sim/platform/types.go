package platform

import (
	"strings"
	"sync"
	"time"
)

// Object is one object in wire format: the guide's field names with values of type string,
// bool, int, float64, nil, or []any holding strings (URIs) or Objects (nested media streams).
// Objects handed out are never mutated afterwards; callers must not mutate them either.
type Object = map[string]any

// Clock tells the platform what time it is. Step advances the model to Now.
type Clock interface {
	Now() time.Time
}

// ManualClock is a Clock that moves only when told to. It is safe for concurrent use.
type ManualClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewManualClock returns a ManualClock reading t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{t: t} }

// Now returns the clock's current time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Set moves the clock to t. Moving it backwards makes Step do nothing until it passes the
// platform's time again.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// RealClock returns a Clock reading the system time.
func RealClock() Clock { return realClock{} }

// Service is a configured service as the platform needs it to run a conference.
type Service struct {
	ID               int
	Name             string
	ServiceType      string
	Tag              string
	Aliases          []string
	PIN              string
	GuestPIN         string
	AllowGuests      bool
	MuteAllGuests    bool
	ParticipantLimit int
	AutoDial         []AutoDial
}

// hostsAndGuests reports whether the service tells hosts from guests (a host PIN and guests
// allowed), so that guests wait for a host.
func (s Service) hostsAndGuests() bool { return s.PIN != "" && s.AllowGuests }

// AutoDial is an Automatically Dialed Participant of a service, dialled when its conference
// starts.
type AutoDial struct {
	Alias       string
	Protocol    string
	Role        string
	DisplayName string
}

// Directory looks services up; the simulator implements it over its configuration store so
// that services created through the API can be joined at once.
//
// The platform calls it while holding its own lock: an implementation must not call back
// into the Platform, and nobody may call the Platform while holding a lock the Directory
// takes. ServiceByAlias is called for every join and dial; Services at most every ten
// simulated seconds.
type Directory interface {
	// ServiceByAlias finds the service owning alias (case-insensitive exact match).
	ServiceByAlias(alias string) (Service, bool)
	// Services lists every service.
	Services() []Service
}

// StaticDirectory returns a Directory over a fixed list of services.
func StaticDirectory(services []Service) Directory {
	d := staticDirectory{services: services, byAlias: make(map[string]int)}
	for i, s := range services {
		for _, a := range s.Aliases {
			d.byAlias[strings.ToLower(a)] = i
		}
	}
	return d
}

type staticDirectory struct {
	services []Service
	byAlias  map[string]int
}

func (d staticDirectory) ServiceByAlias(alias string) (Service, bool) {
	i, ok := d.byAlias[strings.ToLower(alias)]
	if !ok {
		return Service{}, false
	}
	return d.services[i], true
}

func (d staticDirectory) Services() []Service { return d.services }

// LocationSeed is a system location to create.
type LocationSeed struct {
	ID          int
	Name        string
	Description string
}

// NodeSeed is a Conferencing Node (worker_vm) to create. NodeType is CONFERENCING or
// PROXYING. CloudBursting marks a dynamic-bursting overflow node, shown in cloud_node and
// only carrying calls once started.
type NodeSeed struct {
	ID            int
	Name          string
	Hostname      string
	Address       string
	LocationID    int
	NodeType      string
	MaxHDCalls    int
	CPUCount      int
	CloudBursting bool
}

// ServiceSeed is a service to create in the configuration store. MatchString and
// ReplaceString are a Virtual Reception's regular expression pair.
type ServiceSeed struct {
	Name, ServiceType, Description, Tag, PIN, GuestPIN, HostView, OwnerEmail string
	AllowGuests                                                              bool
	Aliases                                                                  []string
	ParticipantLimit                                                         int
	MatchString, ReplaceString                                               string
}

// Seed is the configuration a demo deployment starts with. RoutingRules and AutoParticipants
// are configuration objects in write form; their related fields are URIs that assume the
// store numbers system locations by LocationSeed.ID and services from 1 in Services order.
type Seed struct {
	Locations        []LocationSeed
	Nodes            []NodeSeed
	Services         []ServiceSeed
	RoutingRules     []map[string]any
	AutoParticipants []map[string]any
	IVRThemes        []string
}

// Options configure a Platform. Zero values mean the defaults.
type Options struct {
	Seed  int64
	Clock Clock // nil = RealClock()
	// Activity turns on random conferences, joins and leaves (the demo). Without it the
	// platform changes only through commands and the scripting methods.
	Activity           bool
	TargetConferences  int // default 8
	TargetParticipants int // default 40
	HistoryCap         int // conferences kept in history, default 10000
}

// JoinSpec scripts a participant joining. Only Alias is required; empty fields get
// believable values. Role is "chair" or "guest" (default: guest when the service has a host
// PIN and allows guests, else chair). Protocol is a wire name (WebRTC, SIP, H323, MSSIP,
// RTMP, TEAMS, GMS) in any case. Location is a system location name. Waiting holds the
// participant at the waiting screen as if the conference were locked.
type JoinSpec struct {
	Alias, DisplayName, Protocol, Role, Vendor, RemoteAddress, Location, CallDirection string
	PacketLoss, Jitter                                                                 float64
	Waiting                                                                            bool
}
