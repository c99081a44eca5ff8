package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"pexops/pexip/sim"
	"pexops/pexip/sim/platform"
)

// gauge reads one unlabelled gauge from /metrics.
func gauge(t *testing.T, base, name string) float64 {
	t.Helper()
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	t.Fatalf("/metrics has no %s", name)
	return 0
}

func TestLiveBrowserStaleBannerDuringOutage(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	ctx := chrome(t)
	tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, signIn(c.URL, viewer), chromedp.WaitNotVisible(chromedp.CSS("[data-test=stale-banner]"))); err != nil {
		t.Fatal(err)
	}
	c.Sim.Faults().SetOutage(true)
	err := chromedp.Do(tctx, chromedp.WaitVisible(chromedp.CSS(`[data-test=stale-banner][data-stale="true"]`)))
	if err != nil {
		t.Fatalf("no stale banner during the outage: %v", err)
	}
	text, _ := chromedp.Run(tctx, chromedp.Text(chromedp.CSS("[data-test=stale-banner]")))
	if !strings.Contains(text, "not answering") {
		t.Errorf("stale banner says %q", text)
	}
	c.Sim.Faults().SetOutage(false)
	if err := chromedp.Do(tctx, chromedp.WaitNotVisible(chromedp.CSS("[data-test=stale-banner]"))); err != nil {
		t.Fatalf("the stale banner stayed after the node came back: %v", err)
	}
}

func TestLiveBrowserOneSocketPerTab(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.login(admin)
	createService(t, b, "Nav Room", "nav.room@example.com")
	join(t, c, platform.JoinSpec{Alias: "nav.room@example.com", DisplayName: "Nav Nell", Role: "chair"})
	conferenceID(t, b, "Nav Room")

	ctx := chrome(t)
	tctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, signIn(c.URL, viewer)); err != nil {
		t.Fatal(err)
	}
	conf := `[data-test=conference][data-name="Nav Room"] [data-test=conference-link]`
	for i := 0; i < 20; i++ {
		var step chromedp.Action[chromedp.Void]
		switch i % 3 {
		case 0:
			step = chromedp.Steps(chromedp.Click(chromedp.CSS(conf)), chromedp.WaitVisible(chromedp.CSS("[data-test=conference-root]")))
		case 1:
			step = chromedp.Steps(chromedp.Click(chromedp.CSS(`nav a[href="/platform"]`)), chromedp.WaitVisible(chromedp.CSS("[data-test=platform-root]")))
		default:
			step = chromedp.Steps(chromedp.Click(chromedp.CSS(`nav a[href="/live"]`)), chromedp.WaitVisible(chromedp.CSS(conf)))
		}
		if err := chromedp.Do(tctx, step, chromedp.WaitReady(chromedp.CSS(`body[data-ws="open"]`))); err != nil {
			t.Fatalf("navigation %d: %v", i, err)
		}
	}
	eventually(t, 5*time.Second, "one live socket on the server", func() bool {
		return gauge(t, c.URL, "pexops_hub_subscribers") == 1
	})
	time.Sleep(time.Second) // closed sockets stay closed: nothing reconnects behind the page
	if n := gauge(t, c.URL, "pexops_hub_subscribers"); n != 1 {
		t.Errorf("%v live sockets for one tab, want 1", n)
	}
}

func TestLiveBrowserSortAndFilterSurvivePushes(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.login(admin)
	for _, s := range []struct{ name, alias string }{{"Alpha Sort", "alpha.sort@example.com"}, {"Bravo Sort", "bravo.sort@example.com"}} {
		createService(t, b, s.name, s.alias)
	}
	join(t, c, platform.JoinSpec{Alias: "alpha.sort@example.com", DisplayName: "A1", Role: "chair"})
	join(t, c, platform.JoinSpec{Alias: "bravo.sort@example.com", DisplayName: "B1", Role: "chair"})
	conferenceID(t, b, "Bravo Sort")

	ctx := chrome(t)
	tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	order := `Array.from(document.querySelectorAll("#conf-rows tr:not([hidden])")).map(r => r.dataset.name).filter(n => n.endsWith(" Sort")).join(",")`
	err := chromedp.Do(tctx, signIn(c.URL, viewer),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=conference][data-name="Bravo Sort"]`)),
		chromedp.SetValue(chromedp.CSS("#conf-sort"), "participants"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("conf-sort").dispatchEvent(new Event("change", {bubbles: true})); undefined`),
	)
	if err != nil {
		t.Fatal(err)
	}
	// Bravo grows: a live push must move it above Alpha without the operator doing anything.
	for _, n := range []string{"B2", "B3"} {
		join(t, c, platform.JoinSpec{Alias: "bravo.sort@example.com", DisplayName: n, Role: "guest"})
	}
	if _, err := chromedp.Run(tctx, chromedp.Poll[chromedp.Void](order+` === "Bravo Sort,Alpha Sort"`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		got, _ := chromedp.Run(tctx, chromedp.Evaluate[string](order))
		t.Fatalf("sorted by participants, the order is %q after Bravo grew: %v", got, err)
	}

	err = chromedp.Do(tctx, chromedp.SendKeys(chromedp.CSS("#conf-filter"), "alpha"))
	if err != nil {
		t.Fatal(err)
	}
	join(t, c, platform.JoinSpec{Alias: "bravo.sort@example.com", DisplayName: "B4", Role: "guest"})
	time.Sleep(1500 * time.Millisecond) // a few pushes
	if got, _ := chromedp.Run(tctx, chromedp.Evaluate[string](order)); got != "Alpha Sort" {
		t.Errorf("filtered on alpha, the list shows %q after a push", got)
	}
}

