package e2e

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/coder/websocket"

	"pexops/pexip/sim/platform"
)

const mediaStreamPattern = "/api/admin/status/v1/participant/{id}/media_stream/"

// join scripts a participant into the simulator and fails the test if it cannot.
func join(t *testing.T, c *console, spec platform.JoinSpec) string {
	t.Helper()
	id, err := c.Sim.Platform().Join(spec)
	if err != nil {
		t.Fatalf("join %q: %v", spec.DisplayName, err)
	}
	return id
}

// conferenceID finds a running conference's id on the live list, waiting for the poller.
func conferenceID(t *testing.T, b *browser, name string) string {
	t.Helper()
	var id string
	eventually(t, 10*time.Second, "conference "+name+" on the live list", func() bool {
		doc := b.page("/live", http.StatusOK)
		href, ok := doc.Find(`[data-test=conference][data-name="` + name + `"] [data-test=conference-link]`).Attr("href")
		id = strings.TrimPrefix(href, "/live/conferences/")
		return ok
	})
	return id
}

// feed reads a socket in the background: a read whose context ends closes a coder/websocket
// connection, so tests that wait for "nothing more" read from this channel instead. After the
// channel closes, *readErr says why the socket ended.
func feed(conn *websocket.Conn) <-chan string {
	ch, _ := feedErr(conn)
	return ch
}

func feedErr(conn *websocket.Conn) (<-chan string, *error) {
	ch := make(chan string, 256)
	readErr := new(error)
	go func() {
		defer close(ch)
		for {
			_, msg, err := conn.Read(context.Background())
			if err != nil {
				*readErr = err
				return
			}
			ch <- string(msg)
		}
	}()
	return ch, readErr
}

// readFor collects the messages fed within d.
func readFor(ch <-chan string, d time.Duration) []string {
	var out []string
	deadline := time.After(d)
	for {
		select {
		case m, ok := <-ch:
			if !ok {
				return out
			}
			out = append(out, m)
		case <-deadline:
			return out
		}
	}
}

// feedUntil reads fed messages until one contains want.
func feedUntil(t *testing.T, ch <-chan string, within time.Duration, want string) string {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case m, ok := <-ch:
			if !ok {
				t.Fatalf("socket closed while waiting for %q", want)
			}
			if strings.Contains(m, want) {
				return m
			}
		case <-deadline:
			t.Fatalf("no message with %q within %s", want, within)
		}
	}
}

func TestLiveConferenceListAndPageShowTheCall(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.login(admin)
	createService(t, b, "List Room", "list.room@example.com")
	join(t, c, platform.JoinSpec{Alias: "list.room@example.com", DisplayName: "Hana Host", Role: "chair", Protocol: "SIP", CallDirection: "in"})
	join(t, c, platform.JoinSpec{Alias: "list.room@example.com", DisplayName: "Gus Guest", Role: "guest", Protocol: "WebRTC"})
	join(t, c, platform.JoinSpec{Alias: "list.room@example.com", DisplayName: "Wanda Waiting", Role: "guest", Waiting: true})

	id := conferenceID(t, b, "List Room")
	var row *goquery.Selection
	eventually(t, 10*time.Second, "three participants counted", func() bool {
		row = b.page("/live", http.StatusOK).Find(`[data-test=conference][data-name="List Room"]`)
		return strings.Contains(row.Find("[data-test=participant-count]").Text(), "waiting")
	})
	if got := strings.Fields(row.Find("[data-test=participant-count]").Text()); len(got) < 1 || got[0] != "2" {
		t.Errorf("participant count %q, want 2 admitted (+1 waiting)", got)
	}
	if row.Find("[data-test=started]").Length() != 1 {
		t.Error("a conference with a host is not shown as started")
	}
	if row.AttrOr("data-k-participants", "") != "3" || row.AttrOr("data-k-start", "0") == "0" {
		t.Errorf("sort keys missing: participants %q start %q", row.AttrOr("data-k-participants", ""), row.AttrOr("data-k-start", ""))
	}

	doc := b.page("/live/conferences/"+url.PathEscape(id), http.StatusOK)
	host := doc.Find(`[data-test=participants] [data-test=participant]`).FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.Contains(s.Find("[data-test=display-name]").Text(), "Hana Host")
	})
	if host.Length() != 1 {
		t.Fatalf("the host is not among the admitted participants:\n%s", doc.Find("[data-test=participants]").Text())
	}
	if got := host.Find("[data-test=role]").Text(); got != "Host" {
		t.Errorf("role %q, want Host", got)
	}
	if got := host.Find("[data-test=direction]").Text(); got != "dial-in" {
		t.Errorf("direction %q, want dial-in", got)
	}
	if got := host.Find("[data-test=nodes]").Text(); strings.Count(got, "–") == 3 {
		t.Errorf("media node, signalling node and location all missing: %q", got)
	}
	waiting := doc.Find(`[data-test=waiting] [data-test=participant]`)
	if waiting.Length() != 1 || !strings.Contains(waiting.Text(), "Wanda Waiting") {
		t.Errorf("the waiting participant is not shown apart: %q", waiting.Text())
	}
}

