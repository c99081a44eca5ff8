package platform

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// historyNamed returns the history conference of the service named name.
func historyNamed(t *testing.T, p *Platform, name string) Object {
	t.Helper()
	for _, c := range historyOf(t, p, "conference") {
		if c["name"] == name {
			return c
		}
	}
	t.Fatalf("no history conference %q", name)
	return nil
}

// legsOf returns the history participants of a history conference.
func legsOf(t *testing.T, p *Platform, conf Object) []Object {
	t.Helper()
	var out []Object
	for _, pt := range historyOf(t, p, "participant") {
		if pt["conference"] == conf["resource_uri"] {
			out = append(out, pt)
		}
	}
	return out
}

// TestTransferLeavesHistoryLeg: X is transferred from A to B and both end; A's history
// counts X's leg there (disconnect reason Transferred, the leg's duration), and B's history
// holds X's second leg under X's own id.
func TestTransferLeavesHistoryLeg(t *testing.T) {
	p, clk := newTest(t, Options{Seed: 1})
	stay := mustJoin(t, p, JoinSpec{Alias: aliasAlice, DisplayName: "Stays", Role: roleChair})
	x := mustJoin(t, p, JoinSpec{Alias: aliasAlice, DisplayName: "X", Role: roleChair})
	advance(p, clk, 40*time.Second)
	if st, body := command(p, "participant", "transfer", map[string]string{"participant_id": x,
		"conference_alias": aliasBob, "role": roleChair}); st != 202 {
		t.Fatalf("transfer = %d %v", st, body)
	}
	advance(p, clk, 25*time.Second)
	p.Leave(stay)
	advance(p, clk, 5*time.Second)
	p.Leave(x)

	a := historyNamed(t, p, "meet.alice")
	legsA := legsOf(t, p, a)
	if a["participant_count"] != 2 || len(legsA) != 2 || len(a["participants"].([]any)) != 2 {
		t.Fatalf("A: participant_count %v, %d records, participants %v; want X's leg counted",
			a["participant_count"], len(legsA), a["participants"])
	}
	var legX Object
	for _, l := range legsA {
		if l["display_name"] == "X" {
			legX = l
		}
	}
	if legX == nil {
		t.Fatal("no history participant for X in A")
	}
	// Event times carry sub-second jitter: durations are whole seconds, give or take one.
	near := func(d any, want int) bool { n, _ := d.(int); return n >= want-1 && n <= want+1 }
	got := map[string]any{"reason": legX["disconnect_reason"], "duration 40s": near(legX["duration"], 40),
		"own id": legX["id"] != x}
	want := map[string]any{"reason": "Transferred", "duration 40s": true, "own id": true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("X's leg in A (-want +got):\n%s", diff)
	}
	if streams := legX["media_streams"].([]any); len(streams) == 0 || streams[0].(Object)["end_time"] == "" {
		t.Errorf("X's leg in A has streams %v, want ended ones", streams)
	}

	b := historyNamed(t, p, "meet.bob")
	legsB := legsOf(t, p, b)
	if b["participant_count"] != 1 || len(legsB) != 1 {
		t.Fatalf("B: participant_count %v, %d records", b["participant_count"], len(legsB))
	}
	if legsB[0]["id"] != x || !near(legsB[0]["duration"], 30) || legsB[0]["disconnect_reason"] != reasonDisconnected {
		t.Errorf("X's leg in B = id %v duration %v reason %v; want %s, 30, %q",
			legsB[0]["id"], legsB[0]["duration"], legsB[0]["disconnect_reason"], x, reasonDisconnected)
	}
	ids := map[any]bool{}
	for _, pt := range historyOf(t, p, "participant") {
		if ids[pt["id"]] {
			t.Errorf("history participant id %v used twice", pt["id"])
		}
		ids[pt["id"]] = true
	}
}

// TestIsWaiting: is_waiting is true exactly while a participant is held at the waiting
// screen (locked conference, or no host yet), beside is_on_hold true and has_media false.
func TestIsWaiting(t *testing.T) {
	p, _ := newTest(t, Options{Seed: 1})
	host := mustJoin(t, p, JoinSpec{Alias: aliasOpen})
	confID := conferenceNamed(p, "Oslo Project Room")["id"].(string)
	command(p, "conference", "lock", map[string]string{"conference_id": confID})
	locked := mustJoin(t, p, JoinSpec{Alias: aliasOpen})
	guest := mustJoin(t, p, JoinSpec{Alias: aliasBridge, Role: roleGuest})

	type state struct{ Waiting, OnHold, Media any }
	of := func(id string) state {
		o := participantOf(t, p, id)
		return state{o["is_waiting"], o["is_on_hold"], o["has_media"]}
	}
	want := map[string]state{"host": {false, false, true}, "locked": {true, true, false},
		"guest": {true, true, false}}
	got := map[string]state{"host": of(host), "locked": of(locked), "guest": of(guest)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	command(p, "participant", "unlock", map[string]string{"participant_id": locked})
	if diff := cmp.Diff(state{false, false, true}, of(locked)); diff != "" {
		t.Errorf("after unlock (-want +got):\n%s", diff)
	}
}

// TestDialRoutingRule: with routing "routing_rule" a dial needs neither node nor
// system_location; the platform places the call. Manual routing still needs one of them.
func TestDialRoutingRule(t *testing.T) {
	p, clk := newTest(t, Options{Seed: 1})
	st, body := p.Command("participant", "dial", map[string]string{"conference_alias": aliasAlice,
		"destination": "sip:rec@example.com", "routing": "routing_rule"})
	if st != 202 {
		t.Fatalf("dial by routing rule = %d %v", st, body)
	}
	id := body.(Object)["data"].(Object)["participant_id"].(string)
	advance(p, clk, 5*time.Second)
	o := participantOf(t, p, id)
	if o["media_node"] == "" || o["system_location"] == "" || o["call_direction"] != "out" {
		t.Errorf("dialled participant: node %v location %v direction %v", o["media_node"],
			o["system_location"], o["call_direction"])
	}

	st, body = p.Command("participant", "dial", map[string]string{"conference_alias": aliasAlice,
		"destination": "sip:rec@example.com"})
	want := Object{"dial": Object{"__all__": []any{"One of node or system_location must be specified."}}}
	if st != 400 || !cmp.Equal(want, body) {
		t.Errorf("manual dial without a place = %d %v, want 400 %v", st, body, want)
	}
}