// liveTruth is what the simulator says is running: participants per conference name.
func liveTruth(c *console) map[string]int {
	out := map[string]int{}
	cs, _ := c.Sim.Platform().Status("conference")
	for _, conf := range cs {
		out[conf["name"].(string)] = 0
	}
	ps, _ := c.Sim.Platform().Status("participant")
	for _, p := range ps {
		out[p["conference"].(string)]++
	}
	return out
}

func TestLiveBrowserStaysRightForAnHourOfActivity(t *testing.T) {
	clock := platform.NewManualClock(time.Now())
	c := startConsole(t, consoleOpts{simOpts: sim.Options{Demo: true, Clock: clock, TargetConferences: 25, TargetParticipants: 150}})
	board := newBrowser(t, c.URL)
	board.login(admin)
	_, token, _ := createBoard(t, board, "Hour wall")

	ctx := chrome(t)
	tctx, cancel := context.WithTimeout(ctx, 120*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, signIn(c.URL, viewer), chromedp.Evaluate[chromedp.Void](`window.__noReload = true; undefined`)); err != nil {
		t.Fatal(err)
	}
	// A second tab: the wall board, unattended.
	bctx, bcancel := chromedp.NewContext(tctx)
	defer bcancel()
	if err := chromedp.Do(bctx, chromedp.Navigate(c.URL+"/board?token="+token), chromedp.WaitReady(chromedp.CSS(`body[data-ws="open"]`))); err != nil {
		t.Fatal(err)
	}

	for step := 0; step < 60; step++ { // an hour of platform time, a minute at a time
		c.Sim.Advance(time.Minute)
		time.Sleep(350 * time.Millisecond)
	}
	want := liveTruth(c)
	listJS := `JSON.stringify(Object.fromEntries(Array.from(document.querySelectorAll("#conf-rows tr")).map(r => [r.dataset.name, Number(r.dataset.kParticipants)])))`
	boardJS := `JSON.stringify(Object.fromEntries(Array.from(document.querySelectorAll("#tiles .tile")).map(r => [r.dataset.name, Number(r.dataset.kSize)])))`
	for _, v := range []struct {
		name string
		ctx  context.Context
		js   string
	}{{"live list", tctx, listJS}, {"wall board", bctx, boardJS}} {
		var got string
		deadline := time.Now().Add(5 * time.Second)
		for {
			got = normalise(chromedp.Run(v.ctx, chromedp.Evaluate[string](v.js)))
			if got == jsonOf(want) || time.Now().After(deadline) {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if got != jsonOf(want) {
			t.Errorf("after an hour, the %s shows\n%s\nthe simulator has\n%s", v.name, got, jsonOf(want))
		}
	}
	if len(want) == 0 {
		t.Error("the simulated hour ended with no conferences: the check proves nothing")
	}
	still, err := chromedp.Run(tctx, chromedp.Evaluate[bool](`window.__noReload === true`))
	if err != nil || !still {
		t.Error("the live page reloaded during the hour")
	}
}

// normalise re-encodes a page's JSON object with sorted keys, as jsonOf does.
func normalise(s string, err error) string {
	var m map[string]int
	if err != nil || json.Unmarshal([]byte(s), &m) != nil {
		return s
	}
	return jsonOf(m)
}

// jsonOf encodes participants by conference with sorted keys.
func jsonOf(m map[string]int) string {
	b, _ := json.Marshal(m)
	return string(b)
}

func TestLiveBrowserDurationsAreRightInAnyTimeZone(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.login(admin)
	createService(t, b, "Zone Room", "zone.room@example.com")
	join(t, c, platform.JoinSpec{Alias: "zone.room@example.com", DisplayName: "Zed", Role: "chair"})
	conferenceID(t, b, "Zone Room")
	// Pexip's start_time has no zone (it is UTC); a page that read it as local time would be
	// hours off in these zones, some of them not a whole number of hours from UTC.
	cs, _ := c.Sim.Platform().Status("conference")
	var started time.Time
	for _, o := range cs {
		if o["name"] == "Zone Room" {
			started, _ = time.Parse("2006-01-02T15:04:05.999999", o["start_time"].(string))
		}
	}
	if started.IsZero() {
		t.Fatal("no start time for Zone Room")
	}
	for _, zone := range []string{"Pacific/Kiritimati", "America/St_Johns", "Asia/Kolkata"} {
		t.Run(zone, func(t *testing.T) {
			ctx := chrome(t)
			tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			if _, err := chromedp.Call(tctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: zone}); err != nil {
				t.Fatal(err)
			}
			sel := `[data-test=conference][data-name="Zone Room"] [data-test=duration]`
			if err := chromedp.Do(tctx, signIn(c.URL, viewer), chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
				t.Fatal(err)
			}
			if off, _ := chromedp.Run(tctx, chromedp.Evaluate[int](`new Date().getTimezoneOffset()`)); off == 0 {
				t.Fatalf("the browser's clock is on UTC, not %s: the test would prove nothing", zone)
			}
			time.Sleep(1100 * time.Millisecond) // one tick of the page's clock
			got, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(sel)))
			if err != nil {
				t.Fatal(err)
			}
			want := time.Since(started)
			d, perr := parseDuration(got)
			if perr != nil || d < want-5*time.Second || d > want+5*time.Second {
				t.Errorf("duration shows %q in %s, want about %s", got, zone, want.Round(time.Second))
			}
		})
	}
}

// parseDuration reads the page's "42s", "12m 03s" or "2h 05m".
func parseDuration(s string) (time.Duration, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	return time.ParseDuration(s)
}