func TestLiveConferenceSocketGetsOnlyItsConference(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.login(viewer)
	adminB := newBrowser(t, c.URL)
	adminB.login(admin)
	createService(t, adminB, "Mine Room", "mine@example.com")
	createService(t, adminB, "Other Room", "other@example.com")
	join(t, c, platform.JoinSpec{Alias: "mine@example.com", DisplayName: "First Mine", Role: "chair"})
	join(t, c, platform.JoinSpec{Alias: "other@example.com", DisplayName: "First Other", Role: "chair"})
	id := conferenceID(t, b, "Mine Room")
	conferenceID(t, b, "Other Room")

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, _, err := b.dialWS(ctx, "topic=conference&id="+url.QueryEscape(id), c.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(websocket.StatusNormalClosure, "")
	msgs := feed(conn)
	feedUntil(t, msgs, 10*time.Second, "First Mine")

	join(t, c, platform.JoinSpec{Alias: "other@example.com", DisplayName: "Second Other", Role: "guest"})
	join(t, c, platform.JoinSpec{Alias: "mine@example.com", DisplayName: "Second Mine", Role: "guest"})
	var all strings.Builder
	for _, m := range readFor(msgs, 3*time.Second) {
		all.WriteString(m)
	}
	if !strings.Contains(all.String(), "Second Mine") {
		t.Errorf("the conference's own new participant did not arrive")
	}
	if strings.Contains(all.String(), "Other") {
		t.Errorf("a conference page was sent another conference's participant")
	}
}

func TestLiveParticipantPageReadsStreamsOnlyWhileWatched(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.login(admin)
	createService(t, b, "Media Room", "media@example.com")
	pid := join(t, c, platform.JoinSpec{Alias: "media@example.com", DisplayName: "Mia Media", Role: "chair", Protocol: "SIP"})
	conferenceID(t, b, "Media Room")

	time.Sleep(time.Second) // a few poll cycles with nobody watching
	if n := c.Sim.Stats().Count("GET", mediaStreamPattern); n != 0 {
		t.Errorf("%d media stream reads before anyone opened the participant", n)
	}
	doc := b.page("/live/calls/"+url.PathEscape(pid), http.StatusOK)
	if got := doc.Find("[data-test=participant-summary] [data-test=display-name]").Text(); got != "Mia Media" {
		t.Errorf("participant page shows %q", got)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, _, err := b.dialWS(ctx, "topic=participant&id="+url.QueryEscape(pid), c.URL)
	if err != nil {
		t.Fatal(err)
	}
	msg := readUntil(t, ctx, conn, `data-test="stream"`)
	if strings.Contains(msg, "<tr") && !strings.HasPrefix(msg, "<span") {
		t.Errorf("participant body not sent as a page part: %.200s", msg)
	}
	conn.Close(websocket.StatusNormalClosure, "")
	if c.Sim.Stats().Count("GET", mediaStreamPattern) == 0 {
		t.Fatal("no media stream read while watched")
	}

	time.Sleep(time.Second) // the release reaches the poller
	before := c.Sim.Stats().Count("GET", mediaStreamPattern)
	time.Sleep(1500 * time.Millisecond)
	if after := c.Sim.Stats().Count("GET", mediaStreamPattern); after != before {
		t.Errorf("media streams still read after the page closed: %d -> %d", before, after)
	}
}

func TestLiveOneChangeSendsLittle(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.login(viewer)
	adminB := newBrowser(t, c.URL)
	adminB.login(admin)
	createService(t, adminB, "Small Room", "small@example.com")
	var pid string
	for _, n := range []string{"Ann", "Ben", "Cy", "Di"} {
		pid = join(t, c, platform.JoinSpec{Alias: "small@example.com", DisplayName: n, Role: "chair"})
	}
	id := conferenceID(t, b, "Small Room")

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, _, err := b.dialWS(ctx, "topic=conference&id="+url.QueryEscape(id), c.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(websocket.StatusNormalClosure, "")
	msgs := feed(conn)
	feedUntil(t, msgs, 10*time.Second, `id="waiting"`) // the snapshot's table bodies
	readFor(msgs, 700*time.Millisecond)                // let the data age settle

	if st, _ := c.Sim.Platform().Command("participant", "mute", map[string]string{"participant_id": pid}); st >= 300 {
		t.Fatalf("mute in the simulator: status %d", st)
	}
	total := 0
	got := false
	for _, m := range readFor(msgs, 1500*time.Millisecond) {
		total += len(m)
		got = got || strings.Contains(m, `data-muted="true"`)
	}
	if !got {
		t.Fatal("the mute did not arrive")
	}
	if total > 2048 {
		t.Errorf("one participant's mute cost %d bytes on a conference page, want at most 2048", total)
	}
}
