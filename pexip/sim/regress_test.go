package sim

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"math"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"pexops/pexip/sim/platform"
)

// TestListPagingOverflow: a limit or offset near the largest int gives a page, never a panic
// or a next link with a negative offset.
func TestListPagingOverflow(t *testing.T) {
	f := newFixture(t, Options{})
	_, all := f.list(cfg + "conference/?limit=0")
	n := len(all)
	maxInt := strconv.Itoa(math.MaxInt)
	tests := []struct {
		query    string
		want     int
		previous bool
	}{
		{"limit=" + maxInt + "&offset=1", n - 1, false},
		{"limit=" + maxInt + "&offset=" + maxInt, 0, true},
		{"limit=1&offset=" + maxInt, 0, true},
		{"limit=" + maxInt, n, false},
		{"limit=" + maxInt + "&offset=" + strconv.Itoa(n-1), 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := f.get(cfg + "conference/?" + tt.query)
			if r.status != http.StatusOK {
				t.Fatalf("status %d %s", r.status, r.body)
			}
			var page struct {
				Meta    map[string]any `json:"meta"`
				Objects []any          `json:"objects"`
			}
			if err := json.Unmarshal(r.body, &page); err != nil {
				t.Fatal(err)
			}
			if len(page.Objects) != tt.want {
				t.Errorf("objects = %d, want %d", len(page.Objects), tt.want)
			}
			if page.Meta["next"] != nil {
				t.Errorf("next = %v, want none", page.Meta["next"])
			}
			if (page.Meta["previous"] != nil) != tt.previous {
				t.Errorf("previous = %v", page.Meta["previous"])
			}
			if prev, _ := page.Meta["previous"].(string); strings.Contains(prev, "offset=-") {
				t.Errorf("previous has a negative offset: %s", prev)
			}
		})
	}
	if r := f.get(cfg + "conference/?limit=99999999999999999999"); r.status != http.StatusBadRequest {
		t.Errorf("limit beyond int: %d, want 400", r.status)
	}
}

// TestPanicAnswersCanned500: a handler panic is logged at Error and answered with
// Tastypie's canned 500 instead of a dropped connection.
func TestPanicAnswersCanned500(t *testing.T) {
	var logs bytes.Buffer
	s := New(Options{Clock: platform.NewManualClock(testEpoch),
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelError}))})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", cfg+"conference/", nil)
	func() {
		defer s.recoverPanic(&statusWriter{ResponseWriter: rec, status: 200}, req)
		panic("boom")
	}()
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", rec.Code)
	}
	want := map[string]any{"error_message": cannedError}
	var got map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
	if !strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "boom") {
		t.Errorf("panic not logged at Error: %q", logs.String())
	}
}

// FuzzListHandler runs the whole simulator on list requests with random limit, offset and
// filter strings: every answer is a 200 page or a 400, never a panic or a 500.
func FuzzListHandler(f *testing.F) {
	maxInt := strconv.Itoa(math.MaxInt)
	seeds := [][4]string{
		{maxInt, "1", "name", "x"}, {"1", maxInt, "id__gt", "3"}, {maxInt, maxInt, "order_by", "-name"},
		{"-1", "a", "name__regex", "("}, {"0", "0", "aliases__alias__startswith", "meet"},
		{"20", "5", "creation_time__gte", "2015-04-08T00:00:00"}, {"", "", "id__in", "1,,x"},
		{"1e3", "0x10", "media_streams__rx_packet_loss__gte", "nan"}, {"9" + maxInt, "", "", ""},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], s[2], s[3])
	}
	s := New(Options{Clock: platform.NewManualClock(testEpoch)})
	if _, err := s.Platform().Join(platform.JoinSpec{Alias: "meet.alice@example.com"}); err != nil {
		f.Fatal(err)
	}
	paths := []string{cfg + "conference/", cfg + "conference_alias/", status + "participant/",
		history + "participant/", history + "media_stream/"}
	f.Fuzz(func(t *testing.T, limit, offset, key, value string) {
		q := "limit=" + url.QueryEscape(limit) + "&offset=" + url.QueryEscape(offset) + "&" +
			url.QueryEscape(key) + "=" + url.QueryEscape(value)
		for _, p := range paths {
			req := httptest.NewRequest("GET", p+"?"+q, nil)
			req.SetBasicAuth(DefaultUser, DefaultPassword)
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest {
				t.Fatalf("GET %s?%s: %d %s", p, q, rec.Code, rec.Body.Bytes())
			}
			if rec.Code == http.StatusOK && strings.Contains(rec.Body.String(), "offset=-") {
				t.Fatalf("GET %s?%s: a link with a negative offset: %s", p, q, rec.Body.Bytes())
			}
		}
	})
}

