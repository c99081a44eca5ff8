package handlers

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"pexops/auth"
	"pexops/live"
	"pexops/pexip"
	"pexops/pexip/sim"
	"pexops/static"
)

// pages is a Handler over a fresh simulator with the configuration routes as production
// registers them (behind the console-wide body limit), signed in with role.
type pages struct {
	t      *testing.T
	h      *Handler
	sim    *sim.Sim
	client *pexip.Client
	e      *echo.Echo
	role   auth.Role
	bodies *bodyLog
}

func newPages(t *testing.T, timeout time.Duration) *pages {
	t.Helper()
	p := &pages{t: t, sim: sim.New(sim.Options{Seed: 7}), role: auth.RoleAdmin, bodies: &bodyLog{}}
	srv := httptest.NewServer(p.bodies.wrap(p.sim))
	t.Cleanup(srv.Close)
	var err error
	p.client, err = pexip.New(pexip.Config{URL: srv.URL, Username: sim.DefaultUser, Password: sim.DefaultPassword,
		Retries: -1, Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	store, err := auth.Open(context.Background(), auth.StoreConfig{Path: t.TempDir() + "/pexops.db"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	assets, err := static.New()
	if err != nil {
		t.Fatal(err)
	}
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	p.h = New(Deps{Log: discard, Pexip: p.client, Assets: assets, Audit: auth.NewAudit(store),
		Poller: live.NewPoller(p.client, live.PollerConfig{}, discard, nil)}, Config{})
	p.e = echo.New()
	p.e.HTTPErrorHandler = p.h.handleError
	p.e.Use(middleware.BodyLimit(maxBody), func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			c.Set("pexops.auth.session", &auth.Session{Username: "tester", Role: p.role, CSRFToken: "t"})
			return next(c)
		}
	})
	g := p.e.Group("")
	p.h.serviceRoutes(g, g)
	return p
}

// do sends a request; form is posted urlencoded (nil: a GET).
func (p *pages) do(method, path string, form url.Values, htmx bool) *httptest.ResponseRecorder {
	p.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
	}
	if htmx {
		req.Header.Set("HX-Request", "true")
	}
	rec := httptest.NewRecorder()
	p.e.ServeHTTP(rec, req)
	return rec
}

func (p *pages) doc(rec *httptest.ResponseRecorder, status int) *goquery.Document {
	p.t.Helper()
	if rec.Code != status {
		p.t.Fatalf("status %d, want %d: %.400s", rec.Code, status, rec.Body.String())
	}
	d, err := goquery.NewDocumentFromReader(strings.NewReader(rec.Body.String()))
	if err != nil {
		p.t.Fatal(err)
	}
	return d
}

func (p *pages) create(resource string, body map[string]any) string {
	p.t.Helper()
	id, err := p.client.Create(context.Background(), resource, body)
	if err != nil {
		p.t.Fatal(err)
	}
	return id
}

func (p *pages) object(resource, id string) map[string]any {
	p.t.Helper()
	obj := map[string]any{}
	if err := p.client.GetObject(context.Background(), resource, id, &obj); err != nil {
		p.t.Fatal(err)
	}
	return obj
}

// browserForm reads a form as a browser submits it.
func browserForm(doc *goquery.Document, sel string) url.Values {
	v := url.Values{}
	form := doc.Find(sel)
	form.Find("input[name]").Each(func(_ int, s *goquery.Selection) {
		name := s.AttrOr("name", "")
		if s.AttrOr("type", "text") == "checkbox" {
			if _, on := s.Attr("checked"); on {
				v.Add(name, s.AttrOr("value", "on"))
			}
			return
		}
		v.Add(name, s.AttrOr("value", ""))
	})
	form.Find("textarea[name]").Each(func(_ int, s *goquery.Selection) {
		v.Add(s.AttrOr("name", ""), strings.ReplaceAll(s.Text(), "\n", "\r\n"))
	})
	form.Find("select[name]").Each(func(_ int, s *goquery.Selection) {
		v.Add(s.AttrOr("name", ""), s.Find("option[selected]").AttrOr("value", s.Find("option").First().AttrOr("value", "")))
	})
	return v
}

type aliasRec struct{ Alias, ID string }

func aliasRecs(obj map[string]any) []aliasRec {
	var out []aliasRec
	list, _ := obj["aliases"].([]any)
	for _, e := range list {
		m, _ := e.(map[string]any)
		a, _ := m["alias"].(string)
		out = append(out, aliasRec{a, textOf(fieldSpec{}, m["id"])})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Alias < out[j].Alias })
	return out
}

