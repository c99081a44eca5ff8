package live

import (
	"cmp"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"pexops/pexip"
)

// Resource names used in Delta.Resource, State.Ages and metric labels.
const (
	ResourceConference   = "conference"
	ResourceParticipant  = "participant"
	ResourceNode         = "worker_vm"
	ResourceLocation     = "system_location"
	ResourceAlarm        = "alarm"
	ResourceRegistration = "registration_alias"
	ResourceLicensing    = "licensing"
	ResourceMediaStream  = "media_stream"
)

// State is one immutable snapshot of what the poller knows about a Management Node.
//
// NOTE: snapshots share maps and slices with each other (copy-on-write: a read replaces only
// the collections it changed). Nothing reachable from a State may be modified; copy before
// sorting or filtering in place.
type State struct {
	Version   uint64    // increases with every Batch; unchanged by reads that changed nothing
	Updated   time.Time // last successful read of any resource
	Stale     bool      // some resource could not be read on its last attempt
	LastError string    // short operator-readable reason while Stale, else ""

	Conferences   map[string]pexip.Conference    // by id
	Participants  map[string]pexip.Participant   // by id
	MediaStreams  map[string][]pexip.MediaStream // by participant id, watched participants only
	Nodes         []pexip.Node
	Locations     []pexip.Location
	Alarms        []pexip.Alarm
	Registrations []pexip.Registration
	Licensing     *pexip.Licensing
	Ages          map[string]time.Time // last successful read, by resource name
}

// ParticipantsOf returns the participants of the conference named name, by connect time
// then id.
func (s *State) ParticipantsOf(name string) []pexip.Participant {
	var ps []pexip.Participant
	for _, p := range s.Participants {
		if p.Conference == name {
			ps = append(ps, p)
		}
	}
	slices.SortFunc(ps, func(a, b pexip.Participant) int {
		return cmp.Or(a.ConnectTime.Compare(b.ConnectTime.Time), cmp.Compare(a.ID, b.ID))
	})
	return ps
}

// ConferenceByName returns the conference instance named name.
func (s *State) ConferenceByName(name string) (pexip.Conference, bool) {
	for _, c := range s.Conferences {
		if c.Name == name {
			return c, true
		}
	}
	return pexip.Conference{}, false
}

// DeltaKind says whether an object appeared, changed or went away.
type DeltaKind int

// The kinds of Delta.
const (
	Added DeltaKind = iota + 1
	Changed
	Removed
)

// String returns "added", "changed" or "removed".
func (k DeltaKind) String() string {
	switch k {
	case Added:
		return "added"
	case Changed:
		return "changed"
	case Removed:
		return "removed"
	}
	return "unknown"
}

// Delta is one object that changed between two snapshots.
type Delta struct {
	Kind     DeltaKind
	Resource string   // one of the Resource constants
	ID       string   // the object's id (for media_stream: the participant's id)
	Fields   []string // Changed only: wire names of the fields that differ; nil means "all"
	// Conference is the conference name, for conference, participant and media_stream
	// deltas, so the console can route them to topics.
	Conference string
	// FromConference is the previous conference name of a participant whose conference
	// changed (a transfer); otherwise "".
	FromConference string
}

// Batch is what the poller hands to its one consumer after a cycle that changed something.
type Batch struct {
	Version uint64
	Deltas  []Delta
	State   *State
	// Resync means the deltas are incomplete (batches were coalesced past a limit while the
	// consumer lagged): re-render everything from State.
	Resync bool
}

// diffMaps compares two collections by id. conf names an object's conference ("" if none).
func diffMaps[T any](resource string, old, cur map[string]T, conf func(T) string) []Delta {
	var ds []Delta
	for id, o := range old {
		c, ok := cur[id]
		if !ok {
			ds = append(ds, Delta{Kind: Removed, Resource: resource, ID: id, Conference: conf(o)})
			continue
		}
		if fields := changedFields(o, c); len(fields) > 0 {
			d := Delta{Kind: Changed, Resource: resource, ID: id, Fields: fields, Conference: conf(c)}
			if from := conf(o); from != d.Conference {
				d.FromConference = from
			}
			ds = append(ds, d)
		}
	}
	for id, c := range cur {
		if _, ok := old[id]; !ok {
			ds = append(ds, Delta{Kind: Added, Resource: resource, ID: id, Conference: conf(c)})
		}
	}
	slices.SortFunc(ds, func(a, b Delta) int { return cmp.Compare(a.ID, b.ID) })
	return ds
}

// diffLists compares two lists of objects identified by id.
func diffLists[T any](resource string, old, cur []T, id func(T) string) []Delta {
	none := func(T) string { return "" }
	return diffMaps(resource, byID(old, id), byID(cur, id), none)
}

func byID[T any](list []T, id func(T) string) map[string]T {
	m := make(map[string]T, len(list))
	for _, v := range list {
		m[id(v)] = v
	}
	return m
}

var timeType = reflect.TypeFor[pexip.Time]()

// changedFields returns the JSON names of the fields of two structs of the same type that
// differ. Times compare by instant; empty and nil slices are equal.
func changedFields[T any](a, b T) []string {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	t := va.Type()
	var fields []string
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || fieldEqual(va.Field(i), vb.Field(i)) {
			continue
		}
		fields = append(fields, wireName(f))
	}
	return fields
}

func fieldEqual(a, b reflect.Value) bool {
	switch {
	case a.Type() == timeType:
		return a.Interface().(pexip.Time).Equal(b.Interface().(pexip.Time).Time)
	case a.Kind() == reflect.Slice && a.Len() == 0 && b.Len() == 0:
		return true
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}

func wireName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "" || name == "-" {
		return f.Name
	}
	return name
}

// diffStreams compares the media streams of one participant; Fields is the union of the
// fields that changed on any stream, or nil when streams came or went.
func diffStreams(pid, conf string, old, cur []pexip.MediaStream, had bool) (Delta, bool) {
	d := Delta{Resource: ResourceMediaStream, ID: pid, Conference: conf}
	if !had {
		d.Kind = Added
		return d, true
	}
	d.Kind = Changed
	oldByID := byID(old, func(m pexip.MediaStream) string { return m.ID })
	if len(old) != len(cur) {
		return d, true
	}
	var union []string
	for _, c := range cur {
		o, ok := oldByID[c.ID]
		if !ok {
			return d, true
		}
		for _, f := range changedFields(o, c) {
			if !slices.Contains(union, f) {
				union = append(union, f)
			}
		}
	}
	d.Fields = union
	return d, len(union) > 0
}

func intID(n pexip.Int) string { return strconv.Itoa(int(n)) }

func participantConference(p pexip.Participant) string { return p.Conference }

func conferenceName(c pexip.Conference) string { return c.Name }