// TestDeleteListFilters: a DELETE on a list URI deletes only the objects its filters
// select, with their cascades; a bad filter is a GET's 400; without filters everything goes
// (TestRootDeleteWipes).
func TestDeleteListFilters(t *testing.T) {
	f := newFixture(t, Options{})
	rules := f.mustObjects(cfg + "gateway_routing_rule/?limit=0")
	f.create("gateway_routing_rule", map[string]any{"name": "Route to Lync", "priority": 90,
		"match_string": `^lync\..+`})
	r := f.raw("DELETE", cfg+"gateway_routing_rule/?name=Route%20to%20Lync", "", nil)
	if r.status != http.StatusNoContent {
		t.Fatalf("filtered DELETE: %d %s", r.status, r.body)
	}
	if got := f.mustObjects(cfg + "gateway_routing_rule/?limit=0"); len(got) != len(rules) {
		t.Errorf("after filtered DELETE: %d rules, want the %d others kept", len(got), len(rules))
	}

	vmrs := f.mustObjects(cfg + "conference/?limit=0")
	aliases := f.mustObjects(cfg + "conference_alias/?limit=0")
	doomed := f.mustObjects(cfg + "conference/?name__startswith=meet.&limit=0")
	var doomedAliases int
	for _, c := range doomed {
		doomedAliases += len(c["aliases"].([]any))
	}
	if len(doomed) == 0 || doomedAliases == 0 || len(doomed) == len(vmrs) {
		t.Fatalf("fixture: %d of %d services match, %d aliases", len(doomed), len(vmrs), doomedAliases)
	}
	// Paging and ordering do not limit a delete: every match goes, not a page of 20.
	if r := f.raw("DELETE", cfg+"conference/?name__startswith=meet.&limit=1&order_by=name", "", nil); r.status != http.StatusNoContent {
		t.Fatalf("filtered DELETE: %d %s", r.status, r.body)
	}
	if got := f.mustObjects(cfg + "conference/?limit=0"); len(got) != len(vmrs)-len(doomed) {
		t.Errorf("services after DELETE: %d, want %d", len(got), len(vmrs)-len(doomed))
	}
	if got := f.mustObjects(cfg + "conference_alias/?limit=0"); len(got) != len(aliases)-doomedAliases {
		t.Errorf("aliases after DELETE: %d, want %d (only the deleted services' aliases cascade)",
			len(got), len(aliases)-doomedAliases)
	}

	before := f.mustObjects(cfg + "conference/?limit=0")
	for _, q := range []string{"name__bogus=1", "participant_limit=many", "scheduled_conferences_count__regex=("} {
		get := f.get(cfg + "conference/?" + q)
		del := f.raw("DELETE", cfg+"conference/?"+q, "", nil)
		if get.status != http.StatusBadRequest || del.status != get.status || !bytes.Equal(del.body, get.body) {
			t.Errorf("%s: DELETE %d %s, GET %d %s", q, del.status, del.body, get.status, get.body)
		}
	}
	if got := f.mustObjects(cfg + "conference/?limit=0"); len(got) != len(before) {
		t.Errorf("a refused DELETE deleted %d services", len(before)-len(got))
	}
}

