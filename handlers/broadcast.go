package handlers

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/a-h/templ"

	"pexops/live"
	"pexops/views"
)

// Topics a page can subscribe to. A conference page has two, so that rows rendered for a
// moderator (with buttons) never reach a viewer and the other way round.
const topicConferences = "conferences"

func topicConference(id string, moderator bool) string {
	if moderator {
		return "conf:" + id + ":m"
	}
	return "conf:" + id + ":v"
}

// Broadcaster turns the poller's batches into rendered fragments, once per topic that has
// subscribers, and publishes them to the hub. Rendering once per topic instead of once per
// viewer is what keeps a thousand viewers cheap.
type Broadcaster struct {
	hub        *live.Hub
	log        *slog.Logger
	now        func() time.Time
	staleAfter time.Duration
	state      func() *live.State
	// statusEvery is how often every page is told how old its data is, changes or not.
	statusEvery time.Duration
}

// Run consumes batches until ctx ends or the channel closes. Between batches it refreshes the
// data age and the staleness banner of every topic, so an outage shows even though an outage
// produces no deltas.
func (b *Broadcaster) Run(ctx context.Context, batches <-chan live.Batch) {
	tick := time.NewTicker(b.statusEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case batch, ok := <-batches:
			if !ok {
				return
			}
			b.hub.PublishAll(b.render(ctx, batch))
		case <-tick.C:
			b.hub.PublishAll(b.status(ctx))
		}
	}
}

// status renders the data age and staleness banner for every topic with subscribers.
func (b *Broadcaster) status(ctx context.Context) []live.Message {
	counts := b.hub.Counts()
	st := b.state()
	if len(counts) == 0 || st == nil {
		return nil
	}
	s := views.LiveStatus{Updated: st.Updated, Stale: st.Stale, LastError: st.LastError,
		StaleAfter: int(b.staleAfter.Seconds())}
	data := renderAll(ctx, b.log, views.DataAge(s, "true"), views.StaleBanner(s, "true"))
	msgs := make([]live.Message, 0, len(counts))
	for topic, n := range counts {
		if n > 0 {
			msgs = append(msgs, live.Message{Topic: topic, Data: data})
		}
	}
	return msgs
}

// render builds the messages of one batch. Every topic gets the data age and the staleness
// banner, so "updated 2 s ago" stays true even when nothing else changes.
func (b *Broadcaster) render(ctx context.Context, batch live.Batch) []live.Message {
	counts := b.hub.Counts()
	if len(counts) == 0 || batch.State == nil {
		return nil
	}
	snap := newSnapshot(batch.State)
	now := b.now()
	status := snap.status(b.staleAfter)
	head := renderAll(ctx, b.log, views.DataAge(status, "true"), views.StaleBanner(status, "true"))

	var msgs []live.Message
	for topic, n := range counts {
		if n == 0 {
			continue
		}
		var body []byte
		switch {
		case topic == topicConferences:
			body = b.conferencesDelta(ctx, snap, batch, now)
		case strings.HasPrefix(topic, "conf:"):
			body = b.conferenceDelta(ctx, snap, batch, topic, now)
		default:
			continue
		}
		msgs = append(msgs, live.Message{Topic: topic, Data: concat(head, body)})
	}
	return msgs
}

// affectedConferences maps the batch's deltas to the ids of the conferences they touch.
func affectedConferences(snap *snapshot, batch live.Batch) (changed map[string]bool, removed map[string]bool) {
	changed, removed = map[string]bool{}, map[string]bool{}
	for _, d := range batch.Deltas {
		switch d.Resource {
		case live.ResourceConference:
			if d.Kind == live.Removed {
				removed[d.ID] = true
			} else {
				changed[d.ID] = true
			}
		case live.ResourceParticipant:
			for _, name := range []string{d.Conference, d.FromConference} {
				if c, ok := snap.byName[name]; ok {
					changed[c.ID] = true
				}
			}
		}
	}
	return changed, removed
}

