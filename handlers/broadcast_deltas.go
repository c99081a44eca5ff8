package handlers

import (
	"sort"
	"time"

	"github.com/a-h/templ"

	"pexops/live"
	"pexops/views"
)

// summaryFields are the participant fields a conference's summary (list row, board tile,
// conference head) depends on; other changes (bandwidth, quality history) leave it alone.
var summaryFields = fieldSet("call_quality", "is_on_hold", "has_media", "conference")

// rowFields are the participant fields a conference page's participant row shows.
var rowFields = fieldSet("display_name", "participant_alias", "source_alias", "destination_alias",
	"protocol", "call_direction", "role", "call_quality", "is_muted", "is_presenting", "is_on_hold",
	"has_media", "connect_time", "media_node", "signalling_node", "system_location", "conference")

// locationFields are the participant fields the platform page's location counts use.
var locationFields = fieldSet("system_location")

func fieldSet(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// touches reports whether a delta may change something drawn from fields.
func touches(d live.Delta, fields map[string]bool) bool {
	if d.Kind != live.Changed || d.Fields == nil {
		return true
	}
	for _, f := range d.Fields {
		if fields[f] {
			return true
		}
	}
	return false
}

// confChanges is which conferences a batch changed, as the summaries see them.
type confChanges struct {
	changed, added, removed map[string]bool
}

func (c confChanges) any() bool { return len(c.changed)+len(c.added)+len(c.removed) > 0 }

// changedConferences maps the batch's deltas to the ids of the conferences whose summary they
// may change.
func changedConferences(snap *snapshot, batch live.Batch) confChanges {
	c := confChanges{changed: map[string]bool{}, added: map[string]bool{}, removed: map[string]bool{}}
	for _, d := range batch.Deltas {
		switch d.Resource {
		case live.ResourceConference:
			switch d.Kind {
			case live.Removed:
				c.removed[d.ID] = true
			case live.Added:
				c.added[d.ID] = true
			default:
				c.changed[d.ID] = true
			}
		case live.ResourceParticipant:
			if !touches(d, summaryFields) {
				continue
			}
			for _, name := range []string{d.Conference, d.FromConference} {
				if id := snap.conferenceID(name); id != "" {
					c.changed[id] = true
				}
			}
		}
	}
	for id := range c.added {
		delete(c.changed, id)
	}
	return c
}

// sortedKeys gives map keys in a stable order, so messages are reproducible.
func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func conferencesDelta(snap *snapshot, batch live.Batch, now time.Time) parts {
	ch := changedConferences(snap, batch)
	if !ch.any() {
		return parts{}
	}
	p := parts{head: []templ.Component{views.CountersBlock(snap.counters(), "true")}, rowsLead: true}
	for _, id := range sortedKeys(ch.removed) {
		p.bodies = append(p.bodies, views.RemoveRow(views.DomID("c", id)))
	}
	for _, id := range sortedKeys(ch.added) {
		if v, ok := snap.confViews[id]; ok {
			p.bodies = append(p.bodies, views.AppendConference(v, now))
		}
	}
	for _, id := range sortedKeys(ch.changed) {
		if v, ok := snap.confViews[id]; ok {
			p.rows = append(p.rows, views.ConferenceRow(v, now, "true"))
		}
	}
	return p
}

func boardDelta(snap *snapshot, batch live.Batch, now time.Time) parts {
	ch := changedConferences(snap, batch)
	alarms, nodes := false, false
	for _, d := range batch.Deltas {
		alarms = alarms || d.Resource == live.ResourceAlarm
		nodes = nodes || d.Resource == live.ResourceNode
	}
	if !ch.any() && !alarms && !nodes {
		return parts{}
	}
	v := snap.board()
	head := []templ.Component{views.BoardHead(v, "true")}
	for _, id := range sortedKeys(ch.removed) {
		head = append(head, views.RemoveElement(views.DomID("t", id)))
	}
	for _, id := range sortedKeys(ch.added) {
		if c, ok := snap.confViews[id]; ok {
			head = append(head, views.AppendTile(tileView(c)))
		}
	}
	for _, id := range sortedKeys(ch.changed) {
		if c, ok := snap.confViews[id]; ok {
			head = append(head, views.BoardTile(tileView(c), "true"))
		}
	}
	if alarms {
		head = append(head, views.BoardAlarms(v.Alarms, now, "true"))
	}
	return parts{head: head}
}

// conferenceFull draws a conference page's head and both participant tables.
func conferenceFull(snap *snapshot, id string, moderator bool, now time.Time) parts {
	conf, ok := snap.confViews[id]
	if !ok {
		return parts{head: []templ.Component{views.ConferenceEnded("true")}}
	}
	admitted, waiting := snap.participants(id)
	return parts{
		head: []templ.Component{views.ConferenceHead(conf, moderator, now, "true")},
		bodies: []templ.Component{
			views.ParticipantRows("plist", admitted, moderator, now, "true"),
			views.ParticipantRows("waiting", waiting, moderator, now, "true"),
		},
	}
}

func conferenceDelta(snap *snapshot, batch live.Batch, id string, moderator bool, now time.Time) parts {
	conf, ok := snap.confViews[id]
	if !ok {
		if conferenceRemoved(batch, id) {
			return parts{head: []templ.Component{views.ConferenceEnded("true")}}
		}
		return parts{}
	}
	var p parts
	headTouched := false
	for _, d := range batch.Deltas {
		switch {
		case d.Resource == live.ResourceConference && d.ID == id:
			headTouched = true
		case d.Resource == live.ResourceParticipant && (d.Conference == conf.Name || d.FromConference == conf.Name):
			headTouched = headTouched || touches(d, summaryFields)
			if touches(d, rowFields) {
				p.participantDelta(snap, d, conf, moderator, now)
			}
		}
	}
	if headTouched {
		p.head = []templ.Component{views.ConferenceHead(conf, moderator, now, "true")}
	}
	return p
}

func conferenceRemoved(batch live.Batch, id string) bool {
	for _, d := range batch.Deltas {
		if d.Resource == live.ResourceConference && d.Kind == live.Removed && d.ID == id {
			return true
		}
	}
	return false
}

// participantDelta renders one participant's change on a conference page. A participant is
// removed and appended again when it moves between the admitted and the waiting table, or
// arrives from another conference.
func (ps *parts) participantDelta(snap *snapshot, d live.Delta, conf views.ConferenceView, moderator bool, now time.Time) {
	p, ok := snap.st.Participants[d.ID]
	if d.Kind == live.Removed || !ok || p.Conference != conf.Name {
		ps.bodies = append(ps.bodies, views.RemoveRow(views.DomID("p", d.ID)))
		return
	}
	v := participantView(p, conf.ID)
	body := "plist"
	if v.Waiting {
		body = "waiting"
	}
	switch {
	case d.Kind == live.Added || d.FromConference != "":
		// New on this page: the socket skipped anything its snapshot already had (see
		// versioned), so a plain append cannot double a row.
		ps.bodies = append(ps.bodies, views.AppendParticipant(body, v, moderator, now))
		return
	case movedTable(d):
		ps.bodies = append(ps.bodies, views.RemoveRow(views.DomID("p", d.ID)),
			views.AppendParticipant(body, v, moderator, now))
		return
	}
	ps.rows = append(ps.rows, views.ParticipantRow(v, moderator, now, "true"))
}

// movedTable reports whether a change may move a row between the admitted and waiting tables.
func movedTable(d live.Delta) bool {
	for _, f := range d.Fields {
		if f == "is_on_hold" || f == "has_media" {
			return true
		}
	}
	return d.Fields == nil
}

// participantFull draws a participant page's body, or says the call ended.
func participantFull(snap *snapshot, id string, now time.Time, loss []float64) parts {
	d, ok := snap.detail(id, loss)
	if !ok {
		return parts{head: []templ.Component{views.ParticipantGone("true")}}
	}
	return parts{head: []templ.Component{views.ParticipantBody(d, now, "true")}}
}

func participantTouched(batch live.Batch, id string) bool {
	for _, d := range batch.Deltas {
		if (d.Resource == live.ResourceParticipant || d.Resource == live.ResourceMediaStream) && d.ID == id {
			return true
		}
	}
	return false
}

func platformTouched(batch live.Batch) bool {
	for _, d := range batch.Deltas {
		switch d.Resource {
		case live.ResourceNode, live.ResourceLocation, live.ResourceAlarm, live.ResourceLicensing:
			return true
		case live.ResourceParticipant:
			if touches(d, locationFields) {
				return true
			}
		}
	}
	return false
}
