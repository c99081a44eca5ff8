package handlers

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"pexops/live"
	"pexops/pexip"
)

var t0 = time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)

// testState is a small platform: Alpha with a host, a guest and a waiting guest; Beta with one
// participant on a bad call.
func testState() *live.State {
	conf := func(id, name string) pexip.Conference {
		return pexip.Conference{ID: id, Name: name, ServiceType: "conference", IsStarted: true, StartTime: pexip.Time{Time: t0}}
	}
	part := func(id, conf, name string, q pexip.Quality) pexip.Participant {
		return pexip.Participant{ID: id, Conference: conf, DisplayName: name, CallQuality: q, HasMedia: true,
			Role: "guest", ConnectTime: pexip.Time{Time: t0}, CallDirection: "in"}
	}
	waiting := part("p3", "Alpha", "Wes Waiting", pexip.QualityUnknown)
	waiting.IsOnHold, waiting.HasMedia = true, false
	return &live.State{
		Version: 1, Updated: t0,
		Conferences: map[string]pexip.Conference{"c1": conf("c1", "Alpha"), "c2": conf("c2", "Beta")},
		Participants: map[string]pexip.Participant{
			"p1": part("p1", "Alpha", "Hal Host", pexip.QualityGood),
			"p2": part("p2", "Alpha", "Gil Guest", pexip.QualityOK),
			"p3": waiting,
			"p4": part("p4", "Beta", "Bo Bad", pexip.QualityBad),
		},
		Nodes: []pexip.Node{{Name: "node-1", NodeType: "CONFERENCING", MediaLoad: 42, SyncStatus: "SYNCED"}},
	}
}

func TestSnapshotSummarisesConferences(t *testing.T) {
	snap := newSnapshot(testState())
	got := map[string]string{}
	for id, v := range snap.confViews {
		got[id] = fmt.Sprintf("%d+%d worst=%s problems=%d", v.Participants, v.Waiting, v.WorstQuality, v.Problems)
	}
	want := map[string]string{"c1": "2+1 worst=ok problems=0", "c2": "1+0 worst=bad problems=1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("conference summaries (-want +got):\n%s", diff)
	}
	admitted, waiting := snap.participants("c1")
	if len(admitted) != 2 || len(waiting) != 1 || waiting[0].ID != "p3" {
		t.Errorf("Alpha split into %d admitted and %v waiting, want 2 and [p3]", len(admitted), waiting)
	}
}

