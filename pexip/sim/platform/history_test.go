package platform

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestHistoryCapEvictsOldestWithParticipants(t *testing.T) {
	p, clk := newTest(t, Options{Seed: 1, HistoryCap: 3})
	aliases := []string{"meet.alice", "meet.bob", "meet.carol", "meet.dave", "meet.erik"}
	var partIDs [][]string
	for _, a := range aliases {
		x := mustJoin(t, p, JoinSpec{Alias: a})
		y := mustJoin(t, p, JoinSpec{Alias: a})
		advance(p, clk, time.Minute)
		p.Leave(x)
		p.Leave(y)
		partIDs = append(partIDs, []string{x, y})
	}

	var names []string
	for _, c := range historyOf(t, p, "conference") {
		names = append(names, c["name"].(string))
	}
	if diff := cmp.Diff(aliases[2:], names); diff != "" {
		t.Errorf("history conferences (-want +got):\n%s", diff)
	}
	var got []string
	for _, hp := range historyOf(t, p, "participant") {
		got = append(got, hp["id"].(string))
	}
	var want []string
	for _, ids := range partIDs[2:] {
		want = append(want, ids...)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("history participants (-want +got):\n%s", diff)
	}
	if _, ok := p.HistorySub("participant", partIDs[0][0], "media_stream"); ok {
		t.Error("media streams of an evicted participant still served")
	}
	if _, ok := p.HistorySub("participant", partIDs[4][0], "media_stream"); !ok {
		t.Error("media streams of a kept participant not served")
	}
}

func TestDeleteHistory(t *testing.T) {
	p, _ := newTest(t, Options{Seed: 1})
	a := mustJoin(t, p, JoinSpec{Alias: aliasAlice})
	p.Leave(a)
	b := mustJoin(t, p, JoinSpec{Alias: aliasBob})
	p.Leave(b)
	hc := historyOf(t, p, "conference")
	if !p.DeleteHistory("conference", hc[0]["id"].(string)) {
		t.Fatal("DeleteHistory of a known conference reported false")
	}
	if p.DeleteHistory("conference", hc[0]["id"].(string)) {
		t.Error("second DeleteHistory reported true")
	}
	left := historyOf(t, p, "participant")
	if len(historyOf(t, p, "conference")) != 1 || len(left) != 1 || left[0]["id"] != b {
		t.Errorf("after delete: participants %v, want only %s", left, b)
	}
}

func TestHistoryMediaStreams(t *testing.T) {
	p, clk := newTest(t, Options{Seed: 1})
	id := mustJoin(t, p, JoinSpec{Alias: aliasAlice, Protocol: "SIP"})
	advance(p, clk, 2*time.Minute)
	p.Leave(id)
	streams, ok := p.HistorySub("participant", id, "media_stream")
	if !ok || len(streams) == 0 {
		t.Fatalf("history media streams = %v, %v", streams, ok)
	}
	hp := historyOf(t, p, "participant")[0]
	nested := hp["media_streams"].([]any)
	if len(nested) != len(streams) {
		t.Errorf("nested %d streams, sub-resource %d", len(nested), len(streams))
	}
	for i, s := range streams {
		if _, isInt := s["id"].(int); !isInt {
			t.Errorf("history stream id %T, want an integer", s["id"])
		}
		if s["stream_id"] != fmt.Sprint(i) || s["participant"] != hp["resource_uri"] {
			t.Errorf("stream %d: stream_id %v participant %v", i, s["stream_id"], s["participant"])
		}
		if s["end_time"] == "" || s["rx_packets_received"].(int) == 0 {
			t.Errorf("ended stream %d: end_time %q received %v", i, s["end_time"], s["rx_packets_received"])
		}
		if _, has := s["rx_jitter"]; has {
			t.Error("history stream carries jitter; the guide's has none")
		}
	}
}

func TestActivityPrefillsHistory(t *testing.T) {
	p, _ := newTest(t, Options{Seed: 3, Activity: true})
	hc := historyOf(t, p, "conference")
	if len(hc) < 24 {
		t.Fatalf("prefilled history has %d conferences, want a few dozen", len(hc))
	}
	oldest := hc[0]["start_time"].(string)
	if oldest > t0.Add(-20*time.Hour).Format("2006-01-02T15:04:05") {
		t.Errorf("oldest prefilled conference starts %s, want about a day back", oldest)
	}
	for _, c := range hc {
		if c["end_time"].(string) > t0.Format("2006-01-02T15:04:05") {
			t.Errorf("prefilled conference ends in the future: %v", c["end_time"])
		}
	}
}
