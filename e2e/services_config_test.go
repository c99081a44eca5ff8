package e2e

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

const ruleList = "/api/admin/configuration/v1/gateway_routing_rule/"

// createdID is the id in a create's redirect, or a failure naming the form's errors.
func createdID(t *testing.T, res *http.Response, prefix string) string {
	t.Helper()
	if res.StatusCode != http.StatusSeeOther {
		doc := parse(t, res, res.StatusCode)
		t.Fatalf("create: status %d: %s %s", res.StatusCode, doc.Find("[data-test=form-error]").Text(), doc.Find(".field-error").Text())
	}
	return strings.TrimPrefix(strings.Split(res.Header.Get("Location"), "?")[0], prefix)
}

func TestRoutingRulesCreateTestEditDelete(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.login(admin)

	// The console's checks: a match string Python would refuse too, a priority that is no number.
	res := b.postForm("/routing", url.Values{"name": {"Broken"}, "priority": {"abc"}, "match_string": {"9(\\d+"}})
	doc := parse(t, res, http.StatusUnprocessableEntity)
	if doc.Find("[data-test=error-priority]").Length() != 1 || doc.Find("[data-test=error-match_string]").Length() != 1 {
		t.Error("the rule form does not mark priority and match string")
	}
	if doc.Find("#match_string").AttrOr("value", "") != "9(\\d+" {
		t.Error("the rule form lost the match string")
	}

	id := createdID(t, b.postForm("/routing", url.Values{"name": {"E2E PSTN"}, "priority": {"1"}, "enable": {"false", "true"},
		"match_string": {`9(\d+)`}, "replace_string": {`\1@pstn.example.com`}, "match_incoming_calls": {"false", "true"},
		"match_incoming_sip": {"false", "true"}, "match_incoming_webrtc": {"false"}, "called_device_type": {"external"},
		"outgoing_protocol": {"sip"}}), "/routing/")
	rule := simObject(t, c, "configuration/v1/gateway_routing_rule/"+id+"/")
	if rule["priority"] != float64(1) || rule["match_incoming_webrtc"] != false || rule["enable"] != true {
		t.Errorf("created rule = %v", rule)
	}

	// The list is ordered by priority: ours comes first.
	doc = b.page("/routing", http.StatusOK)
	if got := doc.Find("[data-test=rule]").First().AttrOr("data-id", ""); got != id {
		t.Errorf("first rule is %s, want %s (priority 1)", got, id)
	}
	last := -1
	doc.Find("[data-test=rule-priority]").Each(func(_ int, s *goquery.Selection) {
		p, err := strconv.Atoi(s.Text())
		if err != nil || p < last {
			t.Errorf("priority %q listed after %d", s.Text(), last)
		}
		last = p
	})

	// The match/replace test, as a page and as an htmx fragment.
	tests := []struct {
		query, winner, rewritten string
	}{
		{"alias=9123&direction=incoming&protocol=sip", id, "123@pstn.example.com"},
		{url.Values{"alias": {"sip:9123@example.com;transport=tls"}, "protocol": {"sip"}}.Encode(), "", ""},
		{"alias=9123&direction=incoming&protocol=webrtc", "not:" + id, ""},
	}
	for _, tt := range tests {
		doc := b.page("/routing?"+tt.query, http.StatusOK)
		w := doc.Find("[data-test=test-winner]")
		switch {
		case tt.winner == id:
			if w.AttrOr("data-rule", "") != id || doc.Find("[data-test=test-rewritten]").Text() != tt.rewritten {
				t.Errorf("%s: winner %q rewritten %q", tt.query, w.AttrOr("data-rule", ""), doc.Find("[data-test=test-rewritten]").Text())
			}
		case strings.HasPrefix(tt.winner, "not:"):
			step := doc.Find(`[data-test=test-step][data-rule="` + id + `"]`)
			if step.AttrOr("data-verdict", "") != "not-applicable" {
				t.Errorf("%s: our rule's verdict = %q, want not-applicable", tt.query, step.AttrOr("data-verdict", ""))
			}
		default:
			step := doc.Find(`[data-test=test-step][data-rule="` + id + `"]`)
			if step.AttrOr("data-verdict", "") != "no-match" {
				t.Errorf("%s: our rule's verdict = %q, want no-match", tt.query, step.AttrOr("data-verdict", ""))
			}
		}
	}
	req, _ := http.NewRequest(http.MethodGet, c.URL+"/routing/test?alias=9555", nil)
	req.Header.Set("HX-Request", "true")
	frag := parse(t, b.do(req), http.StatusOK)
	if frag.Find("[data-test=route-test]").Length() != 1 || frag.Find("[data-test=config-nav]").Length() != 0 {
		t.Error("the htmx test answer is not the panel alone")
	}
	if got := frag.Find("[data-test=test-rewritten]").Text(); got != "555@pstn.example.com" {
		t.Errorf("htmx test rewritten = %q", got)
	}

	// Preview in place (htmx): exactly the changed fields.
	req, _ = http.NewRequest(http.MethodPost, c.URL+"/routing/"+id+"/preview",
		strings.NewReader(url.Values{"enable": {"false"}, "priority": {"1"}, "replace_string": {""}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-CSRF-Token", b.csrf)
	req.Header.Set("Origin", b.base)
	frag = parse(t, b.do(req), http.StatusOK)
	var fields []string
	frag.Find("[data-test=change]").Each(func(_ int, s *goquery.Selection) { fields = append(fields, s.AttrOr("data-field", "")) })
	if strings.Join(fields, ",") != "enable,replace_string" {
		t.Errorf("rule preview lists %v, want enable and replace_string", fields)
	}

	// Edit: disabling the rule is a PATCH with enable false; the test then skips it.
	res = b.postForm("/routing/"+id, url.Values{"enable": {"false"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", res.StatusCode)
	}
	if simObject(t, c, "configuration/v1/gateway_routing_rule/"+id+"/")["enable"] != false {
		t.Error("the rule is still enabled")
	}
	doc = b.page("/routing?alias=9123", http.StatusOK)
	if v := doc.Find(`[data-test=test-step][data-rule="`+id+`"]`).AttrOr("data-verdict", ""); v != "disabled" {
		t.Errorf("disabled rule verdict = %q", v)
	}

	// A save from a form opened before someone else's change is refused (409), not applied.
	form := formValuesOf(b.page("/routing/"+id, http.StatusOK), "[data-test=rule-form]")
	if res := b.postForm("/routing/"+id, url.Values{"description": {"changed elsewhere"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("other edit: %d", res.StatusCode)
	}
	form.Set("tag", "mine")
	parse(t, b.postForm("/routing/"+id, form), http.StatusConflict)
	if r := simObject(t, c, "configuration/v1/gateway_routing_rule/"+id+"/"); r["description"] != "changed elsewhere" || r["tag"] != "" {
		t.Errorf("a conflicting save changed the rule: %v", r)
	}

	// Delete with a confirmation; a bad id never reaches Pexip.
	if !strings.Contains(b.page("/routing/"+id+"/delete", http.StatusOK).Find("[data-test=delete-confirm]").Text(), "E2E PSTN") {
		t.Error("the confirmation does not name the rule")
	}
	c.Sim.Stats().Reset()
	for _, bad := range []string{"0", "%20", "x"} {
		if res := b.postForm("/routing/"+bad+"/delete", url.Values{"id": {bad}}); res.StatusCode != http.StatusBadRequest {
			t.Errorf("delete rule %q: status %d", bad, res.StatusCode)
		}
	}
	if n := c.Sim.Stats().Count("DELETE", ruleList); n != 0 {
		t.Errorf("%d DELETEs reached the rules list URI", n)
	}
	if res := b.postForm("/routing/"+id+"/delete", url.Values{"id": {id}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.StatusCode)
	}
	b.page("/routing/"+id, http.StatusNotFound)
}

func TestADPsCreateLinkUnlinkDelete(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.login(admin)
	sid := createService(t, b, "ADP Room", "adp.room@example.com")
	other := createService(t, b, "ADP Other", "adp.other@example.com")

	// A service name Pexip does not know is marked, and the form keeps the input.
	res := b.postForm("/adps", url.Values{"alias": {"recorder@example.com"}, "services": {"No Such Room"}, "remote_display_name": {"Recorder"}})
	doc := parse(t, res, http.StatusUnprocessableEntity)
	if doc.Find("[data-test=error-services]").Length() != 1 || doc.Find("#remote_display_name").AttrOr("value", "") != "Recorder" {
		t.Error("unknown service not marked, or the input lost")
	}

	aid := createdID(t, b.postForm("/adps", url.Values{"alias": {"recorder@example.com"}, "remote_display_name": {"Recorder"},
		"protocol": {"sip"}, "role": {"chair"}, "services": {"ADP Room\nADP Other"}, "streaming": {"false", "true"}}), "/adps/")
	adp := simObject(t, c, "configuration/v1/automatic_participant/"+aid+"/")
	if list, _ := adp["conference"].([]any); len(list) != 2 || adp["role"] != "chair" || adp["streaming"] != true {
		t.Fatalf("created ADP = %v", adp)
	}
	doc = b.page("/adps?q=recorder", http.StatusOK)
	if got := doc.Find(`[data-test=adp][data-id="` + aid + `"] [data-test=adp-services]`).Text(); !strings.Contains(got, "ADP Room") || !strings.Contains(got, "ADP Other") {
		t.Errorf("the list names the services as %q", got)
	}

	// Unlink from the service page, then link again.
	doc = b.page("/services/"+sid, http.StatusOK)
	if doc.Find(`[data-test=linked-adp][data-id="`+aid+`"]`).Length() != 1 {
		t.Fatal("the service page does not list the linked participant")
	}
	if res := b.postForm("/services/"+sid+"/adps/"+aid+"/unlink", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("unlink: %d", res.StatusCode)
	}
	adp = simObject(t, c, "configuration/v1/automatic_participant/"+aid+"/")
	if list, _ := adp["conference"].([]any); len(list) != 1 || !strings.HasSuffix(list[0].(string), "/"+other+"/") {
		t.Errorf("after unlink conference = %v, want only service %s", adp["conference"], other)
	}
	doc = b.page("/services/"+sid, http.StatusOK)
	if doc.Find(`[data-test=link-adp-select] option[value="`+aid+`"]`).Length() != 1 {
		t.Fatal("the unlinked participant is not offered for linking")
	}
	if res := b.postForm("/services/"+sid+"/adps", url.Values{"adp": {aid}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("link: %d", res.StatusCode)
	}
	if list, _ := simObject(t, c, "configuration/v1/automatic_participant/"+aid+"/")["conference"].([]any); len(list) != 2 {
		t.Errorf("after link conference = %v", list)
	}

	// The preview names the services change; CRLF line ends from a browser are no change.
	doc = parse(t, b.postForm("/adps/"+aid+"/preview", url.Values{"services": {"ADP Room\r\nADP Other\r\n"}, "role": {"guest"}}), http.StatusOK)
	var fields []string
	doc.Find("[data-test=change]").Each(func(_ int, s *goquery.Selection) { fields = append(fields, s.AttrOr("data-field", "")) })
	if strings.Join(fields, ",") != "role" {
		t.Errorf("ADP preview lists %v, want only role", fields)
	}

	// Edit: a PATCH of the changed fields only; clearing the display name sends "".
	if res := b.postForm("/adps/"+aid, url.Values{"remote_display_name": {""}, "services": {"ADP Other"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit ADP: %d", res.StatusCode)
	}
	adp = simObject(t, c, "configuration/v1/automatic_participant/"+aid+"/")
	if list, _ := adp["conference"].([]any); adp["remote_display_name"] != "" || len(list) != 1 {
		t.Errorf("after edit: %v", adp)
	}

	if !strings.Contains(b.page("/adps/"+aid+"/delete", http.StatusOK).Find("[data-test=delete-confirm]").Text(), "ADP Other") {
		t.Error("the delete confirmation does not name the service that dials it")
	}
	if res := b.postForm("/adps/"+aid+"/delete", url.Values{"id": {aid}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete ADP: %d", res.StatusCode)
	}
	b.page("/adps/"+aid, http.StatusNotFound)
}

// postMultipart uploads a file as the import form does.
func (b *browser) postMultipart(path, field, filename, content string, extra url.Values) *http.Response {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	extra.Set("_csrf", b.csrf)
	for k, vs := range extra {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	fw, _ := w.CreateFormFile(field, filename)
	fw.Write([]byte(content))
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, b.base+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Origin", b.base)
	return b.do(req)
}

func TestServiceCSVImportDryRunThenOneBulkPatch(t *testing.T) {
	c := startConsole(t, consoleOpts{})
	b := newBrowser(t, c.URL)
	b.login(admin)
	existing := createService(t, b, "CSV Existing", "csv.existing@example.com")
	createService(t, b, "CSV Holder", "csv.taken@example.com")

	bad := "name,type,aliases,tag,allow_guests,pin\n" +
		"CSV New 1,conference,\"csv.new1@example.com\ncsv.new1b@example.com\",t1,yes,\n" +
		"CSV Existing,,\"csv.existing@example.com\ncsv.extra@example.com\",changed,,\n" +
		"CSV Bad PIN,conference,csv.badpin@example.com,,,12x\n" +
		"CSV Taken,lecture,csv.taken@example.com,,maybe,\n" +
		"CSV New 1,conference,csv.dup@example.com,,,\n" +
		"CSV Odd Type,gateway,,,,\n"
	c.Sim.Stats().Reset()
	doc := parse(t, b.postMultipart("/services/import", "file", "services.csv", bad, url.Values{"step": {"dry-run"}}), http.StatusUnprocessableEntity)
	actions := map[string]string{}
	problems := map[string]string{}
	doc.Find("[data-test=import-row]").Each(func(_ int, s *goquery.Selection) {
		line := s.AttrOr("data-line", "")
		actions[line] = s.AttrOr("data-action", "")
		problems[line] = s.Find("[data-test=import-problem]").Text()
	})
	// Lines as the file numbers them: the quoted cells of lines 2 and 4 span two lines each.
	want := map[string]string{"2": "create", "4": "update", "6": "error", "7": "error", "8": "error", "9": "error"}
	for line, a := range want {
		if actions[line] != a {
			t.Errorf("line %s: action %q, want %q (problems %q)", line, actions[line], a, problems[line])
		}
	}
	for line, w := range map[string]string{"6": "PIN", "7": "already belongs", "8": "also on line 2", "9": "gateway"} {
		if !strings.Contains(problems[line], w) {
			t.Errorf("line %s problems %q, want mention of %q", line, problems[line], w)
		}
	}
	if !strings.Contains(problems["7"], "maybe") {
		t.Errorf("line 7 does not flag the yes/no cell: %q", problems["7"])
	}
	if doc.Find("[data-test=run-import]").Length() != 0 {
		t.Error("the import is offered despite problems")
	}
	st := c.Sim.Stats()
	if st.Count("PATCH", serviceList) != 0 || st.Count("POST", serviceList) != 0 {
		t.Errorf("the dry run wrote to Pexip: %v", st.Requests)
	}

	good := "name,type,aliases,tag,allow_guests\n" +
		"CSV New 1,conference,\"csv.new1@example.com\ncsv.new1b@example.com\",t1,yes\n" +
		"CSV Existing,,\"csv.existing@example.com\ncsv.extra@example.com\",changed,\n"
	doc = parse(t, b.postForm("/services/import", url.Values{"csv": {good}, "step": {"dry-run"}}), http.StatusOK)
	if !strings.Contains(doc.Find("[data-test=dry-run-summary]").Text(), "1 to create, 1 to update, 0 rows") {
		t.Errorf("summary = %q", doc.Find("[data-test=dry-run-summary]").Text())
	}
	if simService(t, c, existing)["tag"] != "e2e" {
		t.Fatal("the dry run changed a service")
	}
	csvText := doc.Find(`[data-test=dry-run-result] textarea[name=csv]`).Text()

	c.Sim.Stats().Reset()
	doc = parse(t, b.postForm("/services/import", url.Values{"csv": {csvText}, "step": {"import"}}), http.StatusOK)
	if !strings.Contains(doc.Find("[data-test=saved]").Text(), "1 created, 1 updated") {
		t.Errorf("after import: %q %q", doc.Find("[data-test=saved]").Text(), doc.Find("[data-test=import-error]").Text())
	}
	if n := c.Sim.Stats().Count("PATCH", serviceList); n != 1 {
		t.Errorf("import sent %d bulk PATCHes, want 1", n)
	}
	obj := simService(t, c, existing)
	if obj["tag"] != "changed" || strings.Join(aliasesOf(obj), " ") != "csv.existing@example.com csv.extra@example.com" {
		t.Errorf("updated service: tag %v aliases %v", obj["tag"], aliasesOf(obj))
	}
	row := b.page("/services?q=CSV+New+1&in=name", http.StatusOK).Find("[data-test=service]")
	if row.Length() != 1 || !strings.Contains(row.Find("[data-test=service-aliases]").Text(), "csv.new1b@example.com") ||
		row.Find("[data-test=guests]").Length() != 1 {
		t.Errorf("imported service row: %q", row.Text())
	}

	res := b.postForm("/services/import", url.Values{"csv": {"name,colour\nX,red\n"}, "step": {"dry-run"}})
	if doc := parse(t, res, http.StatusBadRequest); !strings.Contains(doc.Find("[data-test=import-error]").Text(), "colour") {
		t.Error("an unknown column is not named")
	}
}
