package platform

import (
	"testing"
	"time"

	"pexops/pexip"
)

func TestWindowQuality(t *testing.T) {
	tests := []struct {
		loss, jitter float64
		want         pexip.Quality
	}{
		{0, 0, pexip.QualityGood},
		{0.99, 40, pexip.QualityGood},
		{1, 0, pexip.QualityOK},
		{2.99, 10, pexip.QualityOK},
		{3, 0, pexip.QualityBad},
		{9.99, 0, pexip.QualityBad},
		{10, 0, pexip.QualityTerrible},
		{50, 0, pexip.QualityTerrible},
		{0.5, 40.1, pexip.QualityOK},
		{2, 41, pexip.QualityBad},
		{5, 100, pexip.QualityTerrible},
		{20, 100, pexip.QualityTerrible},
	}
	for _, tt := range tests {
		if got := WindowQuality(tt.loss, tt.jitter); got != tt.want {
			t.Errorf("WindowQuality(%v%%, %vms) = %v, want %v", tt.loss, tt.jitter, got, tt.want)
		}
	}
}

func TestCallQualityWindows(t *testing.T) {
	p, clk := newTest(t, Options{Seed: 1})
	id := mustJoin(t, p, JoinSpec{Alias: aliasAlice, Protocol: "SIP", PacketLoss: 5, Jitter: 10})

	advance(p, clk, 19*time.Second)
	o := participantOf(t, p, id)
	if o["call_quality"] != "unknown" || o["historic_call_quality"] != "[]" {
		t.Errorf("under 20 s: call_quality %v historic %v, want unknown []", o["call_quality"], o["historic_call_quality"])
	}

	advance(p, clk, 41*time.Second) // three windows of 5 % loss
	o = participantOf(t, p, id)
	if o["call_quality"] != "bad" || o["historic_call_quality"] != "[3, 3, 3]" || o["bucketed_call_quality"] != "[0, 0, 0, 3, 0]" {
		t.Errorf("after 60 s at 5%%: %v %v %v, want bad [3, 3, 3] [0, 0, 0, 3, 0]",
			o["call_quality"], o["historic_call_quality"], o["bucketed_call_quality"])
	}

	p.SetQuality(id, 0.2, 60) // good loss but jitter over 40 ms: ok
	advance(p, clk, 40*time.Second)
	o = participantOf(t, p, id)
	if o["historic_call_quality"] != "[3, 3, 3, 2, 2]" || o["call_quality"] != "ok" {
		t.Errorf("after jitter: %v %v, want [3, 3, 3, 2, 2] ok", o["historic_call_quality"], o["call_quality"])
	}

	ms, _ := p.StatusSub("participant", id, "media_stream")
	for _, s := range ms.([]Object) {
		if s["rx_packet_loss"] != 0.2 || s["rx_jitter"] != 60.0 {
			t.Errorf("stream %v: rx loss %v jitter %v, want the forced 0.2 and 60", s["type"], s["rx_packet_loss"], s["rx_jitter"])
		}
	}
	if !p.SetQuality(id, 0, 0) || p.SetQuality("nobody", 0, 0) {
		t.Error("SetQuality reports the wrong participants as known")
	}
}

func TestCallQualityTieIsWorst(t *testing.T) {
	q := quality{windows: []int{4, 4, 1, 3, 1}}
	if got := q.callQuality(protoSIP); got != pexip.QualityGood {
		t.Errorf("[4 4 1 3 1] = %v, want the most common of the last three (good)", got)
	}
	q.windows = []int{4, 1, 2, 3}
	if got := q.callQuality(protoSIP); got != pexip.QualityBad {
		t.Errorf("last three all different = %v, want the worst (bad)", got)
	}
	if got := q.callQuality(protoRTMP); got != pexip.QualityGood {
		t.Errorf("RTMP = %v, want good", got)
	}
}

func TestMediaCountersGrow(t *testing.T) {
	p, clk := newTest(t, Options{Seed: 1})
	id := mustJoin(t, p, JoinSpec{Alias: aliasAlice, Protocol: "WebRTC", PacketLoss: 2})
	advance(p, clk, 30*time.Second)
	first, _ := p.StatusSub("participant", id, "media_stream")
	advance(p, clk, 30*time.Second)
	second, _ := p.StatusSub("participant", id, "media_stream")
	a, b := first.([]Object), second.([]Object)
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("streams: %d then %d", len(a), len(b))
	}
	for i := range a {
		for _, k := range []string{"rx_packets_received", "tx_packets_sent", "rx_packets_lost"} {
			if b[i][k].(int) <= a[i][k].(int) {
				t.Errorf("stream %v %s: %v then %v, want growing", a[i]["type"], k, a[i][k], b[i][k])
			}
		}
		if b[i]["end_time"] != "" {
			t.Errorf("running stream end_time = %q, want \"\"", b[i]["end_time"])
		}
	}
	if a[0]["type"] != "audio" || a[0]["id"] != "0" || a[0]["rx_codec"] != "opus" {
		t.Errorf("first WebRTC stream = %v %v %v, want audio \"0\" opus", a[0]["type"], a[0]["id"], a[0]["rx_codec"])
	}
}
