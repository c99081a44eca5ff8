package platform

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var allStatus = []string{"conference", "participant", "conference_shard", "worker_vm", "system_location",
	"alarm", "registration_alias", "licensing", "backplane", "cloud_node", "cloud_monitored_location",
	"cloud_overflow_location", "management_vm"}

var allHistory = []string{"conference", "participant", "alarm", "workervm_status_event", "backplane"}

// snapshot is everything the platform shows, for comparing two runs.
func snapshot(t *testing.T, p *Platform) map[string][]Object {
	out := map[string][]Object{}
	for _, r := range allStatus {
		out["status/"+r] = status(t, p, r)
	}
	for _, r := range allHistory {
		out["history/"+r] = historyOf(t, p, r)
	}
	for _, pt := range out["status/participant"] {
		ms, _ := p.StatusSub("participant", pt["id"].(string), "media_stream")
		out["media/"+pt["id"].(string)] = ms.([]Object)
	}
	return out
}

// runDemo runs the demo for 25 simulated minutes; poll reads everything after every step,
// as a console would, which must change nothing.
func runDemo(t *testing.T, seed int64, poll bool) map[string][]Object {
	p, clk := newTest(t, Options{Seed: seed, Activity: true})
	for i := range 300 {
		advance(p, clk, time.Second)
		if poll {
			snapshot(t, p)
		}
		if i == 100 {
			p.FailNode("osl-conf-01")
		}
	}
	advance(p, clk, 20*time.Minute) // one large jump
	return snapshot(t, p)
}

func TestDeterminism(t *testing.T) {
	a, b := runDemo(t, 7, false), runDemo(t, 7, true)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("same seed and steps gave different platforms (-unpolled +polled):\n%s", diff)
	}
	if c := runDemo(t, 8, false); cmp.Equal(a["status/participant"], c["status/participant"]) {
		t.Error("a different seed gave the same participants")
	}
}

func TestActivityStaysNearTarget(t *testing.T) {
	p, clk := newTest(t, Options{Seed: 5, Activity: true})
	if n := len(status(t, p, "conference")); n < 6 {
		t.Errorf("demo starts with %d conferences, want about 8", n)
	}
	ended := len(historyOf(t, p, "conference"))
	var confs, parts []int
	for range 12 { // two hours in ten-minute steps
		advance(p, clk, 10*time.Minute)
		confs = append(confs, len(status(t, p, "conference")))
		parts = append(parts, len(status(t, p, "participant")))
	}
	for i := range confs {
		if confs[i] < 2 || confs[i] > 20 || parts[i] < 5 || parts[i] > 120 {
			t.Errorf("after %d min: %d conferences, %d participants; want near 8 and 40", (i+1)*10, confs[i], parts[i])
		}
	}
	if n := len(historyOf(t, p, "conference")) - ended; n < 10 {
		t.Errorf("only %d conferences ended in two hours", n)
	}
}

func TestActivityVariety(t *testing.T) {
	p, clk := newTest(t, Options{Seed: 11, Activity: true})
	seen := map[string]bool{}
	for range 60 {
		advance(p, clk, time.Minute)
		for _, o := range status(t, p, "participant") {
			seen["protocol:"+o["protocol"].(string)] = true
			seen["role:"+o["role"].(string)] = true
			seen["quality:"+o["call_quality"].(string)] = true
			if strings.ContainsAny(o["display_name"].(string), `<>"`) {
				seen["hostile name"] = true
			}
			if o["is_presenting"] == true {
				seen["presenting"] = true
			}
			if o["is_on_hold"] == true {
				seen["on hold or waiting"] = true
			}
		}
	}
	for _, want := range []string{"protocol:WebRTC", "protocol:SIP", "protocol:H323", "protocol:MSSIP",
		"role:chair", "role:guest", "quality:good", "hostile name", "presenting", "on hold or waiting"} {
		if !seen[want] {
			t.Errorf("an hour of activity never showed %s", want)
		}
	}
}

func TestSetActivity(t *testing.T) {
	p, clk := newTest(t, Options{Seed: 1})
	advance(p, clk, 10*time.Minute)
	if n := len(status(t, p, "participant")); n != 0 {
		t.Fatalf("%d participants without activity", n)
	}
	p.SetActivity(true)
	if n := len(status(t, p, "conference")); n == 0 {
		t.Error("turning activity on started nothing")
	}
	p.SetActivity(false)
	before := len(historyOf(t, p, "conference"))
	advance(p, clk, 3*time.Hour)
	if len(status(t, p, "conference")) != 0 || len(historyOf(t, p, "conference")) == before {
		t.Error("planned meetings did not run out after activity was turned off")
	}
}

func TestLargeJumpIsFast(t *testing.T) {
	p, clk := newTest(t, Options{Seed: 2, Activity: true, TargetConferences: 50, TargetParticipants: 500})
	start := time.Now()
	advance(p, clk, 6*time.Hour)
	if len(status(t, p, "conference")) == 0 {
		t.Error("no conferences after a six-hour jump")
	}
	t.Logf("six simulated hours at 50 conferences took %v", time.Since(start))
}

func TestClockBackwardsIsIgnored(t *testing.T) {
	p, clk := newTest(t, Options{Seed: 1})
	id := mustJoin(t, p, JoinSpec{Alias: aliasAlice})
	advance(p, clk, time.Minute)
	clk.Set(t0)
	p.Step()
	if got := participantOf(t, p, id)["historic_call_quality"]; got != "[1, 1, 1]" {
		t.Errorf("historic after the clock went back = %v, want the 3 windows kept", got)
	}
}

func TestConcurrentUse(t *testing.T) {
	p, clk := newTest(t, Options{Seed: 4, Activity: true})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				for _, o := range status(t, p, "participant") {
					p.StatusSub("participant", o["id"].(string), "media_stream")
					p.Command("participant", "mute", map[string]string{"participant_id": o["id"].(string)})
				}
				p.History("participant")
			}
		})
	}
	for range 200 {
		advance(p, clk, 5*time.Second)
	}
	wg.Wait()
}
