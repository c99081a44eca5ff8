package platform

import (
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"pexops/pexip"
)

var (
	uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	timeRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$`)
)

func keys(o Object) []string { return slices.Sorted(maps.Keys(o)) }

func fields(s string) []string { return slices.Sorted(slices.Values(strings.Fields(s))) }

// The key sets of the guide's example outputs, plus the few newer fields we add
// (direct_media_available, rx_/tx_bandwidth, rx_/tx_fps) and the simulator's is_waiting.
var (
	guideConference = fields(`start_time resource_uri id name service_type is_locked is_started guests_muted tag
		direct_media_available`)
	guideParticipant = fields(`bandwidth bucketed_call_quality call_direction call_quality call_uuid conference
		connect_time conversation_id destination_alias display_name encryption has_media
		historic_call_quality id is_muted is_on_hold is_presentation_supported is_presenting is_streaming
		license_count license_type media_node parent_id participant_alias protocol proxy_node
		remote_address remote_port resource_uri role service_tag service_type signalling_node
		source_alias system_location vendor rx_bandwidth tx_bandwidth is_waiting`)
	guideStream = fields(`end_time id node rx_bitrate rx_codec rx_jitter rx_packet_loss rx_packets_lost
		rx_packets_received rx_resolution start_time tx_bitrate tx_codec tx_jitter tx_packet_loss
		tx_packets_lost tx_packets_sent tx_resolution type resource_uri rx_fps tx_fps`)
	guideHistConference = fields(`duration end_time id instant_message_count name participant_count
		participants resource_uri service_type start_time tag direct_media_available`)
	guideHistParticipant = fields(`bandwidth bucketed_call_quality call_direction call_quality call_uuid
		conference conference_name conversation_id disconnect_reason display_name duration encryption
		end_time has_media historic_call_quality id is_streaming license_count license_type local_alias
		media_node media_streams parent_id protocol proxy_node remote_address remote_alias remote_port
		resource_uri role service_tag service_type signalling_node start_time system_location vendor`)
	guideHistStream = fields(`end_time id node participant rx_bitrate rx_codec rx_packet_loss rx_packets_lost
		rx_packets_received rx_resolution start_time stream_id stream_type tx_bitrate tx_codec
		tx_packet_loss tx_packets_lost tx_packets_sent tx_resolution resource_uri rx_fps tx_fps`)
	guideCloudNode = fields(`aws_instance_id aws_instance_ip aws_instance_launch_time aws_instance_name
		aws_instance_state cloud_instance_id cloud_instance_ip cloud_instance_launch_time
		cloud_instance_name cloud_instance_state max_hd_calls media_load resource_uri
		workervm_configuration_id workervm_configuration_location_name workervm_configuration_name`)
	guideMonitored = fields(`free_hd_calls id max_hd_calls media_load name resource_uri`)
)

// wireScenario leaves one running participant with media and one ended conference.
func wireScenario(t *testing.T) (*Platform, string) {
	p, clk := newTest(t, Options{Seed: 1})
	done := mustJoin(t, p, JoinSpec{Alias: aliasBob, Protocol: "WebRTC"})
	live := mustJoin(t, p, JoinSpec{Alias: aliasAlice, Protocol: "WebRTC", DisplayName: `<img src=x onerror=alert(1)>`})
	advance(p, clk, 95*time.Second)
	p.Leave(done)
	return p, live
}

func TestWireKeys(t *testing.T) {
	p, live := wireScenario(t)
	ms, _ := p.StatusSub("participant", live, "media_stream")
	hp := historyOf(t, p, "participant")[0]
	tests := []struct {
		name string
		obj  Object
		want []string
	}{
		{"status conference", status(t, p, "conference")[0], guideConference},
		{"status participant", participantOf(t, p, live), guideParticipant},
		{"status media stream", ms.([]Object)[0], guideStream},
		{"history conference", historyOf(t, p, "conference")[0], guideHistConference},
		{"history participant", hp, guideHistParticipant},
		{"history media stream", hp["media_streams"].([]any)[0].(Object), guideHistStream},
		{"cloud node", status(t, p, "cloud_node")[0], guideCloudNode},
		{"cloud monitored location", status(t, p, "cloud_monitored_location")[0], guideMonitored},
		{"cloud overflow location", status(t, p, "cloud_overflow_location")[0],
			slices.Sorted(slices.Values(append(slices.Clone(guideMonitored), "systemlocation_id")))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, keys(tt.obj)); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWireValues(t *testing.T) {
	p, live := wireScenario(t)
	o := participantOf(t, p, live)
	if !uuidRE.MatchString(o["id"].(string)) || o["resource_uri"] != "/api/admin/status/v1/participant/"+live+"/" {
		t.Errorf("participant id %v uri %v", o["id"], o["resource_uri"])
	}
	if o["display_name"] != `<img src=x onerror=alert(1)>` {
		t.Errorf("display name altered: %q", o["display_name"])
	}
	if o["proxy_node"] != "" && o["proxy_node"] != "10.44.1.200" {
		t.Errorf("status proxy_node = %q", o["proxy_node"])
	}
	if o["bucketed_call_quality"] != "[0, 4, 0, 0, 0]" || o["historic_call_quality"] != "[1, 1, 1, 1]" {
		t.Errorf("quality lists = %q %q, want string-encoded lists of 4 good windows",
			o["bucketed_call_quality"], o["historic_call_quality"])
	}
	ms, _ := p.StatusSub("participant", live, "media_stream")
	for _, s := range ms.([]Object) {
		if id := s["id"].(string); id != "0" && id != "1" {
			t.Errorf("status stream id %q, want a digit string", id)
		}
	}
	hp := historyOf(t, p, "participant")[0]
	if hp["proxy_node"] != "None" && hp["proxy_node"] != "10.44.1.200" {
		t.Errorf("history proxy_node = %q, want \"None\" without a proxy", hp["proxy_node"])
	}
	checkTimes(t, "participant", o)
	checkTimes(t, "history participant", hp)
	for _, s := range hp["media_streams"].([]any) {
		checkTimes(t, "history stream", s.(Object))
	}
	for _, r := range []string{"conference", "worker_vm", "alarm", "registration_alias", "cloud_node", "conference_shard", "management_vm"} {
		for _, x := range status(t, p, r) {
			checkTimes(t, r, x)
			if _, ok := x["resource_uri"].(string); !ok {
				t.Errorf("%s object without resource_uri: %v", r, x)
			}
		}
	}
}

func checkTimes(t *testing.T, what string, o Object) {
	t.Helper()
	for k, v := range o {
		if !strings.HasSuffix(k, "_time") && k != "last_updated" && k != "last_attempted_contact" && k != "time_raised" {
			continue
		}
		s := v.(string)
		if s == "" && k == "end_time" && what != "history participant" && what != "history stream" {
			continue
		}
		if !timeRE.MatchString(s) {
			t.Errorf("%s %s = %q, want a naive UTC datetime with 0 or 6 fraction digits", what, k, s)
		}
	}
}

func TestWireTime(t *testing.T) {
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2015, 4, 2, 9, 46, 11, 116767000, time.UTC), "2015-04-02T09:46:11.116767"},
		{time.Date(2015, 4, 2, 9, 46, 11, 662230000, time.UTC), "2015-04-02T09:46:11.662230"},
		{time.Date(2015, 4, 10, 9, 39, 47, 0, time.UTC), "2015-04-10T09:39:47"},
		{time.Date(2015, 4, 10, 11, 39, 47, 500, time.FixedZone("CEST", 7200)), "2015-04-10T09:39:47"},
		{time.Time{}, ""},
	}
	for _, tt := range tests {
		if got := wireTime(tt.in); got != tt.want {
			t.Errorf("wireTime(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestWireDecodesIntoClientModels proves the objects read back through the client's models.
func TestWireDecodesIntoClientModels(t *testing.T) {
	p, live := wireScenario(t)
	var pt pexip.Participant
	roundTrip(t, participantOf(t, p, live), &pt)
	if pt.ID != live || pt.Conference != "meet.alice" || pt.CallQuality != pexip.QualityGood ||
		len(pt.HistoricCallQuality) != 4 || !pt.ConnectTime.IsSet() || pt.Protocol != "WebRTC" {
		t.Errorf("decoded participant = %+v", pt)
	}
	var rec pexip.ParticipantRecord
	roundTrip(t, historyOf(t, p, "participant")[0], &rec)
	if len(rec.MediaStreams) == 0 || rec.MediaStreams[0].ID == 0 || !rec.EndTime.IsSet() || rec.Duration < 95 || rec.Duration > 96 {
		t.Errorf("decoded history participant = %+v", rec)
	}
	var node pexip.Node
	roundTrip(t, status(t, p, "worker_vm")[0], &node)
	if node.Name == "" || node.MaxHDCalls == 0 || node.SyncStatus != "SYNCED" || !node.BootTime.IsSet() {
		t.Errorf("decoded node = %+v", node)
	}
	var lic pexip.Licensing
	roundTrip(t, status(t, p, "licensing")[0], &lic)
	if lic.PortCount != 1 || lic.PortTotal == 0 {
		t.Errorf("decoded licensing = %+v", lic)
	}
}

func roundTrip(t *testing.T, o Object, v any) {
	t.Helper()
	b, err := json.Marshal(o)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("unmarshal into %T: %v", v, err)
	}
}