// Aliases nobody edited are never touched: a save of the tag leaves every alias (with its
// spaces, semicolons, commas and quotes) as it is, the same objects, not re-created.
func TestServiceSaveLeavesUneditedAliasesAlone(t *testing.T) {
	p := newPages(t, 0)
	id := p.create(pexip.ResService, map[string]any{"name": "Board", "service_type": "conference",
		"aliases": []map[string]any{{"alias": "Board Room H323;x"}, {"alias": `a, "quoted" b`}, {"alias": "board@example.com"}}})
	before := aliasRecs(p.object(pexip.ResService, id))

	form := browserForm(p.doc(p.do("GET", "/services/"+id, nil, false), 200), "[data-test=service-form]")
	form.Set("tag", "retagged")
	if rec := p.do("POST", "/services/"+id, form, false); rec.Code != http.StatusSeeOther {
		t.Fatalf("save: %d %.300s", rec.Code, rec.Body.String())
	}
	after := p.object(pexip.ResService, id)
	if after["tag"] != "retagged" {
		t.Fatalf("tag = %v", after["tag"])
	}
	if diff := cmp.Diff(before, aliasRecs(after)); diff != "" {
		t.Errorf("aliases after a tag-only save (-want +got):\n%s", diff)
	}

	// One alias a line: editing one line changes that alias only.
	form = browserForm(p.doc(p.do("GET", "/services/"+id, nil, false), 200), "[data-test=service-form]")
	form.Set("aliases", "Board Room H323;x\r\n\r\n  a, \"quoted\" b  \r\nnew room@example.com\r\n")
	if rec := p.do("POST", "/services/"+id, form, false); rec.Code != http.StatusSeeOther {
		t.Fatalf("alias save: %d %.300s", rec.Code, rec.Body.String())
	}
	var got []string
	for _, a := range aliasRecs(p.object(pexip.ResService, id)) {
		got = append(got, a.Alias)
	}
	if diff := cmp.Diff([]string{"Board Room H323;x", `a, "quoted" b`, "new room@example.com"}, got); diff != "" {
		t.Errorf("aliases after editing (-want +got):\n%s", diff)
	}
}

