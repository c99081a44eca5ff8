package platform

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestLifecycle(t *testing.T) {
	p, clk := newTest(t, Options{Seed: 1})

	guest := mustJoin(t, p, JoinSpec{Alias: aliasBridge, Role: roleGuest, DisplayName: "Early guest"})
	conf := conferenceNamed(p, "Support Bridge")
	if conf == nil {
		t.Fatal("first join did not create the conference")
	}
	if conf["is_started"] != false {
		t.Errorf("is_started = %v before any host, want false", conf["is_started"])
	}
	g := participantOf(t, p, guest)
	if g["is_on_hold"] != true || g["has_media"] != false {
		t.Errorf("guest before host: is_on_hold %v has_media %v, want waiting (true, false)", g["is_on_hold"], g["has_media"])
	}

	advance(p, clk, 30*time.Second)
	host := mustJoin(t, p, JoinSpec{Alias: aliasBridge, Role: roleChair, DisplayName: "Host"})
	if c := conferenceNamed(p, "Support Bridge"); c["is_started"] != true {
		t.Errorf("is_started = %v with a host, want true", c["is_started"])
	}
	g = participantOf(t, p, guest)
	if g["is_on_hold"] != false || g["has_media"] != true {
		t.Errorf("guest after host: is_on_hold %v has_media %v, want admitted", g["is_on_hold"], g["has_media"])
	}
	if got := participantOf(t, p, host)["conference"]; got != "Support Bridge" {
		t.Errorf("status participant conference = %v, want the conference name", got)
	}

	advance(p, clk, 5*time.Minute)
	p.Leave(guest)
	if conferenceNamed(p, "Support Bridge") == nil {
		t.Fatal("conference ended while its host was still in")
	}
	p.Leave(host)
	if c := conferenceNamed(p, "Support Bridge"); c != nil {
		t.Fatalf("conference still running after the last participant left: %v", c)
	}

	hc := historyOf(t, p, "conference")
	if len(hc) != 1 {
		t.Fatalf("history has %d conferences, want 1", len(hc))
	}
	want := []any{
		"/api/admin/history/v1/participant/" + guest + "/",
		"/api/admin/history/v1/participant/" + host + "/",
	}
	if diff := cmp.Diff(want, hc[0]["participants"]); diff != "" {
		t.Errorf("history participants (-want +got):\n%s", diff)
	}
	if hc[0]["id"] != conf["id"] || hc[0]["participant_count"] != 2 || hc[0]["name"] != "Support Bridge" {
		t.Errorf("history conference = %v", hc[0])
	}
	if d := hc[0]["duration"].(int); d < 330 || d > 332 {
		t.Errorf("history duration = %d s, want about 330", d)
	}
	for _, hp := range historyOf(t, p, "participant") {
		if hp["conference"] != "/api/admin/history/v1/conference/"+conf["id"].(string)+"/" {
			t.Errorf("history participant conference = %v, want the history conference URI", hp["conference"])
		}
	}
}

func TestJoinErrors(t *testing.T) {
	p, _ := newTest(t, Options{Seed: 1})
	if _, err := p.Join(JoinSpec{Alias: "nobody@example.com"}); !errors.Is(err, ErrUnknownAlias) {
		t.Errorf("unknown alias: err = %v, want ErrUnknownAlias", err)
	}
	for range 20 { // Support Bridge has a participant limit of 20
		mustJoin(t, p, JoinSpec{Alias: aliasBridge, Role: roleChair})
	}
	if _, err := p.Join(JoinSpec{Alias: aliasBridge}); !errors.Is(err, ErrFull) {
		t.Errorf("21st participant: err = %v, want ErrFull", err)
	}
	if p.Leave("00000000-0000-0000-0000-000000000000") {
		t.Error("Leave of an unknown id reported true")
	}
}

func TestAliasIsCaseInsensitive(t *testing.T) {
	p, _ := newTest(t, Options{Seed: 1})
	id := mustJoin(t, p, JoinSpec{Alias: "MEET.Alice@Example.com"})
	if got := participantOf(t, p, id)["conference"]; got != "meet.alice" {
		t.Errorf("conference = %v, want meet.alice", got)
	}
}

