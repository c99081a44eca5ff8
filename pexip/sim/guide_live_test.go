package sim

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"pexops/pexip/sim/platform"
)

const (
	status  = "/api/admin/status/v1/"
	history = "/api/admin/history/v1/"
	cmdAPI  = "/api/admin/command/v1/"
)

// liveFixture has the guide's VMR_1 (alias meet@example.com, created through the API, so
// the platform finds it live) with Alice (WebRTC) and Bob (H.323) in it.
func liveFixture(t *testing.T) (*fixture, string, string) {
	t.Helper()
	f := newFixture(t, Options{})
	f.create("conference", map[string]any{"name": "VMR_1", "service_type": "conference",
		"aliases": []any{map[string]any{"alias": "meet@example.com"}}})
	p := f.sim.Platform()
	alice, err := p.Join(platform.JoinSpec{Alias: "meet@example.com", DisplayName: "Alice", Protocol: "WebRTC", Role: "chair"})
	if err != nil {
		t.Fatal(err)
	}
	bob, err := p.Join(platform.JoinSpec{Alias: "MEET@example.com", DisplayName: "Bob", Protocol: "H323", Role: "guest"})
	if err != nil {
		t.Fatal(err)
	}
	f.sim.Advance(30 * time.Second)
	return f, alice, bob
}

func keysOf(m map[string]any) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

func requireKeys(t *testing.T, what string, obj map[string]any, keys ...string) {
	t.Helper()
	have := keysOf(obj)
	for _, k := range keys {
		if !have[k] {
			t.Errorf("%s lacks %q: %v", what, k, obj)
		}
	}
}

func TestGuideStatusConferencesAndParticipants(t *testing.T) {
	f, alice, _ := liveFixture(t)

	_, confs := f.list(status + "conference/")
	if len(confs) != 1 || confs[0]["name"] != "VMR_1" {
		t.Fatalf("conferences = %v", confs)
	}
	requireKeys(t, "conference", confs[0], "start_time", "resource_uri", "id", "name", "service_type",
		"is_locked", "is_started", "guests_muted", "tag")
	if _, vmrs := f.list(status + "conference/?service_type=conference"); len(vmrs) != 1 {
		t.Errorf("service_type=conference: %d conferences", len(vmrs))
	}
	if _, none := f.list(status + "conference/?service_type=lecture"); len(none) != 0 {
		t.Errorf("service_type=lecture: %d conferences", len(none))
	}

	_, parts := f.list(status + "participant/?conference=VMR_1&order_by=display_name")
	if len(parts) != 2 || parts[0]["display_name"] != "Alice" || parts[1]["display_name"] != "Bob" {
		t.Fatalf("participants = %v", parts)
	}
	requireKeys(t, "participant", parts[0], "bandwidth", "call_direction", "call_quality", "call_uuid",
		"conference", "connect_time", "destination_alias", "display_name", "encryption", "has_media",
		"id", "is_muted", "is_on_hold", "is_presenting", "license_count", "license_type", "media_node",
		"parent_id", "participant_alias", "protocol", "proxy_node", "remote_address", "remote_port",
		"resource_uri", "role", "service_tag", "service_type", "signalling_node", "source_alias",
		"system_location", "vendor")
	if parts[0]["conference"] != "VMR_1" {
		t.Errorf("status participant conference = %v, want the name", parts[0]["conference"])
	}

	meta, streams := f.list(status + "participant/" + alice + "/media_stream/")
	if meta["total_count"].(float64) < 1 {
		t.Fatalf("no media streams for %s", alice)
	}
	for _, s := range streams {
		if _, ok := s["id"].(string); !ok || s["end_time"] != "" {
			t.Errorf("running stream: id %#v end_time %#v, want a string id and \"\"", s["id"], s["end_time"])
		}
	}
	if r := f.get(status + "participant/nope/media_stream/"); r.status != http.StatusNotFound {
		t.Errorf("media streams of an unknown participant: %d", r.status)
	}
}

func TestGuideStatusPlatform(t *testing.T) {
	f := newFixture(t, Options{})
	node := f.get(status + "worker_vm/1/")
	if node.status != http.StatusOK {
		t.Fatalf("worker_vm/1: %d", node.status)
	}
	requireKeys(t, "node", node.json(t), "name", "system_location", "version", "sync_status", "last_attempted_contact")
	stats := f.get(status + "system_location/1/statistics/")
	if stats.status != http.StatusOK {
		t.Fatalf("system_location/1/statistics: %d %s", stats.status, stats.body)
	}
	requireKeys(t, "statistics", stats.json(t), "media_load")
	for _, res := range []string{"registration_alias", "cloud_node", "cloud_monitored_location",
		"cloud_overflow_location", "alarm", "licensing", "conference_shard", "backplane",
		"exchange_scheduler", "conference_sync", "management_vm"} {
		if r := f.get(status + res + "/"); r.status != http.StatusOK {
			t.Errorf("%s: %d", res, r.status)
		}
	}
	_, lic := f.list(status + "licensing/")
	if len(lic) != 1 {
		t.Errorf("licensing holds %d objects, want 1", len(lic))
	}
}

