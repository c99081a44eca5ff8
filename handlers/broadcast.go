package handlers

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"pexops/live"
	"pexops/views"
)

// Topics a page can subscribe to. A conference page has two, so that rows rendered for a
// moderator (with buttons) never reach a viewer and the other way round.
const (
	topicConferences = "conferences"
	topicPlatform    = "platform"
	topicBoard       = "board"
)

func topicConference(id string, moderator bool) string {
	if moderator {
		return "conf:" + id + ":m"
	}
	return "conf:" + id + ":v"
}

func topicParticipant(id string) string { return "part:" + id }

// topicKind splits a topic into its kind ("conferences", "conf", "part", ...), the object id
// and whether it is the moderators' variant.
func topicKind(topic string) (kind, id string, moderator bool) {
	switch {
	case strings.HasPrefix(topic, "conf:"):
		rest := strings.TrimPrefix(topic, "conf:")
		i := strings.LastIndexByte(rest, ':')
		if i < 0 {
			return "conf", rest, false
		}
		return "conf", rest[:i], rest[i+1:] == "m"
	case strings.HasPrefix(topic, "part:"):
		return "part", strings.TrimPrefix(topic, "part:"), false
	}
	return topic, "", false
}

const (
	// statusHeartbeat is how often pages hear their data age even when nothing changed, so a
	// page can tell a quiet platform from a dead link.
	statusHeartbeat = 10 * time.Second
	// lossSamples bounds the packet-loss history kept per watched participant.
	lossSamples = 300
)

// Broadcaster turns the poller's batches into rendered fragments, once per topic that has
// subscribers, and publishes them to the hub. Rendering once per topic instead of once per
// viewer is what keeps a thousand viewers cheap.
//
// A topic's update is at most three websocket messages: page parts (banners, counters, tiles),
// table bodies (whole bodies, appends, deletes) and table rows (rows replaced in place). A
// browser parses a message as one HTML fragment in the mode its first element sets, and
// silently drops table parts that follow ordinary elements (or bodies that follow rows), so
// the three never share a message.
type Broadcaster struct {
	hub        *live.Hub
	log        *slog.Logger
	now        func() time.Time
	staleAfter time.Duration
	state      func() *live.State
	// statusEvery is how often the data age and staleness banner are checked and, when they
	// changed, pushed to every page.
	statusEvery time.Duration

	// Owned by the Run goroutine.
	sentStatus views.LiveStatus
	sentAt     time.Time
	loss       map[string][]float64 // participant id -> loss samples while watched
}

