package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"pexops/pexip/sim/platform"
)

// room is a running console with one conference and its participants, seen by the poller.
type room struct {
	c      *console
	op     *browser
	confID string
	pids   map[string]string // display name -> participant id
}

// startRoom creates a service, joins the given participants and waits until the console's
// conference page lists them all, signed in as the operator.
func startRoom(t *testing.T, o consoleOpts, name, alias string, joins ...platform.JoinSpec) *room {
	t.Helper()
	c := startConsole(t, o)
	a := newBrowser(t, c.URL)
	a.login(admin)
	createService(t, a, name, alias)
	r := &room{c: c, op: newBrowser(t, c.URL), pids: map[string]string{}}
	for _, j := range joins {
		j.Alias = alias
		pid, err := c.Sim.Platform().Join(j)
		if err != nil {
			t.Fatalf("join %s: %v", j.DisplayName, err)
		}
		r.pids[j.DisplayName] = pid
	}
	r.confID = simConferenceID(t, c, name)
	r.op.login(operator)
	eventually(t, 10*time.Second, "every participant on the conference page", func() bool {
		res := r.op.get("/live/conferences/" + r.confID)
		if res.StatusCode != http.StatusOK {
			return false
		}
		doc := parse(t, res, http.StatusOK)
		return doc.Find("[data-test=participant]").Length() == len(joins)
	})
	return r
}

func simConferenceID(t *testing.T, c *console, name string) string {
	t.Helper()
	confs, _ := c.Sim.Platform().Status("conference")
	for _, o := range confs {
		if o["name"] == name {
			return o["id"].(string)
		}
	}
	t.Fatalf("the simulator has no conference %q", name)
	return ""
}

func simParticipant(c *console, pid string) (platform.Object, bool) {
	return c.Sim.Platform().StatusDetail("participant", pid)
}

// htmxForm posts a form as an htmx button or dialog form does.
func (b *browser) htmxForm(path string, form url.Values) *http.Response {
	req, _ := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-CSRF-Token", b.csrf)
	req.Header.Set("Origin", b.base)
	return b.do(req)
}

// outcome reads a command's answer: its kind and text.
func outcome(t *testing.T, res *http.Response, status int) (kind, text string, doc *goquery.Document) {
	t.Helper()
	doc = parse(t, res, status)
	o := doc.Find("[data-outcome]").First()
	return o.AttrOr("data-outcome", ""), strings.TrimSpace(o.Text()), doc
}

func TestModerationParticipantCommands(t *testing.T) {
	r := startRoom(t, consoleOpts{}, "Mod Room", "mod.room@example.com",
		platform.JoinSpec{DisplayName: "Hana Host", Role: "chair", Protocol: "SIP"},
		platform.JoinSpec{DisplayName: "Gus Guest", Role: "guest", Protocol: "WebRTC"},
		platform.JoinSpec{DisplayName: "Wanda Waiting", Role: "guest", Waiting: true})
	a := newBrowser(t, r.c.URL)
	a.login(admin)
	createService(t, a, "Other Room", "other.room@example.com")

	gus, wanda, hana := r.pids["Gus Guest"], r.pids["Wanda Waiting"], r.pids["Hana Host"]
	tests := []struct {
		name   string
		pid    string
		action string
		form   url.Values
		expect string // data-expect in the answer
		check  func(o platform.Object, found bool) bool
	}{
		{"mute", gus, "mute", nil, "data-muted=true",
			func(o platform.Object, _ bool) bool { return o["is_muted"] == true }},
		{"unmute", gus, "unmute", nil, "data-muted=false",
			func(o platform.Object, _ bool) bool { return o["is_muted"] == false }},
		{"make host", gus, "role", url.Values{"role": {"chair"}}, "data-role=chair",
			func(o platform.Object, _ bool) bool { return o["role"] == "chair" }},
		{"make guest", gus, "role", url.Values{"role": {"guest"}}, "data-role=guest",
			func(o platform.Object, _ bool) bool { return o["role"] == "guest" }},
		{"admit", wanda, "unlock", nil, "data-waiting=false",
			func(o platform.Object, _ bool) bool { return o["is_on_hold"] == false }},
		{"transfer", gus, "transfer", url.Values{"alias": {"other.room@example.com"}, "role": {"guest"}}, "gone",
			func(o platform.Object, _ bool) bool { return o["conference"] == "Other Room" && o["role"] == "guest" }},
		{"disconnect", hana, "disconnect", nil, "gone",
			func(_ platform.Object, found bool) bool { return !found }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := r.op.htmxForm("/live/participants/"+tt.pid+"/"+tt.action, tt.form)
			kind, text, doc := outcome(t, res, http.StatusOK)
			if kind != "sent" {
				t.Fatalf("outcome %q (%s), want sent", kind, text)
			}
			if got := doc.Find("[data-outcome]").AttrOr("data-expect", ""); got != tt.expect {
				t.Errorf("data-expect %q, want %q", got, tt.expect)
			}
			o, found := simParticipant(r.c, tt.pid)
			if !tt.check(o, found) {
				t.Errorf("the simulator does not show the effect: %v", o)
			}
		})
	}
	// The audit trail answers who did it, to whom, in which conference.
	doc := a.page("/audit?action=participant/mute", http.StatusOK)
	row := doc.Find("[data-test=audit-entry]").First()
	if got := row.Find("[data-test=audit-account]").Text(); got != operator.name {
		t.Errorf("audit account %q, want %q", got, operator.name)
	}
	if got := row.Find("[data-test=audit-participant]").Text(); got != "Gus Guest" {
		t.Errorf("audit participant %q, want Gus Guest", got)
	}
	if got := row.Find("[data-test=audit-conference]").Text(); got != "Mod Room" {
		t.Errorf("audit conference %q, want Mod Room", got)
	}
	doc = a.page("/audit?action=participant/transfer", http.StatusOK)
	if got := doc.Find("[data-test=audit-message]").First().Text(); !strings.Contains(got, "other.room@example.com") {
		t.Errorf("transfer audit message %q does not name the target alias", got)
	}
}

