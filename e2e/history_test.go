package e2e

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"pexops/pexip/sim"
	"pexops/pexip/sim/platform"
)

// endedConference runs a conference with the given participants and ends it, returning its
// history id.
func endedConference(t *testing.T, c *console, b *browser, name, alias string, joins ...platform.JoinSpec) string {
	t.Helper()
	createService(t, b, name, alias)
	var pids []string
	for _, j := range joins {
		j.Alias = alias
		pid, err := c.Sim.Platform().Join(j)
		if err != nil {
			t.Fatal(err)
		}
		pids = append(pids, pid)
	}
	id := simConferenceID(t, c, name)
	c.Sim.Advance(30 * time.Second) // a call with some media to show
	for _, pid := range pids {
		c.Sim.Platform().Leave(pid)
	}
	return id
}

func TestHistoryListsEndedConferencesPagedAndFiltered(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.login(admin)
	const evil = `<script>alert(1)</script>`
	id := endedConference(t, c, b, "History Room", "history@example.com",
		platform.JoinSpec{DisplayName: evil, Role: "chair", Protocol: "SIP"},
		platform.JoinSpec{DisplayName: "Second Sam", Role: "chair", Protocol: "WebRTC"})
	endedConference(t, c, b, "Other History", "other.history@example.com",
		platform.JoinSpec{DisplayName: "Olga", Role: "chair"})

	stats := c.Sim.Stats()
	stats.Reset()
	doc := b.page("/history?q=history+room", http.StatusOK)
	rows := doc.Find("[data-test=history-conference]")
	if rows.Length() != 1 || rows.AttrOr("data-id", "") != id {
		t.Fatalf("name filter: %d rows (%q), want History Room alone", rows.Length(), rows.Text())
	}
	if got := doc.Find("[data-test=history-q]").AttrOr("value", ""); got != "history room" {
		t.Errorf("filter not kept in the form: %q", got)
	}
	if !strings.HasSuffix(rows.Find("[data-test=history-end]").Text(), "UTC") {
		t.Errorf("end time %q not shown as UTC", rows.Find("[data-test=history-end]").Text())
	}
	// Filtered and paged by the API, never everything loaded.
	for key, n := range c.Sim.Stats().Requests {
		if key.Pattern == "/api/admin/history/v1/conference/" && n > 1 {
			t.Errorf("%d history list requests for one page", n)
		}
	}

	future := time.Now().UTC().Add(time.Hour).Format("2006-01-02T15:04")
	doc = b.page("/history?since="+url.QueryEscape(future), http.StatusOK)
	if n := doc.Find("[data-test=history-conference]").Length(); n != 0 {
		t.Errorf("a range in the future shows %d conferences", n)
	}
	doc = b.page("/history?since=yesterday", http.StatusBadRequest)
	if doc.Find("[data-test=history-error]").Length() == 0 || doc.Find("[data-test=history-since]").AttrOr("value", "") != "yesterday" {
		t.Error("a bad time is not refused with the form kept")
	}

	doc = b.page("/history/"+id, http.StatusOK)
	parts := doc.Find("[data-test=history-participant]")
	if parts.Length() != 2 {
		t.Fatalf("%d participants, want 2", parts.Length())
	}
	if doc.Find("script:not([src])").Length() != 0 || !strings.Contains(doc.Text(), evil) {
		t.Error("a hostile display name is not shown as text")
	}
	first := parts.First()
	for _, f := range []string{"display-name", "aliases", "role", "disconnect-reason", "quality", "start"} {
		if strings.TrimSpace(first.Find("[data-test="+f+"]").Text()) == "" {
			t.Errorf("participant %s is empty", f)
		}
	}
	if doc.Find("[data-test=media-stream]").Length() == 0 {
		t.Error("no media streams shown")
	}
	b.page("/history/no-such-conference", http.StatusNotFound)
	b.page("/history/..%2F..", http.StatusNotFound)
}

func TestHistoryWhenPexipFailsSaysSo(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.login(viewer)
	c.Sim.Faults().SetOutage(true)
	doc := b.page("/history", http.StatusBadGateway)
	c.Sim.Faults().SetOutage(false)
	if doc.Find("[data-test=history-error]").Length() == 0 {
		t.Error("an outage is not explained")
	}
}

func TestHistoryPagesNewestFirstWithTheFilterInTheURL(t *testing.T) {
	// Demo activity fills the history with a day of meetings (more than a page).
	c := startConsole(t, consoleOpts{simOpts: sim.Options{Demo: true}})
	b := newBrowser(t, c.URL)
	b.login(viewer)

	doc := b.page("/history", http.StatusOK)
	rows := doc.Find("[data-test=history-conference]")
	if rows.Length() != 25 {
		t.Fatalf("first page has %d conferences, want 25", rows.Length())
	}
	var ends []string
	rows.Each(func(_ int, s *goquery.Selection) { ends = append(ends, s.Find("[data-test=history-end]").Text()) })
	if !sort.SliceIsSorted(ends, func(i, j int) bool { return ends[i] > ends[j] }) {
		t.Errorf("not newest first: %v", ends)
	}
	next, ok := doc.Find("[data-test=next]").Attr("href")
	if !ok || !strings.Contains(next, "offset=25") {
		t.Fatalf("next link %q", next)
	}
	page2 := b.page(next, http.StatusOK).Find("[data-test=history-conference]")
	if page2.Length() == 0 || page2.First().AttrOr("data-id", "") == rows.First().AttrOr("data-id", "") {
		t.Errorf("the second page (%d rows) repeats the first", page2.Length())
	}

	until := time.Now().UTC().Add(-12 * time.Hour).Format("2006-01-02T15:04")
	doc = b.page("/history?until="+url.QueryEscape(until), http.StatusOK)
	total := doc.Find("[data-test=history-total]").Text()
	if next, ok := doc.Find("[data-test=next]").Attr("href"); ok && !strings.Contains(next, "until=") {
		t.Errorf("the pager drops the time filter: %q", next)
	}
	doc.Find("[data-test=history-start]").Each(func(_ int, s *goquery.Selection) {
		if s.Text() >= strings.Replace(until, "T", " ", 1) {
			t.Errorf("a conference started at %s, after the range's end %s (%s)", s.Text(), until, total)
		}
	})
}
