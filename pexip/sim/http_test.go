package sim

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRouting: slashes, unknown paths, methods a resource does not allow, roots, schemas.
func TestRouting(t *testing.T) {
	f := newFixture(t, Options{})
	tests := []struct {
		method, path string
		status       int
		header       string // header that must be present
		value        string
	}{
		{"GET", cfg + "conference", 301, "Location", cfg + "conference/"},
		{"GET", cfg + "conference?limit=1", 301, "Location", cfg + "conference/?limit=1"},
		{"DELETE", cfg + "conference", 404, "", ""},
		{"POST", cfg + "conference", 404, "", ""},
		{"GET", cfg + "nothing/", 404, "", ""},
		{"GET", cfg + "conference/99999/", 404, "", ""},
		{"GET", "/api/admin/elsewhere/", 404, "", ""},
		{"POST", status + "conference/", 405, "Allow", "GET"},
		{"DELETE", status + "participant/x/", 405, "Allow", "GET"},
		{"PATCH", history + "conference/x/", 405, "Allow", "GET, DELETE"},
		{"GET", cmdAPI + "participant/mute/", 405, "Allow", "POST"},
		{"POST", cfg + "system_backup/", 405, "Allow", "GET"},
		{"POST", cfg + "conference/schema/", 405, "Allow", "GET"},
		{"GET", cfg + "conference/1/?format=json", 200, "Content-Type", "application/json"},
		{"GET", cfg + "conference_alias/schema/?format=json", 200, "Content-Type", "application/json"},
		{"GET", cmdAPI + "participant/dial/schema/?format=json", 200, "Content-Type", "application/json"},
		{"GET", cmdAPI + "nothing/", 404, "", ""},
		{"GET", cmdAPI + "participant/nothing/", 404, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			r := f.raw(tt.method, tt.path, "", nil)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d (%s)", r.status, tt.status, r.body)
			}
			if tt.status == 404 && len(r.body) != 0 {
				t.Errorf("404 body %q, want empty", r.body)
			}
			if tt.header != "" && r.header.Get(tt.header) != tt.value {
				t.Errorf("%s = %q, want %q", tt.header, r.header.Get(tt.header), tt.value)
			}
		})
	}
}

func TestRootsAndSchemas(t *testing.T) {
	f := newFixture(t, Options{})
	// The status guide lists 14 resources and 4 sub-resources, history 5 and 2.
	counts := map[string]int{"configuration/v1/": 45, "status/v1/": 14, "history/v1/": 5}
	for root, atLeast := range counts {
		got := f.get("/api/admin/" + root).json(t)
		if len(got) < atLeast {
			t.Errorf("%s lists %d resources, want at least %d", root, len(got), atLeast)
		}
		for name, v := range got {
			entry := v.(map[string]any)
			want := map[string]any{"list_endpoint": "/api/admin/" + root + name + "/",
				"schema": "/api/admin/" + root + name + "/schema/"}
			if diff := cmp.Diff(want, entry); diff != "" {
				t.Errorf("%s%s (-want +got):\n%s", root, name, diff)
			}
			sch := f.get(want["schema"].(string))
			if sch.status != http.StatusOK {
				t.Errorf("schema of %s: %d", name, sch.status)
				continue
			}
			requireKeys(t, name+" schema", sch.json(t), "allowed_detail_http_methods",
				"allowed_list_http_methods", "default_format", "default_limit", "fields")
		}
	}
	if _, ok := f.get(history).json(t)["workervm_status_event"]; !ok {
		t.Error("history root lacks workervm_status_event")
	}
	n := 0
	for _, group := range []string{"participant", "conference", "platform"} {
		for name := range f.get(cmdAPI + group + "/").json(t) {
			n++
			if r := f.get(cmdAPI + group + "/" + name + "/schema/"); r.status != http.StatusOK {
				t.Errorf("schema of %s/%s: %d", group, name, r.status)
			}
		}
	}
	if n < 21 {
		t.Errorf("%d commands, want at least 21", n)
	}
	summary := f.get("/api/admin/schema/").json(t)
	requireKeys(t, "schema summary", summary, "configuration", "status", "history", "command")

	alias := f.get(cfg + "conference_alias/schema/").json(t)
	wantFiltering := map[string]any{"alias": 1.0, "conference": 2.0, "creation_time": 1.0, "description": 1.0, "id": 1.0}
	if diff := cmp.Diff(wantFiltering, alias["filtering"]); diff != "" {
		t.Errorf("conference_alias filtering (-want +got):\n%s", diff)
	}
	name := f.get(cfg + "conference/schema/").json(t)["fields"].(map[string]any)["name"].(map[string]any)
	wantName := map[string]any{"type": "string", "nullable": false, "blank": false, "readonly": false, "default": nil,
		"unique": true, "help_text": "The name used to refer to this service. Maximum length: 250 characters."}
	if diff := cmp.Diff(wantName, name); diff != "" {
		t.Errorf("conference name field (-want +got):\n%s", diff)
	}
}