func TestModerationConferenceCommands(t *testing.T) {
	r := startRoom(t, consoleOpts{}, "Conf Cmd Room", "conf.cmd@example.com",
		platform.JoinSpec{DisplayName: "Chair One", Role: "chair"},
		platform.JoinSpec{DisplayName: "Guest Two", Role: "guest"})
	conf := func() platform.Object {
		o, _ := r.c.Sim.Platform().StatusDetail("conference", r.confID)
		return o
	}
	tests := []struct {
		action, field string
		want          bool
	}{
		{"lock", "is_locked", true},
		{"unlock", "is_locked", false},
		{"mute_guests", "guests_muted", true},
		{"unmute_guests", "guests_muted", false},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			kind, text, _ := outcome(t, r.op.htmxPost("/live/conferences/"+r.confID+"/"+tt.action), http.StatusOK)
			if kind != "sent" {
				t.Fatalf("outcome %q (%s)", kind, text)
			}
			if got := conf()[tt.field]; got != tt.want {
				t.Errorf("%s = %v, want %v", tt.field, got, tt.want)
			}
		})
	}

	t.Run("disconnect everyone needs the name", func(t *testing.T) {
		doc := parse(t, r.op.get("/live/conferences/"+r.confID+"/disconnect"), http.StatusOK)
		if got := doc.Find("[data-test=affected] li").Length(); got != 2 {
			t.Errorf("the dialog names %d participants, want 2", got)
		}
		res := r.op.htmxForm("/live/conferences/"+r.confID+"/disconnect", url.Values{"confirm_name": {"conf cmd room"}})
		doc = parse(t, res, http.StatusUnprocessableEntity)
		if got := doc.Find("[data-test=confirm-name-input]").AttrOr("value", ""); got != "conf cmd room" {
			t.Errorf("typed name not kept: %q", got)
		}
		if conf() == nil {
			t.Fatal("a wrongly typed name disconnected everyone")
		}
		kind, text, _ := outcome(t, r.op.htmxForm("/live/conferences/"+r.confID+"/disconnect",
			url.Values{"confirm_name": {"Conf Cmd Room"}}), http.StatusOK)
		if kind != "sent" {
			t.Fatalf("outcome %q (%s)", kind, text)
		}
		if o := conf(); o != nil {
			t.Errorf("the conference is still running: %v", o)
		}
	})
}