// TestGuideLicenceUnslashed: the guide's "Returning a license" and "upload a license
// response.xml" examples, sent exactly as the guide's Python sends them: no trailing slash.
func TestGuideLicenceUnslashed(t *testing.T) {
	f := newFixture(t, Options{})
	lic := f.create("licence", map[string]any{"entitlement_id": "0123-4567-89AB-CDEF"})
	fid := strings.Trim(strings.TrimPrefix(lic, cfg+"licence/"), "/")
	// requests.delete(".../configuration/v1/licence/<fulfillment_id>", auth=...)
	if r := f.raw("DELETE", cfg+"licence/"+fid, "", nil); r.status != http.StatusNoContent {
		t.Errorf("DELETE licence/%s: %d %s", fid, r.status, r.body)
	}
	if r := f.get(lic); r.status != http.StatusNotFound {
		t.Errorf("returned licence: %d", r.status)
	}

	r := f.send("POST", cfg+"licence/", map[string]any{"entitlement_id": "AAAA-BBBB-CCCC-DDDD", "offline_mode": true})
	u, _ := url.Parse(r.header.Get("Location"))
	reqID := strings.Trim(strings.TrimPrefix(u.Path, cfg+"licence_request/"), "/")
	// requests.post(".../licence_request/<request_id>", files={'response_xml': ('response.xml', ...)})
	var up bytes.Buffer
	mw := multipart.NewWriter(&up)
	fw, _ := mw.CreateFormFile("response_xml", "response.xml")
	_, _ = fw.Write([]byte("<response/>"))
	_ = mw.Close()
	if r := f.raw("POST", cfg+"licence_request/"+reqID, mw.FormDataContentType(), &up); r.status != http.StatusAccepted {
		t.Fatalf("POST licence_request/%s: %d %s", reqID, r.status, r.body)
	}
	if lics := f.mustObjects(cfg + "licence/?entitlement_id=AAAA-BBBB-CCCC-DDDD"); len(lics) != 1 {
		t.Errorf("offline activation gave %d licences, want 1", len(lics))
	}
	// Other paths keep the usual answers: 301 on GET, 404 otherwise.
	if r := f.get(cfg + "licence/" + fid); r.status != http.StatusMovedPermanently {
		t.Errorf("GET licence without slash: %d", r.status)
	}
	if r := f.raw("DELETE", cfg+"conference/1", "", nil); r.status != http.StatusNotFound {
		t.Errorf("DELETE conference/1 without slash: %d", r.status)
	}
}

// TestCommandEnvelopes: every successful command sends the same envelope, message included.
func TestCommandEnvelopes(t *testing.T) {
	f := newFixture(t, Options{})
	tests := []struct {
		command string
		body    map[string]any
	}{
		{"platform/backup_create/", map[string]any{"passphrase": "secret"}},
		{"platform/snapshot/", map[string]any{"limit": 2}},
		{"platform/upgrade/", map[string]any{}},
		{"platform/certificates_import/", map[string]any{"bundle": string(testCertPEM(t))}},
	}
	want := map[string]any{"status": "success", "message": "", "data": nil}
	for _, tt := range tests {
		t.Run(tt.command, func(t *testing.T) {
			r := f.send("POST", cmdAPI+tt.command, tt.body)
			if diff := cmp.Diff(want, r.json(t)); r.status/100 != 2 || diff != "" {
				t.Errorf("%d (-want +got):\n%s", r.status, diff)
			}
		})
	}
}

func testCertPEM(t *testing.T) []byte {
	t.Helper()
	_, pemBytes, err := selfSigned()
	if err != nil {
		t.Fatal(err)
	}
	return pemBytes
}