func (b *Broadcaster) conferencesDelta(ctx context.Context, snap *snapshot, batch live.Batch, now time.Time) []byte {
	if batch.Resync {
		return renderAll(ctx, b.log,
			views.ConferenceRows(snap.conferences(), now, "true"),
			views.CountersBlock(snap.counters(), "true"))
	}
	changed, removed := affectedConferences(snap, batch)
	if len(changed) == 0 && len(removed) == 0 {
		return nil
	}
	added := map[string]bool{}
	for _, d := range batch.Deltas {
		if d.Resource == live.ResourceConference && d.Kind == live.Added {
			added[d.ID] = true
		}
	}
	var parts []templ.Component
	for id := range removed {
		parts = append(parts, views.RemoveRow(views.DomID("c", id)))
	}
	for id := range changed {
		v, ok := snap.confViews[id]
		switch {
		case !ok:
			continue
		case added[id]:
			parts = append(parts, views.RemoveRow(views.DomID("c", id)), views.AppendConference(v, now))
		default:
			parts = append(parts, views.ConferenceRow(v, now, "true"))
		}
	}
	parts = append(parts, views.CountersBlock(snap.counters(), "true"))
	return renderAll(ctx, b.log, parts...)
}

func (b *Broadcaster) conferenceDelta(ctx context.Context, snap *snapshot, batch live.Batch, topic string, now time.Time) []byte {
	rest := strings.TrimPrefix(topic, "conf:")
	id, role, _ := strings.Cut(rest, ":")
	moderator := role == "m"
	conf, ok := snap.confViews[id]
	if !ok {
		if batch.Resync || conferenceRemoved(batch, id) {
			return renderAll(ctx, b.log, views.ConferenceEnded("true"))
		}
		return nil
	}
	if batch.Resync {
		return conferenceSnapshot(ctx, b.log, snap, id, moderator, now)
	}
	var parts []templ.Component
	touched := false
	for _, d := range batch.Deltas {
		switch {
		case d.Resource == live.ResourceConference && d.ID == id:
			touched = true
		case d.Resource == live.ResourceParticipant && (d.Conference == conf.Name || d.FromConference == conf.Name):
			touched = true
			parts = append(parts, participantDelta(snap, d, conf, moderator, now)...)
		}
	}
	if !touched {
		return nil
	}
	parts = append([]templ.Component{views.ConferenceHead(conf, moderator, now, "true")}, parts...)
	return renderAll(ctx, b.log, parts...)
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
func participantDelta(snap *snapshot, d live.Delta, conf views.ConferenceView, moderator bool, now time.Time) []templ.Component {
	domID := views.DomID("p", d.ID)
	p, ok := snap.st.Participants[d.ID]
	if d.Kind == live.Removed || !ok || p.Conference != conf.Name {
		return []templ.Component{views.RemoveRow(domID)}
	}
	v := participantView(p, conf.ID)
	body := "plist"
	if v.Waiting {
		body = "waiting"
	}
	if d.Kind == live.Added || d.FromConference != "" || movedTable(d) {
		return []templ.Component{views.AppendParticipant(body, v, moderator, now)}
	}
	return []templ.Component{views.ParticipantRow(v, moderator, now, "true")}
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

// conferenceSnapshot renders every part of a conference page, for a new subscriber or a resync.
func conferenceSnapshot(ctx context.Context, log *slog.Logger, snap *snapshot, id string, moderator bool, now time.Time) []byte {
	conf, ok := snap.confViews[id]
	if !ok {
		return renderAll(ctx, log, views.ConferenceEnded("true"))
	}
	admitted, waiting := snap.participants(id)
	return renderAll(ctx, log,
		views.ConferenceHead(conf, moderator, now, "true"),
		views.ParticipantRows("plist", admitted, moderator, now, "true"),
		views.ParticipantRows("waiting", waiting, moderator, now, "true"))
}

// renderAll renders components one after the other into one message.
func renderAll(ctx context.Context, log *slog.Logger, cs ...templ.Component) []byte {
	var buf bytes.Buffer
	for _, c := range cs {
		if err := c.Render(ctx, &buf); err != nil {
			log.Error("render live fragment", "error", err)
			return nil
		}
	}
	return buf.Bytes()
}

func concat(a, b []byte) []byte {
	out := make([]byte, 0, len(a)+len(b))
	return append(append(out, a...), b...)
}
