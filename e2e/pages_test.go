package e2e

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"pexops/pexip/sim/platform"
)

func TestDemoModeStartsWithSimulatorAndDemoAccount(t *testing.T) {
	c := startProcess(t, t.TempDir(), []string{"-db", t.TempDir() + "/demo.db"}, nil)
	t.Cleanup(c.stop)
	eventually(t, 5*time.Second, "the demo sign-in on stdout", func() bool {
		return strings.Contains(c.logs.String(), "stdout: demo mode: built-in Management Node simulator; sign in as demo / demo")
	})
	b := newBrowser(t, c.URL)
	doc := b.page("/login", http.StatusOK)
	if doc.Find("[data-test=demo-hint]").Length() != 1 {
		t.Error("login page does not show the demo accounts in demo mode")
	}
	b.login(account{"demo", "demo", "admin"})

	// The demo platform is alive: conferences are running within seconds of start.
	eventually(t, 20*time.Second, "demo conferences on the live page", func() bool {
		n, _ := strconv.Atoi(b.page("/live", http.StatusOK).Find("[data-test=count-conferences]").Text())
		return n > 0
	})
	if n := b.page("/services", http.StatusOK).Find("[data-test=service]").Length(); n == 0 {
		t.Error("demo services list is empty")
	}
}

func TestLoginRefusesWrongPasswordAndKeepsUsername(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.openLogin()
	res := b.postForm("/login", url.Values{"username": {admin.name}, "password": {"wrong"}})
	doc := parse(t, res, http.StatusUnauthorized)
	if got := doc.Find("[data-test=login-error]").Text(); !strings.Contains(got, "Wrong username or password") {
		t.Errorf("login error = %q", got)
	}
	if got := doc.Find("#username").AttrOr("value", ""); got != admin.name {
		t.Errorf("username field = %q, want it kept as %q", got, admin.name)
	}
	if doc.Find("[data-test=demo-hint]").Length() != 0 {
		t.Error("demo accounts advertised outside demo mode")
	}
	// The re-rendered form carries a token that works: the next attempt is judged on its
	// credentials, and demo accounts do not exist outside demo mode.
	b.csrf = doc.Find(`#login-form input[name="_csrf"]`).AttrOr("value", "")
	res = b.postForm("/login", url.Values{"username": {"demo"}, "password": {"demo"}})
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("demo/demo outside demo mode: status %d, want 401", res.StatusCode)
	}

	// A sign-in posted without the form's token (from another site) is refused.
	other := newBrowser(t, c.URL)
	res = other.postForm("/login", url.Values{"username": {admin.name}, "password": {admin.password}})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("sign-in without the form token: status %d, want 403", res.StatusCode)
	}
}

func TestEveryPageNeedsASession(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	tests := []struct {
		method, path string
		status       int
		location     string
	}{
		{"GET", "/live", http.StatusSeeOther, "/login?next=%2Flive"},
		{"GET", "/services", http.StatusSeeOther, "/login?next=%2Fservices"},
		{"GET", "/ws?topic=conferences", http.StatusUnauthorized, ""},
		{"POST", "/live/participants/x/mute", http.StatusSeeOther, "/login"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, c.URL+tt.path, nil)
			if strings.HasPrefix(tt.path, "/ws") {
				req.Header.Set("Upgrade", "websocket")
				req.Header.Set("Connection", "Upgrade")
			}
			res := b.do(req)
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tt.status)
			}
			if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, tt.location) {
				t.Errorf("Location = %q, want prefix %q", loc, tt.location)
			}
		})
	}
}

func TestUnknownRouteIsA404Page(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.login(admin)
	doc := b.page("/no/such/page", http.StatusNotFound)
	if doc.Find("[data-test=error-page]").Length() != 1 {
		t.Error("404 is not the console's error page")
	}
	doc = b.page("/live/conferences/00000000-0000-0000-0000-00000000dead", http.StatusNotFound)
	if !strings.Contains(doc.Find("[data-test=error-page]").Text(), "not running") {
		t.Error("an ended conference does not say it is not running")
	}
}