// TestThemeLastUpdated: uploading a theme package stamps last_updated.
func TestThemeLastUpdated(t *testing.T) {
	f := newFixture(t, Options{})
	theme := f.create("ivr_theme", map[string]any{"name": "Stamped"})
	if got := f.get(theme).json(t)["last_updated"]; got != nil {
		t.Errorf("last_updated before upload = %v", got)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	w, _ := mw.CreateFormFile("package", "theme.zip")
	_, _ = w.Write([]byte("PK\x03\x04"))
	_ = mw.Close()
	if r := f.raw("PATCH", theme, mw.FormDataContentType(), &body); r.status != http.StatusAccepted {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	if got := f.get(theme).json(t)["last_updated"]; got != testEpoch.Format("2006-01-02T15:04:05.000000") {
		t.Errorf("last_updated after upload = %v, want the clock's time", got)
	}
}

// TestRoutingRuleRegex: a match_string no regex engine can parse is a field error; Python
// syntax RE2 lacks (look-ahead, back-references) is accepted.
func TestRoutingRuleRegex(t *testing.T) {
	f := newFixture(t, Options{})
	tests := []struct {
		match string
		ok    bool
	}{
		{"(((", false},
		{"abc)", false},
		{"[a-", false},
		{`abc\`, false},
		{"[z-a]", false},
		{"*abc", false},
		{"(?!abc", false},
		{"^(?!MSSIP).+@example\\.com$", true},
		{"(?<=sip:)bob", true},
		{`^(\d)\1$`, true},
		{`[(]x`, true},
		{`\(`, true},
		{"^.+@example\\.com$", true},
	}
	for i, tt := range tests {
		t.Run(tt.match, func(t *testing.T) {
			r := f.send("POST", cfg+"gateway_routing_rule/", map[string]any{"name": "R" + strconv.Itoa(i),
				"priority": 100 + i, "match_string": tt.match})
			if tt.ok {
				if r.status != http.StatusCreated {
					t.Errorf("refused: %d %s", r.status, r.body)
				}
				return
			}
			var body map[string]map[string][]string
			_ = json.Unmarshal(r.body, &body)
			if r.status != http.StatusBadRequest || len(body["gateway_routing_rule"]["match_string"]) != 1 {
				t.Errorf("accepted or wrong error: %d %s", r.status, r.body)
			}
		})
	}
}

// TestConferenceSync: the guide's "Sync LDAP template" command.
func TestConferenceSync(t *testing.T) {
	f := newFixture(t, Options{})
	tmpl := firstID(f.create("conference_sync_template", map[string]any{"name": "Staff"}))
	vmr := firstID(f.create("conference", map[string]any{"name": "Mailed"}))
	dev := firstID(f.create("device", map[string]any{"alias": "desk@example.com"}))
	ok := map[string]any{"status": "success", "message": "", "data": nil}
	tests := []struct {
		command string
		body    map[string]any
		status  int
		want    map[string]any
	}{
		{"sync", map[string]any{"conference_sync_template_id": tmpl}, 200, ok},
		{"sync", map[string]any{}, 200, ok},
		{"sync", map[string]any{"conference_sync_template_id": "999"}, 400, map[string]any{"sync": map[string]any{
			"conference_sync_template_id": []any{"Failed to find conference sync template."}}}},
		{"send_conference_email", map[string]any{"conference_id": vmr}, 202, ok},
		{"send_conference_email", map[string]any{"conference_id": 999}, 400, map[string]any{"send_conference_email": map[string]any{
			"conference_id": []any{"Failed to find conference."}}}},
		{"send_device_email", map[string]any{"device_id": dev, "conference_sync_template_id": tmpl}, 202, ok},
		{"send_device_email", map[string]any{"device_id": dev, "conference_sync_template_id": 999}, 400,
			map[string]any{"send_device_email": map[string]any{
				"conference_sync_template_id": []any{"Failed to find conference sync template."}}}},
	}
	for _, tt := range tests {
		t.Run(tt.command, func(t *testing.T) {
			r := f.send("POST", cmdAPI+"conference/"+tt.command+"/", tt.body)
			if diff := cmp.Diff(tt.want, r.json(t)); r.status != tt.status || diff != "" {
				t.Errorf("%v: %d (-want +got):\n%s", tt.body, r.status, diff)
			}
		})
	}
}

// TestAdvertisedCommandsAnswer: every command a command root lists answers its POST with
// something other than 404 (an empty body gets a validation error at worst).
func TestAdvertisedCommandsAnswer(t *testing.T) {
	f := newFixture(t, Options{})
	var roots struct {
		Command map[string]json.RawMessage `json:"command"`
	}
	if err := json.Unmarshal(f.get("/api/admin/schema/").body, &roots); err != nil {
		t.Fatal(err)
	}
	groups := roots.Command
	if len(groups) == 0 {
		t.Fatal("no command roots in /api/admin/schema/")
	}
	count := 0
	for group := range groups {
		var listing map[string]map[string]string
		if err := json.Unmarshal(f.get(cmdAPI+group+"/").body, &listing); err != nil || len(listing) == 0 {
			t.Fatalf("root %s: %v", group, err)
		}
		for name, c := range listing {
			count++
			r := f.send("POST", c["list_endpoint"], map[string]any{})
			if r.status == http.StatusNotFound || r.status >= 500 {
				t.Errorf("%s/%s: %d %s", group, name, r.status, r.body)
			}
			if r := f.get(c["schema"]); r.status != http.StatusOK {
				t.Errorf("%s/%s schema: %d", group, name, r.status)
			}
		}
	}
	if count < 20 {
		t.Errorf("only %d commands advertised", count)
	}
}