func TestLockWaitingUnlock(t *testing.T) {
	p, _ := newTest(t, Options{Seed: 1})
	first := mustJoin(t, p, JoinSpec{Alias: aliasOpen})
	confID := conferenceNamed(p, "Oslo Project Room")["id"].(string)

	if st, body := command(p, "conference", "lock", map[string]string{"conference_id": confID}); st != 202 || !cmp.Equal(body, okBody()) {
		t.Fatalf("lock = %d %v", st, body)
	}
	if conferenceNamed(p, "Oslo Project Room")["is_locked"] != true {
		t.Error("is_locked false after lock")
	}
	b := mustJoin(t, p, JoinSpec{Alias: aliasOpen, DisplayName: "B"})
	c := mustJoin(t, p, JoinSpec{Alias: aliasOpen, DisplayName: "C"})
	for _, id := range []string{b, c} {
		o := participantOf(t, p, id)
		if o["is_on_hold"] != true || o["has_media"] != false || o["license_type"] != "nolicense" {
			t.Errorf("joiner of a locked conference = on hold %v, media %v, licence %v; want waiting",
				o["is_on_hold"], o["has_media"], o["license_type"])
		}
		if ms, _ := p.StatusSub("participant", id, "media_stream"); len(ms.([]Object)) != 0 {
			t.Errorf("waiting participant has %d media streams, want none", len(ms.([]Object)))
		}
	}
	if participantOf(t, p, first)["has_media"] != true {
		t.Error("lock disturbed a participant already in")
	}

	if st, _ := command(p, "participant", "unlock", map[string]string{"participant_id": b}); st != 202 {
		t.Fatalf("participant/unlock = %d", st)
	}
	if participantOf(t, p, b)["has_media"] != true {
		t.Error("participant/unlock did not let B in")
	}
	if participantOf(t, p, c)["has_media"] != false {
		t.Error("participant/unlock of B let C in too")
	}
	command(p, "conference", "unlock", map[string]string{"conference_id": confID})
	if o := participantOf(t, p, c); o["has_media"] != true || o["is_on_hold"] != false {
		t.Error("conference/unlock did not let C in")
	}
}

func TestLockLetsHostPINHoldersIn(t *testing.T) {
	p, _ := newTest(t, Options{Seed: 1})
	mustJoin(t, p, JoinSpec{Alias: aliasBridge, Role: roleChair})
	id := conferenceNamed(p, "Support Bridge")["id"].(string)
	command(p, "conference", "lock", map[string]string{"conference_id": id})
	host := mustJoin(t, p, JoinSpec{Alias: aliasBridge, Role: roleChair})
	guest := mustJoin(t, p, JoinSpec{Alias: aliasBridge, Role: roleGuest})
	if participantOf(t, p, host)["has_media"] != true {
		t.Error("a host (PIN holder) was held by the lock")
	}
	if participantOf(t, p, guest)["has_media"] != false {
		t.Error("a guest got past the lock")
	}
}

func TestMuteGuests(t *testing.T) {
	p, _ := newTest(t, Options{Seed: 1})
	host := mustJoin(t, p, JoinSpec{Alias: aliasBridge, Role: roleChair})
	guest := mustJoin(t, p, JoinSpec{Alias: aliasBridge, Role: roleGuest})
	id := conferenceNamed(p, "Support Bridge")["id"].(string)

	if st, _ := command(p, "conference", "mute_guests", map[string]string{"conference_id": id}); st != 202 {
		t.Fatalf("mute_guests = %d", st)
	}
	late := mustJoin(t, p, JoinSpec{Alias: aliasBridge, Role: roleGuest})
	got := map[string]any{
		"guests_muted": conferenceNamed(p, "Support Bridge")["guests_muted"],
		"host":         participantOf(t, p, host)["is_muted"],
		"guest":        participantOf(t, p, guest)["is_muted"],
		"late guest":   participantOf(t, p, late)["is_muted"],
	}
	want := map[string]any{"guests_muted": true, "host": false, "guest": true, "late guest": true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after mute_guests (-want +got):\n%s", diff)
	}

	command(p, "conference", "unmute_guests", map[string]string{"conference_id": id})
	got = map[string]any{
		"guests_muted": conferenceNamed(p, "Support Bridge")["guests_muted"],
		"host":         participantOf(t, p, host)["is_muted"],
		"guest":        participantOf(t, p, guest)["is_muted"],
		"late guest":   participantOf(t, p, late)["is_muted"],
	}
	want = map[string]any{"guests_muted": false, "host": false, "guest": false, "late guest": false}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after unmute_guests (-want +got):\n%s", diff)
	}
}

