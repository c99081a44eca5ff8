package sim

import (
	"archive/tar"
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const cfg = "/api/admin/configuration/v1/"

// TestGuideCreateVMR: POST JSON without a Content-Type answers 201, an absolute Location and
// an empty body (F03); the object reads back as the guide's example shows it.
func TestGuideCreateVMR(t *testing.T) {
	f := newFixture(t, Options{})
	r := f.send("POST", cfg+"conference/", map[string]any{"name": "VMR_1", "service_type": "conference"})
	if r.status != http.StatusCreated || len(r.body) != 0 {
		t.Fatalf("create: %d %q, want 201 and no body", r.status, r.body)
	}
	loc := r.header.Get("Location")
	if !strings.HasPrefix(loc, f.srv.URL+cfg+"conference/") || !strings.HasSuffix(loc, "/") {
		t.Fatalf("Location = %q, want an absolute URL of the new conference", loc)
	}
	got := f.get(strings.TrimPrefix(loc, f.srv.URL)).json(t)
	want := map[string]any{"aliases": []any{}, "allow_guests": false, "automatic_participants": []any{},
		"call_type": "video", "description": "", "enable_chat": "default", "enable_overlay_text": false,
		"force_presenter_into_main": false, "guest_pin": "", "guest_view": nil, "guests_can_present": true,
		"host_view": "one_main_seven_pips", "ivr_theme": nil, "match_string": "", "max_callrate_in": nil,
		"max_callrate_out": nil, "mssip_proxy": nil, "mute_all_guests": false, "name": "VMR_1",
		"participant_limit": nil, "pin": "", "primary_owner_email_address": "", "replace_string": "",
		"service_type": "conference", "sync_tag": "", "system_location": nil, "tag": "",
		"resource_uri": strings.TrimPrefix(loc, f.srv.URL), "creation_time": "2015-04-02T09:46:06.106482"}
	for k, v := range want {
		if diff := cmp.Diff(v, got[k]); diff != "" {
			t.Errorf("field %s (-want +got):\n%s", k, diff)
		}
	}
	if _, ok := got["id"].(float64); !ok {
		t.Errorf("id = %#v, want an integer", got["id"])
	}
}

// TestGuideChangeAndAliases follows the guide: change the PIN, add an alias, read it nested,
// delete the VMR and its aliases with it.
func TestGuideChangeAndAliases(t *testing.T) {
	f := newFixture(t, Options{})
	vmr := f.create("conference", map[string]any{"name": "VMR_1", "service_type": "conference"})

	r := f.send("PATCH", vmr, map[string]any{"pin": "1234"})
	if r.status != http.StatusAccepted || len(r.body) != 0 {
		t.Fatalf("PATCH: %d %q, want 202 and no body", r.status, r.body)
	}
	alias := f.create("conference_alias", map[string]any{"alias": "meet@example.com", "conference": vmr})

	got := f.get(vmr).json(t)
	if got["pin"] != "1234" {
		t.Errorf("pin = %v, want 1234", got["pin"])
	}
	aliases := got["aliases"].([]any)
	if len(aliases) != 1 {
		t.Fatalf("aliases = %v, want one", aliases)
	}
	nested := aliases[0].(map[string]any)
	if _, has := nested["resource_uri"]; has {
		t.Errorf("nested alias has a resource_uri: %v", nested)
	}
	if nested["alias"] != "meet@example.com" || nested["conference"] != vmr {
		t.Errorf("nested alias = %v", nested)
	}

	if r := f.raw("DELETE", vmr, "", nil); r.status != http.StatusNoContent {
		t.Fatalf("DELETE: %d", r.status)
	}
	if r := f.get(alias); r.status != http.StatusNotFound || len(r.body) != 0 {
		t.Errorf("alias after its VMR was deleted: %d %q, want 404 and no body", r.status, r.body)
	}
}

func TestGuideServicesWithAliases(t *testing.T) {
	f := newFixture(t, Options{Services: 1})
	f.create("conference", map[string]any{"name": "VMR_1", "service_type": "conference",
		"aliases": []any{map[string]any{"alias": "meet"}, map[string]any{"alias": "meet@example.com"}}})
	f.create("conference", map[string]any{"name": "Lecture", "service_type": "lecture",
		"aliases": []any{map[string]any{"alias": "lecture@example.com"}}})
	f.create("conference", map[string]any{"name": "Reception", "service_type": "two_stage_dialing",
		"aliases": []any{map[string]any{"alias": "reception@example.com"}}})

	r := f.send("PATCH", cfg+"conference/", map[string]any{"objects": []any{
		map[string]any{"name": "VMR_2", "service_type": "conference", "aliases": []any{map[string]any{"alias": "meet2@example.com"}}},
		map[string]any{"name": "VMR_3", "service_type": "conference", "aliases": []any{map[string]any{"alias": "meet3@example.com"}}},
	}})
	if r.status != http.StatusAccepted || len(r.body) != 0 {
		t.Fatalf("bulk PATCH: %d %q", r.status, r.body)
	}

	_, all := f.list(cfg + "conference/?limit=0")
	_, vmrs := f.list(cfg + "conference/?service_type=conference&limit=0")
	names := func(objs []map[string]any) []string {
		var out []string
		for _, o := range objs {
			out = append(out, o["name"].(string))
		}
		return out
	}
	if diff := cmp.Diff(5, len(all)-1); diff != "" {
		t.Errorf("services created (-want +got):\n%s", diff)
	}
	for _, n := range names(vmrs) {
		if n == "Lecture" || n == "Reception" {
			t.Errorf("service_type=conference returned %s", n)
		}
	}
	_, aliases := f.list(cfg + "conference_alias/?alias__startswith=meet&order_by=alias")
	want := []string{"meet", "meet2@example.com", "meet3@example.com", "meet@example.com"}
	var got []string
	for _, a := range aliases {
		got = append(got, a["alias"].(string))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("aliases (-want +got):\n%s", diff)
	}
}

func TestGuideAutomaticParticipants(t *testing.T) {
	f := newFixture(t, Options{})
	adp := f.create("automatic_participant", map[string]any{"alias": "myendpoint@mydomain.com",
		"remote_display_name": "My Name", "description": "Dial myendpoint@mydomain.com whenever a related conference starts",
		"protocol": "sip", "role": "guest", "conference": []any{cfg + "conference/1/"}})

	steps := []struct {
		name  string
		patch []any
		want  []any
	}{
		{"two rooms", []any{cfg + "conference/1/", cfg + "conference/2/"}, []any{cfg + "conference/1/", cfg + "conference/2/"}},
		{"no rooms", []any{}, []any{}},
	}
	for _, tt := range steps {
		t.Run(tt.name, func(t *testing.T) {
			if r := f.send("PATCH", adp, map[string]any{"conference": tt.patch}); r.status != http.StatusAccepted {
				t.Fatalf("PATCH: %d %s", r.status, r.body)
			}
			if diff := cmp.Diff(tt.want, f.get(adp).json(t)["conference"]); diff != "" {
				t.Errorf("conference (-want +got):\n%s", diff)
			}
		})
	}
	if r := f.raw("DELETE", adp, "", nil); r.status != http.StatusNoContent {
		t.Errorf("DELETE: %d", r.status)
	}
}

// TestCascadeUnlinksADP: deleting a service deletes its aliases and takes it out of ADPs.
func TestCascadeUnlinksADP(t *testing.T) {
	f := newFixture(t, Options{})
	vmr := f.create("conference", map[string]any{"name": "Doomed", "aliases": []any{map[string]any{"alias": "doomed@example.com"}}})
	adp := f.create("automatic_participant", map[string]any{"alias": "rec@example.com",
		"conference": []any{vmr, cfg + "conference/1/"}})
	if r := f.raw("DELETE", vmr, "", nil); r.status != http.StatusNoContent {
		t.Fatalf("DELETE: %d", r.status)
	}
	if diff := cmp.Diff([]any{cfg + "conference/1/"}, f.get(adp).json(t)["conference"]); diff != "" {
		t.Errorf("ADP conference after delete (-want +got):\n%s", diff)
	}
	if _, objs := f.list(cfg + "conference_alias/?alias=doomed@example.com"); len(objs) != 0 {
		t.Errorf("alias survived its service: %v", objs)
	}
}

func TestGuideRoutingRules(t *testing.T) {
	f := newFixture(t, Options{})
	lync := f.create("gateway_routing_rule", map[string]any{"name": "Route to Lync", "priority": 50,
		"match_incoming_calls": true, "match_outgoing_calls": false, "match_incoming_h323": true,
		"match_incoming_mssip": false, "match_incoming_sip": true, "match_incoming_webrtc": true,
		"match_string": "9(.*)", "replace_string": "", "called_device_type": "external", "outgoing_protocol": "mssip"})
	reg := f.create("gateway_routing_rule", map[string]any{"name": "Outbound calls to registered devices",
		"priority": 60, "match_incoming_calls": false, "match_outgoing_calls": true,
		"match_string": `.*@mycompany\.com`, "replace_string": "", "called_device_type": "registration"})
	got := f.get(reg).json(t)
	for k, want := range map[string]any{"match_string": `.*@mycompany\.com`, "outgoing_protocol": "sip",
		"enable": true, "disabled_codecs": []any{}, "ivr_theme": nil} {
		if diff := cmp.Diff(want, got[k]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", k, diff)
		}
	}
	if r := f.raw("DELETE", lync, "", nil); r.status != http.StatusNoContent {
		t.Errorf("DELETE: %d", r.status)
	}
	if r := f.get(lync); r.status != http.StatusNotFound {
		t.Errorf("deleted rule: %d", r.status)
	}
}

func nodeBody(kind string) map[string]any {
	return map[string]any{"name": "new_node", "hostname": "newnode", "domain": "example.test",
		"address": "10.0.0.50", "netmask": "255.255.255.0", "gateway": "10.0.0.1",
		"password": "s3cret", "node_type": "CONFERENCING",
		"system_location": cfg + "system_location/1/", "deployment_type": kind,
		"vm_cpu_count": "8", "vm_system_memory": "16384"}
}

func TestGuideWorkerVM(t *testing.T) {
	tests := []struct {
		kind, wantType string
		wantStatus     int
	}{
		{"VMWARE", "", http.StatusCreated},
		{"MANUAL", "application/octet-stream", http.StatusOK},
		{"MANUAL-PROVISION-ONLY", "application/xml", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			f := newFixture(t, Options{})
			body := nodeBody(tt.kind)
			if tt.kind == "VMWARE" {
				body["host"], body["host_username"], body["host_password"] = 1, "vc", "vcpw"
			}
			r := f.send("POST", cfg+"worker_vm/", body)
			if r.status != tt.wantStatus || r.header.Get("Content-Type") != tt.wantType {
				t.Fatalf("POST: %d %q, want %d %q", r.status, r.header.Get("Content-Type"), tt.wantStatus, tt.wantType)
			}
			switch tt.kind {
			case "MANUAL":
				tr := tar.NewReader(bytes.NewReader(r.body))
				if h, err := tr.Next(); err != nil || !strings.HasSuffix(h.Name, ".ovf") {
					t.Errorf("OVA is not a tar with an OVF descriptor: %v", err)
				}
			case "MANUAL-PROVISION-ONLY":
				if !bytes.Contains(r.body, []byte("<hostname>newnode</hostname>")) || bytes.Contains(r.body, []byte("s3cret")) {
					t.Errorf("provisioning document = %s", r.body)
				}
			}
			loc := strings.TrimPrefix(r.header.Get("Location"), f.srv.URL)
			got := f.get(loc).json(t)
			if got["vm_cpu_count"] != 8.0 || got["vm_system_memory"] != 16384.0 {
				t.Errorf("string numbers not coerced: %v %v", got["vm_cpu_count"], got["vm_system_memory"])
			}
			for _, secret := range []string{"password", "host_password"} {
				if _, has := got[secret]; has {
					t.Errorf("write-only %s returned", secret)
				}
			}
			if r := f.send("PATCH", loc, map[string]any{"enable_distributed_database": true}); r.status != http.StatusAccepted {
				t.Errorf("PATCH: %d %s", r.status, r.body)
			}
		})
	}
}

