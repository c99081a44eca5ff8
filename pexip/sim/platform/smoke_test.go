package platform

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

func TestSmokeDemo(t *testing.T) {
	seed := DemoSeed(1, 30)
	clk := NewManualClock(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC))
	p := New(Options{Seed: 1, Clock: clk, Activity: true}, StaticDirectory(SeedServices(seed)), seed.Locations, seed.Nodes)
	for i := 0; i < 120; i++ {
		clk.Advance(time.Second)
		p.Step()
	}
	for _, r := range []string{"conference", "participant", "worker_vm", "system_location", "alarm", "licensing", "backplane", "cloud_node", "conference_shard", "registration_alias", "cloud_monitored_location", "cloud_overflow_location"} {
		l, _ := p.Status(r)
		b, _ := json.MarshalIndent(l[:min(2, len(l))], "", " ")
		fmt.Printf("== %s (%d)\n%s\n", r, len(l), b)
	}
	h, _ := p.History("conference")
	hp, _ := p.History("participant")
	b, _ := json.MarshalIndent(h[len(h)-1], "", " ")
	fmt.Printf("== history conf %d parts %d\n%s\n", len(h), len(hp), b)
	b, _ = json.MarshalIndent(hp[len(hp)-1], "", " ")
	fmt.Println(string(b))
	parts, _ := p.Status("participant")
	ms, _ := p.StatusSub("participant", parts[0]["id"].(string), "media_stream")
	b, _ = json.MarshalIndent(ms, "", " ")
	fmt.Println(string(b))
}