func TestMuteUnmuteParticipant(t *testing.T) {
	p, _ := newTest(t, Options{Seed: 1})
	id := mustJoin(t, p, JoinSpec{Alias: aliasAlice})
	command(p, "participant", "mute", map[string]string{"participant_id": id})
	if participantOf(t, p, id)["is_muted"] != true {
		t.Error("mute did not mute")
	}
	command(p, "participant", "unmute", map[string]string{"participant_id": id})
	if participantOf(t, p, id)["is_muted"] != false {
		t.Error("unmute did not unmute")
	}
}

func TestRoleStartsConference(t *testing.T) {
	p, _ := newTest(t, Options{Seed: 1})
	g1 := mustJoin(t, p, JoinSpec{Alias: aliasBridge, Role: roleGuest})
	g2 := mustJoin(t, p, JoinSpec{Alias: aliasBridge, Role: roleGuest})
	if st, _ := command(p, "participant", "role", map[string]string{"participant_id": g1, "role": roleChair}); st != 202 {
		t.Fatalf("role = %d", st)
	}
	if got := participantOf(t, p, g1)["role"]; got != roleChair {
		t.Errorf("role = %v, want chair", got)
	}
	if conferenceNamed(p, "Support Bridge")["is_started"] != true || participantOf(t, p, g2)["has_media"] != true {
		t.Error("promoting a waiting guest to chair did not start the conference")
	}
	st, body := command(p, "participant", "role", map[string]string{"participant_id": g1, "role": "host"})
	want := Object{"role": Object{"role": []any{"Select a valid choice. host is not one of the available choices."}}}
	if st != 400 || !cmp.Equal(want, body) {
		t.Errorf("role host = %d %v, want 400 %v", st, body, want)
	}
}

func TestTransfer(t *testing.T) {
	p, _ := newTest(t, Options{Seed: 1})
	id := mustJoin(t, p, JoinSpec{Alias: aliasAlice, Role: roleChair})
	oldConf := conferenceNamed(p, "meet.alice")["id"]

	st, body := command(p, "participant", "transfer",
		map[string]string{"participant_id": id, "conference_alias": "meet.bob", "role": roleGuest})
	if st != 202 || !cmp.Equal(body, okBody()) {
		t.Fatalf("transfer = %d %v", st, body)
	}
	o := participantOf(t, p, id)
	if o["conference"] != "meet.bob" || o["role"] != roleGuest || o["has_media"] != true {
		t.Errorf("after transfer: conference %v role %v media %v; want meet.bob, guest, true", o["conference"], o["role"], o["has_media"])
	}
	if conferenceNamed(p, "meet.alice") != nil {
		t.Error("the emptied conference is still running")
	}
	if hc := historyOf(t, p, "conference"); len(hc) != 1 || hc[0]["id"] != oldConf {
		t.Errorf("history = %v, want the emptied meet.alice conference", hc)
	}

	st, body = command(p, "participant", "transfer",
		map[string]string{"participant_id": id, "conference_alias": "nowhere@example.com", "role": roleGuest})
	want := Object{"transfer": Object{"conference_alias": []any{"Failed to find conference alias."}}}
	if st != 400 || !cmp.Equal(want, body) {
		t.Errorf("transfer to an unknown alias = %d %v", st, body)
	}
}

func TestTransferBypassesPIN(t *testing.T) {
	p, _ := newTest(t, Options{Seed: 1})
	mustJoin(t, p, JoinSpec{Alias: aliasBridge, Role: roleChair})
	id := conferenceNamed(p, "Support Bridge")["id"].(string)
	command(p, "conference", "lock", map[string]string{"conference_id": id})
	moved := mustJoin(t, p, JoinSpec{Alias: aliasAlice})
	command(p, "participant", "transfer",
		map[string]string{"participant_id": moved, "conference_alias": aliasBridge, "role": roleChair})
	if o := participantOf(t, p, moved); o["conference"] != "Support Bridge" || o["has_media"] != true {
		t.Errorf("transferred chair into a locked PIN conference: %v %v, want admitted", o["conference"], o["has_media"])
	}
}

