package auth

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func newAudit(t *testing.T) (*Audit, *fakeClock, *Store) {
	t.Helper()
	clock := newFakeClock()
	store := openStore(t, t.TempDir()+"/audit.db", clock)
	return NewAudit(store), clock, store
}

// seedAudit records four entries a minute apart, oldest first.
func seedAudit(t *testing.T, a *Audit, clock *fakeClock) []Entry {
	t.Helper()
	entries := []Entry{
		{Account: "otto", Address: "192.0.2.1", Action: "participant/mute", OK: true,
			Target: Target{ConferenceID: "c1", ConferenceName: "Board Room", ParticipantID: "p-9",
				ParticipantName: "Alice <alice@example.com>"}},
		{Account: "ada", Address: "192.0.2.2", Action: "configuration/update", Resource: "conference",
			Fields: []string{"allow_guests", "pin"}, OK: true,
			Target: Target{ServiceID: "42", ServiceName: "Weekly 100% sync"}},
		{Account: "otto", Address: "192.0.2.1", Action: "participant/disconnect", OK: false,
			Message: "participant not found",
			Target:  Target{ConferenceID: "c2", ConferenceName: "Ops_bridge", ParticipantID: "p-3"}},
		{Account: "vera", Address: "192.0.2.3", Action: "participant/mute", OK: true,
			Target: Target{ConferenceID: "c1", ConferenceName: "Board Room"}},
	}
	for i := range entries {
		entries[i].Time = clock.Now()
		if err := a.Record(context.Background(), entries[i]); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
	}
	return entries
}

