package pexip_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"pexops/pexip"
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestTimeFormats(t *testing.T) {
	tests := []struct {
		name string
		json string
		want time.Time // zero for unset
	}{
		{"no fraction", `"2015-04-02T09:46:11"`, utc("2015-04-02T09:46:11Z")},
		{"microseconds", `"2015-04-02T09:46:11.116767"`, utc("2015-04-02T09:46:11.116767Z")},
		{"microseconds and Z", `"2015-04-02T09:46:11.116767Z"`, utc("2015-04-02T09:46:11.116767Z")},
		{"offset", `"2015-04-02T11:46:11+02:00"`, utc("2015-04-02T09:46:11Z")},
		{"space separator", `"2015-04-02 09:46:11"`, utc("2015-04-02T09:46:11Z")},
		{"date only", `"2015-04-02"`, utc("2015-04-02T00:00:00Z")},
		{"empty string", `""`, time.Time{}},
		{"null", `null`, time.Time{}},
		{"None", `"None"`, time.Time{}},
		{"garbage", `"yesterday"`, time.Time{}},
		{"unix seconds", `1428054371`, utc("2015-04-03T09:46:11Z")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s pexip.MediaStream
			if err := json.Unmarshal([]byte(`{"id": "0", "end_time": `+tt.json+`}`), &s); err != nil {
				t.Fatalf("one odd time failed the object: %v", err)
			}
			if !s.EndTime.Equal(tt.want) || s.EndTime.IsSet() != !tt.want.IsZero() {
				t.Errorf("end_time = %v (set %v), want %v", s.EndTime.Time, s.EndTime.IsSet(), tt.want)
			}
			if s.EndTime.IsSet() && s.EndTime.Location() != time.UTC {
				t.Errorf("location = %v, want UTC", s.EndTime.Location())
			}
		})
	}
}