// TestGuideThemeUpload: create a theme, upload its package by multipart PATCH, point a VMR at
// it by path; the package is never returned and the VMR shows the theme nested.
func TestGuideThemeUpload(t *testing.T) {
	f := newFixture(t, Options{})
	theme := f.create("ivr_theme", map[string]any{"name": "New theme"})

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	w, _ := mw.CreateFormFile("package", "test_theme.zip")
	_, _ = w.Write([]byte("PK\x03\x04 pretend zip"))
	_ = mw.Close()
	if r := f.raw("PATCH", theme, mw.FormDataContentType(), &body); r.status != http.StatusAccepted {
		t.Fatalf("multipart PATCH: %d %s", r.status, r.body)
	}
	if r := f.send("PATCH", cfg+"conference/1/", map[string]any{"ivr_theme": theme}); r.status != http.StatusAccepted {
		t.Fatalf("PATCH conference: %d %s", r.status, r.body)
	}
	th := f.get(theme).json(t)
	if _, has := th["package"]; has {
		t.Errorf("package returned: %v", th["package"])
	}
	if diff := cmp.Diff([]any{cfg + "conference/1/"}, th["conference"]); diff != "" {
		t.Errorf("theme conference (-want +got):\n%s", diff)
	}
	nested, ok := f.get(cfg + "conference/1/").json(t)["ivr_theme"].(map[string]any)
	if !ok || nested["name"] != "New theme" {
		t.Errorf("conference ivr_theme = %v, want the nested theme", nested)
	}
}