func TestAuditQuery(t *testing.T) {
	a, clock, _ := newAudit(t)
	seedAudit(t, a, clock)
	start := newFakeClock().Now()
	tests := []struct {
		name      string
		filter    Filter
		want      []string // "account action" newest first
		wantTotal int
	}{
		{"everything, newest first", Filter{}, []string{"vera participant/mute",
			"otto participant/disconnect", "ada configuration/update", "otto participant/mute"}, 4},
		{"account", Filter{Account: "otto"}, []string{"otto participant/disconnect",
			"otto participant/mute"}, 2},
		{"action", Filter{Action: "participant/mute"}, []string{"vera participant/mute",
			"otto participant/mute"}, 2},
		{"target name, any case", Filter{Target: "board room"}, []string{"vera participant/mute",
			"otto participant/mute"}, 2},
		{"target participant name", Filter{Target: "alice@"}, []string{"otto participant/mute"}, 1},
		{"target id", Filter{Target: "p-3"}, []string{"otto participant/disconnect"}, 1},
		{"service name", Filter{Target: "weekly"}, []string{"ada configuration/update"}, 1},
		{"% is literal", Filter{Target: "100%"}, []string{"ada configuration/update"}, 1},
		{"_ is literal", Filter{Target: "board_room"}, nil, 0},
		{"_ matches itself", Filter{Target: "s_b"}, []string{"otto participant/disconnect"}, 1},
		{"time range", Filter{Since: start.Add(time.Minute), Until: start.Add(3 * time.Minute)},
			[]string{"otto participant/disconnect", "ada configuration/update"}, 2},
		{"limit and offset", Filter{Limit: 2, Offset: 1}, []string{"otto participant/disconnect",
			"ada configuration/update"}, 4},
		{"offset past the end", Filter{Offset: 10}, nil, 4},
		{"filters combine", Filter{Account: "otto", Target: "board"}, []string{"otto participant/mute"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, total, err := a.Query(context.Background(), tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range got {
				names = append(names, e.Account+" "+e.Action)
			}
			if diff := cmp.Diff(tt.want, names); diff != "" {
				t.Errorf("entries (-want +got):\n%s", diff)
			}
			if total != tt.wantTotal {
				t.Errorf("total = %d, want %d", total, tt.wantTotal)
			}
		})
	}
}

func TestAuditRecordRoundTrip(t *testing.T) {
	a, clock, _ := newAudit(t)
	want := seedAudit(t, a, clock)
	got, _, err := a.Query(context.Background(), Filter{Account: "ada"})
	if err != nil {
		t.Fatal(err)
	}
	want[1].ID = 2
	if diff := cmp.Diff([]Entry{want[1]}, got); diff != "" {
		t.Errorf("entry (-want +got):\n%s", diff)
	}

	// No time given: the store's clock stamps it.
	if err := a.Record(context.Background(), Entry{Account: "ada", Action: "x"}); err != nil {
		t.Fatal(err)
	}
	got, _, _ = a.Query(context.Background(), Filter{Action: "x"})
	if len(got) != 1 || !got[0].Time.Equal(clock.Now()) {
		t.Errorf("unstamped entry = %+v, want time %v", got, clock.Now())
	}
	if err := a.Record(context.Background(), Entry{Account: "ada"}); err == nil {
		t.Error("Record() without an action succeeded")
	}
}

// TestAuditRecordSurvivesCancel: the client hanging up after a command was sent must not lose
// its record.
func TestAuditRecordSurvivesCancel(t *testing.T) {
	a, _, _ := newAudit(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := a.Record(ctx, Entry{Account: "otto", Action: "participant/mute", OK: true}); err != nil {
		t.Fatalf("Record() with a cancelled context = %v", err)
	}
	if _, total, _ := a.Query(context.Background(), Filter{}); total != 1 {
		t.Errorf("%d entries recorded, want 1", total)
	}
}

func TestAuditDurableAcrossReopen(t *testing.T) {
	clock := newFakeClock()
	path := t.TempDir() + "/audit.db"
	store := openStore(t, path, clock)
	if err := NewAudit(store).Record(context.Background(),
		Entry{Account: "otto", Action: "conference/lock", OK: true}); err != nil {
		t.Fatal(err)
	}
	store.Close()
	_, total, err := NewAudit(openStore(t, path, clock)).Query(context.Background(), Filter{})
	if err != nil || total != 1 {
		t.Errorf("after reopening: %d entries, %v; want 1", total, err)
	}
}

func TestAuditPrune(t *testing.T) {
	a, clock, _ := newAudit(t)
	seedAudit(t, a, clock) // at 0, 1, 2, 3 min; the clock is now at 4 min
	n, err := a.Prune(context.Background(), 150*time.Second)
	if err != nil || n != 2 {
		t.Fatalf("Prune() = %d, %v; want 2", n, err)
	}
	got, total, _ := a.Query(context.Background(), Filter{})
	if total != 2 || got[1].Action != "participant/disconnect" {
		t.Errorf("after prune: %d entries, oldest %+v", total, got[len(got)-1])
	}
}

func TestWriteCSV(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	entries := []Entry{
		{Time: at, Account: "otto", Address: "::1", Action: "participant/mute", OK: true,
			Target: Target{ConferenceName: "=HYPERLINK(\"http://evil.example\",\"x\")",
				ParticipantName: "+1 555 0100", ParticipantID: "-2", ServiceName: "@SUM(A1)"}},
		{Time: at, Account: "ada", Action: "configuration/update", Resource: "conference",
			Fields: []string{"pin", "allow_guests"}, Message: "\tcmd|' /C calc'!A0",
			Target: Target{ConferenceName: "Ops, \"East\"\nline 2", ServiceID: "42"}},
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, entries); err != nil {
		t.Fatal(err)
	}
	got, err := csv.NewReader(strings.NewReader(buf.String())).ReadAll()
	if err != nil {
		t.Fatalf("output is not valid CSV: %v", err)
	}
	want := [][]string{
		csvHeader,
		{"2026-03-02T09:00:00Z", "otto", "::1", "participant/mute", "", "",
			"'=HYPERLINK(\"http://evil.example\",\"x\")", "", "'+1 555 0100", "'-2", "'@SUM(A1)", "",
			"ok", ""},
		{"2026-03-02T09:00:00Z", "ada", "", "configuration/update", "conference", "pin,allow_guests",
			"Ops, \"East\"\nline 2", "", "", "", "", "42", "failed", "'\tcmd|' /C calc'!A0"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CSV (-want +got):\n%s", diff)
	}
}
