package e2e

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"pexops/pexip/sim"
	"pexops/pexip/sim/platform"
)

const serviceList = "/api/admin/configuration/v1/conference/"

// simObject reads an object straight from the simulator, as Pexip holds it. The read counts
// in the simulator's statistics: take them before or after, not across it.
func simObject(t *testing.T, c *console, path string) map[string]any {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/api/admin/"+path, nil)
	req.SetBasicAuth("admin", "pexops-sim")
	rec := httptest.NewRecorder()
	c.Sim.ServeHTTP(rec, req)
	var obj map[string]any
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &obj) != nil {
		t.Fatalf("read %s from the simulator: status %d: %s", path, rec.Code, rec.Body.String())
	}
	return obj
}

func simService(t *testing.T, c *console, id string) map[string]any {
	t.Helper()
	return simObject(t, c, "configuration/v1/conference/"+id+"/")
}

func aliasesOf(obj map[string]any) []string {
	var out []string
	list, _ := obj["aliases"].([]any)
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			a, _ := m["alias"].(string)
			out = append(out, a)
		}
	}
	return out
}

func total(t *testing.T, doc *goquery.Document, sel string) int {
	t.Helper()
	text := strings.Fields(doc.Find(sel).Text())
	if len(text) == 0 {
		t.Fatalf("%s is empty", sel)
	}
	n, err := strconv.Atoi(text[0])
	if err != nil {
		t.Fatalf("%s = %q, want a number first", sel, doc.Find(sel).Text())
	}
	return n
}

func TestServicesListFiltersSortsPagesAndShowsLive(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.login(admin)
	id := createService(t, b, "Zeta Live Room", "zeta.live@example.com")

	doc := b.page("/services", http.StatusOK)
	all := total(t, doc, "[data-test=service-total]")
	if got := doc.Find("[data-test=service]").Length(); got != 20 || all <= 20 {
		t.Fatalf("first page has %d rows of %d services, want 20 of more than 20", got, all)
	}

	// The second page follows on, and the filter state survives in the URL.
	next := doc.Find("[data-test=next-page]").AttrOr("href", "")
	if !strings.Contains(next, "offset=20") {
		t.Fatalf("next link = %q", next)
	}
	doc = b.page(next, http.StatusOK)
	if got := doc.Find("[data-test=service]").Length(); got != min(20, all-20) {
		t.Errorf("second page has %d rows, want %d", got, min(20, all-20))
	}

	// Type filter, through the API: every row is an auditorium, the total is theirs.
	doc = b.page("/services?type=lecture", http.StatusOK)
	doc.Find("[data-test=service-type]").Each(func(_ int, s *goquery.Selection) {
		if s.Text() != "Auditorium" {
			t.Errorf("type filter shows a %q", s.Text())
		}
	})
	if n := total(t, doc, "[data-test=service-total]"); n >= all {
		t.Errorf("lecture total %d is not below the overall %d", n, all)
	}

	// Sorting by name descending: the sort link keeps the type filter.
	doc = b.page("/services?sort=-name", http.StatusOK)
	var names []string
	doc.Find("[data-test=service-name]").Each(func(_ int, s *goquery.Selection) { names = append(names, s.Text()) })
	for i := 1; i < len(names); i++ {
		if names[i-1] < names[i] {
			t.Fatalf("names not descending: %q before %q", names[i-1], names[i])
		}
	}
	if href := b.page("/services?type=lecture", http.StatusOK).Find("[data-test=sort-name] a").AttrOr("href", ""); !strings.Contains(href, "type=lecture") {
		t.Errorf("sort link %q drops the type filter", href)
	}

	// Live right now comes from the poller: a join shows on the row.
	if _, err := c.Sim.Platform().Join(platform.JoinSpec{Alias: "zeta.live@example.com", DisplayName: "Host", Role: "chair"}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "the service row to show live", func() bool {
		row := b.page("/services?q=Zeta+Live&in=name", http.StatusOK).Find(`[data-test=service][data-id="` + id + `"]`)
		return row.Find("[data-test=live]").Length() == 1
	})

	// The schema is read once for the whole process, not per page view.
	if n := c.Sim.Stats().Count("GET", serviceList+"schema/"); n != 1 {
		t.Errorf("the services schema was read %d times, want once", n)
	}
}