func TestGuideLicence(t *testing.T) {
	f := newFixture(t, Options{})
	if r := f.send("POST", cfg+"licence/", map[string]any{"entitlement_id": "not-a-key"}); r.status != http.StatusBadRequest {
		t.Errorf("bad key: %d", r.status)
	}
	lic := f.create("licence", map[string]any{"entitlement_id": "0123-4567-89AB-CDEF"})
	fid := strings.Trim(strings.TrimPrefix(lic, cfg+"licence/"), "/")
	if len(fid) != 10 {
		t.Errorf("fulfillment id %q is not 10 digits", fid)
	}

	r := f.send("POST", cfg+"licence/", map[string]any{"entitlement_id": "AAAA-BBBB-CCCC-DDDD", "offline_mode": true})
	if r.status != http.StatusAccepted || !strings.Contains(r.header.Get("Location"), "/licence_request/") {
		t.Fatalf("offline add: %d %q", r.status, r.header.Get("Location"))
	}
	req := strings.TrimPrefix(r.header.Get("Location"), f.srv.URL)
	if got := f.get(req).json(t); !strings.Contains(got["actions"].(string), "AAAA-BBBB-CCCC-DDDD") {
		t.Errorf("request actions = %v", got["actions"])
	}
	// The guide GETs the request without its trailing slash; requests follows the 301.
	if r := f.get(strings.TrimSuffix(req, "/")); r.status != http.StatusMovedPermanently {
		t.Errorf("GET without slash: %d", r.status)
	}
	var up bytes.Buffer
	mw := multipart.NewWriter(&up)
	fw, _ := mw.CreateFormFile("response_xml", "response.xml")
	_, _ = fw.Write([]byte("<response/>"))
	_ = mw.Close()
	if r := f.raw("POST", req, mw.FormDataContentType(), &up); r.status != http.StatusAccepted {
		t.Fatalf("upload response.xml: %d %s", r.status, r.body)
	}
	if _, lics := f.list(cfg + "licence/?entitlement_id=AAAA-BBBB-CCCC-DDDD"); len(lics) != 1 {
		t.Errorf("offline activation gave %d licences, want 1", len(lics))
	}

	r = f.raw("DELETE", lic+"?offline_mode=True", "", nil)
	if r.status != http.StatusAccepted || !strings.Contains(r.header.Get("Location"), "/licence_request/") {
		t.Errorf("offline return: %d %q", r.status, r.header.Get("Location"))
	}
	if r := f.raw("DELETE", lic, "", nil); r.status != http.StatusNoContent {
		t.Errorf("return: %d", r.status)
	}
	if r := f.get(lic); r.status != http.StatusNotFound {
		t.Errorf("returned licence: %d", r.status)
	}
}

// TestConferenceADPs: writing a service's automatic_participants relinks the ADPs.
func TestConferenceADPs(t *testing.T) {
	f := newFixture(t, Options{})
	adp := f.create("automatic_participant", map[string]any{"alias": "x@example.com", "conference": []any{}})
	if r := f.send("PATCH", cfg+"conference/3/", map[string]any{"automatic_participants": []any{adp}}); r.status != http.StatusAccepted {
		t.Fatalf("link: %d %s", r.status, r.body)
	}
	if diff := cmp.Diff([]any{cfg + "conference/3/"}, f.get(adp).json(t)["conference"]); diff != "" {
		t.Errorf("after link (-want +got):\n%s", diff)
	}
	if r := f.send("PATCH", cfg+"conference/3/", map[string]any{"automatic_participants": []any{}}); r.status != http.StatusAccepted {
		t.Fatalf("unlink: %d %s", r.status, r.body)
	}
	if diff := cmp.Diff([]any{}, f.get(adp).json(t)["conference"]); diff != "" {
		t.Errorf("after unlink (-want +got):\n%s", diff)
	}
}
