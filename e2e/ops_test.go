package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/coder/websocket"
)

func TestLiveStaleBannerDuringOutageAndReadyz(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.login(viewer)
	eventually(t, 10*time.Second, "ready", func() bool { return b.get("/readyz").StatusCode == http.StatusOK })

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, _, err := b.dialWS(ctx, "topic=conferences", c.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(websocket.StatusNormalClosure, "")
	readUntil(t, ctx, conn, `id="conf-rows"`)

	c.Sim.Faults().SetOutage(true)
	readUntil(t, ctx, conn, `data-stale="true"`)
	if got := b.get("/readyz").StatusCode; got != http.StatusServiceUnavailable {
		t.Errorf("/readyz during the outage: %d, want 503", got)
	}
	doc := b.page("/live", http.StatusOK)
	if doc.Find("[data-test=stale-banner]").AttrOr("data-stale", "") != "true" {
		t.Error("a page loaded during the outage shows no stale banner")
	}

	c.Sim.Faults().SetOutage(false)
	readUntil(t, ctx, conn, `data-stale="false"`)
	eventually(t, 5*time.Second, "ready again", func() bool { return b.get("/readyz").StatusCode == http.StatusOK })
}

func TestOpsHealthAndMetrics(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	if res := b.get("/healthz"); res.StatusCode != http.StatusOK {
		t.Errorf("/healthz: %d", res.StatusCode)
	}
	b.login(viewer)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	conn, _, err := b.dialWS(ctx, "topic=conferences", c.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(websocket.StatusNormalClosure, "")
	readUntil(t, ctx, conn, `id="conf-rows"`)

	var text string
	eventually(t, 10*time.Second, "metrics of a connected viewer", func() bool {
		res := b.get("/metrics")
		var sb strings.Builder
		buf := make([]byte, 32<<10)
		for {
			n, err := res.Body.Read(buf)
			sb.Write(buf[:n])
			if err != nil {
				break
			}
		}
		text = sb.String()
		return strings.Contains(text, "pexops_hub_subscribers 1") && strings.Contains(text, "pexops_ws_messages_sent_total")
	})
	for _, name := range []string{
		`pexops_poll_duration_seconds_bucket{resource="participant"`,
		`pexops_poll_total{outcome="ok",resource="conference"}`,
		`pexops_pexip_requests_total{code="200"`,
		"pexops_poll_requests_in_flight",
		`pexops_live_data_age_seconds{resource="participant"}`,
		"pexops_live_deltas_total",
		"pexops_hub_subscribers_dropped_total",
		"pexops_ws_bytes_sent_total",
	} {
		if !strings.Contains(text, name) {
			t.Errorf("/metrics lacks %s", name)
		}
	}
}

func TestPlatformPageShowsNodesAndFollowsAFailure(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.login(viewer)
	var doc = b.page("/platform", http.StatusOK)
	eventually(t, 10*time.Second, "nodes and licences on the platform page", func() bool {
		doc = b.page("/platform", http.StatusOK)
		return doc.Find("[data-test=node]").Length() > 0 && doc.Find("[data-test=licence]").Length() > 0
	})
	node := doc.Find("[data-test=node]").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return s.Find("meter[data-test=load]").Length() == 1
	}).First()
	name := node.AttrOr("data-name", "")
	if name == "" || node.AttrOr("data-state", "") != "ok" {
		t.Fatalf("no healthy conferencing node with a load bar: %q", doc.Find("[data-test=nodes]").Text())
	}
	if doc.Find("[data-test=location] meter[data-test=load]").Length() == 0 {
		t.Error("system locations show no load")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, _, err := b.dialWS(ctx, "topic=platform", c.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(websocket.StatusNormalClosure, "")
	msgs := feed(conn)
	feedUntil(t, msgs, 10*time.Second, `id="platform-body"`)
	if !c.Sim.Platform().FailNode(name) {
		t.Fatalf("the simulator has no node %q", name)
	}
	feedUntil(t, msgs, 10*time.Second, `data-name="`+name+`" data-state="unreachable"`)
}