func TestModerationBulkActions(t *testing.T) {
	var joins []platform.JoinSpec
	for _, n := range []string{"Ann", "Ben", "Cat", "Dan", "Eve"} {
		joins = append(joins, platform.JoinSpec{DisplayName: n, Role: "chair"})
	}
	r := startRoom(t, consoleOpts{}, "Bulk Room", "bulk@example.com", joins...)
	path := "/live/conferences/" + r.confID + "/bulk"
	some := []string{r.pids["Ann"], r.pids["Ben"], r.pids["Cat"]}

	doc := parse(t, r.op.htmxForm(path, url.Values{"action": {"mute"}, "pid": some}), http.StatusOK)
	if got := doc.Find("[data-test=bulk-outcome] [data-outcome=sent]").Length(); got != 3 {
		t.Errorf("%d participants reported sent, want 3", got)
	}
	for name, pid := range r.pids {
		o, _ := simParticipant(r.c, pid)
		want := name == "Ann" || name == "Ben" || name == "Cat"
		if o["is_muted"] != want {
			t.Errorf("%s muted = %v, want %v", name, o["is_muted"], want)
		}
	}

	// Disconnecting several names them first and needs the dialog's confirmation.
	q := url.Values{"action": {"disconnect"}, "pid": {r.pids["Dan"], r.pids["Eve"]}}
	doc = r.op.page(path+"?"+q.Encode(), http.StatusOK)
	if got := doc.Find("[data-test=affected]").Text(); !strings.Contains(got, "Dan") || !strings.Contains(got, "Eve") {
		t.Errorf("the bulk dialog does not name who is affected: %q", got)
	}
	parse(t, r.op.htmxForm(path, q), http.StatusUnprocessableEntity)
	if _, found := simParticipant(r.c, r.pids["Dan"]); !found {
		t.Fatal("an unconfirmed bulk disconnect disconnected")
	}
	q.Set("confirmed", "yes")
	parse(t, r.op.htmxForm(path, q), http.StatusOK)
	for _, n := range []string{"Dan", "Eve"} {
		if _, found := simParticipant(r.c, r.pids[n]); found {
			t.Errorf("%s is still connected", n)
		}
	}
	// Nothing selected is a clear refusal, not a 500.
	doc = parse(t, r.op.htmxForm(path, url.Values{"action": {"mute"}}), http.StatusUnprocessableEntity)
	if doc.Find("[data-test=form-error]").Length() == 0 {
		t.Error("no message for an empty selection")
	}
}

func TestModerationFailuresSayWhatHappened(t *testing.T) {
	r := startRoom(t, consoleOpts{args: []string{"-command-timeout", "700ms"}}, "Fault Room", "fault@example.com",
		platform.JoinSpec{DisplayName: "Fay", Role: "chair"},
		platform.JoinSpec{DisplayName: "Tim", Role: "chair"})
	pid := r.pids["Fay"]
	mute := "/live/participants/" + pid + "/mute"
	faults := r.c.Sim.Faults()
	countMutes := func() int { return r.c.Sim.Stats().Count("POST", "/api/admin/command/v1/participant/mute/") }

	t.Run("non-success status", func(t *testing.T) {
		faults.FailAfterWrite("POST", "/api/admin/command/v1/participant/mute/", http.StatusOK, 1)
		kind, text, _ := outcome(t, r.op.htmxPost(mute), http.StatusBadGateway)
		if kind != "failed" || !strings.Contains(text, "did not report success") {
			t.Errorf("outcome %q %q, want a failure saying Pexip did not report success", kind, text)
		}
	})
	t.Run("503 after the command took effect", func(t *testing.T) {
		r.op.htmxPost("/live/participants/" + pid + "/unmute")
		before := countMutes()
		faults.FailAfterWrite("POST", "/api/admin/command/v1/participant/mute/", http.StatusServiceUnavailable, 1)
		kind, text, _ := outcome(t, r.op.htmxPost(mute), http.StatusBadGateway)
		if kind != "uncertain" || !strings.Contains(text, "503") || !strings.Contains(text, "did not repeat") {
			t.Errorf("outcome %q %q, want uncertain naming the 503", kind, text)
		}
		if n := countMutes() - before; n != 1 {
			t.Errorf("%d mute commands reached Pexip, want exactly 1 (no retry)", n)
		}
		if o, _ := simParticipant(r.c, pid); o["is_muted"] != true {
			t.Error("the simulator should have applied the mute before failing")
		}
	})
	t.Run("participant gone", func(t *testing.T) {
		// Gone from Pexip, perhaps still in pexops' last poll: either way the operator reads
		// that the call is gone (TestModerationUnknownToPexip has Pexip say so).
		r.c.Sim.Platform().Leave(pid)
		res := r.op.htmxPost(mute)
		if res.StatusCode == http.StatusNotFound {
			doc := parse(t, res, http.StatusNotFound)
			text := doc.Text()
			if !strings.Contains(text, "no longer") {
				t.Errorf("404 without saying the call is gone: %q", text)
			}
			return
		}
		t.Errorf("status %d, want 404", res.StatusCode)
	})
	t.Run("timeout", func(t *testing.T) {
		faults.SetLatency(1500 * time.Millisecond)
		kind, text, _ := outcome(t, r.op.htmxPost("/live/participants/"+r.pids["Tim"]+"/mute"), http.StatusGatewayTimeout)
		faults.SetLatency(0)
		if kind != "uncertain" || !strings.Contains(text, "did not answer in time") {
			t.Errorf("outcome %q %q, want uncertain saying Pexip did not answer", kind, text)
		}
	})
	t.Run("audit records failures", func(t *testing.T) {
		a := newBrowser(t, r.c.URL)
		a.login(admin)
		doc := a.page("/audit?target="+url.QueryEscape("Fay"), http.StatusOK)
		if failed := doc.Find(`[data-test=audit-entry][data-ok=false]`).Length(); failed < 2 {
			t.Errorf("%d failed commands on Fay in the audit trail, want at least 2", failed)
		}
		doc = a.page("/audit?target=Tim", http.StatusOK)
		if got := doc.Find(`[data-test=audit-entry][data-ok=false] [data-test=audit-message]`).Text(); !strings.Contains(got, "did not answer") {
			t.Errorf("the timed-out command is audited as %q", got)
		}
	})
}