func TestDisconnect(t *testing.T) {
	p, _ := newTest(t, Options{Seed: 1})
	a := mustJoin(t, p, JoinSpec{Alias: aliasAlice})
	mustJoin(t, p, JoinSpec{Alias: aliasAlice})
	st, body := command(p, "participant", "disconnect", map[string]string{"participant_id": a})
	if st != 200 || !cmp.Equal(body, okBody()) {
		t.Fatalf("participant/disconnect = %d %v, want 200 success", st, body)
	}
	if _, ok := p.StatusDetail("participant", a); ok {
		t.Error("disconnected participant still listed")
	}

	mustJoin(t, p, JoinSpec{Alias: aliasAlice})
	id := conferenceNamed(p, "meet.alice")["id"].(string)
	st, _ = command(p, "conference", "disconnect", map[string]string{"conference_id": id})
	if st != 200 {
		t.Fatalf("conference/disconnect = %d, want 200", st)
	}
	if n := len(status(t, p, "participant")); n != 0 {
		t.Errorf("%d participants left after conference/disconnect", n)
	}
	hc := historyOf(t, p, "conference")
	if len(hc) != 1 || hc[0]["participant_count"] != 3 {
		t.Errorf("history after disconnect-all = %v, want one conference of 3", hc)
	}
	hp := historyOf(t, p, "participant")
	if hp[0]["disconnect_reason"] != reasonAPI {
		t.Errorf("disconnect_reason = %v, want %q", hp[0]["disconnect_reason"], reasonAPI)
	}
}

