package platform

import (
	"testing"
	"time"
)

func nodeByAddress(t *testing.T, p *Platform, addr string) Object {
	t.Helper()
	for _, n := range status(t, p, "worker_vm") {
		if n["name"] != nil && n["resource_uri"] != nil && n["media_load"] != nil && addrOf(p, n) == addr {
			return n
		}
	}
	t.Fatalf("no node with address %s", addr)
	return nil
}

func addrOf(p *Platform, n Object) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.nodeByName[n["name"].(string)].seed.Address
}

func TestFailNodeDropsCallsAndRaisesAlarm(t *testing.T) {
	p, clk := newTest(t, Options{Seed: 1})
	a := mustJoin(t, p, JoinSpec{Alias: aliasAlice, Location: "Oslo"})
	addr := participantOf(t, p, a)["media_node"].(string)
	other := mustJoin(t, p, JoinSpec{Alias: aliasBob, Location: "New York"})
	name := nodeByAddress(t, p, addr)["name"].(string)

	advance(p, clk, time.Minute)
	if !p.FailNode(name) {
		t.Fatalf("FailNode(%s) = false", name)
	}
	if p.FailNode(name) {
		t.Error("failing a failed node reported true")
	}
	if _, ok := p.StatusDetail("participant", a); ok {
		t.Error("a call on the failed node is still listed")
	}
	participantOf(t, p, other) // a call elsewhere stays
	hp := historyOf(t, p, "participant")
	if len(hp) != 1 || hp[0]["disconnect_reason"] != reasonNodeFailed {
		t.Errorf("history = %v, want the dropped call with reason %q", hp, reasonNodeFailed)
	}
	alarms := status(t, p, "alarm")
	if len(alarms) != 1 || alarms[0]["name"] != alarmNodeDown || alarms[0]["node"] != addr || alarms[0]["instance"] != name {
		t.Errorf("alarms = %v, want one %q for %s", alarms, alarmNodeDown, addr)
	}
	if n := nodeByAddress(t, p, addr); n["sync_status"] == "SYNCED" || n["media_load"] != 0 {
		t.Errorf("failed node reports sync %v load %v", n["sync_status"], n["media_load"])
	}
	if id, err := p.Join(JoinSpec{Alias: aliasAlice, Location: "Oslo"}); err != nil || participantOf(t, p, id)["media_node"] == addr {
		t.Errorf("a new call went to the failed node (err %v)", err)
	}

	advance(p, clk, time.Minute)
	if !p.RecoverNode(name) {
		t.Fatal("RecoverNode = false")
	}
	if n := len(status(t, p, "alarm")); n != 0 {
		t.Errorf("%d alarms after recovery, want 0", n)
	}
	ha := historyOf(t, p, "alarm")
	if len(ha) != 1 || ha[0]["time_lowered"] == "" || ha[0]["name"] != alarmNodeDown {
		t.Errorf("alarm history = %v, want the lowered alarm", ha)
	}
	events := historyOf(t, p, "workervm_status_event")
	if len(events) != 2 || events[0]["workervm_configuration_name"] != name || events[1]["state"] != "ok" {
		t.Errorf("status events = %v, want failure then recovery of %s", events, name)
	}
	if n := nodeByAddress(t, p, addr); n["boot_time"] != wireTime(clk.Now()) {
		t.Errorf("boot_time after recovery = %v, want now", n["boot_time"])
	}
}