// TestGuideCommands runs the guide's command examples, form-encoded as its Python sends them.
func TestGuideCommands(t *testing.T) {
	f, alice, bob := liveFixture(t)
	confID := func() string {
		_, c := f.list(status + "conference/?name=VMR_1")
		return c[0]["id"].(string)
	}()

	r := f.form(cmdAPI+"participant/dial/", map[string]string{"conference_alias": "meet@example.com",
		"destination": "alice", "remote_display_name": "Alice Parkes", "protocol": "h323",
		"system_location": "London", "role": "chair"})
	if r.status/100 != 2 {
		t.Fatalf("dial: %d %s", r.status, r.body)
	}
	data, _ := r.json(t)["data"].(map[string]any)
	dialled, _ := data["participant_id"].(string)
	if dialled == "" {
		t.Fatalf("dial answered no participant_id: %s", r.body)
	}
	f.sim.Advance(10 * time.Second)
	if got := f.get(status + "participant/" + dialled + "/"); got.status != http.StatusOK {
		t.Errorf("dialled participant: %d", got.status)
	}

	steps := []struct {
		path   string
		fields map[string]string
		check  string // status path to read
		field  string
		want   any
	}{
		{"participant/mute/", map[string]string{"participant_id": alice}, "participant/" + alice + "/", "is_muted", true},
		{"participant/unmute/", map[string]string{"participant_id": alice}, "participant/" + alice + "/", "is_muted", false},
		{"conference/mute_guests/", map[string]string{"conference_id": confID}, "conference/" + confID + "/", "guests_muted", true},
		{"conference/unmute_guests/", map[string]string{"conference_id": confID}, "conference/" + confID + "/", "guests_muted", false},
		{"conference/lock/", map[string]string{"conference_id": confID}, "conference/" + confID + "/", "is_locked", true},
		{"conference/unlock/", map[string]string{"conference_id": confID}, "conference/" + confID + "/", "is_locked", false},
		{"participant/role/", map[string]string{"participant_id": bob, "role": "chair"}, "participant/" + bob + "/", "role", "chair"},
	}
	for _, tt := range steps {
		t.Run(tt.path, func(t *testing.T) {
			r := f.form(cmdAPI+tt.path, tt.fields)
			if r.status/100 != 2 || r.json(t)["status"] != "success" {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if diff := cmp.Diff(tt.want, f.get(status + tt.check).json(t)[tt.field]); diff != "" {
				t.Errorf("%s after command (-want +got):\n%s", tt.field, diff)
			}
		})
	}

	f.create("conference", map[string]any{"name": "Other", "aliases": []any{map[string]any{"alias": "other@example.com"}}})
	r = f.form(cmdAPI+"participant/transfer/", map[string]string{"participant_id": bob,
		"conference_alias": "other@example.com", "role": "guest"})
	if r.status/100 != 2 {
		t.Fatalf("transfer: %d %s", r.status, r.body)
	}
	f.sim.Advance(5 * time.Second)
	if _, moved := f.list(status + "participant/?conference=Other"); len(moved) != 1 {
		t.Errorf("participants in Other after transfer: %d", len(moved))
	}
	if r := f.form(cmdAPI+"participant/disconnect/", map[string]string{"participant_id": alice}); r.status != http.StatusOK {
		t.Errorf("disconnect: %d %s", r.status, r.body)
	}
	if r := f.form(cmdAPI+"participant/unlock/", map[string]string{"participant_id": "00000000-0000-0000-0000-000000000001"}); r.status != http.StatusBadRequest {
		t.Errorf("unlock of an unknown participant: %d", r.status)
	}
}

func TestCommandValidation(t *testing.T) {
	f := newFixture(t, Options{})
	tests := []struct {
		name   string
		path   string
		fields map[string]string
		want   map[string]any
	}{
		{"missing participant", "participant/mute/", map[string]string{},
			map[string]any{"mute": map[string]any{"participant_id": []any{"This field is required."}}}},
		{"unknown participant", "participant/mute/", map[string]string{"participant_id": "x"},
			map[string]any{"mute": map[string]any{"participant_id": []any{"Failed to find participant."}}}},
		{"missing dial fields", "participant/dial/", map[string]string{"destination": "x"},
			map[string]any{"dial": map[string]any{"conference_alias": []any{"This field is required."}}}},
		{"bad role", "participant/role/", map[string]string{"participant_id": "x", "role": "boss"},
			map[string]any{"role": map[string]any{"role": []any{"Select a valid choice. boss is not one of the available choices."}}}},
		{"unknown conference", "conference/lock/", map[string]string{"conference_id": "nope"},
			map[string]any{"lock": map[string]any{"conference_id": []any{"Failed to find conference."}}}},
		{"backup without passphrase", "platform/backup_create/", map[string]string{},
			map[string]any{"backup_create": map[string]any{"passphrase": []any{"This field is required."}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.form(cmdAPI+tt.path, tt.fields)
			if r.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", r.status, r.body)
			}
			if diff := cmp.Diff(tt.want, r.json(t)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestGuideStartCloudnode sends the guide's JSON string body (no Content-Type).
func TestGuideStartCloudnode(t *testing.T) {
	f := newFixture(t, Options{})
	r := f.send("POST", cmdAPI+"platform/start_cloudnode/", map[string]any{"instance_id": "i-nothere"})
	want := map[string]any{"start_cloudnode": map[string]any{"instance_id": []any{"Failed to find the cloud node."}}}
	if r.status != http.StatusBadRequest {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if diff := cmp.Diff(want, r.json(t)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	_, nodes := f.list(status + "cloud_node/")
	if len(nodes) == 0 {
		t.Skip("the demo seed has no cloud nodes")
	}
	id := nodes[0]["cloud_instance_id"].(string)
	if r := f.send("POST", cmdAPI+"platform/start_cloudnode/", map[string]any{"instance_id": id}); r.json(t)["status"] != "success" {
		t.Errorf("start: %d %s", r.status, r.body)
	}
}

func TestGuideHistory(t *testing.T) {
	f, alice, bob := liveFixture(t)
	p := f.sim.Platform()
	if !p.SetQuality(bob, 2, 10) {
		t.Fatal("SetQuality refused")
	}
	f.sim.Advance(2 * time.Minute)
	p.Leave(alice)
	p.Leave(bob)
	f.sim.Advance(time.Second)

	_, confs := f.list(history + "conference/?name=VMR_1&order_by=-start_time")
	if len(confs) != 1 {
		t.Fatalf("history conferences = %v", confs)
	}
	c := confs[0]
	requireKeys(t, "history conference", c, "duration", "end_time", "id", "instant_message_count", "name",
		"participant_count", "participants", "resource_uri", "service_type", "start_time", "tag")
	if uris, _ := c["participants"].([]any); len(uris) != 2 || !strings.HasPrefix(uris[0].(string), history+"participant/") {
		t.Errorf("participants = %v, want two history URIs", c["participants"])
	}

	_, parts := f.list(history + "participant/?conference=" + c["id"].(string))
	if len(parts) != 2 {
		t.Fatalf("history participants of %s: %d", c["id"], len(parts))
	}
	if got := parts[0]["conference"]; got != history+"conference/"+c["id"].(string)+"/" {
		t.Errorf("history participant conference = %v, want the URI", got)
	}
	day := testEpoch.Format("2006-01-02")
	next := testEpoch.Add(24 * time.Hour).Format("2006-01-02")
	if _, inDay := f.list(history + "participant/?end_time__gte=" + day + "T00:00:00&end_time__lt=" + next + "T00:00:00"); len(inDay) != 2 {
		t.Errorf("participants ending on %s: %d, want 2", day, len(inDay))
	}
	_, lossy := f.list(history + "participant/?media_streams__rx_packet_loss__gte=0.5")
	_, lossyTx := f.list(history + "participant/?media_streams__tx_packet_loss__gte=0.5")
	if len(lossy)+len(lossyTx) == 0 {
		t.Errorf("no participant with packet loss found through media_streams")
	}
	for _, o := range append(lossy, lossyTx...) {
		if o["display_name"] != "Bob" {
			t.Errorf("%v matched a packet loss filter", o["display_name"])
		}
	}
	if _, streams := f.list(history + "participant/" + parts[0]["id"].(string) + "/media_stream/"); len(streams) == 0 {
		t.Errorf("no history media streams")
	}

	if r := f.raw("DELETE", history+"conference/"+c["id"].(string)+"/", "", nil); r.status != http.StatusNoContent {
		t.Errorf("DELETE history conference: %d", r.status)
	}
	if r := f.get(history + "conference/" + c["id"].(string) + "/"); r.status != http.StatusNotFound {
		t.Errorf("deleted history conference: %d", r.status)
	}
}

// TestDialJSON: production clients send JSON with real booleans to commands.
func TestDialJSON(t *testing.T) {
	f, _, _ := liveFixture(t)
	r := f.send("POST", cmdAPI+"participant/dial/", map[string]any{"conference_alias": "meet@example.com",
		"destination": "rtmp://stream.example.com/live", "protocol": "RTMP", "streaming": true,
		"role": "guest", "routing": "routing_rule", "system_location": "London"})
	if r.status/100 != 2 || r.json(t)["status"] != "success" {
		t.Fatalf("dial: %d %s", r.status, r.body)
	}
	r = f.send("POST", cmdAPI+"participant/dial/", map[string]any{"conference_alias": "meet@example.com",
		"destination": "x", "streaming": "perhaps", "system_location": "London"})
	want := map[string]any{"dial": map[string]any{"streaming": []any{"'perhaps' value must be either True or False."}}}
	if diff := cmp.Diff(want, r.json(t)); diff != "" {
		t.Errorf("bad boolean (-want +got):\n%s", diff)
	}
}