func TestTimeWire(t *testing.T) {
	tests := []struct {
		in   time.Time
		want string
	}{
		{utc("2015-04-02T09:46:11Z"), "2015-04-02T09:46:11"},
		{utc("2015-04-02T09:46:11.116767Z"), "2015-04-02T09:46:11.116767"},
		{utc("2015-04-02T09:46:11.1167679Z"), "2015-04-02T09:46:11.116767"},
		{time.Time{}, ""},
	}
	for _, tt := range tests {
		if got := pexip.NewTime(tt.in).Wire(); got != tt.want {
			t.Errorf("Wire(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCallQualityAndLists(t *testing.T) {
	tests := []struct {
		name        string
		json        string
		wantQuality pexip.Quality
		wantBuckets pexip.IntList
	}{
		{"v18 form", `{"call_quality": "good", "bucketed_call_quality": "[0, 7, 3, 1, 2]"}`, pexip.QualityGood, pexip.IntList{0, 7, 3, 1, 2}},
		{"current form", `{"call_quality": "3_bad", "bucketed_call_quality": [0, 1, 0, 0, 0]}`, pexip.QualityBad, pexip.IntList{0, 1, 0, 0, 0}},
		{"unknown", `{"call_quality": "0_unknown", "bucketed_call_quality": "[]"}`, pexip.QualityUnknown, pexip.IntList{}},
		{"terrible", `{"call_quality": "4_terrible"}`, pexip.QualityTerrible, nil},
		{"number", `{"call_quality": 2, "bucketed_call_quality": ""}`, pexip.QualityOK, nil},
		{"odd values", `{"call_quality": "splendid", "bucketed_call_quality": "[a, b]"}`, pexip.QualityUnknown, nil},
		{"null", `{"call_quality": null, "bucketed_call_quality": null}`, pexip.QualityUnknown, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p pexip.Participant
			if err := json.Unmarshal([]byte(tt.json), &p); err != nil {
				t.Fatal(err)
			}
			if p.CallQuality != tt.wantQuality {
				t.Errorf("call_quality = %v, want %v", p.CallQuality, tt.wantQuality)
			}
			if diff := cmp.Diff(tt.wantBuckets, p.BucketedCallQuality); diff != "" {
				t.Errorf("bucketed_call_quality (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRelatedForms(t *testing.T) {
	tests := []struct {
		name     string
		json     string
		want     pexip.Related
		wantWire string
	}{
		{"URI", `"/api/admin/configuration/v1/ivr_theme/13/"`,
			pexip.Related{URI: "/api/admin/configuration/v1/ivr_theme/13/", ID: 13}, `"/api/admin/configuration/v1/ivr_theme/13/"`},
		{"nested object", `{"id": 13, "name": "Blue", "resource_uri": "/api/admin/configuration/v1/ivr_theme/13/"}`,
			pexip.Related{URI: "/api/admin/configuration/v1/ivr_theme/13/", ID: 13, Name: "Blue"}, `"/api/admin/configuration/v1/ivr_theme/13/"`},
		{"null", `null`, pexip.Related{}, `null`},
		{"None", `"None"`, pexip.Related{}, `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s pexip.Service
			if err := json.Unmarshal([]byte(`{"ivr_theme": `+tt.json+`}`), &s); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, s.IVRTheme); diff != "" {
				t.Errorf("ivr_theme (-want +got):\n%s", diff)
			}
			wire, _ := json.Marshal(s.IVRTheme)
			if string(wire) != tt.wantWire {
				t.Errorf("written as %s, want %s", wire, tt.wantWire)
			}
		})
	}
}

func TestServiceWithNestedObjects(t *testing.T) {
	body := `{"id": 1, "name": "VMR_1", "service_type": "conference", "allow_guests": true, "pin": "1234",
		"aliases": [{"alias": "meet", "conference": "/api/admin/configuration/v1/conference/1/", "creation_time": "2015-04-02T09:46:11.116767", "description": "", "id": 1}],
		"automatic_participants": [], "guest_view": null, "participant_limit": null, "ivr_theme": null,
		"creation_time": "2015-04-02T09:46:11", "resource_uri": "/api/admin/configuration/v1/conference/1/"}`
	var s pexip.Service
	if err := json.Unmarshal([]byte(body), &s); err != nil {
		t.Fatal(err)
	}
	if s.ID != 1 || len(s.Aliases) != 1 || s.Aliases[0].Alias != "meet" || s.Aliases[0].ResourceURI != "" ||
		s.ParticipantLimit != nil || s.GuestView != nil || !s.AllowGuests || !s.CreationTime.IsSet() {
		t.Errorf("service = %+v", s)
	}
}

func TestNewModels(t *testing.T) {
	tests := []struct {
		name string
		json string
		into any
		want any
	}{
		{
			name: "history alarm",
			json: `{"id": 4, "identifier": 12, "level": "error", "name": "Call capacity reached", "details": "", "instance": "",
				"node": "10.0.0.1", "time_raised": "2015-04-02T09:46:11", "time_lowered": "2015-04-02T10:00:00.5",
				"resource_uri": "/api/admin/history/v1/alarm/4/"}`,
			into: &pexip.AlarmRecord{},
			want: &pexip.AlarmRecord{ID: 4, ResourceURI: "/api/admin/history/v1/alarm/4/", Identifier: 12, Level: "error",
				Name: "Call capacity reached", Node: "10.0.0.1",
				TimeRaised: pexip.NewTime(utc("2015-04-02T09:46:11Z")), TimeLowered: pexip.NewTime(utc("2015-04-02T10:00:00.5Z"))},
		},
		{
			name: "conference shard",
			json: `{"id": "00000000-0000-0000-0000-000000000001", "conference": "VMR_1", "node": "10.0.0.2", "system_location": "London",
				"service_type": "conference", "tag": "", "start_time": "", "is_started": true, "is_locked": false, "is_direct": false,
				"guests_muted": true, "transcoding_enabled": true, "resource_uri": "/api/admin/status/v1/conference_shard/00000000-0000-0000-0000-000000000001/"}`,
			into: &pexip.Shard{},
			want: &pexip.Shard{ID: "00000000-0000-0000-0000-000000000001",
				ResourceURI: "/api/admin/status/v1/conference_shard/00000000-0000-0000-0000-000000000001/",
				Conference:  "VMR_1", Node: "10.0.0.2", SystemLocation: "London", ServiceType: "conference",
				IsStarted: true, GuestsMuted: true, TranscodingEnabled: true},
		},
		{
			name: "cloud node",
			json: `{"cloud_instance_id": "i-edblae65", "cloud_instance_ip": "172.30.1.10", "cloud_instance_launch_time": "2016-06-27T23:44:41",
				"cloud_instance_name": "pexipnode-1", "cloud_instance_state": "stopped", "max_hd_calls": "0", "media_load": 100,
				"workervm_configuration_id": 5, "workervm_configuration_location_name": "AWS", "workervm_configuration_name": "pexipnode-1",
				"resource_uri": "/api/admin/status/v1/cloud_node/i-edblae65/"}`,
			into: &pexip.CloudNode{},
			want: &pexip.CloudNode{ResourceURI: "/api/admin/status/v1/cloud_node/i-edblae65/", InstanceID: "i-edblae65",
				InstanceIP: "172.30.1.10", InstanceLaunchTime: pexip.NewTime(utc("2016-06-27T23:44:41Z")), InstanceName: "pexipnode-1",
				InstanceState: "stopped", MediaLoad: 100, NodeConfigurationID: 5, NodeConfigurationName: "pexipnode-1",
				NodeConfigLocationName: "AWS"},
		},
		{
			name: "system location config",
			json: `{"id": 1, "name": "London", "description": "", "mtu": 1500, "media_qos": null, "signalling_qos": 0,
				"dns_servers": [{"id": 2, "address": "8.8.8.8", "resource_uri": "/api/admin/configuration/v1/dns_server/2/"}],
				"client_turn_servers": ["/api/admin/configuration/v1/turn_server/3/"], "sip_proxy": null,
				"overflow_location1": "/api/admin/configuration/v1/system_location/2/", "use_relay_candidates_only": false,
				"bdpm_pin_checks_enabled": "GLOBAL", "resource_uri": "/api/admin/configuration/v1/system_location/1/"}`,
			into: &pexip.LocationConfig{},
			want: &pexip.LocationConfig{ID: 1, ResourceURI: "/api/admin/configuration/v1/system_location/1/", Name: "London",
				MTU: 1500, SignallingQoS: new(pexip.Int),
				DNSServers:           []pexip.Related{{URI: "/api/admin/configuration/v1/dns_server/2/", ID: 2}},
				ClientTURNServers:    []pexip.Related{{URI: "/api/admin/configuration/v1/turn_server/3/", ID: 3}},
				OverflowLocation1:    pexip.Related{URI: "/api/admin/configuration/v1/system_location/2/", ID: 2},
				BDPMPinChecksEnabled: "GLOBAL"},
		},
		{
			name: "IVR theme",
			json: `{"id": 13, "name": "Blue", "uuid": "abc", "conference": ["/api/admin/configuration/v1/conference/1/"],
				"gateway_routing_rule": [], "custom_layouts": "", "pinning_configs": "a,b", "last_updated": "2022-04-01T15:58:06.714308",
				"resource_uri": "/api/admin/configuration/v1/ivr_theme/13/"}`,
			into: &pexip.IVRTheme{},
			want: &pexip.IVRTheme{ID: 13, ResourceURI: "/api/admin/configuration/v1/ivr_theme/13/", Name: "Blue", UUID: "abc",
				Conference:         []pexip.Related{{URI: "/api/admin/configuration/v1/conference/1/", ID: 1}},
				GatewayRoutingRule: []pexip.Related{}, PinningConfigs: "a,b",
				LastUpdated: pexip.NewTime(utc("2022-04-01T15:58:06.714308Z"))},
		},
		{
			name: "history participant with proxy_node None and nested streams",
			json: `{"id": "p1", "conference": "/api/admin/history/v1/conference/c1/", "proxy_node": "None", "call_quality": "good",
				"bucketed_call_quality": "[0, 1, 0, 0, 0]", "start_time": "2015-04-02T09:46:11", "end_time": "2015-04-02T09:50:11.5",
				"media_streams": [{"id": 36, "stream_id": "0", "stream_type": "audio", "rx_packet_loss": 0.01, "end_time": "2015-04-02T09:50:11"}]}`,
			into: &pexip.ParticipantRecord{},
			want: &pexip.ParticipantRecord{ID: "p1", Conference: "/api/admin/history/v1/conference/c1/", ProxyNode: "None",
				CallQuality: pexip.QualityGood, BucketedCallQuality: pexip.IntList{0, 1, 0, 0, 0},
				StartTime: pexip.NewTime(utc("2015-04-02T09:46:11Z")), EndTime: pexip.NewTime(utc("2015-04-02T09:50:11.5Z")),
				MediaStreams: []pexip.MediaStreamRecord{{ID: 36, StreamID: "0", StreamType: "audio", RxPacketLoss: 0.01,
					EndTime: pexip.NewTime(utc("2015-04-02T09:50:11Z"))}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := json.Unmarshal([]byte(tt.json), tt.into); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, tt.into); diff != "" {
				t.Errorf("decoded (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIntListForms(t *testing.T) {
	tests := []struct {
		json string
		want pexip.IntList
	}{
		{`"[0, 7, 3, 1, 2]"`, pexip.IntList{0, 7, 3, 1, 2}},
		{`[0,7,3]`, pexip.IntList{0, 7, 3}},
		{`" [ -1 , 2 ] "`, pexip.IntList{-1, 2}},
		{`"[]"`, pexip.IntList{}},
		{`"\u005b4, 5]"`, pexip.IntList{4, 5}},
		{`"[1.5]"`, nil},
		{`"[1,,2]"`, nil},
		{`"None"`, nil},
		{`""`, nil},
		{`null`, nil},
		{`{"a": 1}`, nil},
	}
	for _, tt := range tests {
		var got pexip.IntList
		if err := json.Unmarshal([]byte(tt.json), &got); err != nil {
			t.Errorf("%s: %v", tt.json, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.json, diff)
		}
	}
}

func TestEscapedStrings(t *testing.T) {
	var p pexip.Participant
	body := `{"connect_time": "2015-04-02T09:46:11\u002e5", "call_quality": "\u0032_ok", "display_name": "<img src=x onerror=alert(1)>"}`
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatal(err)
	}
	if !p.ConnectTime.Equal(utc("2015-04-02T09:46:11.5Z")) || p.CallQuality != pexip.QualityOK {
		t.Errorf("connect_time %v, quality %v", p.ConnectTime.Time, p.CallQuality)
	}
	if p.DisplayName != "<img src=x onerror=alert(1)>" {
		t.Errorf("display name changed in decoding: %q", p.DisplayName)
	}
}