func TestModerationDoubleClickSendsOneAndLastClickWins(t *testing.T) {
	r := startRoom(t, consoleOpts{}, "Click Room", "click@example.com",
		platform.JoinSpec{DisplayName: "Quick", Role: "chair"})
	pid := r.pids["Quick"]
	stats := r.c.Sim.Stats()
	stats.Reset()

	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() { defer wg.Done(); r.op.htmxPost("/live/participants/" + pid + "/mute") }()
	}
	wg.Wait()
	if n := r.c.Sim.Stats().Count("POST", "/api/admin/command/v1/participant/mute/"); n != 1 {
		t.Errorf("a double click sent %d mute commands, want 1", n)
	}
	// Mute then unmute in quick succession ends unmuted.
	r.op.htmxPost("/live/participants/" + pid + "/unmute")
	if o, _ := simParticipant(r.c, pid); o["is_muted"] != false {
		t.Errorf("after mute then unmute the participant is muted=%v", o["is_muted"])
	}
}

func TestModerationRolesAreChecked(t *testing.T) {
	r := startRoom(t, consoleOpts{}, "Role Room", "role.room@example.com",
		platform.JoinSpec{DisplayName: "Rita", Role: "chair"})
	pid := r.pids["Rita"]
	v := newBrowser(t, r.c.URL)
	v.login(viewer)

	doc := v.page("/live/conferences/"+r.confID, http.StatusOK)
	if n := doc.Find("[data-cmd], [data-dialog], [data-test=dial-link], input.pick").Length(); n != 0 {
		t.Errorf("a viewer sees %d moderation controls", n)
	}
	if n := r.op.page("/live/conferences/"+r.confID, http.StatusOK).Find("[data-cmd]").Length(); n == 0 {
		t.Error("the operator sees no moderation controls")
	}
	refused := []struct{ method, path string }{
		{"POST", "/live/participants/" + pid + "/mute"},
		{"POST", "/live/participants/" + pid + "/disconnect"},
		{"POST", "/live/participants/" + pid + "/role"},
		{"POST", "/live/participants/" + pid + "/transfer"},
		{"GET", "/live/participants/" + pid + "/disconnect"},
		{"POST", "/live/conferences/" + r.confID + "/lock"},
		{"POST", "/live/conferences/" + r.confID + "/disconnect"},
		{"POST", "/live/conferences/" + r.confID + "/bulk"},
		{"GET", "/dial"},
		{"POST", "/dial"},
		{"GET", "/audit"},
		{"GET", "/audit.csv"},
	}
	for _, tt := range refused {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			var res *http.Response
			if tt.method == "GET" {
				res = v.get(tt.path)
			} else {
				res = v.htmxForm(tt.path, url.Values{"role": {"guest"}, "alias": {"x"}})
			}
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("viewer: status %d, want 403", res.StatusCode)
			}
		})
	}
	if res := r.op.get("/audit"); res.StatusCode != http.StatusForbidden {
		t.Errorf("operator on the audit page: status %d, want 403", res.StatusCode)
	}
	if o, _ := simParticipant(r.c, pid); o["is_muted"] != false || o["role"] != "chair" {
		t.Errorf("a refused request changed the participant: %v", o)
	}
}