func TestValidation(t *testing.T) {
	f := newFixture(t, Options{})
	f.create("conference", map[string]any{"name": "Taken", "aliases": []any{map[string]any{"alias": "taken@example.com"}}})
	long := strings.Repeat("x", 251)
	tests := []struct {
		name string
		res  string
		body map[string]any
		want map[string]any
	}{
		{"unique name", "conference", map[string]any{"name": "Taken"},
			map[string]any{"conference": map[string]any{"name": []any{"Virtual Meeting Room with this Name already exists."}}}},
		{"required", "conference", map[string]any{"service_type": "lecture"},
			map[string]any{"conference": map[string]any{"name": []any{"This field is required."}}}},
		{"choice", "conference", map[string]any{"name": "A", "service_type": "party"},
			map[string]any{"conference": map[string]any{"service_type": []any{"Value 'party' is not a valid choice."}}}},
		{"length", "conference", map[string]any{"name": long},
			map[string]any{"conference": map[string]any{"name": []any{"Ensure this value has at most 250 characters (it has 251)."}}}},
		{"integer", "conference", map[string]any{"name": "B", "participant_limit": "lots"},
			map[string]any{"conference": map[string]any{"participant_limit": []any{"'lots' value must be an integer."}}}},
		{"range", "conference", map[string]any{"name": "C", "max_callrate_in": 64},
			map[string]any{"conference": map[string]any{"max_callrate_in": []any{"Ensure this value is greater than or equal to 128."}}}},
		{"boolean", "conference", map[string]any{"name": "D", "allow_guests": "maybe"},
			map[string]any{"conference": map[string]any{"allow_guests": []any{"'maybe' value must be either True or False."}}}},
		{"pins differ", "conference", map[string]any{"name": "E", "pin": "1234", "guest_pin": "1234", "allow_guests": true},
			map[string]any{"conference": map[string]any{"__all__": []any{"The Host PIN and Guest PIN must be different."}}}},
		{"pin format", "conference", map[string]any{"name": "F", "pin": "12ab"},
			map[string]any{"conference": map[string]any{"pin": []any{"A PIN must be 4 to 20 digits, optionally followed by #."}}}},
		{"blank", "conference", map[string]any{"name": ""},
			map[string]any{"conference": map[string]any{"name": []any{"This field cannot be blank."}}}},
		{"null", "conference", map[string]any{"name": nil},
			map[string]any{"conference": map[string]any{"name": []any{"This field cannot be null."}}}},
		{"unique alias", "conference_alias", map[string]any{"alias": "taken@example.com", "conference": cfg + "conference/1/"},
			map[string]any{"conference_alias": map[string]any{"alias": []any{"Alias with this Alias already exists."}}}},
		{"unique nested alias", "conference", map[string]any{"name": "G", "aliases": []any{map[string]any{"alias": "taken@example.com"}}},
			map[string]any{"conference_alias": map[string]any{"alias": []any{"Alias with this Alias already exists."}}}},
		{"missing relation", "conference_alias", map[string]any{"alias": "new@example.com", "conference": cfg + "conference/99999/"},
			map[string]any{"conference_alias": map[string]any{"conference": []any{"Could not find the provided object via resource URI '/api/admin/configuration/v1/conference/99999/'."}}}},
		{"priority range", "gateway_routing_rule", map[string]any{"name": "R", "priority": 500, "match_string": ".*"},
			map[string]any{"gateway_routing_rule": map[string]any{"priority": []any{"Ensure this value is less than or equal to 200."}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.send("POST", cfg+tt.res+"/", tt.body)
			if r.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", r.status, r.body)
			}
			if diff := cmp.Diff(tt.want, r.json(t)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	// A failed nested create leaves nothing behind.
	if _, objs := f.list(cfg + "conference/?name=G"); len(objs) != 0 {
		t.Errorf("service of a refused nested create exists: %v", objs)
	}
}

// TestRootDeleteWipes (F07): a DELETE on the list URI deletes every object, as Pexip does.
func TestRootDeleteWipes(t *testing.T) {
	f := newFixture(t, Options{})
	if meta, _ := f.list(cfg + "conference/"); meta["total_count"].(float64) == 0 {
		t.Fatal("no seeded services")
	}
	if r := f.raw("DELETE", cfg+"conference/", "", nil); r.status != http.StatusNoContent || len(r.body) != 0 {
		t.Fatalf("DELETE root: %d %q", r.status, r.body)
	}
	for _, res := range []string{"conference", "conference_alias"} {
		if meta, _ := f.list(cfg + res + "/"); meta["total_count"].(float64) != 0 {
			t.Errorf("%s after root DELETE: %v objects", res, meta["total_count"])
		}
	}
	for _, adp := range f.mustObjects(cfg + "automatic_participant/") {
		if diff := cmp.Diff([]any{}, adp["conference"]); diff != "" {
			t.Errorf("ADP still linked (-want +got):\n%s", diff)
		}
	}
	// Ids are never reused.
	if loc := f.create("conference", map[string]any{"name": "After"}); loc == cfg+"conference/1/" {
		t.Errorf("id 1 handed out again")
	}
}

func (f *fixture) mustObjects(path string) []map[string]any {
	_, objs := f.list(path)
	return objs
}

func TestBulkPatch(t *testing.T) {
	f := newFixture(t, Options{})
	keep := f.create("conference", map[string]any{"name": "Keep"})
	gone := f.create("conference", map[string]any{"name": "Gone", "aliases": []any{map[string]any{"alias": "gone@example.com"}}})
	r := f.send("PATCH", cfg+"conference/", map[string]any{
		"objects": []any{
			map[string]any{"resource_uri": keep, "description": "updated", "allow_guests": false},
			map[string]any{"name": "Fresh", "aliases": []any{map[string]any{"alias": "fresh@example.com"}}},
		},
		"deleted_objects": []any{gone},
	})
	if r.status != http.StatusAccepted {
		t.Fatalf("bulk: %d %s", r.status, r.body)
	}
	if got := f.get(keep).json(t)["description"]; got != "updated" {
		t.Errorf("updated description = %v", got)
	}
	if r := f.get(gone); r.status != http.StatusNotFound {
		t.Errorf("deleted object: %d", r.status)
	}
	if _, objs := f.list(cfg + "conference_alias/?alias__in=fresh@example.com,gone@example.com"); len(objs) != 1 || objs[0]["alias"] != "fresh@example.com" {
		t.Errorf("aliases after bulk = %v", objs)
	}
	// A failing item rolls the whole request back.
	r = f.send("PATCH", cfg+"conference/", map[string]any{"objects": []any{
		map[string]any{"name": "Rolled back"}, map[string]any{"name": "Keep"}}})
	if r.status != http.StatusBadRequest {
		t.Fatalf("duplicate in bulk: %d", r.status)
	}
	if _, objs := f.list(cfg + "conference/?name=Rolled%20back"); len(objs) != 0 {
		t.Errorf("half a failed bulk PATCH was applied")
	}
}

// TestUpdateSemantics: PATCH is partial and sends falsy values through (F04), PUT replaces,
// PATCH of aliases replaces the set, a PATCH of a missing id creates.
func TestUpdateSemantics(t *testing.T) {
	f := newFixture(t, Options{})
	vmr := f.create("conference", map[string]any{"name": "V", "allow_guests": true, "pin": "1234",
		"guest_pin": "5678", "description": "d", "aliases": []any{map[string]any{"alias": "a1"}, map[string]any{"alias": "a2"}}})

	if r := f.send("PATCH", vmr, map[string]any{"allow_guests": false, "pin": "", "guest_pin": ""}); r.status != http.StatusAccepted {
		t.Fatalf("PATCH: %d %s", r.status, r.body)
	}
	got := f.get(vmr).json(t)
	if got["allow_guests"] != false || got["pin"] != "" || got["description"] != "d" {
		t.Errorf("after PATCH: allow_guests %v pin %q description %q", got["allow_guests"], got["pin"], got["description"])
	}

	aliases := got["aliases"].([]any)
	first := aliases[0].(map[string]any)
	r := f.send("PATCH", vmr, map[string]any{"aliases": []any{map[string]any{"id": first["id"], "alias": "a1"}, map[string]any{"alias": "a3"}}})
	if r.status != http.StatusAccepted {
		t.Fatalf("PATCH aliases: %d %s", r.status, r.body)
	}
	var names []string
	for _, a := range f.get(vmr).json(t)["aliases"].([]any) {
		names = append(names, a.(map[string]any)["alias"].(string))
	}
	if diff := cmp.Diff([]string{"a1", "a3"}, names); diff != "" {
		t.Errorf("aliases after PATCH (-want +got):\n%s", diff)
	}

	if r := f.send("PUT", vmr, map[string]any{"name": "V2"}); r.status != http.StatusNoContent {
		t.Fatalf("PUT: %d %s", r.status, r.body)
	}
	got = f.get(vmr).json(t)
	if got["name"] != "V2" || got["description"] != "" || got["guest_pin"] != "" {
		t.Errorf("after PUT: %v %q %q, want omitted fields back to defaults", got["name"], got["description"], got["guest_pin"])
	}

	r = f.send("PATCH", cfg+"conference/999999/", map[string]any{"name": "Patched into being"})
	if r.status != http.StatusCreated || r.header.Get("Location") == "" {
		t.Fatalf("PATCH of a missing id: %d %q", r.status, r.header.Get("Location"))
	}
}

func TestOtherBodies(t *testing.T) {
	f := newFixture(t, Options{})
	v := url.Values{"name": {"Formed"}, "allow_guests": {"True"}, "participant_limit": {"7"}}
	r := f.raw("POST", cfg+"conference/", "application/x-www-form-urlencoded", strings.NewReader(v.Encode()))
	if r.status != http.StatusCreated {
		t.Fatalf("form create: %d %s", r.status, r.body)
	}
	got := f.get(strings.TrimPrefix(r.header.Get("Location"), f.srv.URL)).json(t)
	if got["allow_guests"] != true || got["participant_limit"] != 7.0 {
		t.Errorf("form values not coerced: %v %v", got["allow_guests"], got["participant_limit"])
	}
	if r := f.raw("POST", cfg+"conference/", "application/json", strings.NewReader("{not json")); r.status != http.StatusBadRequest {
		t.Errorf("bad JSON: %d", r.status)
	}

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("name", "Multi theme")
	fw, _ := mw.CreateFormFile("package", "t.zip")
	_, _ = fw.Write([]byte("zip"))
	_ = mw.Close()
	if r := f.raw("POST", cfg+"ivr_theme/", mw.FormDataContentType(), &body); r.status != http.StatusCreated {
		t.Errorf("multipart create: %d %s", r.status, r.body)
	}
}

func TestDisabledCodecsAndSecrets(t *testing.T) {
	f := newFixture(t, Options{})
	for _, rule := range f.mustObjects(cfg + "gateway_routing_rule/") {
		if diff := cmp.Diff([]any{}, rule["disabled_codecs"]); diff != "" {
			t.Errorf("disabled_codecs (-want +got):\n%s", diff)
		}
	}
	if r := f.send("PATCH", cfg+"worker_vm/1/", map[string]any{"snmp_authentication_password": "authpw"}); r.status != http.StatusAccepted {
		t.Fatalf("PATCH node: %d %s", r.status, r.body)
	}
	if got, _ := f.get(cfg + "worker_vm/1/").json(t)["snmp_authentication_password"].(string); got == "" || strings.Contains(got, "authpw") {
		t.Errorf("SNMP password read back as %q, want a hash", got)
	}
	turn := f.create("turn_server", map[string]any{"name": "T", "address": "turn.example.com", "password": "pw", "secret_key": "k"})
	got := f.get(turn).json(t)
	for _, k := range []string{"password", "secret_key"} {
		if _, has := got[k]; has {
			t.Errorf("secret %s returned", k)
		}
	}
}