// createService creates a VMR through the console's form and returns its id.
func createService(t *testing.T, b *browser, name string, aliases ...string) string {
	t.Helper()
	res := b.postForm("/services", url.Values{
		"name": {name}, "service_type": {"conference"}, "aliases": {strings.Join(aliases, "\n")},
		"description": {"made by e2e"}, "pin": {""}, "guest_pin": {""}, "tag": {"e2e"},
	})
	if res.StatusCode != http.StatusSeeOther {
		doc := parse(t, res, res.StatusCode)
		t.Fatalf("create service: status %d: %s", res.StatusCode, doc.Find("[data-test=form-error]").Text())
	}
	loc := res.Header.Get("Location")
	id := strings.TrimPrefix(strings.Split(loc, "?")[0], "/services/")
	if _, err := strconv.Atoi(id); err != nil {
		t.Fatalf("create redirected to %q, want /services/<id>", loc)
	}
	return id
}

func TestServiceCreateEditValidateDelete(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.login(admin)

	id := createService(t, b, "E2E Room", "e2e.room@example.com", "e2e.room")
	doc := b.page("/services?q=E2E", http.StatusOK)
	row := doc.Find(`[data-test=service][data-id="` + id + `"]`)
	if got := row.Find("[data-test=service-name]").Text(); got != "E2E Room" {
		t.Fatalf("list row name = %q", got)
	}
	if got := row.Find("[data-test=service-aliases]").Text(); !strings.Contains(got, "e2e.room@example.com") {
		t.Errorf("list row aliases = %q", got)
	}

	// A second service with the same name: Pexip's uniqueness error beside the name field,
	// and everything typed is still in the form.
	res := b.postForm("/services", url.Values{"name": {"E2E Room"}, "service_type": {"conference"},
		"aliases": {"other@example.com"}, "description": {"typed text"}, "tag": {"kept"}})
	doc = parse(t, res, http.StatusUnprocessableEntity)
	if got := doc.Find("[data-test=error-name]").Text(); !strings.Contains(got, "already exists") {
		t.Errorf("name field error = %q, want Pexip's uniqueness message", got)
	}
	if doc.Find("#description").AttrOr("value", "") != "typed text" || doc.Find("#tag").AttrOr("value", "") != "kept" ||
		!strings.Contains(doc.Find("#aliases").Text(), "other@example.com") {
		t.Error("the form lost what was typed")
	}

	// Edit: rename, drop one alias, add another.
	res = b.postForm("/services/"+id, url.Values{"name": {"E2E Room 2"}, "service_type": {"conference"},
		"aliases": {"e2e.room@example.com\nnew.alias@example.com"}, "description": {""}, "tag": {"e2e"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("update: status %d", res.StatusCode)
	}
	doc = b.page("/services/"+id, http.StatusOK)
	if got := doc.Find("#name").AttrOr("value", ""); got != "E2E Room 2" {
		t.Errorf("name after edit = %q", got)
	}
	aliases := doc.Find("#aliases").Text()
	if !strings.Contains(aliases, "new.alias@example.com") || strings.Contains(aliases, "e2e.room\n") || strings.HasSuffix(aliases, "e2e.room") {
		t.Errorf("aliases after edit = %q", aliases)
	}

	// Delete: the confirmation names the aliases that go with the service.
	doc = b.page("/services/"+id+"/delete", http.StatusOK)
	if got := doc.Find("[data-test=delete-confirm]").Text(); !strings.Contains(got, "new.alias@example.com") {
		t.Errorf("delete confirmation does not list the aliases: %q", got)
	}
	res = b.postForm("/services/"+id+"/delete", url.Values{"id": {id}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: status %d", res.StatusCode)
	}
	b.page("/services/"+id, http.StatusNotFound)
}

func TestDeleteWithoutValidIDNeverReachesPexip(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.login(admin)
	before := b.page("/services", http.StatusOK).Find("[data-test=service-total]").Text()
	c.Sim.Stats().Reset()
	for _, path := range []string{"/services/%20/delete", "/services/0/delete", "/services/-1/delete", "/services/abc/delete"} {
		res := b.postForm(path, url.Values{"id": {""}})
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("POST %s: status %d, want 400", path, res.StatusCode)
		}
	}
	for k, n := range c.Sim.Stats().Requests {
		if k.Method == http.MethodDelete {
			t.Errorf("%d DELETE requests reached the Management Node (%s), want none", n, k.Pattern)
		}
	}
	if after := b.page("/services", http.StatusOK).Find("[data-test=service-total]").Text(); after != before {
		t.Errorf("service total changed from %q to %q", before, after)
	}
}

func TestLivePageShowsHostileNamesAsText(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.login(admin)
	createService(t, b, "Hostile Room", "hostile@example.com")

	names := []string{`<img src=x onerror=alert(1)>`, `" onmouseover="alert(1)`, `javascript:alert(1)`}
	for _, n := range names {
		if _, err := c.Sim.Platform().Join(platform.JoinSpec{Alias: "hostile@example.com", DisplayName: n, Role: "chair", Protocol: "WebRTC"}); err != nil {
			t.Fatalf("join %q: %v", n, err)
		}
	}
	var confID string
	eventually(t, 10*time.Second, "the conference on the live page", func() bool {
		doc := b.page("/live", http.StatusOK)
		href, ok := doc.Find(`[data-test=conference][data-name="Hostile Room"] [data-test=conference-link]`).Attr("href")
		confID = strings.TrimPrefix(href, "/live/conferences/")
		return ok
	})
	// The conference can be listed a poll before all its participants are read.
	var doc *goquery.Document
	eventually(t, 10*time.Second, "all three participants on the conference page", func() bool {
		doc = b.page("/live/conferences/"+confID, http.StatusOK)
		return doc.Find("[data-test=display-name]").Length() == len(names)
	})
	html, _ := doc.Html()
	got := map[string]bool{}
	doc.Find("[data-test=display-name]").Each(func(_ int, cell *goquery.Selection) {
		got[strings.TrimSpace(cell.Text())] = true
	})
	for _, n := range names {
		if !got[n] {
			t.Errorf("display name %q not shown literally; names shown: %v", n, got)
		}
	}
	if strings.Contains(html, "<img src=x") || strings.Contains(html, `onmouseover="alert`) {
		t.Error("a display name was rendered as markup")
	}
}

func TestViewerSeesNoActionsAndIsRefused(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	a := newBrowser(t, c.URL)
	a.login(admin)
	createService(t, a, "Viewer Room", "viewer.room@example.com")
	pid, err := c.Sim.Platform().Join(platform.JoinSpec{Alias: "viewer.room@example.com", DisplayName: "Host", Role: "chair"})
	if err != nil {
		t.Fatal(err)
	}
	v := newBrowser(t, c.URL)
	v.login(viewer)
	eventually(t, 10*time.Second, "the participant in the poller's state", func() bool {
		return a.htmxPost("/live/participants/"+pid+"/unmute").StatusCode == http.StatusOK
	})
	if res := v.htmxPost("/live/participants/" + pid + "/mute"); res.StatusCode != http.StatusForbidden {
		t.Errorf("viewer mute: status %d, want 403", res.StatusCode)
	}
	if res := v.htmxPost("/services"); res.StatusCode != http.StatusForbidden {
		t.Errorf("viewer create service: status %d, want 403", res.StatusCode)
	}
}

func TestStateChangesNeedTheCSRFToken(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.login(operator)
	token := b.csrf
	for _, tok := range []string{"", "wrong-token"} {
		b.csrf = tok
		res := b.htmxPost("/live/participants/x/mute")
		doc := parse(t, res, http.StatusForbidden)
		if got := doc.Find("[data-test=error-fragment]").Text(); !strings.Contains(got, "expired") {
			t.Errorf("token %q: message %q, want the session-expired text", tok, got)
		}
	}
	b.csrf = token
	if res := b.htmxPost("/live/participants/x/mute"); res.StatusCode != http.StatusNotFound {
		t.Errorf("with the token: status %d, want 404 for an unknown participant", res.StatusCode)
	}
}

// Hostile query strings on list pages are clamped or refused, never a 5xx (a break-test found
// an offset that overflowed into a negative upstream limit).
func TestListPagesSurviveHostileQueries(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.login(viewer)
	for _, path := range []string{
		"/services?offset=9223372036854775807&q=meet",
		"/services?offset=9223372036854775807",
		"/services?offset=-5&sort=%00&in=%ff",
		"/services?q=" + strings.Repeat("%E2%80%AE", 400),
		"/history?offset=9223372036854775807",
		"/live/conferences/%2e%2e%2f%2e%2e",
	} {
		res := b.get(path)
		if res.StatusCode >= 500 {
			t.Errorf("GET %s: status %d", path, res.StatusCode)
		}
	}
}