func TestModerationBadInputIsA4xx(t *testing.T) {
	r := startRoom(t, consoleOpts{}, "Input Room", "input@example.com",
		platform.JoinSpec{DisplayName: "Ivy", Role: "chair"})
	pid := r.pids["Ivy"]
	tests := []struct {
		path   string
		form   url.Values
		status int
	}{
		{"/live/participants/" + pid + "/role", url.Values{"role": {"admin"}}, http.StatusUnprocessableEntity},
		{"/live/participants/" + pid + "/transfer", url.Values{"alias": {""}}, http.StatusUnprocessableEntity},
		{"/live/participants/" + pid + "/transfer", url.Values{"alias": {"nowhere@example.com"}}, http.StatusNotFound},
		{"/live/participants/" + pid + "/explode", nil, http.StatusNotFound},
		{"/live/participants/%20/mute", nil, http.StatusNotFound},
		{"/live/participants/no-such-id/mute", nil, http.StatusNotFound},
		{"/live/conferences/no-such-id/lock", nil, http.StatusNotFound},
		{"/live/conferences/" + r.confID + "/bulk", url.Values{"action": {"explode"}, "pid": {pid}}, http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res := r.op.htmxForm(tt.path, tt.form)
			if res.StatusCode != tt.status {
				t.Errorf("status %d, want %d", res.StatusCode, tt.status)
			}
		})
	}
	doc := parse(t, r.op.htmxForm("/live/participants/"+pid+"/transfer", url.Values{"alias": {"nowhere@example.com"}}), http.StatusNotFound)
	if got := doc.Find("[data-outcome]").Text(); !strings.Contains(got, "Failed to find conference alias") {
		t.Errorf("transfer to an unknown alias: %q, want Pexip's message", got)
	}
	if o, _ := simParticipant(r.c, pid); o["conference"] != "Input Room" {
		t.Errorf("bad input moved the participant: %v", o)
	}
}

func TestModerationHostileNamesInDialogs(t *testing.T) {
	const evil = `<img src=x onerror=alert(1)>`
	r := startRoom(t, consoleOpts{}, "Evil Room", "evil@example.com",
		platform.JoinSpec{DisplayName: evil, Role: "chair"},
		platform.JoinSpec{DisplayName: `" onmouseover="alert(1)`, Role: "guest"})
	pid := r.pids[evil]
	for _, path := range []string{
		"/live/participants/" + pid + "/disconnect",
		"/live/participants/" + pid + "/transfer",
		"/live/conferences/" + r.confID + "/disconnect",
		"/live/conferences/" + r.confID + "/bulk?action=disconnect&pid=" + url.QueryEscape(pid),
	} {
		res := r.op.get(path)
		doc := parse(t, res, http.StatusOK)
		if doc.Find("img").Length() != 0 || doc.Find("[onmouseover]").Length() != 0 {
			t.Errorf("%s: a hostile name became markup", path)
		}
		if !strings.Contains(doc.Text(), evil) {
			t.Errorf("%s: the name is not shown as text", path)
		}
	}
}

// TestModerationUnknownToPexip sends a command for a participant pexops still lists but Pexip
// no longer knows: with a 30 s poll nothing re-reads the list in between.
func TestModerationUnknownToPexip(t *testing.T) {
	c := startConsole(t, consoleOpts{args: []string{"-poll-interval", "30s"}})
	a := newBrowser(t, c.URL)
	a.login(admin)
	createService(t, a, "Gone Room", "gone@example.com")
	pid, err := c.Sim.Platform().Join(platform.JoinSpec{Alias: "gone@example.com", DisplayName: "Gina", Role: "chair"})
	if err != nil {
		t.Fatal(err)
	}
	op := newBrowser(t, c.URL)
	op.login(operator)
	// A dial's re-read brings the call into pexops' state long before the next poll.
	op.postForm("/dial", dialForm(t, op, "", url.Values{"alias": {"gone@example.com"},
		"destination": {"sip:someone@example.com"}, "location": {"London"}}))
	eventually(t, 5*time.Second, "the participant in pexops' state", func() bool {
		return op.get("/live/participants/"+pid).StatusCode == http.StatusSeeOther
	})

	c.Sim.Platform().Leave(pid)
	kind, text, _ := outcome(t, op.htmxPost("/live/participants/"+pid+"/mute"), http.StatusNotFound)
	if kind != "failed" || !strings.Contains(text, "Pexip no longer knows this call") {
		t.Errorf("outcome %q %q, want Pexip's refusal", kind, text)
	}
	doc := a.page("/audit?action=participant/mute", http.StatusOK)
	if got := doc.Find(`[data-test=audit-entry][data-ok=false] [data-test=audit-participant]`).Text(); got != "Gina" {
		t.Errorf("the refused command is audited for %q, want Gina", got)
	}
}