// An export imports back exactly: aliases with spaces, ; , and quotes, a name with a
// trailing space, a value's own leading apostrophe and defused formulas.
func TestServiceCSVExportImportRoundTrip(t *testing.T) {
	p := newPages(t, 0)
	want := []map[string]any{
		{"name": "rt.bob ", "description": "'quoted", "tag": "=1+1",
			"aliases": []string{"Board Room H323;x", `a, "quoted" b`, "+44 20 7946 0000"}},
		{"name": "rt.two", "description": "＝HYPERLINK(\"x\")", "tag": "'=already", "aliases": []string{"rt two@example.com"}},
	}
	for _, w := range want {
		var nested []map[string]any
		for _, a := range w["aliases"].([]string) {
			nested = append(nested, map[string]any{"alias": a})
		}
		p.create(pexip.ResService, map[string]any{"name": w["name"], "service_type": "conference",
			"description": w["description"], "tag": w["tag"], "aliases": nested})
	}
	rec := p.do("GET", "/services/export.csv?q=rt.&in=name", nil, false)
	exported := rec.Body.String()
	rows, err := csv.NewReader(strings.NewReader(exported)).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("export: %v, %d rows:\n%s", err, len(rows), exported)
	}
	for _, row := range rows[1:] {
		for _, cell := range row {
			if r := []rune(cell); len(r) > 0 && strings.ContainsRune("=+-@＝", r[0]) {
				t.Errorf("exported cell %q starts a formula", cell)
			}
		}
	}

	// Unchanged, the export is a dry run with nothing to do.
	doc := p.doc(p.do("POST", "/services/import", url.Values{"csv": {exported}}, false), 200)
	doc.Find("[data-test=import-row]").Each(func(_ int, s *goquery.Selection) {
		if a := s.AttrOr("data-action", ""); a != "unchanged" {
			t.Errorf("line %s of an unchanged export: %s (%s)", s.AttrOr("data-line", ""), a, s.Text())
		}
	})

	// Deleted and imported again, the services come back exactly.
	for _, w := range want {
		page, err := pexip.ListPage[map[string]any](context.Background(), p.client, pexip.ResService, url.Values{"name": {w["name"].(string)}})
		if err != nil || len(page.Objects) != 1 {
			t.Fatalf("find %q: %v", w["name"], err)
		}
		if err := p.client.Delete(context.Background(), pexip.ResService, textOf(fieldSpec{}, page.Objects[0]["id"])); err != nil {
			t.Fatal(err)
		}
	}
	doc = p.doc(p.do("POST", "/services/import", url.Values{"csv": {exported}, "step": {"import"}}, false), 200)
	if !strings.Contains(doc.Find("[data-test=saved]").Text(), "2 created") {
		t.Fatalf("import: %q %q", doc.Find("[data-test=saved]").Text(), doc.Find("[data-test=import-error]").Text())
	}
	for _, w := range want {
		page, err := pexip.ListPage[map[string]any](context.Background(), p.client, pexip.ResService, url.Values{"name": {w["name"].(string)}})
		if err != nil || len(page.Objects) != 1 {
			t.Fatalf("re-imported %q not found exactly: %v", w["name"], err)
		}
		obj := page.Objects[0]
		got := map[string]any{"name": obj["name"], "description": obj["description"], "tag": obj["tag"],
			"aliases": aliasNames(obj["aliases"])}
		sort.Strings(got["aliases"].([]string))
		wantAliases := append([]string(nil), w["aliases"].([]string)...)
		sort.Strings(wantAliases)
		wantObj := map[string]any{"name": w["name"], "description": w["description"], "tag": w["tag"], "aliases": wantAliases}
		if diff := cmp.Diff(wantObj, got); diff != "" {
			t.Errorf("round trip (-want +got):\n%s", diff)
		}
	}
}

func TestCSVSafeDefusesEveryFormulaStarter(t *testing.T) {
	for _, in := range []string{"=1", "+1", "-1", "@x", "\tx", "\rx", "\nx", "＝1+1", "＋1", "－1", "＠x", "﹦1", "'x", "''x"} {
		got := csvSafe(in)
		if !strings.HasPrefix(got, "'") {
			t.Errorf("csvSafe(%q) = %q, not defused", in, got)
		}
		if back := csvUnsafe(got); back != in {
			t.Errorf("csvUnsafe(csvSafe(%q)) = %q", in, back)
		}
	}
	// A hand-written file's own leading apostrophe is kept.
	if got := csvUnsafe("'tis"); got != "'tis" {
		t.Errorf("csvUnsafe('tis) = %q", got)
	}
}

// Read-only forms show PINs and DTMF sequences only as set or not set; admins see them.
func TestReadOnlyFormsNeverShowPINs(t *testing.T) {
	p := newPages(t, 0)
	sid := p.create(pexip.ResService, map[string]any{"name": "Secret Room", "service_type": "conference",
		"pin": "4242", "guest_pin": "5353", "allow_guests": true})
	aid := p.create(pexip.ResAutoParticipant, map[string]any{"alias": "rec@example.com", "protocol": "sip",
		"role": "guest", "dtmf_sequence": "6161#", "conference": []any{serviceURI(atoi(t, sid))}})

	for _, role := range []auth.Role{auth.RoleViewer, auth.RoleOperator} {
		p.role = role
		for path, secrets := range map[string][]string{"/services/" + sid: {"4242", "5353"}, "/adps/" + aid: {"6161"}} {
			rec := p.do("GET", path, nil, false)
			doc := p.doc(rec, 200)
			for _, s := range secrets {
				if strings.Contains(rec.Body.String(), s) {
					t.Errorf("%v sees %s on %s", role, s, path)
				}
			}
			field := map[string]string{"/services/" + sid: "pin", "/adps/" + aid: "dtmf_sequence"}[path]
			if v := doc.Find("[data-field="+field+"] input").AttrOr("value", ""); v != "set" {
				t.Errorf("%v: %s shows %q, want set", role, field, v)
			}
		}
	}
	p.role = auth.RoleAdmin
	doc := p.doc(p.do("GET", "/services/"+sid, nil, false), 200)
	if v := doc.Find("input[name=pin]").AttrOr("value", ""); v != "4242" {
		t.Errorf("an admin sees the PIN as %q", v)
	}
}