func TestTopicKind(t *testing.T) {
	tests := []struct {
		topic, kind, id string
		mod             bool
	}{
		{"conferences", "conferences", "", false},
		{"conf:abc:m", "conf", "abc", true},
		{"conf:abc:v", "conf", "abc", false},
		{"conf:a:b:v", "conf", "a:b", false},
		{"part:xyz", "part", "xyz", false},
		{"board", "board", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.topic, func(t *testing.T) {
			kind, id, mod := topicKind(tt.topic)
			if diff := cmp.Diff([]any{tt.kind, tt.id, tt.mod}, []any{kind, id, mod}); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// topLevel lists the names of a fragment's top-level elements. templ escapes "<" in text and
// attributes, so every "<" starts a tag.
func topLevel(frag string) []string {
	void := map[string]bool{"input": true, "br": true, "img": true, "meta": true, "link": true, "hr": true}
	var out []string
	depth := 0
	for i := 0; i < len(frag); i++ {
		if frag[i] != '<' {
			continue
		}
		end := strings.IndexByte(frag[i:], '>')
		tag := frag[i+1 : i+end]
		closing := strings.HasPrefix(tag, "/")
		name := strings.ToLower(strings.Fields(strings.Trim(tag, "/"))[0])
		switch {
		case closing:
			depth--
		case void[name] || strings.HasSuffix(tag, "/"):
			if depth == 0 {
				out = append(out, name)
			}
		default:
			if depth == 0 {
				out = append(out, name)
			}
			depth++
		}
		i += end
	}
	return out
}

// parsesWhole reports whether a browser parsing frag as one fragment (in a template element,
// as htmx does) keeps every top-level element: table bodies only, rows followed by plain
// elements, or no table parts at all.
func parsesWhole(frag string) bool {
	tags := topLevel(frag)
	if len(tags) == 0 {
		return true
	}
	switch tags[0] {
	case "tbody":
		for _, tg := range tags {
			if tg != "tbody" {
				return false
			}
		}
		return true
	case "tr":
		rows := true
		for _, tg := range tags {
			if tg == "tr" && !rows || tg == "tbody" || tg == "form" {
				return false
			}
			rows = rows && tg == "tr"
		}
		return true
	}
	for _, tg := range tags {
		if tg == "tr" || tg == "tbody" {
			return false
		}
	}
	return true
}

func TestParsesWholeCatchesDroppedRows(t *testing.T) {
	tests := []struct {
		frag string
		want bool
	}{
		{`<span id="a"></span><tbody hx-swap-oob="beforeend:#x"><tr></tr></tbody>`, false},
		{`<tbody id="x"></tbody><tbody hx-swap-oob="delete:#y"></tbody>`, true},
		{`<tr id="r"><td>a</td></tr><span id="a"></span><div id="b"><b>1</b></div>`, true},
		{`<tr id="r"></tr><tbody id="x"></tbody>`, false},
		{`<div id="a"><table><tr><td><input type="checkbox"></td></tr></table></div>`, true},
	}
	for _, tt := range tests {
		if got := parsesWhole(tt.frag); got != tt.want {
			t.Errorf("parsesWhole(%.60q) = %v, want %v", tt.frag, got, tt.want)
		}
	}
}

// render runs the broadcaster over one batch for the given topics and returns each topic's
// messages.
func renderBatch(t *testing.T, batch live.Batch, topics ...string) map[string][]string {
	t.Helper()
	hub := live.NewHub(nil, nil)
	for _, tp := range topics {
		defer hub.Subscribe([]string{tp}, 8).Close()
	}
	b := &Broadcaster{hub: hub, log: slog.New(slog.NewTextHandler(io.Discard, nil)), now: func() time.Time { return t0.Add(time.Minute) },
		staleAfter: 15 * time.Second, state: func() *live.State { return batch.State }, loss: map[string][]float64{}}
	out := map[string][]string{}
	for _, m := range b.render(context.Background(), batch) {
		out[m.Topic] = append(out[m.Topic], string(m.Data))
	}
	for topic, msgs := range out {
		for _, m := range msgs {
			if !parsesWhole(m) {
				t.Errorf("topic %s: a browser would drop parts of %.300q", topic, m)
			}
		}
	}
	return out
}

func changed(id, conf string, fields ...string) live.Delta {
	return live.Delta{Kind: live.Changed, Resource: live.ResourceParticipant, ID: id, Conference: conf, Fields: fields}
}

func TestBatchReachesOnlyThePagesItChanges(t *testing.T) {
	st := testState()
	muted := st.Participants["p1"]
	muted.IsMuted = true
	st.Participants["p1"] = muted
	topics := []string{topicConferences, topicConference("c1", false), topicConference("c2", false), topicBoard, topicParticipant("p1")}

	tests := []struct {
		name  string
		delta live.Delta
		want  map[string]string // topic -> a string its messages must hold; absent = no message
	}{
		{"mute shows on the conference page only", changed("p1", "Alpha", "is_muted"),
			map[string]string{"conf:c1:v": `data-muted="true"`, "part:p1": `participant-body`}},
		{"quality history changes no summary", changed("p1", "Alpha", "historic_call_quality", "bandwidth"),
			map[string]string{"part:p1": `participant-body`}},
		{"call quality moves every summary", changed("p2", "Alpha", "call_quality"),
			map[string]string{"conferences": `id="c-c1"`, "conf:c1:v": `id="p-p2"`, "board": `id="t-c1"`}},
		{"a join is appended", live.Delta{Kind: live.Added, Resource: live.ResourceParticipant, ID: "p2", Conference: "Alpha"},
			map[string]string{"conferences": `id="c-c1"`, "conf:c1:v": `beforeend:#plist`, "board": `id="t-c1"`}},
		{"a leave is deleted", live.Delta{Kind: live.Removed, Resource: live.ResourceParticipant, ID: "p9", Conference: "Beta"},
			map[string]string{"conferences": `id="c-c2"`, "conf:c2:v": `delete:#p-p9`, "board": `id="t-c2"`}},
		{"an ended conference says so", live.Delta{Kind: live.Removed, Resource: live.ResourceConference, ID: "c9", Conference: "Gone"},
			map[string]string{"conferences": `delete:#c-c9`, "board": `delete:#t-c9`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := renderBatch(t, live.Batch{Version: 2, State: st, Deltas: []live.Delta{tt.delta}}, topics...)
			for _, topic := range topics {
				all := strings.Join(got[topic], "")
				want, ok := tt.want[topic]
				switch {
				case !ok && all != "":
					t.Errorf("topic %s got %d messages, want none: %.200q", topic, len(got[topic]), all)
				case ok && !strings.Contains(all, want):
					t.Errorf("topic %s lacks %q: %.400q", topic, want, all)
				}
			}
		})
	}
}

func TestResyncRedrawsEveryPage(t *testing.T) {
	st := testState()
	topics := []string{topicConferences, topicConference("c1", true), topicPlatform, topicBoard, topicParticipant("p4")}
	got := renderBatch(t, live.Batch{Version: 3, State: st, Resync: true}, topics...)
	want := map[string]string{
		topicConferences:            `id="conf-rows"`,
		topicConference("c1", true): `id="waiting"`,
		topicPlatform:               `data-name="node-1"`,
		topicBoard:                  `id="tiles"`,
		topicParticipant("p4"):      `Bo Bad`,
	}
	for topic, w := range want {
		if all := strings.Join(got[topic], ""); !strings.Contains(all, w) {
			t.Errorf("resync of %s lacks %q", topic, w)
		}
	}
}

func TestHostileNamesAreEscapedInPushes(t *testing.T) {
	st := testState()
	p := st.Participants["p1"]
	p.DisplayName = `<img src=x onerror=alert(1)>`
	st.Participants["p1"] = p
	got := renderBatch(t, live.Batch{Version: 2, State: st, Resync: true},
		topicConference("c1", false), topicParticipant("p1"))
	for topic, msgs := range got {
		all := strings.Join(msgs, "")
		if strings.Contains(all, "<img") || !strings.Contains(all, "&lt;img src=x onerror=alert(1)&gt;") {
			t.Errorf("topic %s: hostile name not escaped: %.300q", topic, all)
		}
	}
}
