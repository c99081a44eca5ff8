package platform

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDialRingsThenAppears(t *testing.T) {
	p, clk := newTest(t, Options{Seed: 1})
	st, body := p.Command("participant", "dial", map[string]string{
		"conference_alias": aliasAlice, "destination": "alice@endpoint.example.com",
		"remote_display_name": "Alice Parkes", "protocol": "h323", "system_location": "London",
		"role": "chair",
	})
	if st != 202 {
		t.Fatalf("dial = %d %v, want 202", st, body)
	}
	data := body.(Object)["data"].(Object)
	id := data["participant_id"].(string)
	if diff := cmp.Diff([]any{id}, data["participant_ids"]); diff != "" {
		t.Errorf("participant_ids (-want +got):\n%s", diff)
	}
	if body.(Object)["status"] != "success" {
		t.Errorf("dial status = %v", body.(Object)["status"])
	}
	if _, ok := p.StatusDetail("participant", id); ok {
		t.Error("dialled participant listed before it rang")
	}

	advance(p, clk, time.Second)
	if _, ok := p.StatusDetail("participant", id); ok {
		t.Error("dialled participant listed after one second of ringing")
	}
	advance(p, clk, 4*time.Second)
	o := participantOf(t, p, id)
	got := map[string]any{
		"call_direction": o["call_direction"], "display_name": o["display_name"],
		"protocol": o["protocol"], "role": o["role"], "system_location": o["system_location"],
		"conference": o["conference"], "destination_alias": o["destination_alias"],
		"source_alias": o["source_alias"],
	}
	want := map[string]any{
		"call_direction": "out", "display_name": "Alice Parkes", "protocol": "H323",
		"role": "chair", "system_location": "London", "conference": "meet.alice",
		"destination_alias": "alice@endpoint.example.com", "source_alias": aliasAlice,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dialled participant (-want +got):\n%s", diff)
	}
}

func TestDialNodeWins(t *testing.T) {
	p, clk := newTest(t, Options{Seed: 1})
	_, body := p.Command("participant", "dial", map[string]string{
		"conference_alias": aliasBob, "destination": "bob", "node": "10.44.3.12",
		"system_location": "London",
	})
	id := body.(Object)["data"].(Object)["participant_id"].(string)
	advance(p, clk, 5*time.Second)
	o := participantOf(t, p, id)
	if o["media_node"] != "10.44.3.12" || o["system_location"] != "New York" {
		t.Errorf("media_node %v location %v, want the given node 10.44.3.12 in New York", o["media_node"], o["system_location"])
	}
	if o["role"] != "guest" || o["protocol"] != "SIP" {
		t.Errorf("defaults: role %v protocol %v, want guest SIP", o["role"], o["protocol"])
	}
}

func TestDialValidation(t *testing.T) {
	base := map[string]string{"conference_alias": aliasAlice, "destination": "x@example.com", "system_location": "Oslo"}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range base {
			m[a] = b
		}
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	errBody := func(field, msg string) any { return Object{"dial": Object{field: []any{msg}}} }
	tests := []struct {
		name   string
		fields map[string]string
		want   any
	}{
		{"no alias", with("conference_alias", ""), errBody("conference_alias", "This field is required.")},
		{"no destination", with("destination", ""), errBody("destination", "This field is required.")},
		{"unknown alias", with("conference_alias", "nobody@example.com"), errBody("conference_alias", "Failed to find conference alias.")},
		{"no node nor location", with("system_location", ""), errBody("__all__", "One of node or system_location must be specified.")},
		{"node is a name", with("node", "lon-conf-01"), errBody("node", "Enter the IPv4 address of a Conferencing Node.")},
		{"node not ours", with("node", "192.0.2.1"), errBody("node", "Enter the IPv4 address of a Conferencing Node.")},
		{"node is the proxy", with("node", "10.44.1.200"), errBody("node", "Enter the IPv4 address of a Conferencing Node.")},
		{"unknown location", with("system_location", "Paris"), errBody("system_location", "Failed to find system location.")},
		{"bad protocol", with("protocol", "skype"), errBody("protocol", "Select a valid choice. skype is not one of the available choices.")},
		{"bad role", with("role", "host"), errBody("role", "Select a valid choice. host is not one of the available choices.")},
		{"bad call type", with("call_type", "hd"), errBody("call_type", "Select a valid choice. hd is not one of the available choices.")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, clk := newTest(t, Options{Seed: 1})
			st, got := p.Command("participant", "dial", tt.fields)
			if st != 400 {
				t.Errorf("status = %d, want 400", st)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
			advance(p, clk, 10*time.Second)
			if n := len(status(t, p, "participant")); n != 0 {
				t.Errorf("a refused dial still produced %d participants", n)
			}
		})
	}
}

func TestDialAcceptsUpperCaseProtocol(t *testing.T) {
	p, clk := newTest(t, Options{Seed: 1})
	st, body := p.Command("participant", "dial", map[string]string{
		"conference_alias": aliasAlice, "destination": "rtmp://stream.example.com/live/x",
		"protocol": "RTMP", "system_location": "London", "streaming": "True",
	})
	if st != 202 {
		t.Fatalf("dial RTMP = %d %v", st, body)
	}
	advance(p, clk, 5*time.Second)
	id := body.(Object)["data"].(Object)["participant_id"].(string)
	if o := participantOf(t, p, id); o["protocol"] != "RTMP" || o["is_streaming"] != true {
		t.Errorf("protocol %v streaming %v, want RTMP true", o["protocol"], o["is_streaming"])
	}
}

func TestStartCloudnode(t *testing.T) {
	p, clk := newTest(t, Options{Seed: 1})
	clouds := status(t, p, "cloud_node")
	if len(clouds) != 2 || clouds[0]["cloud_instance_state"] != "stopped" || clouds[0]["media_load"] != 100 {
		t.Fatalf("cloud nodes = %v, want two stopped with media_load 100", clouds)
	}
	id := clouds[0]["cloud_instance_id"].(string)
	nodesBefore := len(status(t, p, "worker_vm"))

	st, body := p.Command("platform", "start_cloudnode", map[string]string{"instance_id": id})
	if st != 202 || !cmp.Equal(Object{"status": "success"}, body) {
		t.Errorf("start = %d %v, want 202 {status: success}", st, body)
	}
	st, body = p.Command("platform", "start_cloudnode", map[string]string{"instance_id": id})
	want := Object{"status": "failed", "error": "Unable to start a cloud node which isn't in 'STOPPED' state"}
	if st != 200 || !cmp.Equal(want, body) {
		t.Errorf("second start = %d %v, want 200 %v", st, body, want)
	}

	advance(p, clk, 2*time.Minute)
	got, _ := p.StatusDetail("cloud_node", id)
	if got["cloud_instance_state"] != "running" || got["media_load"] != 0 || got["max_hd_calls"] == 0 {
		t.Errorf("after start-up: %v", got)
	}
	if n := len(status(t, p, "worker_vm")); n != nodesBefore+1 {
		t.Errorf("worker_vm has %d nodes, want %d (the running overflow node added)", n, nodesBefore+1)
	}
}