func TestLoadFollowsCallsAndAlarms(t *testing.T) {
	p, _ := newTest(t, Options{Seed: 1})
	_, body := p.Command("participant", "dial", map[string]string{
		"conference_alias": aliasAlice, "destination": "x", "node": "10.44.2.11"})
	if body.(Object)["status"] != "success" {
		t.Fatal(body)
	}
	before := nodeByAddress(t, p, "10.44.2.11")
	if before["media_tokens_used"] != 0 || before["signaling_count"] != 0 {
		t.Fatalf("idle node = %v", before)
	}
	var ids []string
	for range 150 { // more calls than the Oslo nodes hold: the rest spill over
		ids = append(ids, mustJoin(t, p, JoinSpec{Alias: aliasBob, Location: "Oslo", Protocol: "WebRTC"}))
	}
	var loaded bool
	for _, a := range status(t, p, "alarm") {
		loaded = loaded || a["name"] == alarmLoad
	}
	if !loaded {
		t.Errorf("no %q alarm with 150 calls in Oslo: %v", alarmLoad, status(t, p, "alarm"))
	}
	lic := status(t, p, "licensing")[0]
	if lic["port_count"].(int)+lic["audio_count"].(int) != 150 {
		t.Errorf("licences in use = %v + %v, want 150", lic["port_count"], lic["audio_count"])
	}
	for _, id := range ids {
		p.Leave(id)
	}
	for _, n := range status(t, p, "worker_vm") {
		if n["media_tokens_used"] != 0 || n["signaling_count"] != 0 {
			t.Errorf("node %v after all calls left: tokens %v signalling %v", n["name"], n["media_tokens_used"], n["signaling_count"])
		}
	}
	if n := len(status(t, p, "alarm")); n != 0 {
		t.Errorf("%d alarms once the load is gone", n)
	}
	if lic := status(t, p, "licensing")[0]; lic["port_count"] != 0 {
		t.Errorf("port_count %v with no calls", lic["port_count"])
	}
}

func TestBackplanesAndShards(t *testing.T) {
	p, _ := newTest(t, Options{Seed: 1})
	a := mustJoin(t, p, JoinSpec{Alias: aliasAlice, Location: "London"})
	if n := len(status(t, p, "backplane")); n != 0 {
		t.Errorf("%d backplanes with one site", n)
	}
	b := mustJoin(t, p, JoinSpec{Alias: aliasAlice, Location: "New York"})
	bps := status(t, p, "backplane")
	if len(bps) != 1 || bps[0]["conference"] != "meet.alice" {
		t.Fatalf("backplanes = %v, want one for meet.alice", bps)
	}
	if ms, ok := p.StatusSub("backplane", bps[0]["id"].(string), "media_stream"); !ok || len(ms.([]Object)) == 0 {
		t.Errorf("backplane media streams = %v %v", ms, ok)
	}
	shards := 0
	for _, s := range status(t, p, "conference_shard") {
		if s["conference"] == "meet.alice" {
			shards++
		}
	}
	if shards != 2 {
		t.Errorf("%d shards for a two-site conference, want 2", shards)
	}
	p.Leave(b)
	if n := len(status(t, p, "backplane")); n != 0 {
		t.Errorf("%d backplanes once the remote site left", n)
	}
	if hb := historyOf(t, p, "backplane"); len(hb) != 1 || hb[0]["end_time"] == "" {
		t.Errorf("backplane history = %v", hb)
	}
	p.Leave(a)
}

func TestRegistrations(t *testing.T) {
	p, _ := newTest(t, Options{Seed: 1})
	regs := status(t, p, "registration_alias")
	if len(regs) < 10 || len(regs) > 14 {
		t.Errorf("%d registrations, want about a dozen", len(regs))
	}
}

func TestDynamicBursting(t *testing.T) {
	p, clk := newTest(t, Options{Seed: 1})
	var ids []string
	for len(ids) < 400 { // far beyond London's capacity
		id, err := p.Join(JoinSpec{Alias: aliasBob, Location: "London", Protocol: "SIP"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	state := func() string {
		c := status(t, p, "cloud_node")
		return c[0]["cloud_instance_state"].(string) + "/" + c[1]["cloud_instance_state"].(string)
	}
	if got := state(); got != "starting/stopped" {
		t.Fatalf("overflow nodes with London overloaded = %s, want one starting", got)
	}
	advance(p, clk, 2*time.Minute)
	if got := state(); got != "running/stopped" {
		t.Fatalf("after start-up = %s, want one running", got)
	}
	over := mustJoin(t, p, JoinSpec{Alias: aliasBob, Location: "London"})
	if loc := participantOf(t, p, over)["system_location"]; loc != "AWS Overflow" {
		t.Errorf("a London call with London full went to %v, want the overflow location", loc)
	}
	for _, id := range append(ids, over) {
		p.Leave(id)
	}
	advance(p, clk, 31*time.Minute)
	if got := state(); got != "stopped/stopped" {
		t.Errorf("after half an hour idle = %s, want both stopped", got)
	}
}