// The form's fingerprint is keyed per process: the same service gives two consoles two
// fingerprints, and trying every 4-digit PIN with an unkeyed hash finds none.
func TestFormFingerprintHidesThePIN(t *testing.T) {
	p := newPages(t, 0)
	id := p.create(pexip.ResService, map[string]any{"name": "Finger Room", "service_type": "conference", "pin": "4242"})
	base := browserForm(p.doc(p.do("GET", "/services/"+id, nil, false), 200), "[data-test=service-form]").Get("_base")
	if base == "" {
		t.Fatal("no _base on the form")
	}
	other := New(Deps{Log: p.h.log, Pexip: p.client, Assets: p.h.Assets, Audit: p.h.Audit, Poller: p.h.Poller}, Config{})
	e := echo.New()
	e.GET("/services/:id", other.handleServiceEdit)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest("GET", "/services/"+id, nil))
	d, _ := goquery.NewDocumentFromReader(rec.Body)
	if b2 := browserForm(d, "[data-test=service-form]").Get("_base"); b2 == "" || b2 == base {
		t.Errorf("two consoles fingerprint the same service as %q and %q", base, b2)
	}

	values := valuesFromObject(serviceSpecs, p.object(pexip.ResService, id))
	for n := range 10000 {
		values["pin"] = fmt.Sprintf("%04d", n)
		keys := make([]string, 0, len(values))
		for k := range values {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		sum := sha256.New()
		for _, k := range keys {
			sum.Write([]byte(k + "\x00" + values[k] + "\x00"))
		}
		full := hex.EncodeToString(sum.Sum(nil))
		if strings.HasPrefix(full, base) || strings.HasPrefix(base, full[:16]) {
			t.Fatalf("the PIN %s is recoverable from the fingerprint %s", values["pin"], base)
		}
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	id, err := positiveID(s, "test")
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// A row whose cell count differs from the header's is a problem of the dry run and never
// imported (F: shifted cells).
func TestImportRefusesRowsWithTheWrongCellCount(t *testing.T) {
	p := newPages(t, 0)
	text := "name,description,tag\nextra1,hello, world,x\nshort1\nfine1,ok,t\n"
	doc := p.doc(p.do("POST", "/services/import", url.Values{"csv": {text}, "step": {"import"}}, false), http.StatusUnprocessableEntity)
	problems := map[string]string{}
	doc.Find("[data-test=import-row]").Each(func(_ int, s *goquery.Selection) {
		problems[s.AttrOr("data-line", "")] = s.AttrOr("data-action", "") + ": " + s.Find("[data-test=import-problem]").Text()
	})
	for line, want := range map[string]string{"2": "error: 4 cells, the header has 3", "3": "error: 1 cells, the header has 3"} {
		if !strings.HasPrefix(problems[line], want) {
			t.Errorf("line %s: %q, want %q", line, problems[line], want)
		}
	}
	page, err := pexip.ListPage[map[string]any](context.Background(), p.client, pexip.ResService,
		url.Values{"name__in": {"extra1,short1,fine1"}})
	if err != nil || len(page.Objects) != 0 {
		t.Errorf("an import with bad rows created %d services (%v)", len(page.Objects), err)
	}
}

// An import between the file limit and the console's body limit is answered on the import
// page with the file limit, not with a 413 naming another limit.
func TestImportSizeMessageAgreesWithTheLimits(t *testing.T) {
	p := newPages(t, 0)
	big := "name\n" + strings.Repeat("x", maxImportBytes+(1536<<10)) // 3.5 MiB: over 3M, under maxBody + "\n"
	doc := p.doc(p.do("POST", "/services/import", url.Values{"csv": {big}}, false), http.StatusBadRequest)
	if msg := doc.Find("[data-test=import-error]").Text(); !strings.Contains(msg, "2 MB") {
		t.Errorf("a %d-byte import says %q", len(big), msg)
	}
}

// A save or preview whose object is gone or whose node hangs keeps the form and what was typed.
func TestEditsKeepTypedValuesWhenPexipFails(t *testing.T) {
	p := newPages(t, 300*time.Millisecond)
	setReadBudget(p.h, time.Second)
	sid := p.create(pexip.ResService, map[string]any{"name": "Gone Room", "service_type": "conference"})
	rid := p.create(pexip.ResRoutingRule, map[string]any{"name": "Gone Rule", "priority": 50, "match_string": "x.*"})
	aid := p.create(pexip.ResAutoParticipant, map[string]any{"alias": "gone@example.com", "protocol": "sip", "role": "guest"})
	forms := map[string]url.Values{}
	for _, path := range []string{"/services/" + sid, "/routing/" + rid, "/adps/" + aid} {
		forms[path] = browserForm(p.doc(p.do("GET", path, nil, false), 200), "form.stack")
		forms[path].Set("description", "typed by me")
	}
	p.sim.Faults().SetLatency(time.Second)
	for path, form := range forms {
		doc := p.doc(p.do("POST", path, form, false), http.StatusGatewayTimeout)
		if v := doc.Find("[data-field=description] input").AttrOr("value", ""); v != "typed by me" {
			t.Errorf("hung node, %s: description %q, form error %q", path, v, doc.Find("[data-test=form-error]").Text())
		}
	}
	p.sim.Faults().SetLatency(0)
	for res, id := range map[string]string{pexip.ResService: sid, pexip.ResRoutingRule: rid, pexip.ResAutoParticipant: aid} {
		if err := p.client.Delete(context.Background(), res, id); err != nil {
			t.Fatal(err)
		}
	}
	for path, form := range forms {
		doc := p.doc(p.do("POST", path, form, false), http.StatusNotFound)
		if v := doc.Find("[data-field=description] input").AttrOr("value", ""); v != "typed by me" {
			t.Errorf("deleted, %s: description %q", path, v)
		}
		if msg := doc.Find("[data-test=form-error]").Text(); !strings.Contains(msg, "deleted meanwhile") {
			t.Errorf("deleted, %s: says %q", path, msg)
		}
		if action := doc.Find("form.stack").AttrOr("action", ""); action == path {
			t.Errorf("deleted, %s: the form still saves to the deleted object", path)
		}
		rec := p.do("POST", path+"/preview", form, true)
		if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "deleted meanwhile") || strings.Contains(rec.Body.String(), "<html") {
			t.Errorf("deleted, htmx preview of %s: %d %.200s", path, rec.Code, rec.Body.String())
		}
	}
}

// An htmx preview with an invalid field answers a fragment naming the field, never a page.
func TestHTMXPreviewWithFieldErrorsIsAFragment(t *testing.T) {
	p := newPages(t, 0)
	sid := p.create(pexip.ResService, map[string]any{"name": "Preview Room", "service_type": "conference"})
	rid := p.create(pexip.ResRoutingRule, map[string]any{"name": "Preview Rule", "priority": 50, "match_string": "x.*"})
	aid := p.create(pexip.ResAutoParticipant, map[string]any{"alias": "prev@example.com", "protocol": "sip", "role": "guest"})
	tests := []struct{ path, field, value string }{
		{"/services/" + sid, "pin", "12"},
		{"/routing/" + rid, "priority", "soon"},
		{"/adps/" + aid, "alias", strings.Repeat("a", 251)},
	}
	for _, tt := range tests {
		form := browserForm(p.doc(p.do("GET", tt.path, nil, false), 200), "form.stack")
		form.Set(tt.field, tt.value)
		rec := p.do("POST", tt.path+"/preview", form, true)
		body := rec.Body.String()
		if strings.Contains(body, "<html") || strings.Contains(body, `class="top"`) || strings.Contains(body, "<header") {
			t.Errorf("%s: the htmx preview is a whole page", tt.path)
		}
		doc, _ := goquery.NewDocumentFromReader(strings.NewReader(body))
		if doc.Find("[data-test=preview-problem][data-field="+tt.field+"]").Length() != 1 {
			t.Errorf("%s: the preview does not name the %s field: %.300s", tt.path, tt.field, body)
		}
	}
}

// A hung node costs a page its read budget, not a client timeout per read: the form opens
// with the built-in choices and says so; the list says it could not be read.
func TestHungNodeGivesPagesADeadline(t *testing.T) {
	p := newPages(t, 10*time.Second)
	setReadBudget(p.h, 400*time.Millisecond)
	p.sim.Faults().SetLatency(2 * time.Second)

	start := time.Now()
	doc := p.doc(p.do("GET", "/services/new", nil, false), 200)
	if d := time.Since(start); d > 1500*time.Millisecond {
		t.Errorf("the new-service form took %v", d)
	}
	if doc.Find(`#service_type option[value="lecture"]`).Length() == 0 || doc.Find("[data-test=form-notice]").Length() == 0 {
		t.Errorf("the form without Pexip: choices %d, notice %q", doc.Find("#service_type option").Length(),
			doc.Find("[data-test=form-notice]").Text())
	}

	start = time.Now()
	rec := p.do("GET", "/services", nil, false)
	if d := time.Since(start); d > 1500*time.Millisecond {
		t.Errorf("the services list took %v", d)
	}
	doc = p.doc(rec, http.StatusGatewayTimeout)
	if got := doc.Find("[data-test=service-total]").Text(); got != "the list could not be read" {
		t.Errorf("list total says %q", got)
	}
	if got := doc.Find("[data-test=pager-text]").Text(); strings.Contains(got, "0 of 0") {
		t.Errorf("pager says %q", got)
	}
}

// A save of the tag sends the tag alone, whatever spaces the name and description hold.
func TestUnrelatedSaveKeepsSpacesInNameAndDescription(t *testing.T) {
	p := newPages(t, 0)
	id := p.create(pexip.ResService, map[string]any{"name": "meet.bob ", "description": " spaced ", "service_type": "conference"})
	form := browserForm(p.doc(p.do("GET", "/services/"+id, nil, false), 200), "[data-test=service-form]")
	form.Set("tag", "only this")
	p.bodies.patches = nil
	if rec := p.do("POST", "/services/"+id, form, false); rec.Code != http.StatusSeeOther {
		t.Fatalf("save: %d %.300s", rec.Code, rec.Body.String())
	}
	if diff := cmp.Diff([]map[string]any{{"tag": "only this"}}, p.bodies.patches); diff != "" {
		t.Errorf("PATCH bodies (-want +got):\n%s", diff)
	}
	if obj := p.object(pexip.ResService, id); obj["name"] != "meet.bob " || obj["description"] != " spaced " {
		t.Errorf("name %q description %q", obj["name"], obj["description"])
	}
}

// At most maxAliasesPerService aliases a form; the alias changes of a save are one bulk
// PATCH of conference_alias however many they are.
func TestAliasesAreCappedAndSavedInOneRequest(t *testing.T) {
	p := newPages(t, 0)
	var many []string
	for i := range maxAliasesPerService + 1 {
		many = append(many, fmt.Sprintf("cap%03d@example.com", i))
	}
	p.sim.Stats().Reset()
	doc := p.doc(p.do("POST", "/services", url.Values{"name": {"Cap Room"}, "service_type": {"conference"},
		"aliases": {strings.Join(many, "\n")}}, false), http.StatusUnprocessableEntity)
	if doc.Find("[data-test=error-aliases]").Length() == 0 || !strings.Contains(doc.Find("textarea[name=aliases]").Text(), many[100]) {
		t.Errorf("101 aliases: error %q, typed kept %v", doc.Find("[data-test=error-aliases]").Text(),
			strings.Contains(doc.Find("textarea[name=aliases]").Text(), many[100]))
	}
	if n := p.sim.Stats().Count("POST", "/api/admin/configuration/v1/conference/"); n != 0 {
		t.Errorf("101 aliases reached Pexip (%d creates)", n)
	}

	id := p.create(pexip.ResService, map[string]any{"name": "Bulk Room", "service_type": "conference",
		"aliases": []map[string]any{{"alias": "keep@example.com"}, {"alias": "drop1@example.com"}, {"alias": "drop2@example.com"}}})
	form := browserForm(p.doc(p.do("GET", "/services/"+id, nil, false), 200), "[data-test=service-form]")
	form.Set("aliases", "keep@example.com\n"+strings.Join(many[:40], "\n"))
	p.sim.Stats().Reset()
	if rec := p.do("POST", "/services/"+id, form, false); rec.Code != http.StatusSeeOther {
		t.Fatalf("save: %d %.300s", rec.Code, rec.Body.String())
	}
	st := p.sim.Stats()
	const aliases = "/api/admin/configuration/v1/conference_alias/"
	if st.Count("PATCH", aliases) != 1 || st.Count("POST", aliases) != 0 || st.Count("DELETE", aliases+"{id}/") != 0 {
		t.Errorf("42 alias changes took: %v", st.Requests)
	}
	if got := len(aliasRecs(p.object(pexip.ResService, id))); got != 41 {
		t.Errorf("the service has %d aliases, want 41", got)
	}
}

func TestBulkDeleteOfMissingServicesOffersNothing(t *testing.T) {
	p := newPages(t, 0)
	doc := p.doc(p.do("POST", "/services/delete", url.Values{"id": {"99998", "99999"}}, false), 200)
	if doc.Find("[data-test=confirm-bulk-delete]").Length() != 0 || !strings.Contains(doc.Find("[data-test=bulk-none]").Text(), "None of these services exist") {
		t.Errorf("confirmation for missing services: %q", doc.Find("[data-test=bulk-delete-confirm]").Text())
	}
}

func TestRulePriorityIsRequired(t *testing.T) {
	p := newPages(t, 0)
	for _, prio := range []string{"", "soon"} {
		doc := p.doc(p.do("POST", "/routing", url.Values{"name": {"Prio"}, "priority": {prio}, "match_string": {"x"}}, false),
			http.StatusUnprocessableEntity)
		msg := doc.Find("[data-test=error-priority]").Text()
		if msg == "" || strings.Contains(msg, "leave it empty") {
			t.Errorf("priority %q: %q", prio, msg)
		}
	}
}

// The relations' lists are read once per request, however many fields point at them.
func TestRelatedChoicesAreReadOncePerRequest(t *testing.T) {
	p := newPages(t, 0)
	specs := []fieldSpec{
		{name: "system_location", kind: kRelated, related: pexip.ResLocationConfig},
		{name: "outgoing_location", kind: kRelated, related: pexip.ResLocationConfig},
		{name: "ivr_theme", kind: kRelated, related: "configuration/v1/ivr_theme"},
	}
	c := p.e.NewContext(httptest.NewRequest("GET", "/services/new", nil), httptest.NewRecorder())
	p.sim.Stats().Reset()
	for range 2 {
		choices, failed := p.h.relatedChoices(c, specs)
		if len(failed) != 0 || len(choices["outgoing_location"]) == 0 {
			t.Fatalf("choices %v, failed %v", choices, failed)
		}
	}
	st := p.sim.Stats()
	if n := st.Count("GET", "/api/admin/"+pexip.ResLocationConfig+"/"); n != 1 {
		t.Errorf("two fields over system_location, asked twice: %d list reads, want 1", n)
	}
	if n := st.Count("GET", "/api/admin/configuration/v1/ivr_theme/"); n != 1 {
		t.Errorf("ivr_theme: %d list reads, want 1", n)
	}
}
