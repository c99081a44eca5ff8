package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"pexops/pexip/sim/platform"
)

// dialForm reads the dial page's one-time token and returns a complete form.
func dialForm(t *testing.T, b *browser, confID string, set url.Values) url.Values {
	t.Helper()
	doc := b.page("/dial?conference="+url.QueryEscape(confID), http.StatusOK)
	form := url.Values{}
	doc.Find("[data-test=dial-form] input, [data-test=dial-form] select").Each(func(_ int, s *goquery.Selection) {
		name := s.AttrOr("name", "")
		val := s.AttrOr("value", "")
		if s.Is("select") {
			val = s.Find("option[selected]").AttrOr("value", s.Find("option").First().AttrOr("value", ""))
		}
		form.Set(name, val)
	})
	for k, v := range set {
		form[k] = v
	}
	return form
}

func TestDialValidatesPlacesOnceAndHighlights(t *testing.T) {
	r := startRoom(t, consoleOpts{}, "Dial Room", "dial.room@example.com",
		platform.JoinSpec{DisplayName: "Dora", Role: "chair"})

	doc := r.op.page("/dial?conference="+r.confID, http.StatusOK)
	if got := doc.Find("[data-test=field-alias]").AttrOr("value", ""); got != "dial.room@example.com" {
		t.Errorf("alias prefilled %q, want the conference's alias", got)
	}
	bad := []struct {
		name  string
		set   url.Values
		field string
	}{
		{"no node or location", url.Values{"destination": {"sip:bob@example.com"}, "location": {""}, "node": {""}}, "node"},
		{"node as a name", url.Values{"destination": {"sip:bob@example.com"}, "node": {"node1.example.com"}}, "node"},
		{"no destination", url.Values{"destination": {""}, "location": {"London"}}, "destination"},
		{"odd protocol", url.Values{"destination": {"x"}, "location": {"London"}, "protocol": {"carrier-pigeon"}}, "protocol"},
		{"unknown alias", url.Values{"destination": {"x"}, "location": {"London"}, "alias": {"nowhere@example.com"}}, "alias"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			res := r.op.postForm("/dial", dialForm(t, r.op, r.confID, tt.set))
			doc := parse(t, res, http.StatusUnprocessableEntity)
			if doc.Find("[data-test=error-"+tt.field+"]").Length() == 0 {
				t.Errorf("no error beside %s; form error %q", tt.field, doc.Find("[data-test=form-error]").Text())
			}
			if got := doc.Find("[data-test=field-destination]").AttrOr("value", ""); got != tt.set.Get("destination") {
				t.Errorf("destination not kept: %q", got)
			}
		})
	}

	stats := r.c.Sim.Stats()
	stats.Reset()
	form := dialForm(t, r.op, r.confID, url.Values{"destination": {"sip:carol@example.com"},
		"display_name": {"Carol Called"}, "location": {"London"}, "role": {"guest"}})
	res := r.op.postForm("/dial", form)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "highlight=") {
		t.Fatalf("dial: status %d to %q, want 303 to the conference with highlight", res.StatusCode, loc)
	}
	pid := loc[strings.Index(loc, "highlight=")+len("highlight="):]
	// The same form sent again (a double click, a reload) does not dial again.
	again := r.op.postForm("/dial", form)
	if again.StatusCode != http.StatusSeeOther || again.Header.Get("Location") != loc {
		t.Errorf("second submit: %d to %q, want the same answer", again.StatusCode, again.Header.Get("Location"))
	}
	if n := r.c.Sim.Stats().Count("POST", "/api/admin/command/v1/participant/dial/"); n != 1 {
		t.Errorf("%d dial commands sent, want 1", n)
	}
	eventually(t, 10*time.Second, "the dialled participant on the conference page", func() bool {
		doc := r.op.page(loc, http.StatusOK)
		return doc.Find(`[data-participant-id="`+pid+`"]`).Length() == 1
	})
	a := newBrowser(t, r.c.URL)
	a.login(admin)
	doc = a.page("/audit?action=participant/dial", http.StatusOK)
	if got := doc.Find("[data-test=audit-participant]").First().Text(); got != "Carol Called" {
		t.Errorf("audited dial names %q, want Carol Called", got)
	}
}

func TestDialFailingAfterItTookEffectIsNotRepeated(t *testing.T) {
	r := startRoom(t, consoleOpts{}, "Dial Fault Room", "dial.fault@example.com",
		platform.JoinSpec{DisplayName: "Fred", Role: "chair"})
	r.c.Sim.Faults().FailAfterWrite("POST", "/api/admin/command/v1/participant/dial/", http.StatusServiceUnavailable, 1)
	stats := r.c.Sim.Stats()
	stats.Reset()

	form := dialForm(t, r.op, r.confID, url.Values{"destination": {"sip:once@example.com"},
		"display_name": {"Only Once"}, "location": {"London"}})
	doc := parse(t, r.op.postForm("/dial", form), http.StatusBadGateway)
	if got := doc.Find("[data-test=form-error]").Text(); !strings.Contains(got, "may be ringing") {
		t.Errorf("form error %q does not warn that the call may be up", got)
	}
	if n := r.c.Sim.Stats().Count("POST", "/api/admin/command/v1/participant/dial/"); n != 1 {
		t.Errorf("%d dial commands sent, want exactly 1", n)
	}
	eventually(t, 10*time.Second, "the one dialled participant", func() bool {
		n := 0
		parts, _ := r.c.Sim.Platform().Status("participant")
		for _, p := range parts {
			if p["display_name"] == "Only Once" {
				n++
			}
		}
		if n > 1 {
			t.Fatalf("%d participants from one dial", n)
		}
		return n == 1
	})
}