// Run consumes batches until ctx ends or the channel closes. Between batches it refreshes the
// data age and the staleness banner of every topic, so an outage shows even though an outage
// produces no deltas.
func (b *Broadcaster) Run(ctx context.Context, batches <-chan live.Batch) {
	if b.statusEvery <= 0 {
		b.statusEvery = 2 * time.Second
	}
	b.loss = map[string][]float64{}
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

// status renders the data age and staleness banner for every topic with subscribers, when
// they changed since last sent or the heartbeat is due.
func (b *Broadcaster) status(ctx context.Context) []live.Message {
	st := b.state()
	counts := b.hub.Counts()
	if st == nil || len(counts) == 0 {
		return nil
	}
	s := liveStatus(st, b.staleAfter)
	now := b.now()
	if s == b.sentStatus && now.Sub(b.sentAt) < statusHeartbeat {
		return nil
	}
	b.sentStatus, b.sentAt = s, now
	data := renderAll(ctx, b.log, statusParts(s)...)
	msgs := make([]live.Message, 0, len(counts))
	for topic, n := range counts {
		if n > 0 {
			msgs = append(msgs, live.Message{Topic: topic, Data: data})
		}
	}
	return msgs
}

func statusParts(s views.LiveStatus) []templ.Component {
	return []templ.Component{views.DataAge(s, "true"), views.StaleBanner(s, "true")}
}

// render builds the messages of one batch for every topic the batch touches.
func (b *Broadcaster) render(ctx context.Context, batch live.Batch) []live.Message {
	counts := b.hub.Counts()
	if batch.State == nil {
		return nil
	}
	snap := newSnapshot(batch.State)
	b.recordLoss(snap, batch, counts)
	if len(counts) == 0 {
		return nil
	}
	now := b.now()
	status := snap.status(b.staleAfter)
	b.sentStatus, b.sentAt = status, now
	head := renderAll(ctx, b.log, statusParts(status)...)

	var msgs []live.Message
	for topic, n := range counts {
		if n == 0 {
			continue
		}
		var p parts
		if batch.Resync {
			p = fullParts(snap, topic, now, b.loss)
		} else {
			p = deltaParts(snap, batch, topic, now, b.loss)
		}
		for _, m := range p.messages(ctx, b.log, topic, head) {
			m.Data = versioned(batch.Version, m.Data)
			msgs = append(msgs, m)
		}
	}
	return msgs
}

// A batch's messages carry the version of the state they were drawn from, in a prefix the
// socket strips before sending: a socket drops the messages its snapshot already includes, so
// every push applies exactly once and an added row is a plain append (a defensive delete
// first would make htmx log an error in every browser for every join).
const versionMark = "\x00v"

func versioned(v uint64, data []byte) []byte {
	out := make([]byte, 0, len(data)+24)
	out = append(out, versionMark...)
	out = strconv.AppendUint(out, v, 10)
	out = append(out, '\n')
	return append(out, data...)
}

// unversion splits a hub message into its state version (0 for one without) and its data.
func unversion(msg []byte) (uint64, []byte) {
	rest, ok := bytes.CutPrefix(msg, []byte(versionMark))
	if !ok {
		return 0, msg
	}
	num, data, ok := bytes.Cut(rest, []byte{'\n'})
	if !ok {
		return 0, msg
	}
	v, err := strconv.ParseUint(string(num), 10, 64)
	if err != nil {
		return 0, msg
	}
	return v, data
}

// recordLoss appends a loss sample for every watched participant whose media streams the
// batch re-read, and forgets participants nobody watches any more.
func (b *Broadcaster) recordLoss(snap *snapshot, batch live.Batch, counts map[string]int) {
	for id := range b.loss {
		if counts[topicParticipant(id)] == 0 {
			delete(b.loss, id)
		}
	}
	for _, d := range batch.Deltas {
		if d.Resource != live.ResourceMediaStream || counts[topicParticipant(d.ID)] == 0 {
			continue
		}
		streams, ok := snap.st.MediaStreams[d.ID]
		if !ok {
			continue
		}
		s := append(b.loss[d.ID], worstLoss(streams))
		if len(s) > lossSamples {
			s = s[len(s)-lossSamples:]
		}
		b.loss[d.ID] = s
	}
}

// parts is one topic's update: page parts, table bodies and table rows.
type parts struct {
	head   []templ.Component // elements outside tables
	bodies []templ.Component // <tbody> elements only
	rows   []templ.Component // <tr> elements only
	// rowsLead lets rows and head share a message, rows first: a fragment that starts with a
	// row is parsed in table mode, where plain elements (span, div, b, p) after the rows
	// still land at the top level. Only for heads without forms or other elements that table
	// mode treats specially (the conference list's counters).
	rowsLead bool
}

func (p parts) empty() bool { return len(p.head)+len(p.bodies)+len(p.rows) == 0 }

// groups splits p into messages; status leads the head.
func (p parts) groups(status templ.Component) [][]templ.Component {
	if p.empty() {
		return nil
	}
	head := append([]templ.Component{status}, p.head...)
	var out [][]templ.Component
	if p.rowsLead {
		out = append(out, append(slices.Clip(p.rows), head...))
	} else {
		out = append(out, head)
		if len(p.rows) > 0 {
			out = append(out, p.rows)
		}
	}
	if len(p.bodies) > 0 {
		out = append(out, p.bodies)
	}
	return out
}

// messages renders p for topic, one message per group.
func (p parts) messages(ctx context.Context, log *slog.Logger, topic string, status []byte) []live.Message {
	var out []live.Message
	for _, g := range p.groups(rendered(status)) {
		out = append(out, live.Message{Topic: topic, Data: renderAll(ctx, log, g...)})
	}
	return out
}

// rendered is a fragment this package rendered already (from its own templates, escaped).
func rendered(b []byte) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// fullParts draws every live part of a topic's page: for a new subscriber and a resync.
func fullParts(snap *snapshot, topic string, now time.Time, loss map[string][]float64) parts {
	kind, id, mod := topicKind(topic)
	switch kind {
	case topicConferences:
		return parts{head: []templ.Component{views.CountersBlock(snap.counters(), "true")},
			bodies: []templ.Component{views.ConferenceRows(snap.conferences(), now, "true")}, rowsLead: true}
	case "conf":
		return conferenceFull(snap, id, mod, now)
	case "part":
		return participantFull(snap, id, now, loss[id])
	case topicPlatform:
		return parts{head: []templ.Component{views.PlatformBody(snap.platform(), now, "true")}}
	case topicBoard:
		v := snap.board()
		return parts{head: []templ.Component{views.BoardHead(v, "true"), views.BoardTiles(v.Tiles, "true"),
			views.BoardAlarms(v.Alarms, now, "true")}}
	}
	return parts{}
}

// deltaParts draws only what a batch changed on a topic's page.
func deltaParts(snap *snapshot, batch live.Batch, topic string, now time.Time, loss map[string][]float64) parts {
	kind, id, mod := topicKind(topic)
	switch kind {
	case topicConferences:
		return conferencesDelta(snap, batch, now)
	case "conf":
		return conferenceDelta(snap, batch, id, mod, now)
	case "part":
		if participantTouched(batch, id) {
			return participantFull(snap, id, now, loss[id])
		}
	case topicPlatform:
		if platformTouched(batch) {
			return fullParts(snap, topic, now, loss)
		}
	case topicBoard:
		return boardDelta(snap, batch, now)
	}
	return parts{}
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