func TestUnknownIDs(t *testing.T) {
	p, _ := newTest(t, Options{Seed: 1})
	const ghost = "00000000-0000-0000-0000-00000000dead"
	tests := []struct {
		group, name string
		fields      map[string]string
		want        any
	}{
		{"participant", "mute", map[string]string{"participant_id": ghost},
			Object{"mute": Object{"participant_id": []any{"Failed to find participant."}}}},
		{"participant", "unmute", map[string]string{"participant_id": ghost},
			Object{"unmute": Object{"participant_id": []any{"Failed to find participant."}}}},
		{"participant", "disconnect", map[string]string{"participant_id": ghost},
			Object{"disconnect": Object{"participant_id": []any{"Failed to find participant."}}}},
		{"participant", "unlock", map[string]string{"participant_id": ghost},
			Object{"unlock": Object{"participant_id": []any{"Failed to find participant."}}}},
		{"participant", "role", map[string]string{"participant_id": ghost, "role": "chair"},
			Object{"role": Object{"participant_id": []any{"Failed to find participant."}}}},
		{"participant", "transfer", map[string]string{"participant_id": ghost, "conference_alias": aliasBob},
			Object{"transfer": Object{"participant_id": []any{"Failed to find participant."}}}},
		{"participant", "mute", map[string]string{"participant_id": " "},
			Object{"mute": Object{"participant_id": []any{"This field is required."}}}},
		{"conference", "lock", map[string]string{"conference_id": ghost},
			Object{"lock": Object{"conference_id": []any{"Failed to find conference."}}}},
		{"conference", "unlock", map[string]string{"conference_id": ghost},
			Object{"unlock": Object{"conference_id": []any{"Failed to find conference."}}}},
		{"conference", "mute_guests", map[string]string{"conference_id": ghost},
			Object{"mute_guests": Object{"conference_id": []any{"Failed to find conference."}}}},
		{"conference", "unmute_guests", map[string]string{"conference_id": ghost},
			Object{"unmute_guests": Object{"conference_id": []any{"Failed to find conference."}}}},
		{"conference", "disconnect", map[string]string{"conference_id": ghost},
			Object{"disconnect": Object{"conference_id": []any{"Failed to find conference."}}}},
		{"platform", "start_cloudnode", map[string]string{"instance_id": "i-00000000"},
			Object{"start_cloudnode": Object{"instance_id": []any{"Failed to find the cloud node."}}}},
	}
	for _, tt := range tests {
		t.Run(tt.group+"/"+tt.name, func(t *testing.T) {
			st, got := p.Command(tt.group, tt.name, tt.fields)
			if st != 400 {
				t.Errorf("status = %d, want 400", st)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
	if st, body := p.Command("participant", "spotlight", map[string]string{}); st != 404 || body != nil {
		t.Errorf("unknown command = %d %v, want 404 nil", st, body)
	}
}

func TestAutoDialledParticipants(t *testing.T) {
	p, clk := newTest(t, Options{Seed: 1})
	host := mustJoin(t, p, JoinSpec{Alias: aliasBoard, Role: roleChair})
	advance(p, clk, 5*time.Second)
	parts := status(t, p, "participant")
	if len(parts) != 2 {
		t.Fatalf("%d participants after the ADP rang, want host + recorder", len(parts))
	}
	var rec Object
	for _, o := range parts {
		if o["id"] != host {
			rec = o
		}
	}
	if rec["display_name"] != "Recorder" || rec["call_direction"] != "out" || rec["participant_alias"] != "recorder@example.com" {
		t.Errorf("ADP = %v", rec)
	}
	p.Leave(host)
	if n := len(status(t, p, "participant")); n != 0 {
		t.Errorf("%d participants after the last person left, want the ADP gone too", n)
	}
	if len(historyOf(t, p, "conference")) != 1 {
		t.Error("the conference did not end with its last person")
	}
}

func TestScriptedWaiting(t *testing.T) {
	p, _ := newTest(t, Options{Seed: 1})
	mustJoin(t, p, JoinSpec{Alias: aliasAlice})
	held := mustJoin(t, p, JoinSpec{Alias: aliasAlice, Waiting: true})
	if participantOf(t, p, held)["has_media"] != false {
		t.Fatal("JoinSpec.Waiting did not hold the participant")
	}
	p.Command("participant", "unlock", map[string]string{"participant_id": held})
	if participantOf(t, p, held)["has_media"] != true {
		t.Error("participant/unlock did not admit the held participant")
	}
}

func TestAuditoriumGuestsWaitForHost(t *testing.T) {
	p, _ := newTest(t, Options{Seed: 1})
	var guests []string
	for range 3 {
		guests = append(guests, mustJoin(t, p, JoinSpec{Alias: "allhands"}))
	}
	c := conferenceNamed(p, "All Hands")
	if c["service_type"] != "lecture" || c["is_started"] != false {
		t.Fatalf("auditorium before the host = %v", c)
	}
	if got := participantOf(t, p, guests[0])["role"]; got != roleGuest {
		t.Errorf("default role in a PIN service with guests = %v, want guest", got)
	}
	mustJoin(t, p, JoinSpec{Alias: "allhands", Role: roleChair})
	for _, g := range guests {
		if participantOf(t, p, g)["has_media"] != true {
			t.Errorf("guest %s still waiting after the host joined", g)
		}
	}
}

func TestADPsOnlyEndsConference(t *testing.T) {
	seed := DemoSeed(1, 0)
	svcs := SeedServices(seed)
	svcs[6].AutoDial = []AutoDial{ // Oslo Project Room with three ADPs
		{Alias: "a@example.com", Protocol: "sip"}, {Alias: "b@example.com", Protocol: "h323"},
		{Alias: "c@example.com", Protocol: "sip", Role: "chair"},
	}
	clk := NewManualClock(t0)
	p := New(Options{Seed: 1, Clock: clk}, StaticDirectory(svcs), seed.Locations, seed.Nodes)
	host := mustJoin(t, p, JoinSpec{Alias: aliasOpen})
	advance(p, clk, 10*time.Second)
	if n := len(status(t, p, "participant")); n != 4 {
		t.Fatalf("%d participants, want the host and three ADPs", n)
	}
	p.Leave(host)
	if n := len(status(t, p, "participant")); n != 0 {
		t.Errorf("%d participants left once only ADPs remained", n)
	}
	hc := historyOf(t, p, "conference")
	if len(hc) != 1 || hc[0]["participant_count"] != 4 {
		t.Errorf("history = %v, want one conference of 4", hc)
	}
	for _, n := range status(t, p, "worker_vm") {
		if n["media_tokens_used"] != 0 || n["signaling_count"] != 0 {
			t.Errorf("node %v keeps tokens %v signalling %v", n["name"], n["media_tokens_used"], n["signaling_count"])
		}
	}
}