func TestServicesSearchCoversEveryFieldInFewRequests(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.login(admin)
	byName := createService(t, b, "Quokka Room", "one@example.com")
	byAlias := createService(t, b, "Plain Room A", "quokka.alias@example.com")
	byOwner := createService(t, b, "Plain Room B", "two@example.com")
	res := b.postForm("/services/"+byOwner, url.Values{"primary_owner_email_address": {"quokka@example.com"}, "pin": {"918273"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("set owner: status %d", res.StatusCode)
	}
	createService(t, b, "Unrelated Room", "three@example.com")

	c.Sim.Stats().Reset()
	doc := b.page("/services?q=quokka", http.StatusOK)
	got := map[string]bool{}
	doc.Find("[data-test=service]").Each(func(_ int, s *goquery.Selection) { got[s.AttrOr("data-id", "")] = true })
	for _, id := range []string{byName, byAlias, byOwner} {
		if !got[id] {
			t.Errorf("service %s missing from a search of every field; got %v", id, got)
		}
	}
	if len(got) != 3 || total(t, doc, "[data-test=service-total]") != 3 {
		t.Errorf("search found %d rows, total %q, want exactly 3", len(got), doc.Find("[data-test=service-total]").Text())
	}
	st := c.Sim.Stats()
	if n := st.Count("GET", serviceList); n != 5 {
		t.Errorf("a search of every field made %d list calls, want 5 (one per field)", n)
	}
	if n := st.Count("GET", serviceList+"{id}/"); n != 0 {
		t.Errorf("the list read %d services one by one, want none", n)
	}

	// One field: one call. The PIN never appears in the list, only that one is set.
	c.Sim.Stats().Reset()
	doc = b.page("/services?q=quokka&in=owner", http.StatusOK)
	if n := c.Sim.Stats().Count("GET", serviceList); n != 1 {
		t.Errorf("a search of one field made %d list calls, want 1", n)
	}
	row := doc.Find(`[data-test=service][data-id="` + byOwner + `"]`)
	if row.Find("[data-test=host-pin]").Length() != 1 {
		t.Error("the row does not say a host PIN is set")
	}
	if html, _ := doc.Html(); strings.Contains(html, "918273") {
		t.Error("the list shows the PIN itself")
	}
	if doc.Find("[data-test=service]").Length() != 1 {
		t.Errorf("owner search shows %d rows, want 1", doc.Find("[data-test=service]").Length())
	}
}

func TestServiceFormChoicesValidationAndPreview(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.login(admin)

	// Choices come from the schema: the simulator's node knows media_playback, which the
	// console's built-in list does not.
	doc := b.page("/services/new", http.StatusOK)
	if doc.Find(`#service_type option[value="media_playback"]`).Length() != 1 {
		t.Error("service type choices do not come from the schema")
	}
	if doc.Find(`#ivr_theme option`).Length() < 2 {
		t.Error("no themes to choose from")
	}

	// The console's own checks: nothing reaches Pexip, everything typed is kept.
	c.Sim.Stats().Reset()
	res := b.postForm("/services", url.Values{"name": {"Checked Room"}, "service_type": {"two_stage_dialing"},
		"pin": {"12ab"}, "match_string": {"(9.*"}, "tag": {"kept-tag"}, "aliases": {"checked@example.com"}})
	doc = parse(t, res, http.StatusUnprocessableEntity)
	if doc.Find("[data-test=error-pin]").Length() != 1 || doc.Find("[data-test=error-match_string]").Length() != 1 {
		t.Errorf("missing field errors; form error %q", doc.Find("[data-test=form-error]").Text())
	}
	if doc.Find("#tag").AttrOr("value", "") != "kept-tag" || doc.Find("#match_string").AttrOr("value", "") != "(9.*" {
		t.Error("the form lost what was typed")
	}
	if n := c.Sim.Stats().Count("POST", serviceList); n != 0 {
		t.Errorf("%d creates reached Pexip despite the console's checks", n)
	}

	// A look-ahead Go cannot read is not refused by the console: Pexip judges it.
	res = b.postForm("/services", url.Values{"name": {"E2E Reception"}, "service_type": {"two_stage_dialing"},
		"match_string": {`(?!0)(\d+)`}, "replace_string": {`\1@example.com`}, "aliases": {"reception.test@example.com"},
		"max_callrate_in": {"2048"}, "participant_limit": {"25"}, "allow_guests": {"false", "true"}, "guests_can_present": {"false"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create with a look-ahead: status %d: %s", res.StatusCode, parse(t, res, res.StatusCode).Find(".field-error").Text())
	}
	id := strings.TrimPrefix(strings.Split(res.Header.Get("Location"), "?")[0], "/services/")
	obj := simService(t, c, id)
	if obj["max_callrate_in"] != float64(2048) || obj["participant_limit"] != float64(25) || obj["allow_guests"] != true ||
		obj["guests_can_present"] != false || obj["match_string"] != `(?!0)(\d+)` {
		t.Errorf("created service = %v", obj)
	}
	doc = b.page("/services/"+id+"?saved=1", http.StatusOK)
	if !strings.Contains(doc.Find("[data-test=saved]").Text(), "about a minute") {
		t.Error("no replication note after saving")
	}

	// Pexip's own cross-field rule appears on the form, with the input kept.
	res = b.postForm("/services/"+id, url.Values{"guest_pin": {"4321"}, "description": {"typed"}})
	doc = parse(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(doc.Find("[data-test=error-__all__]").Text(), "Host PIN") {
		t.Errorf("Pexip's cross-field error is not shown: %q", doc.Find("[data-test=form-error]").Text())
	}
	if doc.Find("#description").AttrOr("value", "") != "typed" || doc.Find("#guest_pin").AttrOr("value", "") != "4321" {
		t.Error("the edit form lost what was typed")
	}

	// Preview: exactly the fields that change, old and new; PINs are not echoed.
	res = b.postForm("/services/"+id, url.Values{"pin": {"5555"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("set pin: %d", res.StatusCode)
	}
	res = b.postForm("/services/"+id+"/preview", url.Values{"name": {"E2E Reception"}, "allow_guests": {"false"}, "pin": {""},
		"participant_limit": {""}, "aliases": {"reception.test@example.com\nnew.reception@example.com"}})
	doc = parse(t, res, http.StatusOK)
	changes := map[string][2]string{}
	doc.Find("[data-test=change]").Each(func(_ int, s *goquery.Selection) {
		changes[s.AttrOr("data-field", "")] = [2]string{s.Find("[data-test=old]").Text(), s.Find("[data-test=new]").Text()}
	})
	want := map[string][2]string{
		"allow_guests":      {"yes", "no"},
		"pin":               {"set (4 characters)", "none"},
		"participant_limit": {"25", "(empty)"},
		"aliases":           {"removes: –", "adds: new.reception@example.com"},
	}
	for f, w := range want {
		if changes[f] != w {
			t.Errorf("preview of %s = %v, want %v", f, changes[f], w)
		}
	}
	if len(changes) != len(want) {
		t.Errorf("preview lists %d changes, want %d: %v", len(changes), len(want), changes)
	}
	if html, _ := doc.Find("[data-test=preview-result]").Html(); strings.Contains(html, "5555") {
		t.Error("the preview shows the PIN")
	}
	if simService(t, c, id)["pin"] != "5555" {
		t.Error("the preview changed the service")
	}

	// Saving sends those fields, false, "" and null included (F04).
	res = b.postForm("/services/"+id, url.Values{"allow_guests": {"false"}, "pin": {""}, "participant_limit": {""}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	obj = simService(t, c, id)
	if obj["allow_guests"] != false || obj["pin"] != "" || obj["participant_limit"] != nil || obj["max_callrate_in"] != float64(2048) {
		t.Errorf("after save: allow_guests=%v pin=%q participant_limit=%v max_callrate_in=%v",
			obj["allow_guests"], obj["pin"], obj["participant_limit"], obj["max_callrate_in"])
	}

	// An alias another service holds: Pexip's error beside the aliases, the list kept.
	createService(t, b, "Alias Owner", "owned.alias@example.com")
	res = b.postForm("/services/"+id, url.Values{"aliases": {"reception.test@example.com\nowned.alias@example.com"}})
	doc = parse(t, res, http.StatusUnprocessableEntity)
	if got := doc.Find("[data-test=error-aliases]").Text(); !strings.Contains(got, "already exists") {
		t.Errorf("alias error = %q, want Pexip's uniqueness message beside the aliases", got)
	}
	if !strings.Contains(doc.Find("#aliases").Text(), "owned.alias@example.com") {
		t.Error("the aliases typed were lost")
	}
}

func TestServicesBulkDeleteConfirmsAndSendsOnePatch(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.login(admin)
	a := createService(t, b, "Bulk A", "bulk.a@example.com")
	bb := createService(t, b, "Bulk B", "bulk.b@example.com", "bulk.b2@example.com")

	doc := parse(t, b.postForm("/services/delete", url.Values{"id": {a, bb}}), http.StatusOK)
	text := doc.Find("[data-test=bulk-delete-confirm]").Text()
	for _, w := range []string{"Bulk A", "Bulk B", "bulk.b2@example.com"} {
		if !strings.Contains(text, w) {
			t.Errorf("confirmation does not name %q", w)
		}
	}
	if simService(t, c, a)["name"] != "Bulk A" {
		t.Fatal("the confirmation step deleted something")
	}

	c.Sim.Stats().Reset()
	res := b.postForm("/services/delete", url.Values{"id": {a, bb}, "confirm": {"yes"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("bulk delete: status %d", res.StatusCode)
	}
	st := c.Sim.Stats()
	if st.Count("PATCH", serviceList) != 1 || st.Count("DELETE", serviceList) != 0 || st.Count("DELETE", serviceList+"{id}/") != 0 {
		t.Errorf("bulk delete requests: %v", st.Requests)
	}
	b.page("/services/"+a, http.StatusNotFound)
	b.page("/services/"+bb, http.StatusNotFound)

	// Selections without a valid id are refused before Pexip is asked.
	c.Sim.Stats().Reset()
	for _, ids := range [][]string{{""}, {" "}, {"0"}, {a, "x"}, nil} {
		if res := b.postForm("/services/delete", url.Values{"id": ids, "confirm": {"yes"}}); res.StatusCode != http.StatusBadRequest {
			t.Errorf("ids %q: status %d, want 400", ids, res.StatusCode)
		}
	}
	if n := configRequests(c.Sim.Stats()); n != 0 {
		t.Errorf("%d configuration requests reached Pexip for invalid selections", n)
	}
}

// configRequests counts the configuration API requests of st: the live poller's status
// reads run on their own schedule and are no part of what a page sent.
func configRequests(st sim.Stats) int {
	n := 0
	for k, v := range st.Requests {
		if strings.HasPrefix(k.Pattern, "/api/admin/configuration/") {
			n += v
		}
	}
	return n
}

func TestServicesAreReadOnlyForViewers(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	a := newBrowser(t, c.URL)
	a.login(admin)
	id := createService(t, a, "Read Only Room", "read.only@example.com")

	v := newBrowser(t, c.URL)
	v.login(viewer)
	doc := v.page("/services", http.StatusOK)
	if doc.Find("[data-test=new-service]").Length() != 0 || doc.Find("[data-test=select]").Length() != 0 ||
		doc.Find("[data-test=bulk-delete]").Length() != 0 {
		t.Error("a viewer sees configuration actions on the list")
	}
	doc = v.page("/services/"+id, http.StatusOK)
	if doc.Find("[data-test=read-only]").Length() != 1 || doc.Find("fieldset[disabled]").Length() != 1 ||
		doc.Find("[data-test=save-service]").Length() != 0 {
		t.Error("a viewer's service page is not read-only")
	}
	for _, path := range []string{"/services/" + id, "/services/" + id + "/preview", "/services/delete", "/routing", "/adps", "/services/import"} {
		if res := v.postForm(path, url.Values{"name": {"x"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("viewer POST %s: status %d, want 403", path, res.StatusCode)
		}
	}
	for _, path := range []string{"/routing", "/adps"} {
		v.page(path, http.StatusOK)
	}

	// PINs are the admins' only: a viewer or an operator sees "set", never the digits.
	if res := a.postForm("/services/"+id, url.Values{"pin": {"4242"}, "guest_pin": {"5353"}, "allow_guests": {"false", "true"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("set the PINs: status %d", res.StatusCode)
	}
	op := newBrowser(t, c.URL)
	op.login(operator)
	for who, b := range map[string]*browser{"viewer": v, "operator": op} {
		doc := b.page("/services/"+id, http.StatusOK)
		html, _ := doc.Html()
		if strings.Contains(html, "4242") || strings.Contains(html, "5353") {
			t.Errorf("the %s sees a PIN on the service page", who)
		}
		if got := doc.Find("[data-field=pin] input").AttrOr("value", ""); got != "set" {
			t.Errorf("the %s sees the host PIN as %q, want set", who, got)
		}
	}
}

func TestServicesExportIsCSVWithoutFormulasOrPINs(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.login(admin)
	id := createService(t, b, "=HYPERLINK(\"x\") room", "export.one@example.com")
	if res := b.postForm("/services/"+id, url.Values{"pin": {"271828"}, "description": {"@SUM(A1)"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d", res.StatusCode)
	}
	res := b.get("/services/export.csv?q=export.one&in=alias")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("export: status %d, type %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	records, err := csv.NewReader(res.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 2 {
		t.Fatalf("export has %d lines, want header + 1: %v", len(records), records)
	}
	row := map[string]string{}
	for i, col := range records[0] {
		row[col] = records[1][i]
	}
	if row["name"] != `'=HYPERLINK("x") room` || row["description"] != "'@SUM(A1)" {
		t.Errorf("formula cells not defused: name %q description %q", row["name"], row["description"])
	}
	if row["aliases"] != "export.one@example.com" {
		t.Errorf("aliases = %q", row["aliases"])
	}
	if _, has := row["pin"]; has || strings.Contains(strings.Join(records[1], ","), "271828") {
		t.Error("the export carries a PIN")
	}
}

func TestServiceCreateFailingAfterTheWriteSaysToCheck(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.login(admin)
	c.Sim.Faults().FailAfterWrite("POST", serviceList, http.StatusInternalServerError, 1)
	res := b.postForm("/services", url.Values{"name": {"Half Saved"}, "service_type": {"conference"},
		"aliases": {"half.saved@example.com"}, "tag": {"typed"}})
	doc := parse(t, res, http.StatusBadGateway)
	if got := doc.Find("[data-test=form-error]").Text(); !strings.Contains(got, "check before saving again") {
		t.Errorf("form error = %q, want a warning that Pexip may have saved it", got)
	}
	if doc.Find("#tag").AttrOr("value", "") != "typed" {
		t.Error("the form lost what was typed")
	}
	// The simulator did create it, as a real node can: the list shows it once.
	if n := b.page("/services?q=Half+Saved&in=name", http.StatusOK).Find("[data-test=service]").Length(); n != 1 {
		t.Errorf("%d services named Half Saved, want the 1 Pexip made", n)
	}
}

func TestServicePagesShowHostileTextLiterally(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.login(admin)
	name := `<img src=x onerror=alert(1)>`
	id := createService(t, b, name, `javascript:alert(1)`, `"><script>alert(2)</script>@example.com`)
	pages := []*goquery.Document{
		b.page("/services?q=img&in=name", http.StatusOK),
		b.page("/services/"+id, http.StatusOK),
		b.page("/services/"+id+"/delete", http.StatusOK),
		parse(t, b.postForm("/services/delete", url.Values{"id": {id}}), http.StatusOK),
	}
	for i, doc := range pages {
		html, _ := doc.Html()
		if strings.Contains(html, "<img src=x") || strings.Contains(html, "<script>alert(2)") {
			t.Errorf("page %d renders remote text as markup", i)
		}
		if doc.Find(`a[href^="javascript:"]`).Length() != 0 {
			t.Errorf("page %d links an alias", i)
		}
	}
	if got := pages[0].Find("[data-test=service-name]").Text(); got != name {
		t.Errorf("list shows the name as %q", got)
	}
}

// formValuesOf reads a form as a browser would submit it (text inputs, selects, textareas,
// ticked boxes and hidden fields).
func formValuesOf(doc *goquery.Document, sel string) url.Values {
	v := url.Values{}
	form := doc.Find(sel)
	form.Find("input[name]").Each(func(_ int, s *goquery.Selection) {
		name := s.AttrOr("name", "")
		switch s.AttrOr("type", "text") {
		case "checkbox":
			if _, on := s.Attr("checked"); on {
				v.Add(name, s.AttrOr("value", "on"))
			}
		default:
			v.Add(name, s.AttrOr("value", ""))
		}
	})
	form.Find("textarea[name]").Each(func(_ int, s *goquery.Selection) { v.Add(s.AttrOr("name", ""), s.Text()) })
	form.Find("select[name]").Each(func(_ int, s *goquery.Selection) {
		v.Add(s.AttrOr("name", ""), s.Find("option[selected]").AttrOr("value", s.Find("option").First().AttrOr("value", "")))
	})
	return v
}

func TestServiceSaveRefusesToOverwriteAnotherChange(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.login(admin)
	id := createService(t, b, "Shared Room", "shared.room@example.com")
	form := formValuesOf(b.page("/services/"+id, http.StatusOK), "[data-test=service-form]")
	if form.Get("_base") == "" {
		t.Fatal("the edit form carries no fingerprint of the service")
	}

	// Someone else changes the tag meanwhile.
	other := newBrowser(t, c.URL)
	other.login(admin)
	if res := other.postForm("/services/"+id, url.Values{"tag": {"theirs"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("other edit: %d", res.StatusCode)
	}

	// Our save of another field would put the old tag back: refused, with the difference shown.
	form.Set("description", "ours")
	doc := parse(t, b.postForm("/services/"+id, form), http.StatusConflict)
	if !strings.Contains(doc.Find("[data-test=form-error]").Text(), "changed in Pexip") {
		t.Errorf("conflict message = %q", doc.Find("[data-test=form-error]").Text())
	}
	if doc.Find(`[data-test=change][data-field=tag] [data-test=old]`).Text() != "theirs" {
		t.Error("the conflict does not show the other change")
	}
	if obj := simService(t, c, id); obj["tag"] != "theirs" || obj["description"] != "made by e2e" {
		t.Errorf("a conflicting save changed the service: %v", obj)
	}

	// Saving again from the page shown is deliberate, and goes through.
	again := formValuesOf(doc, "[data-test=service-form]")
	again.Set("tag", "theirs")
	if res := b.postForm("/services/"+id, again); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("second save: %d", res.StatusCode)
	}
	if obj := simService(t, c, id); obj["tag"] != "theirs" || obj["description"] != "ours" {
		t.Errorf("after the second save: tag %v description %v", obj["tag"], obj["description"])
	}
}
