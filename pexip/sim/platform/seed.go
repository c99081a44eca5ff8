package platform

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Location ids of the demo deployment.
const (
	locLondon  = 1
	locOslo    = 2
	locNewYork = 3
	locCloud   = 4
)

var firstNames = []string{
	"alice", "bob", "carol", "dave", "erik", "fatima", "giulia", "hiro", "ingrid", "jamal",
	"kari", "li", "maria", "nils", "olga", "priya", "quentin", "rosa", "sven", "tomasz",
	"ursula", "vikram", "wei", "ximena", "yusuf", "zoe", "anders", "bjorn", "chloe", "dmitri",
	"elif", "farah", "gunnar", "hana", "ivan", "jorge", "kenji", "lars", "mei", "noor",
}

var lastNames = []string{
	"andersen", "berg", "chen", "dahl", "evans", "fischer", "garcia", "hansen", "ito", "jensen",
	"kowalski", "larsen", "moreau", "nakamura", "olsen", "patel", "quinn", "rossi", "silva",
	"tanaka", "ueda", "vargas", "wright", "xu", "yamada", "zhang",
}

var tags = []string{"sales", "engineering", "support", "finance", "hr", "marketing", "legal"}

// DemoSeed returns the configuration of a believable three-site deployment (London, Oslo,
// New York, plus a cloud overflow location) with the given number of services (<= 0 means
// 30). The same seed and count always give the same configuration; 10,000 services take a
// few milliseconds.
func DemoSeed(seed int64, services int) Seed {
	if services <= 0 {
		services = 30
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	s := Seed{
		Locations: []LocationSeed{
			{ID: locLondon, Name: "London", Description: "UK data centre"},
			{ID: locOslo, Name: "Oslo", Description: "Norway head office"},
			{ID: locNewYork, Name: "New York", Description: "US east coast"},
			{ID: locCloud, Name: "AWS Overflow", Description: "Dynamic bursting nodes"},
		},
		IVRThemes: []string{"Pexip default", "Corporate blue", "Town hall", "Plain dark"},
	}
	s.Nodes = demoNodes(rng, services)
	s.Services = demoServices(rng, services)
	s.RoutingRules = demoRoutingRules()
	s.AutoParticipants = demoAutoParticipants(len(s.Services))
	return s
}

func demoNodes(rng *rand.Rand, services int) []NodeSeed {
	sites := []struct {
		prefix string
		loc    int
		net    int
		count  int
	}{
		{"lon", locLondon, 1, 3}, {"osl", locOslo, 2, 2}, {"nyc", locNewYork, 3, 3},
	}
	extra := min(services/500, 37) // large deployments get more nodes per site
	var nodes []NodeSeed
	id := 1
	for _, site := range sites {
		for i := 1; i <= site.count+extra; i++ {
			name := fmt.Sprintf("%s-conf-%02d", site.prefix, i)
			nodes = append(nodes, NodeSeed{
				ID: id, Name: name, Hostname: name,
				Address:    fmt.Sprintf("10.44.%d.%d", site.net, 10+i),
				LocationID: site.loc, NodeType: "CONFERENCING",
				MaxHDCalls: 40 + 10*rng.IntN(5), CPUCount: 8 + 4*rng.IntN(4),
			})
			id++
		}
	}
	nodes = append(nodes, NodeSeed{
		ID: id, Name: "lon-edge-01", Hostname: "lon-edge-01", Address: "10.44.1.200",
		LocationID: locLondon, NodeType: "PROXYING", CPUCount: 4,
	})
	for i := 1; i <= 2; i++ {
		name := fmt.Sprintf("aws-overflow-%02d", i)
		nodes = append(nodes, NodeSeed{
			ID: id + i, Name: name, Hostname: name, Address: fmt.Sprintf("10.44.9.%d", 10+i),
			LocationID: locCloud, NodeType: "CONFERENCING", MaxHDCalls: 30, CPUCount: 8,
			CloudBursting: true,
		})
	}
	return nodes
}

// demoServices returns the shared services first (their positions are relied on by
// demoAutoParticipants), then personal VMRs up to n.
func demoServices(rng *rand.Rand, n int) []ServiceSeed {
	shared := []ServiceSeed{
		{Name: "Board Room", ServiceType: "conference", Description: "Executive board meetings",
			Tag: "exec", PIN: "4242", GuestPIN: "1212", AllowGuests: true,
			HostView: "one_main_seven_pips", OwnerEmail: "board@example.com",
			Aliases: []string{"boardroom@example.com", "boardroom", "81000"}},
		{Name: "All Hands", ServiceType: "lecture", Description: "Company all-hands auditorium",
			Tag: "exec", PIN: "9090", AllowGuests: true, HostView: "one_main_zero_pips",
			OwnerEmail: "ceo@example.com", Aliases: []string{"allhands@example.com", "allhands"}},
		{Name: "Town Hall", ServiceType: "lecture", Description: "Large events",
			Tag: "events", PIN: "7777", GuestPIN: "1111", AllowGuests: true,
			HostView: "one_main_zero_pips", OwnerEmail: "events@example.com",
			Aliases: []string{"townhall@example.com", "townhall"}, ParticipantLimit: 500},
		{Name: "Reception", ServiceType: "two_stage_dialing",
			Description: "Virtual Reception: dial the number of a room", Tag: "shared",
			OwnerEmail: "it@example.com", Aliases: []string{"reception@example.com", "80000"},
			MatchString: `^(\d{5})$`, ReplaceString: `\1@example.com`},
		{Name: "Test Call", ServiceType: "test_call", Description: "Check your camera and mic",
			Tag: "shared", OwnerEmail: "it@example.com",
			Aliases: []string{"test@example.com", "test"}},
		{Name: "Support Bridge", ServiceType: "conference", Description: "Helpdesk escalations",
			Tag: "support", PIN: "2468", AllowGuests: true, HostView: "one_main_seven_pips",
			OwnerEmail: "support@example.com", Aliases: []string{"support@example.com", "82000"},
			ParticipantLimit: 20},
		{Name: "Oslo Project Room", ServiceType: "conference", Description: "Open project room",
			Tag: "engineering", HostView: "two_mains_twentyone_pips",
			OwnerEmail: "oslo-eng@example.com", Aliases: []string{"oslo.project@example.com"}},
	}
	if n <= len(shared) {
		return shared[:n]
	}
	out := make([]ServiceSeed, 0, n)
	out = append(out, shared...)
	for i := 0; len(out) < n; i++ {
		out = append(out, personalVMR(rng, i))
	}
	return out
}

func personalVMR(rng *rand.Rand, i int) ServiceSeed {
	first := firstNames[i%len(firstNames)]
	last := lastNames[(i/len(firstNames))%len(lastNames)]
	user := first
	if i >= len(firstNames) {
		user = first + "." + last
	}
	if round := i / (len(firstNames) * len(lastNames)); round > 0 {
		user = fmt.Sprintf("%s%d", user, round+1)
	}
	s := ServiceSeed{
		Name:        "meet." + user,
		ServiceType: "conference",
		Description: "Personal meeting room of " + titleName(first, last),
		Tag:         tags[rng.IntN(len(tags))],
		HostView:    "one_main_seven_pips",
		OwnerEmail:  user + "@example.com",
		Aliases:     []string{"meet." + user + "@example.com", "meet." + user},
	}
	if rng.IntN(3) == 0 {
		s.PIN = fmt.Sprintf("%04d", 1000+rng.IntN(9000))
		s.AllowGuests = true
		if rng.IntN(2) == 0 {
			s.GuestPIN = fmt.Sprintf("%04d", 1000+rng.IntN(9000))
		}
	}
	if rng.IntN(4) == 0 {
		s.Aliases = append(s.Aliases, fmt.Sprintf("%d", 70000+i))
	}
	return s
}

func titleName(first, last string) string {
	return strings.ToUpper(first[:1]) + first[1:] + " " + strings.ToUpper(last[:1]) + last[1:]
}

func demoRoutingRules() []map[string]any {
	loc := func(id int) string { return fmt.Sprintf("/api/admin/configuration/v1/system_location/%d/", id) }
	return []map[string]any{
		{"name": "Registered devices", "priority": 10, "match_string": `.+@example\.com`,
			"called_device_type": "registration", "outgoing_protocol": "sip",
			"description": "Calls to registered endpoints", "enable": true},
		{"name": "Outbound SIP", "priority": 50, "match_string": `.+@.+`,
			"outgoing_protocol": "sip", "outgoing_location": loc(locLondon),
			"description": "Everything else over SIP", "enable": true},
		{"name": "H.323 numbers", "priority": 60, "match_string": `^\d{6,}$`,
			"outgoing_protocol": "h323", "outgoing_location": loc(locNewYork),
			"description": "Legacy H.323 numbers", "enable": true},
		{"name": "Skype for Business", "priority": 70, "match_string": `^sip:.+@lync\.example\.com$`,
			"outgoing_protocol": "mssip", "outgoing_location": loc(locOslo),
			"description": "Gateway to Skype for Business", "enable": false},
	}
}

// demoAutoParticipants links ADPs to the first services of demoServices by position.
func demoAutoParticipants(services int) []map[string]any {
	conf := func(pos int) []any {
		if pos > services {
			return []any{}
		}
		return []any{fmt.Sprintf("/api/admin/configuration/v1/conference/%d/", pos)}
	}
	return []map[string]any{
		{"alias": "recorder@example.com", "protocol": "sip", "role": "guest",
			"remote_display_name": "Recorder", "description": "Records board meetings",
			"conference": conf(1), "keep_conference_alive": "keep_conference_alive_never"},
		{"alias": "rtmp://stream.example.com/live/allhands", "protocol": "rtmp", "role": "guest",
			"remote_display_name": "Live stream", "description": "Streams the all-hands",
			"conference": conf(2), "streaming": true,
			"keep_conference_alive": "keep_conference_alive_never"},
	}
}

// SeedServices turns seeded services into the Services a Directory returns, numbering
// them from 1 in seed order and attaching the seed's ADPs. It is what a store loaded from
// the seed would answer; tests use it with StaticDirectory.
func SeedServices(s Seed) []Service {
	out := make([]Service, len(s.Services))
	for i, ss := range s.Services {
		out[i] = Service{
			ID: i + 1, Name: ss.Name, ServiceType: ss.ServiceType, Tag: ss.Tag,
			Aliases: ss.Aliases, PIN: ss.PIN, GuestPIN: ss.GuestPIN,
			AllowGuests: ss.AllowGuests, ParticipantLimit: ss.ParticipantLimit,
		}
	}
	for _, adp := range s.AutoParticipants {
		for _, c := range adp["conference"].([]any) {
			var id int
			if _, err := fmt.Sscanf(c.(string), "/api/admin/configuration/v1/conference/%d/", &id); err != nil {
				continue
			}
			if id < 1 || id > len(out) {
				continue
			}
			out[id-1].AutoDial = append(out[id-1].AutoDial, AutoDial{
				Alias: adp["alias"].(string), Protocol: adp["protocol"].(string),
				Role: adp["role"].(string), DisplayName: adp["remote_display_name"].(string),
			})
		}
	}
	return out
}
